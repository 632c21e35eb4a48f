;;; vterm.el --- Fully-featured terminal emulator  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors

;; Author: The emacs-libvterm-win contributors
;; Version: 0.0.2
;; Keywords: terminals
;; URL: https://github.com/emacs-libvterm-win/emacs-libvterm-win
;; Package-Requires: ((emacs "28.2"))

;; This file is not part of GNU Emacs.

;; This program is free software: you can redistribute it and/or modify
;; it under the terms of the GNU General Public License as published by
;; the Free Software Foundation, either version 3 of the License, or
;; (at your option) any later version.

;; This program is distributed in the hope that it will be useful,
;; but WITHOUT ANY WARRANTY; without even the implied warranty of
;; MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
;; GNU General Public License for more details.

;; You should have received a copy of the GNU General Public License
;; along with this program.  If not, see <https://www.gnu.org/licenses/>.

;;; Commentary:

;; vterm runs a shell inside an Emacs buffer.  The terminal emulation is
;; done by libvterm inside a dynamic module (`vterm-module'), so programs
;; with heavy output or full-screen interfaces stay fast.  This file holds
;; everything on the Lisp side: options, faces, key bindings, the major
;; mode, commands, the process plumbing and the functions the module
;; calls back.
;;
;; Usage: M-x vterm opens a terminal; M-x vterm-other-window opens one
;; in another window.  C-c C-t toggles `vterm-copy-mode', in which the
;; buffer can be navigated and copied like any other buffer.
;;
;; The module is looked up next to this file.  When it is missing it can
;; be built with M-x vterm-module-compile, which runs CMake.
;;
;; Shell-side integration (directory and prompt tracking, buffer titles,
;; calling whitelisted Emacs functions from the shell) lives in the
;; scripts of the etc/ directory; the shell finds them through the
;; EMACS_VTERM_PATH environment variable.
;;
;; The contract between this file and the module is described in
;; doc/DESIGN.md.

;;; Code:

(require 'cl-lib)
(require 'term)
(require 'term/xterm)
(require 'face-remap)
(require 'files-x)

(unless module-file-suffix
  (error "Vterm needs an Emacs built with module support (--with-modules)"))

(defvar vterm-copy-mode)

(declare-function bookmark-prop-get "bookmark" (bookmark prop))
(declare-function compilation-next-error-function "compile" (n &optional reset))

;;; Options

(defgroup vterm nil
  "Terminal emulator based on libvterm."
  :group 'terminals)

(defcustom vterm-module-cmake-args ""
  "Extra arguments given to CMake when compiling `vterm-module'.

The string is inserted verbatim into the CMake command line of
`vterm-module-compile', so it must use shell syntax.  Besides the
usual CMake options, the build knows `USE_SYSTEM_LIBVTERM': for
example \"-DUSE_SYSTEM_LIBVTERM=Off\" builds the bundled libvterm
instead of using the one installed on the system."
  :type 'string
  :group 'vterm)

(defcustom vterm-always-compile-module nil
  "Non-nil means compile `vterm-module' without asking when it is missing.

When nil, loading vterm asks for confirmation before compiling."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-module-download-policy 'ask
  "What to do on Windows when `vterm-module' is missing.

`ask' offers to download the prebuilt module and conpty-proxy.exe
of this version of vterm (see `vterm-module-download'); when the
offer is declined, or `vterm-always-compile-module' is non-nil,
the module is compiled with CMake as on other systems.  `always'
downloads without asking.  `never' never downloads: the module is
compiled with CMake (`vterm-module-compile').

The download is offered only when vterm.el records the SHA-256 of
a prebuilt archive for its version.  On other systems the module
is always compiled."
  :type '(choice (const :tag "Ask before downloading" ask)
                 (const :tag "Download without asking" always)
                 (const :tag "Never download; compile with CMake" never))
  :group 'vterm)

(defcustom vterm-module-download-url
  "https://github.com/emacs-libvterm-win/emacs-libvterm-win/releases/download/v%v/%f"
  "Where `vterm-module-download' fetches the Windows release archive.

A URL template: %v stands for the version of vterm, %f for the
file name of the archive (vterm-windows-x86_64-VERSION.zip) and
%% for a percent sign.  http, https and file URLs work, e.g.
\"file:///C:/Users/me/Downloads/%f\" for a copy downloaded by hand.
Whatever the source, the archive is unpacked only when its
SHA-256 is the one recorded in vterm.el."
  :type 'string
  :group 'vterm)

(defun vterm--default-shell ()
  "Return the default of `vterm-shell' for this system.
On Windows this is pwsh if it is installed, then powershell, then
the command interpreter named by %ComSpec%, each as a quoted file
name (it starts a command line, and \"C:/Program Files\" has a
space); elsewhere it is `shell-file-name'."
  (if (eq system-type 'windows-nt)
      (let ((program (or (executable-find "pwsh")
                         (executable-find "powershell")
                         (getenv "ComSpec"))))
        (if program
            ;; Windows file names cannot contain a double quote.
            (concat "\"" (subst-char-in-string ?/ ?\\ program) "\"")
          "cmd.exe"))
    shell-file-name))

(defcustom vterm-shell (vterm--default-shell)
  "The shell command run in new terminals.

The value is inserted unquoted after \"exec\" in a /bin/sh command
line, so it may carry arguments, as in \"bash --norc\".  On Windows
it is the command line given to the pseudo console, as in
\"powershell.exe -NoLogo\"."
  :type 'string
  :group 'vterm)

(defcustom vterm-conpty-proxy-path nil
  "Where conpty-proxy.exe is, the helper that runs shells on Windows.
When nil, it is looked for next to vterm.el (where CMake builds it),
then in the directories of the variable `exec-path'."
  :type '(choice (const :tag "Next to vterm.el, or in exec-path" nil)
                 file)
  :group 'vterm)

(defcustom vterm-tramp-shells '(("ssh" login-shell) ("scp" login-shell)
                                ("docker" "/bin/sh"))
  "Shells to run when `default-directory' is remote.

Each element has the form (METHOD SHELL) or (METHOD login-shell
FALLBACK).  METHOD is a TRAMP method name, or t to match any
method that has no entry of its own.  SHELL is the shell command
line to run on the remote host.  The symbol `login-shell' means
the login shell of the remote user, as reported by \"getent
passwd\"; when that cannot be found, FALLBACK is used if given.

When no entry applies, the connection-local value of
`shell-file-name' is used, then `vterm-shell'."
  :type '(alist :key-type (choice (string :tag "TRAMP method")
                                  (const :tag "Any other method" t))
                :value-type (choice (list :tag "Shell" string)
                                    (list :tag "Login shell"
                                          (const login-shell))
                                    (list :tag "Login shell, with fallback"
                                          (const login-shell) string)))
  :group 'vterm)

(defcustom vterm-buffer-name "*vterm*"
  "The base name of vterm buffers.

`vterm' and `vterm-other-window' use it.  With a numeric prefix
argument N those commands use this name followed by \"<N>\", for
example \"*vterm*<2>\"."
  :type 'string
  :group 'vterm)

(defcustom vterm-max-scrollback 1000
  "Number of lines kept in the scrollback of a new terminal.

The module caps the value at 1000000.  It is read when a terminal
is created."
  :type 'number
  :group 'vterm)

(defcustom vterm-min-window-width 80
  "Minimum width of the terminal, in columns.

The terminal never gets narrower than this, even in a narrower
window; lines are then truncated on display."
  :type 'number
  :group 'vterm)

(defcustom vterm-kill-buffer-on-exit t
  "Non-nil means kill the vterm buffer when its process exits.

When nil, the buffer stays around with its text after the process
has ended."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-clear-scrollback
  'vterm-clear-scrollback-when-clearing "0.0.1")

(define-obsolete-variable-alias 'vterm-use-vterm-prompt
  'vterm-use-vterm-prompt-detection-method "0.0.1")

(defcustom vterm-clear-scrollback-when-clearing nil
  "Non-nil means `vterm-clear' also erases the scrollback.

The scrollback is the text above the visible screen.  A prefix
argument to `vterm-clear' inverts this setting for one call."
  :type 'boolean
  :group 'vterm)

(defun vterm--set-keymap-exceptions (symbol value)
  "Set SYMBOL to VALUE and rebuild `vterm-mode-map' from scratch.

This is the `:set' function of `vterm-keymap-exceptions'.  The map
object is kept, so buffers already using it see the new bindings."
  (set-default symbol value)
  (when (and (boundp 'vterm-mode-map)
             (keymapp vterm-mode-map)
             (fboundp 'vterm--make-mode-map))
    (setcdr vterm-mode-map (cdr (vterm--make-mode-map value)))))

(defcustom vterm-keymap-exceptions
  '("C-c" "C-x" "C-u" "C-g" "C-h" "C-l" "M-x" "M-o" "C-y" "M-y")
  "Keys that `vterm-mode-map' does not send to the terminal.

Each element is a key description as understood by `kbd'.  These
keys keep their global bindings in vterm buffers.  To use a prefix
key of your own in vterm buffers, add it here; it then cannot be
sent to the terminal any more, except through
`vterm-send-next-key'.

Setting this option through Customize rebuilds `vterm-mode-map'."
  :type '(repeat string)
  :set #'vterm--set-keymap-exceptions
  :group 'vterm)

(defcustom vterm-exit-functions nil
  "Functions called when the process of a vterm buffer exits.

Each function receives two arguments: the vterm buffer, or nil if
it is no longer live, and the event string of the process
sentinel, such as \"finished\\n\".

The sentinel that runs this hook is installed when a terminal is
created if this hook or `vterm-kill-buffer-on-exit' is non-nil at
that time.  Another package that replaces the sentinel of the
process disables this hook."
  :type 'hook
  :group 'vterm)

(make-obsolete-variable 'vterm-set-title-functions
                        "use `vterm-buffer-name-string' instead."
                        "0.0.1")

(defcustom vterm-buffer-name-string nil
  "Format string for renaming vterm buffers after the terminal title.

When nil, titles set by programs in the terminal are ignored.
Otherwise the value is a `format' string with one %s, which is
replaced by the title; the buffer is renamed to the result, with a
<N> suffix when the name is taken.  For example, \"vterm %s\"
with a shell that sets the title to the current directory names
the buffer after that directory."
  :type '(choice (const :tag "Do not rename" nil)
                 (string :tag "Format"))
  :group 'vterm)

(defcustom vterm-term-environment-variable "xterm-256color"
  "Value of the TERM environment variable in the terminal."
  :type 'string
  :group 'vterm)

(defcustom vterm-environment nil
  "Extra environment variables for the processes of new terminals.

Each element is a string \"NAME=VALUE\", as in
`process-environment'.  The value may also be set in
.dir-locals.el files."
  :type '(repeat string)
  :group 'vterm)

(defcustom vterm-enable-manipulate-selection-data-by-osc52 nil
  "Non-nil means programs in the terminal may set the kill ring.

Programs set the selection with the OSC 52 escape sequence, for
example printf \"\\e]52;c;%s\\a\" \"$(printf foo | base64)\".
The text is put on the kill ring and, depending on the targets the
program names, on the clipboard and the primary selection.
Queries of the selection are never answered.  The option is off
by default because any program, including one on a remote host,
could otherwise overwrite the clipboard."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-eval-cmds '(("find-file" find-file)
                             ("message" message)
                             ("vterm-clear-scrollback" vterm-clear-scrollback))
  "Emacs functions that programs in the terminal may call.

A program calls a function by printing the escape sequence
ESC ] 51 ; E followed by the function's shell name and its
arguments in shell quoting, and ESC \\.  The helper `vterm_cmd' of
the scripts in etc/ does this.  Each element has the form
\(SHELL-NAME FUNCTION); FUNCTION receives the arguments as strings.

Only functions listed here can be called, so that output in the
terminal cannot run arbitrary code."
  :type '(alist :key-type string :value-type (list function))
  :group 'vterm)

(defcustom vterm-disable-underline nil
  "Non-nil means render underlined text without the underline.

The value is read when a terminal is created."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-disable-inverse-video nil
  "Non-nil means render reverse-video text as normal text.

The value is read when a terminal is created."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-disable-bold-font
  'vterm-disable-bold "0.0.1")

(defcustom vterm-disable-bold nil
  "Non-nil means render bold text with the normal weight.

The value is read when a terminal is created."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-set-bold-hightbright
  'vterm-set-bold-highbright "0.0.2")

(defcustom vterm-set-bold-highbright nil
  "Non-nil means show bold text in ANSI colors 0-7 with the bright colors.

The bright colors are colors 8-15.  The value is read when a
terminal is created."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-ignore-blink-cursor t
  "Non-nil means ignore requests of programs to make the cursor blink.

When nil, such requests turn the global minor mode
`blink-cursor-mode' on or off, which affects every window.  The
value is read when a terminal is created."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-copy-exclude-prompt t
  "Non-nil means `vterm-copy-mode-done' leaves the prompt out of a copied line.

A prefix argument to `vterm-copy-mode-done' inverts this setting."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-use-vterm-prompt-detection-method t
  "Non-nil means find prompts from the marks reported by the shell.

A shell configured with the scripts of etc/ prints the escape
sequence ESC ] 51 ; A at the end of each prompt, which tells vterm
where the prompt ends.  That is the reliable method.  When this
option is nil, or the shell never reported a prompt, prompts are
found with `term-prompt-regexp' instead."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-bookmark-check-dir t
  "Non-nil means restoring a vterm bookmark also restores its directory.

The directory is restored by typing a cd command into the shell."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-copy-mode-remove-fake-newlines nil
  "Non-nil means join wrapped lines while `vterm-copy-mode' is on.

A line longer than the terminal is shown on several rows, which
are separated by \"fake\" newlines.  When this option is non-nil,
entering copy mode removes those newlines and turns off
`truncate-lines', so that long lines are wrapped by Emacs instead;
leaving copy mode puts them back."
  :type 'boolean
  :group 'vterm)

(defvar vterm-timer-delay 0.1
  "Delay in seconds between output of the process and its display.

Output arriving within this delay is drawn at once, which keeps
large outputs fast.  A value of nil draws every chunk of output as
soon as it arrives.  Output that answers a key sent from Emacs is
always drawn without delay, and so is output after a quiet time
while `vterm-adaptive-redraw' is on.")

(defcustom vterm-adaptive-redraw t
  "Non-nil means output that follows a quiet time is drawn at once.

A chunk of output that arrives at least `vterm-timer-delay'
seconds after the previous one, and is not a full read (a flood
fills every read), is drawn without waiting, so the answer of a
command or a prompt shows at once.  Output that keeps coming is
drawn every `vterm-timer-delay' seconds, as in upstream vterm, and
as soon as it pauses for 20 ms, so the end of a command's output
shows without the rest of the delay.

When nil, every change is drawn `vterm-timer-delay' seconds after
it arrives, as in upstream.  When `vterm-timer-delay' is nil, every
chunk is drawn at once in both cases."
  :type 'boolean
  :group 'vterm)

(defvar vterm-install-buffer-name " *Install vterm* "
  "Name of the buffer that shows the compilation of `vterm-module'.")

;;; Faces

(defface vterm-color-black
  '((t :inherit term-color-black))
  "Face for ANSI color 0 (black).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-red
  '((t :inherit term-color-red))
  "Face for ANSI color 1 (red).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-green
  '((t :inherit term-color-green))
  "Face for ANSI color 2 (green).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-yellow
  '((t :inherit term-color-yellow))
  "Face for ANSI color 3 (yellow).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-blue
  '((t :inherit term-color-blue))
  "Face for ANSI color 4 (blue).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-magenta
  '((t :inherit term-color-magenta))
  "Face for ANSI color 5 (magenta).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-cyan
  '((t :inherit term-color-cyan))
  "Face for ANSI color 6 (cyan).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-white
  '((t :inherit term-color-white))
  "Face for ANSI color 7 (white).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defun vterm--bright-parent (color)
  "Return the term.el face that the bright variant of COLOR inherits.
COLOR is a color name such as \"red\".  The result is
`term-color-bright-COLOR' when that face exists (Emacs 28 and
later) and `term-color-COLOR' otherwise."
  (let ((bright (intern (concat "term-color-bright-" color))))
    (if (facep bright) bright (intern (concat "term-color-" color)))))

(defface vterm-color-bright-black
  `((t :inherit ,(vterm--bright-parent "black")))
  "Face for ANSI color 8 (bright black).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-red
  `((t :inherit ,(vterm--bright-parent "red")))
  "Face for ANSI color 9 (bright red).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-green
  `((t :inherit ,(vterm--bright-parent "green")))
  "Face for ANSI color 10 (bright green).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-yellow
  `((t :inherit ,(vterm--bright-parent "yellow")))
  "Face for ANSI color 11 (bright yellow).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-blue
  `((t :inherit ,(vterm--bright-parent "blue")))
  "Face for ANSI color 12 (bright blue).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-magenta
  `((t :inherit ,(vterm--bright-parent "magenta")))
  "Face for ANSI color 13 (bright magenta).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-cyan
  `((t :inherit ,(vterm--bright-parent "cyan")))
  "Face for ANSI color 14 (bright cyan).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-bright-white
  `((t :inherit ,(vterm--bright-parent "white")))
  "Face for ANSI color 15 (bright white).
Its foreground is used for the text color, its background for the
background color."
  :group 'vterm)

(defface vterm-color-underline
  '((t :inherit default))
  "Face for underlined text in the default color.
Only its foreground is used, as the text color of underlined text
that has no color of its own."
  :group 'vterm)

(defface vterm-color-inverse-video
  '((t :inherit default))
  "Face for reverse-video text in the default color.
Only its background is used, as the background of reverse-video
text that has no background color of its own."
  :group 'vterm)

(defvar vterm-color-palette
  [vterm-color-black
   vterm-color-red
   vterm-color-green
   vterm-color-yellow
   vterm-color-blue
   vterm-color-magenta
   vterm-color-cyan
   vterm-color-white
   vterm-color-bright-black
   vterm-color-bright-red
   vterm-color-bright-green
   vterm-color-bright-yellow
   vterm-color-bright-blue
   vterm-color-bright-magenta
   vterm-color-bright-cyan
   vterm-color-bright-white]
  "Faces of the 16 ANSI colors, indexed by color number.")

;;; Module

(defconst vterm--directory
  (let ((file (or load-file-name
                  (bound-and-true-p byte-compile-current-file)
                  buffer-file-name
                  (locate-library "vterm.el" t))))
    (and file (file-name-directory file)))
  "Directory holding vterm.el, where `vterm-module' is built and looked up.")

(defvar vterm--system-type-override nil
  "When non-nil, the value of `system-type' that vterm acts upon.
Tests set it to `windows-nt' to exercise the Windows code paths on
other systems.")

(defun vterm--windows-p ()
  "Return non-nil when vterm should use its Windows code paths.
This follows `vterm--system-type-override' when it is set."
  (eq (or vterm--system-type-override system-type) 'windows-nt))

(defun vterm-module--cmake-is-available ()
  "Return t if the cmake executable can be found; signal an error otherwise."
  (unless (executable-find "cmake")
    (error "Compiling vterm-module needs CMake, which is not installed; %s"
           (concat "install it (Debian/Ubuntu: apt-get install cmake;"
                   " Fedora: dnf install cmake; macOS: brew install cmake;"
                   " MSYS2: pacman -S mingw-w64-ucrt-x86_64-cmake)")))
  t)

(defconst vterm--module-build-failures
  (let ((libvterm (concat "(Debian/Ubuntu: apt-get install libvterm-dev;"
                          " Fedora: dnf install libvterm-devel;"
                          " macOS: brew install libvterm;"
                          " MSYS2: pacman -S mingw-w64-ucrt-x86_64-libvterm)")))
    `(("No CMAKE_C_COMPILER could be found"
       . ,(concat "no C compiler was found; install one (Debian/Ubuntu:"
                  " apt-get install gcc; Fedora: dnf install gcc;"
                  " macOS: xcode-select --install;"
                  " MSYS2: pacman -S mingw-w64-ucrt-x86_64-gcc)"))
      ("libvterm was not found\\|vterm\\.h: No such file"
       . ,(concat "the headers of libvterm were not found; install them "
                  libvterm))
      ("Build step for libvterm failed"
       . ,(concat "libvterm is not installed and downloading its sources"
                  " failed; install it " libvterm))))
  "Known causes of a failed module build.
Each element is (REGEXP . ADVICE): when the build output matches
REGEXP, ADVICE says what to install.")

(defun vterm--module-build-advice ()
  "Return advice on the failed module build in the current buffer, or nil."
  (cl-loop for (regexp . advice) in vterm--module-build-failures
           when (save-excursion
                  (goto-char (point-min))
                  (re-search-forward regexp nil t))
           return advice))

(defun vterm--module-include-dir ()
  "Return the directory of the running Emacs's emacs-module.h, or nil.
That is the include directory next to the Emacs executable, as in an
installed Emacs.  The module is built against this header rather
than any other one CMake could find."
  (let ((include (expand-file-name "../include" invocation-directory)))
    (and (file-exists-p (expand-file-name "emacs-module.h" include))
         include)))

(defun vterm--module-build-steps (directory)
  "Return the commands that build `vterm-module' in DIRECTORY.
The value is a list of argument lists, one per program run."
  (let ((build (expand-file-name "build" directory)))
    (list (append (list "cmake" "-S" directory "-B" build)
                  (let ((include (vterm--module-include-dir)))
                    (and include
                         (list (concat "-DEMACS_MODULE_INCLUDE_DIR=" include))))
                  (split-string-and-unquote vterm-module-cmake-args))
          (list "cmake" "--build" build))))

;;;###autoload
(defun vterm-module-compile ()
  "Compile `vterm-module' with CMake in the directory of vterm.el.

The commands and their output are shown in the buffer named by
`vterm-install-buffer-name'.  On success the module is placed next
to vterm.el; on failure an error is signaled."
  (interactive)
  (when (vterm-module--cmake-is-available)
    (let ((directory (file-name-as-directory
                      (or vterm--directory
                          (let ((file (locate-library "vterm.el" t)))
                            (and file (file-name-directory file)))
                          (error "Cannot find the directory of vterm.el"))))
          (buffer (get-buffer-create vterm-install-buffer-name))
          (status 0))
      (pop-to-buffer buffer)
      (with-current-buffer buffer
        (let ((inhibit-read-only t))
          (erase-buffer))
        (compilation-mode)
        (setq default-directory directory)
        (let ((inhibit-read-only t)
              (steps (vterm--module-build-steps directory)))
          (while (and steps (eql status 0))
            (insert "$ " (mapconcat #'shell-quote-argument (car steps) " ")
                    "\n")
            (setq status (apply #'call-process (caar steps) nil buffer t
                                (cdar steps)))
            (setq steps (cdr steps)))))
      (if (eql status 0)
          (message "vterm-module compiled successfully")
        (let ((advice (with-current-buffer buffer
                        (vterm--module-build-advice))))
          (error "Compiling vterm-module failed%s; see the buffer %S"
                 (if advice (concat ": " advice) "")
                 vterm-install-buffer-name))))))

;;;; Prebuilt module for Windows

;; Most Windows users have neither CMake nor a C compiler, so each release
;; of vterm comes with vterm-windows-x86_64-VERSION.zip, built by
;; tools/release.sh: vterm-module.dll, conpty-proxy.exe, a manifest and the
;; licences.  vterm.el records the SHA-256 and size of the archive of its
;; own version; the archive is checked against them before anything is
;; unpacked, and installed next to vterm.el all or nothing.

(defconst vterm-version "0.0.2"
  "The version of vterm, as in the Version header of vterm.el.
`vterm-module-download' installs the prebuilt module of this version.")

(defconst vterm--module-archive-sha256
  '(("0.0.2" "791826083cab343685367a6d3fbdbcf88cf6e228c9cd3a497eb3d514838b4d4d" 161542))
  "SHA-256 and size of the Windows release archive of each version.
Each entry is (VERSION SHA-256 SIZE-IN-BYTES).  Written by
tools/release.sh --record; the test suite rebuilds the archive and
fails when the entry for `vterm-version' no longer matches it.")

(defconst vterm--module-archive-files
  '("LICENSE-libvterm.txt" "vterm-module-manifest.txt" "conpty-proxy.exe"
    "vterm-module.dll")
  "The files installed from the release archive, in the order installed.
The module comes last: until it is in place, vterm counts as not
installed.")

(defvar vterm--module-unpack-commands
  '(("unzip" "-q" "-o" archive "-d" directory)
    ("tar" "-xf" archive "-C" directory))
  "Programs tried in turn to unpack the release archive.
Each entry is a program and its arguments; the symbols `archive'
and `directory' stand for the zip file and the empty directory to
unpack into.  Windows 10 and later ship tar.exe, which reads zip
files.")

(defvar vterm--module-download-timeout 300
  "Seconds a download of the release archive may take (Emacs 26 and later).")

(defvar vterm--module-downloaded nil
  "The version whose archive was installed in this session, or nil.")

(define-error 'vterm-module-download-error
  "Cannot install the prebuilt vterm module")

(defvar url-http-response-status)
(defvar url-http-end-of-headers)
(declare-function url-retrieve-synchronously "url"
                  (url &optional silent inhibit-cookies timeout))
(declare-function url-generic-parse-url "url-parse" (url))
(declare-function url-filename "url-parse" (cl-x) t)
(declare-function url-host "url-parse" (cl-x) t)
(declare-function url-unhex-string "url-util" (str &optional allow-newlines))
(declare-function format-spec "format-spec" (format specification &rest _))

(defun vterm--module-download-fail (format &rest args)
  "Signal `vterm-module-download-error' with a message made by FORMAT and ARGS."
  (signal 'vterm-module-download-error (list (apply #'format format args))))

(defun vterm--module-archive-name (version)
  "Return the file name of the Windows release archive of VERSION."
  (format "vterm-windows-x86_64-%s.zip" version))

(defun vterm--module-archive-url (version)
  "Return the URL of the release archive of VERSION.
It is `vterm-module-download-url' with %v and %f filled in."
  (require 'format-spec)
  (format-spec vterm-module-download-url
               `((?v . ,version) (?f . ,(vterm--module-archive-name version)))))

(defun vterm--module-file-url-name (url)
  "Return the local file name that the file: URL names."
  (require 'url-parse)
  (require 'url-util)
  (let ((name (decode-coding-string
               (url-unhex-string (url-filename (url-generic-parse-url url)))
               'utf-8)))
    ;; file:///C:/dir/file is the file C:/dir/file.
    (if (string-match "\\`/\\([A-Za-z]:\\)" name)
        (substring name 1)
      name)))

(defun vterm--module-fetch (url file)
  "Copy the contents of URL to FILE, byte for byte.
Signal `vterm-module-download-error' naming the cause on failure."
  (cond
   ((string-match-p "\\`file:" url)
    (let ((source (vterm--module-file-url-name url)))
      (unless (file-readable-p source)
        (vterm--module-download-fail "%s: no such file" source))
      (copy-file source file t)))
   ((string-match-p "\\`https?://" url)
    (require 'url)
    (let ((buffer (condition-case err
                      (if (>= emacs-major-version 26)
                          (url-retrieve-synchronously
                           url t t vterm--module-download-timeout)
                        (url-retrieve-synchronously url t t))
                    (error (vterm--module-download-fail
                            "downloading %s failed: %s"
                            url (error-message-string err))))))
      (unless (buffer-live-p buffer)
        (vterm--module-download-fail
         "downloading %s failed: no answer (timed out or no connection)" url))
      (unwind-protect
          (with-current-buffer buffer
            (let ((status (bound-and-true-p url-http-response-status)))
              (unless (eql status 200)
                (vterm--module-download-fail
                 "downloading %s failed: HTTP status %s" url
                 (or status "missing")))
              (let ((coding-system-for-write 'no-conversion))
                (write-region (1+ url-http-end-of-headers) (point-max)
                              file nil 'silent))))
        (kill-buffer buffer))))
   (t (vterm--module-download-fail
       "cannot download %s: only http, https and file URLs work" url))))

(defun vterm--module-verify (file version sha256 size)
  "Check that FILE is the release archive of VERSION with SHA256 and SIZE.
Signal `vterm-module-download-error' naming the difference if not."
  (let ((actual-size (nth 7 (file-attributes file))))
    (cond
     ((< actual-size size)
      (vterm--module-download-fail
       "the download is truncated: %d of %d bytes; nothing was installed"
       actual-size size))
     ((> actual-size size)
      (vterm--module-download-fail
       "the download has %d bytes, but the archive of vterm %s has %d; nothing was installed"
       actual-size version size))
     (t
      (let ((actual (with-temp-buffer
                      (set-buffer-multibyte nil)
                      (insert-file-contents-literally file)
                      (secure-hash 'sha256 (current-buffer)))))
        (unless (string= actual sha256)
          (vterm--module-download-fail
           (concat "the download has SHA-256 %s, but vterm.el expects %s for"
                   " vterm %s: the archive was modified or damaged, so nothing"
                   " was installed")
           actual sha256 version)))))))

(defun vterm--module-unpack (archive directory version)
  "Unpack ARCHIVE of VERSION into the new DIRECTORY; return that directory.
Try each of `vterm--module-unpack-commands' that is installed, each
in a fresh subdirectory, until one yields all the files."
  (let ((tools (cl-remove-if-not (lambda (command) (executable-find (car command)))
                                 vterm--module-unpack-commands))
        (attempt 0)
        errors)
    (unless tools
      (vterm--module-download-fail
       "cannot unpack the archive: none of %s is installed (in `exec-path')"
       (mapconcat #'car vterm--module-unpack-commands " or ")))
    (or (cl-some
         (lambda (command)
           (let ((into (expand-file-name (format "unpack-%d" (cl-incf attempt))
                                         directory)))
             (make-directory into)
             (with-temp-buffer
               (let* ((args (mapcar (lambda (arg)
                                      (pcase arg
                                        ('archive (expand-file-name archive))
                                        ('directory into)
                                        (_ arg)))
                                    (cdr command)))
                      (status (apply #'call-process (car command) nil t nil args))
                      (missing (cl-remove-if
                                (lambda (name)
                                  (file-regular-p (expand-file-name name into)))
                                vterm--module-archive-files)))
                 (if (and (eql status 0) (null missing))
                     into
                   (push (format "%s exited with %s%s: %s" (car command) status
                                 (if missing
                                     (format " without %s" (car missing))
                                   "")
                                 (replace-regexp-in-string
                                  "[ \t\n]+\\'" "" (buffer-string)))
                         errors)
                   nil)))))
         tools)
        (vterm--module-download-fail "cannot unpack the archive of vterm %s: %s"
                                     version
                                     (mapconcat #'identity (nreverse errors) "; ")))))

(defun vterm--module-install-files (from to old)
  "Move `vterm--module-archive-files' from directory FROM into directory TO.
All or nothing: files already in TO are moved aside into the new
directory OLD first, and put back when any step fails."
  (let (moved saved)
    (make-directory old)
    (condition-case err
        (dolist (name vterm--module-archive-files)
          (let ((target (expand-file-name name to)))
            (when (file-exists-p target)
              (rename-file target (expand-file-name name old))
              (push name saved))
            (rename-file (expand-file-name name from) target)
            (push name moved)))
      (error
       (dolist (name moved)
         (ignore-errors (delete-file (expand-file-name name to))))
       (dolist (name saved)
         (ignore-errors (rename-file (expand-file-name name old)
                                     (expand-file-name name to) t)))
       (vterm--module-download-fail "cannot install into %s: %s; nothing was changed"
                                    to (error-message-string err))))))

(defun vterm--module-download-install (directory version)
  "Download the Windows release archive of VERSION and install it in DIRECTORY.
The archive is checked against `vterm--module-archive-sha256'
before it is unpacked; the files are installed all or nothing.
Signal `vterm-module-download-error' naming the cause on failure."
  (let* ((entry (or (assoc version vterm--module-archive-sha256)
                    (vterm--module-download-fail
                     "vterm.el records no prebuilt archive for vterm %s" version)))
         (url (vterm--module-archive-url version))
         (directory (file-name-as-directory (expand-file-name directory)))
         staging)
    (unless (and (file-directory-p directory) (file-writable-p directory))
      (vterm--module-download-fail
       "%s is not a writable directory; install vterm where you can write, or build the module with CMake"
       directory))
    (setq staging (condition-case err
                      (make-temp-file (expand-file-name ".vterm-download-" directory) t)
                    (file-error
                     (vterm--module-download-fail "cannot write in %s: %s"
                                                  directory (error-message-string err)))))
    (unwind-protect
        (let ((archive (expand-file-name (vterm--module-archive-name version) staging)))
          (message "Downloading %s..." url)
          (vterm--module-fetch url archive)
          (vterm--module-verify archive version (nth 1 entry) (nth 2 entry))
          (let ((unpacked (vterm--module-unpack archive staging version)))
            (vterm--module-install-files unpacked directory
                                         (expand-file-name "old" staging)))
          (setq vterm--module-downloaded version)
          (message "Installed the vterm %s module and conpty-proxy.exe (SHA-256 verified) in %s"
                   version directory))
      ;; A module replaced while loaded (Windows keeps it open) may stay
      ;; behind in the staging directory.
      (ignore-errors (delete-directory staging t)))))

(defun vterm--module-download-for-user (directory version)
  "Install the archive of VERSION in DIRECTORY; report failures to the user.
Like `vterm--module-download-install', but its failures become a
`user-error', which Emacs shows as a plain sentence."
  (condition-case err
      (vterm--module-download-install directory version)
    (vterm-module-download-error
     (user-error "Cannot install the prebuilt vterm module: %s" (cadr err)))))

(defun vterm--module-install-directory ()
  "Return the directory of vterm.el, where the module is installed."
  (or vterm--directory
      (let ((file (locate-library "vterm.el" t)))
        (and file (file-name-directory file)))
      (error "Cannot find the directory of vterm.el")))

;;;###autoload
(defun vterm-module-download ()
  "Download and install the prebuilt Windows module of this vterm version.

The archive vterm-windows-x86_64-VERSION.zip is fetched from
`vterm-module-download-url', checked against the SHA-256 that
vterm.el records for `vterm-version', unpacked with unzip or tar,
and its vterm-module.dll, conpty-proxy.exe, manifest and libvterm
licence are moved next to vterm.el, all or nothing.  A wrong hash,
a truncated or failed download, a missing unpacker or a read-only
directory signal a `user-error' naming the cause, and leave the
installed files as they were."
  (interactive)
  (if (equal vterm--module-downloaded vterm-version)
      (message "The vterm %s module was already installed in this session"
               vterm-version)
    (vterm--module-download-for-user (vterm--module-install-directory)
                                     vterm-version)
    (when (featurep 'vterm-module)
      (message "Installed; restart Emacs to load the new vterm module"))))

(defun vterm--module-download-offer ()
  "Offer to download the prebuilt module; return non-nil once it is installed.
Only on Windows, when vterm.el records an archive for
`vterm-version', and as `vterm-module-download-policy' says."
  (when (and (vterm--windows-p)
             (assoc vterm-version vterm--module-archive-sha256)
             (pcase vterm-module-download-policy
               ('always t)
               ('ask (and (not vterm-always-compile-module)
                          (not noninteractive)
                          (y-or-n-p
                           (format "The vterm module is missing; download the \
prebuilt one for vterm %s from %s (SHA-256 checked)? "
                                   vterm-version
                                   (vterm--module-url-origin
                                    (vterm--module-archive-url vterm-version))))))))
    (vterm--module-download-for-user (vterm--module-install-directory)
                                     vterm-version)
    t))

(defun vterm--module-url-origin (url)
  "Return the host of URL, or the file name for a file: URL."
  (require 'url-parse)
  (if (string-match-p "\\`file:" url)
      (vterm--module-file-url-name url)
    (or (url-host (url-generic-parse-url url)) url)))

(defun vterm--load-module ()
  "Load `vterm-module', compiling it first if it cannot be found.

The module is searched for in `load-path', then in the directory of
vterm.el (where `vterm-module-compile' puts it).  When it is missing
on Windows, the prebuilt module may be downloaded instead, as
`vterm-module-download-policy' says.  Otherwise it is compiled
without asking if `vterm-always-compile-module' is non-nil, or
after asking the user.  In batch mode the user is never asked and
an error is signaled instead."
  (unless (featurep 'vterm-module)
    (let ((load-path (if vterm--directory
                         (append load-path (list vterm--directory))
                       load-path)))
      (unless (require 'vterm-module nil t)
        (cond
         ((vterm--module-download-offer)
          (require 'vterm-module))
         ((or vterm-always-compile-module
              (and (not noninteractive)
                   (y-or-n-p "The vterm module is missing; compile it now? ")))
          (vterm-module-compile)
          (require 'vterm-module))
         (noninteractive
          (error (concat "The vterm module is neither in %s nor in `load-path';"
                         " build it with `vterm-module-compile' or CMake")
                 (or vterm--directory "the directory of vterm.el")))
         (t
          (error "Vterm cannot work without its module; %s"
                 "build it with `vterm-module-compile'")))))))

(vterm--load-module)

(declare-function vterm--new "ext:vterm-module.c"
                  (rows cols &optional scrollback disable-bold disable-underline
                        disable-inverse-video ignore-blink-cursor
                        set-bold-highbright))
(declare-function vterm--update "ext:vterm-module.c"
                  (term &optional key shift meta ctrl))
(declare-function vterm--redraw "ext:vterm-module.c" (term))
(declare-function vterm--write-input "ext:vterm-module.c" (term string))
(declare-function vterm--set-size "ext:vterm-module.c" (term rows cols))
(declare-function vterm--set-pty-name "ext:vterm-module.c" (term name))
(declare-function vterm--get-pwd-raw "ext:vterm-module.c" (term linenum))
(declare-function vterm--reset-point "ext:vterm-module.c" (term))
(declare-function vterm--get-icrnl "ext:vterm-module.c" (term))
(declare-function vterm--module-info "ext:vterm-module.c" ())
(declare-function vterm--set-synchronized-output "ext:vterm-module.c"
                  (term enable))
(declare-function vterm--synchronized-p "ext:vterm-module.c" (term))
(declare-function vterm--set-hyperlinks "ext:vterm-module.c" (term flag))

;;;; Buffer-local state

(defvar-local vterm--term nil
  "The terminal of the current buffer, a `vterm-module' object.")

(defvar-local vterm--process nil
  "The process running in the terminal of the current buffer.")

(defvar-local vterm--rows nil
  "Number of screen rows of the terminal, as last set from Lisp.")

(defvar-local vterm--redraw-timer nil
  "Timer of the pending delayed redraw, or nil.")

(define-obsolete-variable-alias 'vterm--redraw-immididately
  'vterm--redraw-immediately "2025-07-15")

(defvar-local vterm--last-output-time 0.0
  "When output of the process last arrived (`float-time').")

(defvar-local vterm--redraw-deadline nil
  "When the pending redraw must happen at the latest (`float-time').")

(defconst vterm--redraw-pause 0.02
  "Seconds without output after which a pending change is drawn.
Used while `vterm-adaptive-redraw' is on: the end of a burst of
output shows this long after it, not a whole `vterm-timer-delay'.")

(defvar vterm--output-after-quiet nil
  "Non-nil while the filter runs a chunk that follows a quiet time.
Bound by `vterm--filter'; see `vterm-adaptive-redraw'.")

(defvar-local vterm--redraw-immediately nil
  "Non-nil means draw the next change of the terminal without delay.
Sending a key sets it, so that the echo of the key shows at once.")

(defvar-local vterm--linenum-remapping nil
  "Face remapping cookie that scales the `line-number' face.")

(defvar-local vterm--prompt-tracking-enabled-p nil
  "Non-nil once the shell has marked a prompt in this buffer.")

(defvar-local vterm--insert-function (symbol-function #'insert)
  "The original `insert', immune to later advice.")

(defvar-local vterm--delete-char-function (symbol-function #'delete-char)
  "The original `delete-char', immune to later advice.")

(defvar-local vterm--delete-region-function (symbol-function #'delete-region)
  "The original `delete-region', immune to later advice.")

(defvar-local vterm--undecoded-bytes nil
  "Unused; kept for packages that refer to it.
The module now carries incomplete UTF-8 sequences itself.")

(defvar-local vterm--copy-mode-fake-newlines nil
  "Positions of the fake newlines removed by `vterm-copy-mode'.")

;;; Mouse, modified keys and focus events

;; Three ways the terminal reports input beyond plain keys, each through
;; libvterm's own encoder in the module (keys.c) and each with an option:
;; - mouse events, when the program asked for them (DECSET 1000, 1002 or
;;   1003, in any of libvterm's encodings: X10, 1005, 1006 SGR, 1015);
;;   otherwise, in `vterm-copy-mode' and for shift-clicks, Emacs keeps
;;   the mouse;
;; - keys with modifiers that upstream sends plain or not at all
;;   (S-RET, C-RET, M-RET, C-TAB, S-<f5>, ...);
;; - focus in and out (CSI I, CSI O), when the program enabled them
;;   (DECSET 1004).

(defvar vterm-mode-map)

(defcustom vterm-enable-mouse t
  "Non-nil means programs that ask for the mouse receive mouse events.

When a program in the terminal turns mouse reporting on (as vim
does with \"set mouse=a\"), clicks, releases, drags and the wheel
over the terminal are sent to it.  Shift-clicks, and every mouse
event in `vterm-copy-mode', still go to Emacs.  When nil, Emacs
always keeps the mouse."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-enable-focus-events t
  "Non-nil means programs that ask for focus events receive them.

A program that enables focus reporting (DECSET 1004) is told when
the vterm window is selected or left, and when the Emacs frame
gains or loses focus."
  :type 'boolean
  :group 'vterm)

(defun vterm--set-modified-keys (symbol value)
  "Set SYMBOL to VALUE and rebuild `vterm-mode-map'.
This is the `:set' function of `vterm-send-modified-keys'."
  (set-default symbol value)
  (when (and (boundp 'vterm-mode-map)
             (keymapp vterm-mode-map)
             (fboundp 'vterm--make-mode-map))
    (setcdr vterm-mode-map
            (cdr (vterm--make-mode-map vterm-keymap-exceptions)))))

(defcustom vterm-send-modified-keys t
  "Non-nil means keys with modifiers reach the program distinctly.

With this option, keys such as S-RET, C-RET, M-RET, C-TAB,
S-<up> or C-<f5> are sent with libvterm's encoding of their
modifiers (for instance ESC [ 13 ; 2 u for S-RET), so programs
that bind them see them.  When nil, they keep upstream vterm's
bindings: most are sent without their modifiers.

Setting this option through Customize rebuilds `vterm-mode-map'."
  :type 'boolean
  :set #'vterm--set-modified-keys
  :group 'vterm)

(declare-function vterm--mouse "ext:vterm-module.c"
                  (term line col button pressed &optional shift meta ctrl))
(declare-function vterm--mouse-mode "ext:vterm-module.c" (term))
(declare-function vterm--focus "ext:vterm-module.c" (term in))

;;;; Modified keys

(defconst vterm--modified-keys
  '(("return" "S-" "C-" "M-" "C-S-" "M-S-" "C-M-")
    ("tab" "C-" "C-S-" "M-")
    ("iso-lefttab" "C-" "C-S-")
    ("backspace" "S-")
    ("escape" "S-" "C-" "M-")
    ("up" "S-" "C-S-" "M-S-" "C-M-")
    ("down" "S-" "C-S-" "M-S-" "C-M-")
    ("left" "S-" "C-S-" "M-S-" "C-M-")
    ("right" "S-" "C-S-" "M-S-" "C-M-")
    ("home" "S-" "M-" "C-S-")
    ("end" "S-" "M-" "C-S-")
    ("insert" "C-" "M-")
    ("delete" "S-" "C-" "M-")
    ("prior" "C-" "M-")
    ("next" "C-" "M-"))
  "Function keys with the modifier prefixes that `vterm-mode-map' sends.
Each element is (KEY PREFIX...); the function keys <f1> to <f12>
are added with S-, C- and M-.")

(defun vterm--bind-modified-keys (map exceptions)
  "Bind in MAP the modified keys sent by `vterm-send-modified-key'.
Keys whose unmodified form is in EXCEPTIONS, and keys MAP already
binds, are left alone."
  (let ((specs vterm--modified-keys))
    (dotimes (i 12)
      (push (list (format "f%d" (1+ i)) "S-" "C-" "M-") specs))
    (dolist (spec specs)
      (unless (member (format "<%s>" (car spec)) exceptions)
        (dolist (prefix (cdr spec))
          (let ((key (kbd (format "%s<%s>" prefix (car spec)))))
            (unless (lookup-key map key)
              (define-key map key #'vterm-send-modified-key)))))))
  ;; On a text terminal meta arrives as ESC: M-RET and M-TAB are then
  ;; the ESC-prefixed control characters, bound to meta self-insertion.
  (dolist (key '("M-RET" "M-TAB"))
    (unless (member key exceptions)
      (define-key map (kbd key) #'vterm-send-modified-key))))

(defun vterm--modified-key-args (event meta)
  "Return the `vterm-send-key' arguments that send EVENT with its modifiers.
META non-nil adds the meta modifier.  The value is (KEY SHIFT META
CTRL), KEY the name of a function key such as \"<return>\"."
  (let* ((char (and (integerp event) (logand event (1- (ash 1 22)))))
         (mods (if char
                   (delq nil (list (and (/= 0 (logand event (ash 1 25))) 'shift)
                                   (and (/= 0 (logand event (ash 1 26)))
                                        'control)
                                   (and (/= 0 (logand event (ash 1 27))) 'meta)))
                 (event-modifiers event)))
         (base (or (cdr (assq char '((13 . return) (9 . tab) (127 . backspace)
                                     (27 . escape))))
                   (event-basic-type event)))
         (shift (memq 'shift mods)))
    (when (eq base 'iso-lefttab)
      (setq base 'tab shift t))
    (list (format "<%s>" base) (and shift t)
          (and (or meta (memq 'meta mods)) t)
          (and (memq 'control mods) t))))

(defun vterm-send-modified-key ()
  "Send the key that invoked this command to the terminal, with modifiers.
The key is encoded by libvterm: S-RET, for instance, is sent as
ESC [ 13 ; 2 u and M-RET as ESC RET."
  (interactive)
  (when vterm--term
    (apply #'vterm-send-key
           (vterm--modified-key-args last-command-event
                                     (vterm--invoked-with-esc-prefix-p)))))

;;;; Mouse

(defun vterm--mouse-wanted-p ()
  "Return non-nil if mouse events go to the program of the current buffer."
  (and vterm-enable-mouse
       vterm--term
       (not (bound-and-true-p vterm-copy-mode))
       (> (vterm--mouse-mode vterm--term) 0)))

(defun vterm--mouse-binding (fallback)
  "Return a key binding that reports mouse events when the program wants them.
Otherwise the binding is FALLBACK, or, when FALLBACK is nil, the
event keeps the binding it has outside `vterm-mode-map'."
  `(menu-item "" vterm-mouse-report
              :filter ,(lambda (cmd)
                         (if (vterm--mouse-wanted-p) cmd fallback))))

(defconst vterm--mouse-buttons
  '((mouse-1 . 1) (mouse-2 . 2) (mouse-3 . 3)
    (mouse-4 . 4) (mouse-5 . 5) (mouse-6 . 6) (mouse-7 . 7)
    (wheel-up . 4) (wheel-down . 5) (wheel-left . 6) (wheel-right . 7))
  "The button numbers libvterm uses for Emacs' mouse events.
4 and 5 are the wheel up and down, 6 and 7 left and right.")

(defun vterm--bind-mouse (map)
  "Bind in MAP the mouse events that `vterm-mouse-report' sends.
Shift-clicks are not bound: they always go to Emacs."
  (dolist (mods '("" "C-" "M-" "C-M-"))
    (dolist (n '(1 2 3))
      (dolist (kind '("down-mouse-" "mouse-" "drag-mouse-"))
        (let* ((name (format "%s%s%d" mods kind n))
               (key (vector (intern name))))
          (define-key map key
                      (vterm--mouse-binding (lookup-key map key)))))))
  (dolist (event '(mouse-4 mouse-5 mouse-6 mouse-7
                   wheel-up wheel-down wheel-left wheel-right))
    (define-key map (vector event) (vterm--mouse-binding nil))))

(defun vterm--mouse-cell (posn)
  "Return (LINE . COL) of the terminal cell at POSN, or nil.
LINE is the buffer line (1-based) and COL the cell column, from
the pixel position of POSN relative to the start of its line, so
line numbers, margins and text scaling are accounted for."
  (let ((window (posn-window posn))
        (xy (posn-x-y posn))
        (pos (posn-point posn)))
    (when (and (windowp window) (consp xy) (integer-or-marker-p pos)
               (null (posn-area posn))
               (eq (window-buffer window) (current-buffer)))
      (let* ((bol (save-excursion (goto-char pos) (line-beginning-position)))
             (start (posn-at-point bol window))
             (x0 (cond ((and start (posn-x-y start)) (car (posn-x-y start)))
                       ((bound-and-true-p display-line-numbers)
                        (with-selected-window window
                          (line-number-display-width t)))
                       (t 0)))
             (width (max 1 (with-selected-window window
                             (default-font-width)))))
        (cons (line-number-at-pos pos t)
              (max 0 (/ (- (car xy) x0) width)))))))

(defun vterm--mouse-send (posn button pressed mods)
  "Report BUTTON (0 for a motion) at POSN to the program.
PRESSED is non-nil for a press; MODS are the event's modifiers.
Return non-nil if the program took the event."
  ;; A release after the program turned the mouse off still goes to the
  ;; module, which sends nothing but lets libvterm forget the button.
  (let ((cell (and (or (vterm--mouse-wanted-p)
                       (and vterm--term (not pressed) (<= 1 button 3)
                            (eql (vterm--mouse-mode vterm--term) 0)))
                   (vterm--mouse-cell posn))))
    (when cell
      (vterm--mouse vterm--term (car cell) (cdr cell) button pressed
                    nil (and (memq 'meta mods) t)
                    (and (memq 'control mods) t)))))

(defun vterm--mouse-track (window button mods)
  "Report motions over WINDOW while BUTTON is held, then its release.
MODS are the modifiers of the press.  An event that is not the
release is put back to be read as usual."
  (let ((event nil))
    (track-mouse
      (while (progn (setq event (read-event))
                    (mouse-movement-p event))
        (when (eq (posn-window (event-start event)) window)
          (vterm--mouse-send (event-start event) 0 t mods))))
    (if (and (consp event)
             (eql (cdr (assq (event-basic-type event) vterm--mouse-buttons))
                  button)
             (not (memq 'down (event-modifiers event))))
        (vterm--mouse-send (event-end event) button nil mods)
      (push event unread-command-events))))

(defun vterm-mouse-report (event)
  "Report the mouse EVENT to the program in the terminal.
Button presses select the window clicked; while a button is held,
motions are reported too when the program asked for drags."
  (interactive "e")
  (let* ((window (posn-window (event-start event)))
         (mods (event-modifiers event))
         (button (cdr (assq (event-basic-type event) vterm--mouse-buttons))))
    (when (and button (windowp window) (window-live-p window))
      (with-current-buffer (window-buffer window)
        (cond
         ((> button 3)                  ; the wheel: a press only
          (vterm--mouse-send (event-start event) button t mods))
         ((memq 'down mods)
          (select-window window)
          (vterm--mouse-send (event-start event) button t mods)
          (when (and vterm--term (> (vterm--mouse-mode vterm--term) 1))
            (vterm--mouse-track window button mods)))
         (t
          (vterm--mouse-send (event-end event) button nil mods)))))))

;;;; Focus events

(defvar vterm--focus-buffers nil
  "The live vterm buffers, for focus reporting.")

(defvar-local vterm--focus-reported nil
  "The focus last reported to the program: `in', `out' or nil.")

(defun vterm--focus-update (&rest _)
  "Report to the programs of the vterm buffers whether they have the focus.
A buffer has the focus when the selected window shows it and its
frame has the input focus.  Only programs that enabled focus
reporting receive anything (libvterm checks that)."
  (setq vterm--focus-buffers (cl-remove-if-not #'buffer-live-p vterm--focus-buffers))
  (when vterm-enable-focus-events
    (let ((focused (and (not (eq (frame-focus-state) nil))
                        (window-buffer (selected-window)))))
      (dolist (buffer vterm--focus-buffers)
        (with-current-buffer buffer
          (let ((state (if (eq buffer focused) 'in 'out)))
            (when (and vterm--term (not (eq state vterm--focus-reported)))
              (setq vterm--focus-reported state)
              (vterm--focus vterm--term (eq state 'in)))))))))

(defun vterm--focus-setup ()
  "Track the focus of the current vterm buffer."
  (push (current-buffer) vterm--focus-buffers)
  (add-hook 'window-selection-change-functions #'vterm--focus-update)
  (add-hook 'window-buffer-change-functions #'vterm--focus-update)
  (add-function :after after-focus-change-function #'vterm--focus-update))

;;; Keybindings

(defun vterm--exclude-keys (map exceptions)
  "Bind in MAP the keys that go to the terminal, except EXCEPTIONS.

EXCEPTIONS is a list of key descriptions, as in
`vterm-keymap-exceptions'.  Those keys are unbound in MAP.  The
function keys <f1> to <f12>, every ASCII key and every meta ASCII
key except `M-O' and `M-[' are bound to commands that send them."
  (dolist (key exceptions)
    (define-key map (kbd key) nil))
  (dotimes (i 12)
    (let ((key (format "<f%d>" (1+ i))))
      (unless (member key exceptions)
        (define-key map (kbd key) #'vterm--self-insert))))
  ;; ESC is not bound itself: it is the prefix of the meta keys below.
  (dotimes (i 128)
    (let ((key (vector i)))
      (unless (or (eql i 27)
                  (member (key-description key) exceptions))
        (define-key map key #'vterm--self-insert))))
  ;; M-O and M-[ are left alone: terminals send them as the start of
  ;; the escape sequences of function keys.
  (dotimes (i 128)
    (let ((key (vector 27 i)))
      (unless (or (memq i '(?O ?\[))
                  (member (key-description key) exceptions))
        (define-key map key #'vterm--self-insert-meta)))))

(defconst vterm--explicit-bindings
  '(("C-]" . vterm--self-insert)
    ("M-<" . vterm--self-insert)
    ("M->" . vterm--self-insert)
    ("M-." . vterm--self-insert)
    ("M-," . vterm--self-insert)
    ("C-\\" . vterm--self-insert)
    ("C-_" . vterm--self-insert)
    ("C-SPC" . vterm--self-insert)
    ("S-SPC" . vterm-send-space)
    ("<tab>" . vterm-send-tab)
    ("TAB" . vterm-send-tab)
    ("<backtab>" . vterm--self-insert)
    ("<backspace>" . vterm-send-backspace)
    ("DEL" . vterm-send-backspace)
    ("<delete>" . vterm-send-delete)
    ("<M-backspace>" . vterm-send-meta-backspace)
    ("M-DEL" . vterm-send-meta-backspace)
    ("<C-backspace>" . vterm-send-meta-backspace)
    ("<return>" . vterm-send-return)
    ("RET" . vterm-send-return)
    ("<left>" . vterm--self-insert)
    ("<right>" . vterm--self-insert)
    ("<up>" . vterm--self-insert)
    ("<down>" . vterm--self-insert)
    ("<C-left>" . vterm--self-insert)
    ("<C-right>" . vterm--self-insert)
    ("<C-up>" . vterm--self-insert)
    ("<C-down>" . vterm--self-insert)
    ("<M-left>" . vterm--self-insert)
    ("<M-right>" . vterm--self-insert)
    ("<M-up>" . vterm--self-insert)
    ("<M-down>" . vterm--self-insert)
    ("<prior>" . vterm--self-insert)
    ("<next>" . vterm--self-insert)
    ("<S-prior>" . scroll-down-command)
    ("<S-next>" . scroll-up-command)
    ("<home>" . vterm--self-insert)
    ("<end>" . vterm--self-insert)
    ("<C-home>" . vterm--self-insert)
    ("<C-end>" . vterm--self-insert)
    ("<escape>" . vterm--self-insert)
    ("C-l" . vterm-clear)
    ("C-c C-c" . vterm--self-insert)
    ("C-c C-g" . vterm--self-insert)
    ("C-c C-u" . vterm--self-insert)
    ("C-c C-y" . vterm--self-insert)
    ("C-c C-l" . vterm-clear-scrollback)
    ("C-c C-r" . vterm-reset-cursor-point)
    ("C-c C-n" . vterm-next-prompt)
    ("C-c C-p" . vterm-previous-prompt)
    ("C-c C-t" . vterm-copy-mode)
    ("<mouse-1>" . vterm-mouse-set-point)
    ([remap self-insert-command] . vterm--self-insert)
    ([remap yank] . vterm-yank)
    ([remap yank-pop] . vterm-yank-pop)
    ([remap undo] . vterm-undo)
    ([remap xterm-paste] . vterm-xterm-paste)
    ([remap mouse-yank-primary] . vterm-yank-primary))
  "Bindings of `vterm-mode-map' added on top of the generic ones.
Each element is (KEY . COMMAND); KEY is a `kbd' string or a vector.")

(defun vterm--make-mode-map (exceptions)
  "Return a new keymap for `vterm-mode', leaving EXCEPTIONS unbound.
The generic bindings come from `vterm--exclude-keys', the specific
ones from `vterm--explicit-bindings'.  A specific binding whose
prefix is bound to a command is skipped: when `C-c' is not in
EXCEPTIONS, for instance, the `C-c' sequences are left out."
  (let ((map (make-sparse-keymap)))
    (vterm--exclude-keys map exceptions)
    (dolist (binding vterm--explicit-bindings)
      (let* ((key (if (stringp (car binding))
                      (kbd (car binding))
                    (car binding)))
             (prefix (and (> (length key) 1)
                          (lookup-key map (substring key 0 -1)))))
        (when (or (null prefix) (keymapp prefix))
          (define-key map key (cdr binding)))))
    (when vterm-send-modified-keys
      (vterm--bind-modified-keys map exceptions))
    (vterm--bind-mouse map)
    map))

(defvar vterm-mode-map (vterm--make-mode-map vterm-keymap-exceptions)
  "Keymap of `vterm-mode'.
Most keys are sent to the terminal; see `vterm-keymap-exceptions'.")

(defvar vterm-copy-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-t") #'vterm-copy-mode)
    (define-key map [return] #'vterm-copy-mode-done)
    (define-key map (kbd "RET") #'vterm-copy-mode-done)
    (define-key map (kbd "C-c C-r") #'vterm-reset-cursor-point)
    (define-key map (kbd "C-a") #'vterm-beginning-of-line)
    (define-key map (kbd "C-e") #'vterm-end-of-line)
    (define-key map (kbd "C-c C-n") #'vterm-next-prompt)
    (define-key map (kbd "C-c C-p") #'vterm-previous-prompt)
    map)
  "Keymap of `vterm-copy-mode'.")

;;; Mode

(defun vterm--refuse-mode-change ()
  "Signal a `user-error': the major mode of a vterm buffer cannot change.
The terminal state belongs to the buffer; another major mode would
leave it inconsistent."
  (user-error "The major mode of a vterm buffer cannot be changed"))

(defun vterm--get-margin-width ()
  "Return the columns taken by line numbers in the current vterm buffer.
The value is 0 unless `display-line-numbers' is on."
  (if (bound-and-true-p display-line-numbers)
      (+ 4 (length (number-to-string (+ (frame-height) vterm-max-scrollback))))
    0))

(defun vterm--process-environment ()
  "Return the environment for the process of a new terminal."
  (append vterm-environment
          (list (concat "TERM=" vterm-term-environment-variable)
                (concat "EMACS_VTERM_PATH="
                        (file-name-as-directory (or vterm--directory
                                                    default-directory)))
                "INSIDE_EMACS=vterm"
                ;; Bare names remove the variables; the terminal size
                ;; comes from the pty instead.
                "LINES"
                "COLUMNS")
          process-environment))

(defun vterm--shell-command-line (rows cols shell)
  "Return the /bin/sh script for starting SHELL in a prepared pty.
ROWS and COLS are the size of the terminal."
  (format "stty -nl sane %serase ^? rows %d columns %d >/dev/null && exec %s"
          ;; The BSD stty has no iutf8.
          (if (eq system-type 'berkeley-unix) "" "iutf8 ")
          rows cols shell))

(defun vterm--start-process (rows cols shell environment)
  "Start SHELL for the current buffer in a terminal of ROWS by COLS.

ENVIRONMENT is the value of `process-environment' for the process.
On POSIX systems the process runs on a pty, through /bin/sh, which
sets up the terminal modes.  On Windows it would run through the
conpty-proxy helper; until that path is available a `user-error'
is signaled.  Return the process."
  (if (vterm--windows-p)
      (if (fboundp 'vterm--conpty-make-process)
          (vterm--conpty-make-process rows cols shell environment)
        (user-error "Windows support: conpty-proxy not available"))
    (let* ((process-environment environment)
           (coding-system-for-read 'binary)
           (coding-system-for-write 'utf-8-unix)
           (inhibit-eol-conversion nil)
           (process-adaptive-read-buffering nil)
           (proc (make-process
                  :name "vterm"
                  :buffer (current-buffer)
                  :command (list "/bin/sh" "-c"
                                 (vterm--shell-command-line rows cols shell))
                  :connection-type 'pty
                  :file-handler t
                  :filter #'vterm--filter
                  ;; Without exit functions or buffer killing, Emacs'
                  ;; default sentinel is good enough.
                  :sentinel (when (or vterm-exit-functions
                                      vterm-kill-buffer-on-exit)
                              #'vterm--sentinel))))
      (set-process-coding-system proc 'binary 'utf-8-unix)
      proc)))

(defun vterm--pty-p (&optional process)
  "Return non-nil if PROCESS is connected through a pty.
PROCESS defaults to the process of the current buffer."
  (let ((proc (or process vterm--process)))
    (and (processp proc) (process-tty-name proc) t)))

(define-derived-mode vterm-mode fundamental-mode "VTerm"
  "Major mode for vterm buffers, which run a terminal emulator.

Most keys are sent to the program in the terminal.  The keys listed
in `vterm-keymap-exceptions' keep their global bindings, and `C-c'
starts a few vterm commands.  `vterm-copy-mode' (\\[vterm-copy-mode])
turns the buffer into an ordinary read-only buffer for copying.

\\{vterm-mode-map}"
  (buffer-disable-undo)
  (when (boundp 'display-line-numbers)
    (setq vterm--linenum-remapping
          (face-remap-add-relative
           'line-number :height (expt text-scale-mode-step
                                      text-scale-mode-amount))))
  ;; `vterm-environment' may come from .dir-locals.el, which is normally
  ;; applied only after the mode body, too late for the process.
  (hack-dir-local-variables)
  (let ((env (assq 'vterm-environment dir-local-variables-alist)))
    (when env
      (setq-local vterm-environment (cdr env))))
  (let ((rows (window-body-height))
        ;; The module needs at least 2 columns (a wide character).
        (cols (max (- (window-max-chars-per-line) (vterm--get-margin-width))
                   vterm-min-window-width 2))
        (inhibit-read-only t))
    (setq vterm--term (vterm--new rows cols vterm-max-scrollback
                                  vterm-disable-bold
                                  vterm-disable-underline
                                  vterm-disable-inverse-video
                                  vterm-ignore-blink-cursor
                                  vterm-set-bold-highbright))
    (vterm--hyperlinks-setup)
    (vterm--apply-reflow)
    (setq vterm--rows rows)
    (vterm--sync-setup)
    (vterm--apply-osc-options)
    (setq buffer-read-only t)
    (setq-local scroll-conservatively 101)
    (setq-local scroll-margin 0)
    (setq-local hscroll-margin 0)
    (setq-local hscroll-step 1)
    (setq-local truncate-lines t)
    ;; The module puts colors on `font-lock-face'; no other fontification.
    (setq-local font-lock-defaults '(nil t))
    (add-function :filter-return (local 'filter-buffer-substring-function)
                  #'vterm--filter-buffer-substring)
    (setq vterm--process
          (vterm--start-process rows cols (vterm--get-shell)
                                (vterm--process-environment))))
  ;; The terminal state lives in this buffer; a new major mode would
  ;; orphan it.
  (vterm--lazy-faces-setup)
  (add-hook 'change-major-mode-hook #'vterm--refuse-mode-change nil t)
  (add-hook 'kill-buffer-hook #'vterm--cancel-redraw-timer nil t)
  (vterm--focus-setup)
  (when (vterm--pty-p)
    (vterm--set-pty-name vterm--term (process-tty-name vterm--process)))
  (process-put vterm--process 'adjust-window-size-function
               #'vterm--window-adjust-process-window-size)
  ;; Show a space instead of `$' where lines are truncated.
  (let ((table (make-display-table)))
    (set-display-table-slot table 'truncation ?\s)
    (setq buffer-display-table table))
  (setq next-error-function #'vterm-next-error-function)
  (setq-local bookmark-make-record-function #'vterm--bookmark-make-record))

(defun vterm--tramp-login-shell ()
  "Return the login shell of the remote user of `default-directory'.
The shell is read from the seventh field of \"getent passwd\" on
the remote host; nil is returned when that fails."
  (ignore-errors
    (with-temp-buffer
      (when (eql 0 (process-file-shell-command "getent passwd $LOGNAME" nil t))
        (let ((lines (split-string (buffer-string) "\n" t)))
          (when (= (length lines) 1)
            (let ((shell (nth 6 (split-string (car lines) ":"))))
              (and shell (not (string= shell "")) shell))))))))

(defun vterm--tramp-shell-entry (entry)
  "Return the shell that ENTRY of `vterm-tramp-shells' designates, or nil."
  (let ((shell (cadr entry)))
    (if (or (eq shell 'login-shell) (equal shell ''login-shell))
        (or (vterm--tramp-login-shell) (nth 2 entry))
      shell)))

(defun vterm--get-shell ()
  "Return the shell command line to run in a new terminal.

For a local `default-directory' this is `vterm-shell'.  For a
remote one, the shell configured for the TRAMP method in
`vterm-tramp-shells' is used, then the one of the t entry, then
the connection-local `shell-file-name', then `vterm-shell'.  On
Windows it is always `vterm-shell': the terminal runs there through
the local conpty-proxy, in the local home directory, so a remote
shell name would be meaningless."
  (let ((method (and (not (vterm--windows-p))
                     (ignore-errors
                       (file-remote-p default-directory 'method)))))
    (if (not method)
        vterm-shell
      (or (let ((entry (assoc method vterm-tramp-shells)))
            (and entry (vterm--tramp-shell-entry entry)))
          (let ((entry (assq t vterm-tramp-shells)))
            (and entry (vterm--tramp-shell-entry entry)))
          (and (fboundp 'connection-local-criteria-for-default-directory)
               (ignore-errors
                 (with-connection-local-variables shell-file-name)))
          vterm-shell))))

(defun vterm--bookmark-make-record ()
  "Return a bookmark record for the current vterm buffer.
The record notes the buffer name and `default-directory'."
  `(nil
    (handler . vterm--bookmark-handler)
    (thisdir . ,default-directory)
    (buf-name . ,(buffer-name))
    (defaults . nil)))

;;;###autoload (autoload 'vterm--bookmark-handler "vterm")
;; Bookmarks saved in earlier sessions name this handler, so it must be
;; callable before vterm is loaded, although it is not a public function:
;; hence the explicit autoload above rather than a cookie on the defun.
(defun vterm--bookmark-handler (bmk)
  "Restore the vterm bookmark BMK.

The vterm buffer named in BMK is reused, or created when there is
none.  When `vterm-bookmark-check-dir' is non-nil and the terminal
is in another directory, a cd command is typed into its shell."
  (let* ((thisdir (bookmark-prop-get bmk 'thisdir))
         (name (bookmark-prop-get bmk 'buf-name))
         (buf (get-buffer name)))
    (unless (and buf (with-current-buffer buf (derived-mode-p 'vterm-mode)))
      (setq buf (generate-new-buffer name))
      (with-current-buffer buf
        (when (and vterm-bookmark-check-dir thisdir)
          (setq default-directory thisdir))
        (vterm-mode)))
    (with-current-buffer buf
      (when (and vterm-bookmark-check-dir
                 thisdir
                 (not (string-equal default-directory thisdir)))
        (when vterm-copy-mode
          (vterm-copy-mode -1))
        (vterm-insert "cd " (shell-quote-argument
                             (or (file-remote-p thisdir 'localname) thisdir)))
        (vterm-send-return)))
    (set-buffer buf)))

(defun vterm--compilation-setup ()
  "Restore `next-error-function' in vterm buffers.
`compilation-shell-minor-mode' replaces it; this function runs from
`compilation-shell-minor-mode-hook' to put vterm's back."
  (when (derived-mode-p 'vterm-mode)
    (setq next-error-function #'vterm-next-error-function)))

(add-hook 'compilation-shell-minor-mode-hook #'vterm--compilation-setup)

;;;###autoload
(defun vterm-next-error-function (n &optional reset)
  "Visit the Nth next error message, like `compilation-next-error-function'.
File names are looked up from the directory the shell reported for
the current line.  A negative N moves backwards.  RESET non-nil
starts from the first error."
  (interactive "p")
  (require 'compile)
  (let ((default-directory (or (vterm--get-pwd) default-directory)))
    (compilation-next-error-function n reset)))

;;;; Copy mode

(defun vterm--enter-copy-mode ()
  "Set up `vterm-copy-mode' in the current buffer.
Output of the program is suspended through the pty where there is
one; redraws are held back in any case (see `vterm--delayed-redraw')."
  (use-local-map nil)
  (vterm-send-stop)
  (when vterm-copy-mode-remove-fake-newlines
    (save-excursion
      (setq truncate-lines nil)
      (vterm--remove-fake-newlines t))))

(defun vterm--exit-copy-mode ()
  "Leave `vterm-copy-mode' in the current buffer."
  (when vterm-copy-mode-remove-fake-newlines
    (save-excursion
      (setq truncate-lines t)
      (vterm--reinsert-fake-newlines)))
  ;; Draw what arrived while copy mode held the display.
  (vterm--delayed-redraw (current-buffer))
  (vterm-reset-cursor-point)
  (use-local-map vterm-mode-map)
  (vterm-send-start))

(define-minor-mode vterm-copy-mode
  "Toggle copy mode in a vterm buffer.

In copy mode the terminal shows no new output and the buffer
behaves like an ordinary read-only buffer, so that text can be
selected and copied.  Keys are no longer sent to the terminal.
`vterm-copy-mode-done' copies the region or the current line and
leaves copy mode.

\\{vterm-copy-mode-map}"
  :group 'vterm
  :lighter " VTermCopy"
  :keymap vterm-copy-mode-map
  (if (derived-mode-p 'vterm-mode)
      (if vterm-copy-mode
          (vterm--enter-copy-mode)
        (vterm--exit-copy-mode))
    (setq vterm-copy-mode nil)
    (user-error "Copy mode works only in vterm buffers")))

(defun vterm-copy-mode-done (arg)
  "Copy the region or the current line, then leave `vterm-copy-mode'.

Without an active region the whole logical line is copied, across
wrapped rows.  The prompt is left out when
`vterm-copy-exclude-prompt' is non-nil; a prefix argument ARG
inverts that option."
  (interactive "P")
  (unless vterm-copy-mode
    (user-error "Not in vterm-copy-mode"))
  (unless (use-region-p)
    (let ((bol (vterm--get-beginning-of-line)))
      (goto-char bol)
      (when (if arg (not vterm-copy-exclude-prompt) vterm-copy-exclude-prompt)
        (goto-char (max (or (vterm--get-prompt-point) 0) bol)))
      (set-mark (point))
      (goto-char (vterm--get-end-of-line))))
  (kill-ring-save (region-beginning) (region-end))
  (vterm-copy-mode -1))

;;; Commands

(defun vterm--invoked-with-esc-prefix-p ()
  "Return non-nil if the current command was invoked as ESC followed by a key.
On a text terminal a meta key arrives that way, without the meta
modifier on `last-command-event'."
  (let ((keys (this-command-keys-vector)))
    (and (= (length keys) 2) (eq (aref keys 0) 27))))

(defun vterm--self-insert ()
  "Send the key that invoked this command to the terminal."
  (interactive)
  (when vterm--term
    (dolist (args (vterm--translate-event-to-args
                   last-command-event (vterm--invoked-with-esc-prefix-p)))
      (apply #'vterm-send-key args))))

(defun vterm--self-insert-meta ()
  "Send the key that invoked this command to the terminal, with meta."
  (interactive)
  (when vterm--term
    (dolist (args (vterm--translate-event-to-args last-command-event t))
      (apply #'vterm-send-key args))))

(defun vterm--accept-output ()
  "Wait briefly for output of the process of the current buffer.
The wait lasts at most `vterm-timer-delay' seconds (0.1 when that
is nil) and ends as soon as output arrives."
  (when (process-live-p vterm--process)
    (accept-process-output vterm--process (or vterm-timer-delay 0.1) nil t)))

(defun vterm-send-key (key &optional shift meta ctrl accept-proc-output)
  "Send KEY to the terminal, with the modifiers SHIFT, META and CTRL.

KEY is a character as a string, \"SPC\", or the name of a special
key in angle brackets, such as \"<up>\" or \"<f5>\".  When
ACCEPT-PROC-OUTPUT is non-nil, wait briefly for the program's
response."
  (deactivate-mark)
  (when vterm--term
    (let ((inhibit-redisplay t)
          (inhibit-read-only t))
      (vterm--update vterm--term key shift meta ctrl)
      (setq vterm--redraw-immediately t)
      (when accept-proc-output
        (vterm--accept-output)))))

(defun vterm-send (key)
  "Send KEY to the terminal.
KEY is a key sequence in the syntax of `kbd', such as `C-c' or
`C-a b S-<up>'; every key of the sequence is sent."
  (dolist (event (listify-key-sequence (kbd key)))
    (dolist (args (vterm--translate-event-to-args event))
      (apply #'vterm-send-key args))))

(defun vterm-send-next-key ()
  "Read the next input event and send it to the terminal.
This sends keys that are otherwise bound in Emacs, such as `C-g' or
`C-x', to the program in the terminal."
  (interactive)
  (dolist (args (vterm--translate-event-to-args (read-event)))
    (apply #'vterm-send-key args)))

(defun vterm-send-start ()
  "Resume the output of the terminal, which `vterm-send-stop' suspended.
This needs a pty; elsewhere it does nothing."
  (interactive)
  (when (vterm--pty-p)
    (vterm-send-key "<start>")))

(defun vterm-send-stop ()
  "Suspend the output of the terminal until `vterm-send-start'.
This needs a pty; elsewhere it does nothing."
  (interactive)
  (when (vterm--pty-p)
    (vterm-send-key "<stop>")))

(defun vterm-send-return ()
  "Send a return to the terminal.
This is a line feed when the pty translates carriage returns
\(ICRNL) and a carriage return otherwise, as a real terminal does."
  (interactive)
  (deactivate-mark)
  (when vterm--term
    (vterm--send (if (and (vterm--pty-p)
                          (vterm--get-icrnl vterm--term))
                     "\C-j"
                   "\C-m"))))

(defun vterm-send-tab ()
  "Send a tab to the terminal."
  (interactive)
  (vterm-send-key "<tab>"))

(defun vterm-send-space ()
  "Send a space to the terminal."
  (interactive)
  (vterm-send-key " "))

(defun vterm-send-backspace ()
  "Send a backspace to the terminal."
  (interactive)
  (vterm-send-key "<backspace>"))

(defun vterm-send-delete ()
  "Send the delete key to the terminal."
  (interactive)
  (vterm-send-key "<delete>"))

(defun vterm-send-meta-backspace ()
  "Send meta + backspace to the terminal."
  (interactive)
  (vterm-send-key "<backspace>" nil t))

(defun vterm-send-escape ()
  "Send an escape to the terminal."
  (interactive)
  (vterm-send-key "<escape>"))

(defun vterm-send-up ()
  "Send the up arrow key to the terminal."
  (interactive)
  (vterm-send-key "<up>"))
(make-obsolete 'vterm-send-up 'vterm--self-insert "v0.1")

(defun vterm-send-down ()
  "Send the down arrow key to the terminal."
  (interactive)
  (vterm-send-key "<down>"))
(make-obsolete 'vterm-send-down 'vterm--self-insert "v0.1")

(defun vterm-send-left ()
  "Send the left arrow key to the terminal."
  (interactive)
  (vterm-send-key "<left>"))
(make-obsolete 'vterm-send-left 'vterm--self-insert "v0.1")

(defun vterm-send-right ()
  "Send the right arrow key to the terminal."
  (interactive)
  (vterm-send-key "<right>"))
(make-obsolete 'vterm-send-right 'vterm--self-insert "v0.1")

(defun vterm-send-prior ()
  "Send the page up key to the terminal."
  (interactive)
  (vterm-send-key "<prior>"))
(make-obsolete 'vterm-send-prior 'vterm--self-insert "v0.1")

(defun vterm-send-next ()
  "Send the page down key to the terminal."
  (interactive)
  (vterm-send-key "<next>"))
(make-obsolete 'vterm-send-next 'vterm--self-insert "v0.1")

(defun vterm-send-meta-dot ()
  "Send `M-.' to the terminal."
  (interactive)
  (vterm-send-key "." nil t))
(make-obsolete 'vterm-send-meta-dot 'vterm--self-insert "v0.1")

(defun vterm-send-meta-comma ()
  "Send `M-,' to the terminal."
  (interactive)
  (vterm-send-key "," nil t))
(make-obsolete 'vterm-send-meta-comma 'vterm--self-insert "v0.1")

(defun vterm-send-ctrl-slash ()
  "Send C-\\ to the terminal."
  (interactive)
  (vterm-send-key "\\" nil nil t))
(make-obsolete 'vterm-send-ctrl-slash 'vterm--self-insert "v0.1")

(eval-and-compile
  (defun vterm--key-send-form (key)
    "Return the definition of the command that sends KEY to the terminal.
KEY is a key description such as `C-a', `M-A' or `C-S-b'.
The command is named vterm-send-KEY; it sends the last character
of KEY, with shift when KEY ends in an upper-case letter or
contains S-, meta when it contains M- and control when it
contains C-."
    (let* ((case-fold-search nil)
           (name (intern (concat "vterm-send-" key)))
           (char (substring key -1))
           (shift (and (or (string-match-p "S-" key)
                           (string-match-p "[A-Z]\\'" key))
                       t))
           (meta (and (string-match-p "M-" key) t))
           (ctrl (and (string-match-p "C-" key) t)))
      `(progn
         (defun ,name ()
           ,(format "Send %s to the terminal." key)
           (interactive)
           (vterm-send-key ,char ,shift ,meta ,ctrl))
         (make-obsolete ',name 'vterm--self-insert "v0.1")))))

(defmacro vterm-define-key (key)
  "Define the command vterm-send-KEY, which sends KEY to the terminal.
KEY is a key description such as `C-a' or `M-A'."
  (declare (indent defun))
  (vterm--key-send-form key))
(make-obsolete 'vterm-define-key
               "use `vterm-send-key' or `vterm--self-insert' instead."
               "v0.1")

(defmacro vterm--define-obsolete-key-commands ()
  "Define the 104 obsolete commands that send control and meta keys.
Each is named vterm-send- followed by the key it sends."
  (let (forms)
    (dolist (prefix '("C-" "M-" "M-S" "C-S-"))
      (dotimes (i 26)
        (let ((key (if (string= prefix "M-S")
                       (format "M-%c" (+ ?A i))
                     (format "%s%c" prefix (+ ?a i)))))
          (push (vterm--key-send-form key) forms))))
    `(progn ,@(nreverse forms))))

(vterm--define-obsolete-key-commands)

(defun vterm-clear-scrollback ()
  "Erase the scrollback of the terminal; the screen is kept."
  (interactive)
  (vterm-send-key "<clear_scrollback>"))

(defun vterm-clear (&optional arg)
  "Send `C-l' to the terminal, so that the program clears the screen.

When `vterm-clear-scrollback-when-clearing' is non-nil the
scrollback is erased too.  A prefix argument ARG inverts that
option for this call."
  (interactive "P")
  (when (if arg
            (not vterm-clear-scrollback-when-clearing)
          vterm-clear-scrollback-when-clearing)
    (vterm-clear-scrollback))
  (vterm-send-key "l" nil nil t))

(defun vterm-undo ()
  "Send C-_ to the terminal, the undo key of most shells."
  (interactive)
  (vterm-send-key "_" nil nil t))

(defun vterm-yank (&optional arg)
  "Insert the last stretch of killed text into the terminal.
The terminal cursor first moves to point when it can.  ARG is
passed to `yank'."
  (interactive "P")
  (deactivate-mark)
  (vterm-goto-char (point))
  (let ((inhibit-read-only t))
    (cl-letf (((symbol-function 'insert-for-yank) #'vterm-insert))
      (yank arg))))

(defun vterm-yank-primary ()
  "Insert the primary selection into the terminal."
  (interactive)
  (vterm-goto-char (point))
  (let ((inhibit-read-only t)
        (primary (gui-get-primary-selection)))
    (cl-letf (((symbol-function 'insert-for-yank) #'vterm-insert))
      (insert-for-yank primary))))

(defun vterm-yank-pop (&optional arg)
  "Replace the text just yanked with an earlier kill, like `yank-pop'.
The text already sent is removed with the shell's undo key.  ARG
is passed to `yank-pop'."
  (interactive "p")
  (vterm-goto-char (point))
  (let ((inhibit-read-only t)
        (yank-undo-function (lambda (_start _end) (vterm-undo))))
    (cl-letf (((symbol-function 'insert-for-yank) #'vterm-insert))
      (yank-pop arg))))

(defun vterm-xterm-paste (event)
  "Send the text of the bracketed-paste EVENT to the terminal.
The text is also put on the kill ring."
  (interactive "e")
  (with-temp-buffer
    (xterm-paste event)
    (kill-new (buffer-string)))
  (vterm-yank))

(defun vterm-mouse-set-point (event &optional promote-to-region)
  "Move point to the position clicked in EVENT.
A click in the blank area below the last output puts point on the
terminal cursor instead.  PROMOTE-TO-REGION is passed to
`mouse-set-point'.  The command ends with `keyboard-quit', so that
clicks never start a region."
  (interactive "e\np")
  (let ((pt (mouse-set-point event promote-to-region)))
    (when (and (integer-or-marker-p pt)
               (save-excursion
                 (goto-char pt)
                 (skip-chars-forward " \t\n")
                 (eobp)))
      (vterm-reset-cursor-point)))
  (keyboard-quit))

(defun vterm-send-string (string &optional paste-p)
  "Send STRING to the terminal, as if typed.
When PASTE-P is non-nil the text is sent as a bracketed paste, if
the program in the terminal asked for that."
  (when vterm--term
    (let ((inhibit-redisplay t)
          (inhibit-read-only t))
      (when paste-p
        (vterm--update vterm--term "<start_paste>"))
      (mapc (lambda (char) (vterm--update vterm--term (char-to-string char)))
            string)
      (when paste-p
        (vterm--update vterm--term "<end_paste>")))
    (setq vterm--redraw-immediately t)
    (vterm--accept-output)))

(defun vterm-insert (&rest contents)
  "Send CONTENTS, strings or characters, to the terminal as a paste.
This is the counterpart of `insert' for vterm buffers."
  (vterm-send-string (mapconcat (lambda (x) (if (characterp x)
                                                 (char-to-string x)
                                               x))
                                contents "")
                     t))

(defun vterm-delete-region (start end)
  "Delete the text between START and END on the shell's command line.

The terminal cursor is moved to START, then delete keys are sent,
one per character.  Return non-nil when that worked.  When the
cursor cannot reach START (for instance when START is outside the
command line), nothing is deleted, a message says so and nil is
returned: the buffer shows the terminal, so its text can only
change through the program."
  (when vterm--term
    (when (get-text-property start 'vterm-line-wrap)
      (setq start (1+ start)))
    (let ((count (length (filter-buffer-substring start end))))
      (if (vterm-goto-char start)
          (progn
            (dotimes (_ count)
              (vterm-send-key "<delete>" nil nil nil t))
            t)
        (message "vterm: cannot move the terminal cursor to %d; nothing deleted"
                 start)
        nil))))

(defun vterm-goto-char (pos)
  "Move the terminal cursor, and point, to POS.

This works on the shell's command line only: both the cursor and
POS must be at or after the prompt.  The cursor is moved with left
and right arrow keys.  Return non-nil when point reached POS."
  (when (and vterm--term
             (vterm-cursor-in-command-buffer-p)
             (vterm-cursor-in-command-buffer-p pos))
    (vterm-reset-cursor-point)
    (cond
     ((= pos (point)) t)
     ((< pos (point))
      (while (and (vterm--backward-char) (> (point) pos)))
      (<= (point) pos))
     (t
      (while (and (vterm--forward-char) (< (point) pos)))
      (>= (point) pos)))))

(defun vterm-next-prompt (n)
  "Move to the end of the Nth next prompt."
  (interactive "p")
  (if (and vterm-use-vterm-prompt-detection-method
           (vterm--prompt-tracking-enabled-p))
      (let ((prompt (vterm--get-prompt-point)))
        (when prompt
          (goto-char prompt))
        (dotimes (_ (or n 1))
          (let ((next (next-single-property-change (line-beginning-position 2)
                                                   'vterm-prompt)))
            (when next
              (goto-char next)))))
    (term-next-prompt n)))

(defun vterm-previous-prompt (n)
  "Move to the end of the Nth previous prompt."
  (interactive "p")
  (if (and vterm-use-vterm-prompt-detection-method
           (vterm--prompt-tracking-enabled-p))
      (let ((start (point))
            (prompt (vterm--get-prompt-point))
            (n (or n 1)))
        (when prompt
          (goto-char prompt)
          ;; Moving back to the prompt of the current line is a step.
          (when (> start (point))
            (setq n (1- n)))
          (dotimes (_ n)
            (let ((prev (and (> (point) (point-min))
                             (previous-single-property-change (1- (point))
                                                              'vterm-prompt))))
              (when prev
                (goto-char (1- prev)))))))
    (term-previous-prompt n)))

(defun vterm-beginning-of-line ()
  "Move to the end of the prompt, or to the beginning of the line.
From the end of the prompt, move to the beginning of the logical
line; from elsewhere, move to the end of the prompt when the line
has one.  Repeating the command toggles between the two."
  (interactive "^")
  (if (vterm--at-prompt-p)
      (goto-char (vterm--get-beginning-of-line))
    (goto-char (max (or (vterm--get-prompt-point) 0)
                    (vterm--get-beginning-of-line)))))

(defun vterm-end-of-line ()
  "Move to the end of the logical line, across wrapped rows."
  (interactive "^")
  (goto-char (vterm--get-end-of-line)))

(defun vterm-reset-cursor-point ()
  "Move point to the terminal cursor and return the new point."
  (interactive)
  (when vterm--term
    (let ((inhibit-read-only t))
      (if (and vterm-copy-mode vterm-copy-mode-remove-fake-newlines)
          ;; The module finds rows by counting newlines: it needs the
          ;; fake ones that copy mode removed while it places point.
          (let ((cursor (progn (vterm--reinsert-fake-newlines)
                               (copy-marker (vterm--reset-point vterm--term)))))
            (vterm--remove-fake-newlines t)
            (goto-char cursor)
            (set-marker cursor nil)
            (point))
        (vterm--reset-point vterm--term)))))

(defun vterm-check-proc (&optional buffer)
  "Return the terminal of BUFFER if its process is running, else nil.
BUFFER is a buffer or a buffer name and defaults to the current
buffer."
  (let* ((buf (get-buffer (or buffer (current-buffer))))
         (proc (and buf (get-buffer-process buf))))
    (and proc
         (memq (process-status proc) '(run stop open listen connect))
         (buffer-local-value 'vterm--term buf))))

(defun vterm-cursor-in-command-buffer-p (&optional pt)
  "Return non-nil if PT is on the command line, at or after the prompt.
The prompt is that of the line of the terminal cursor.  PT
defaults to the terminal cursor."
  (save-excursion
    (vterm-reset-cursor-point)
    (let ((prompt (vterm--get-prompt-point)))
      (and prompt
           (<= prompt (or pt (vterm--get-cursor-point)))))))

;;; Internal

;;;; Module callbacks

;; The functions the module calls, as in the table of doc/DESIGN.md,
;; section 3.  The module finds them by name when it loads.

(defun vterm--invalidate ()
  "Schedule a redraw of the terminal of the current buffer.
The module calls this when the screen changed.  The redraw happens
at once when `vterm-timer-delay' is nil, a key was just sent, or
the output follows a quiet time (see `vterm-adaptive-redraw');
otherwise within `vterm-timer-delay' (see `vterm--redraw-tick')."
  (cond
   ((or (not vterm-timer-delay)
        vterm--redraw-immediately
        vterm--output-after-quiet)
    (vterm--delayed-redraw (current-buffer))
    (setq vterm--redraw-immediately nil))
   (vterm--redraw-timer)
   (t
    (setq vterm--redraw-deadline (+ (float-time) vterm-timer-delay))
    (vterm--schedule-redraw-tick (if vterm-adaptive-redraw
                                     (min vterm--redraw-pause
                                          vterm-timer-delay)
                                   vterm-timer-delay)))))

(defun vterm--schedule-redraw-tick (seconds)
  "Run `vterm--redraw-tick' for the current buffer in SECONDS."
  (setq vterm--redraw-timer
        (run-with-timer seconds nil #'vterm--redraw-tick (current-buffer))))

(defun vterm--redraw-tick (buffer)
  "Draw the terminal of BUFFER, or wait on while its output flows.
The pending change is drawn when `vterm-adaptive-redraw' is off,
when the output paused for `vterm--redraw-pause' seconds (the
command's output is complete for now), or when it has waited
`vterm-timer-delay' seconds.  Otherwise the tick comes again when
one of those can next be true."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((deadline-left (- (or vterm--redraw-deadline 0) (float-time))))
        (if (or (not vterm-adaptive-redraw) (<= deadline-left 0))
            (vterm--delayed-redraw buffer)
          (let ((pause-left (vterm--pause-left)))
            ;; Reading ahead ran the filter, which may have killed the
            ;; buffer.
            (when (buffer-live-p buffer)
              (if (<= pause-left 0)
                  (vterm--delayed-redraw buffer)
                (vterm--schedule-redraw-tick
                 (min pause-left deadline-left))))))))))

(defun vterm--pause-left ()
  "Seconds until the output of the current terminal has paused long enough.
At most 0 when it has paused for `vterm--redraw-pause' seconds.  A
gap seen here may only mean that Emacs was busy (a slow redisplay)
while the program kept writing, so before calling it a pause, read
what the process has ready; output read now restarts the wait."
  (let ((left (- (+ vterm--last-output-time vterm--redraw-pause)
                 (float-time))))
    (when (and (<= left 0) (process-live-p vterm--process))
      (accept-process-output vterm--process 0 nil t)
      (setq left (- (+ vterm--last-output-time vterm--redraw-pause)
                    (float-time))))
    left))

(defconst vterm--full-read-bytes 4095
  "The most a read from a pty returns on Linux (its line buffer).
Output that fills a read is part of a flood.")

(defun vterm--after-quiet-p (output)
  "Whether OUTPUT, arriving now, follows a quiet time.
True when `vterm-adaptive-redraw' is on, the previous output came
at least `vterm-timer-delay' seconds ago and OUTPUT is shorter than
`vterm--full-read-bytes'.  Records the time of this output."
  (let ((now (float-time))
        (last vterm--last-output-time))
    (setq vterm--last-output-time now)
    (and vterm-adaptive-redraw
         vterm-timer-delay
         (< (length output) vterm--full-read-bytes)
         (>= (- now last) vterm-timer-delay))))

(defun vterm--flush-output (output)
  "Send OUTPUT of the terminal, such as an encoded key, to the process."
  (vterm--send output))

(defun vterm--set-title (title)
  "Rename the buffer after TITLE, following `vterm-buffer-name-string'.
A title that would give an empty buffer name is ignored."
  (when vterm-buffer-name-string
    (let ((name (format vterm-buffer-name-string title)))
      (unless (string= name "")
        (rename-buffer name t)))))

(defun vterm--set-directory (path)
  "Set `default-directory' from PATH, as reported by the shell.
PATH is the payload of the escape sequence ESC ] 51 ; A; see
`vterm--get-directory'.  An empty or unusable PATH is ignored."
  (let ((dir (vterm--get-directory path)))
    (when dir
      (setq default-directory dir))))

(defun vterm--eval (str)
  "Call the function that STR names, if it is in `vterm-eval-cmds'.

STR is the payload of the escape sequence ESC ] 51 ; E: a command
name and arguments in shell quoting.  The function registered for
the name in `vterm-eval-cmds' is called with the arguments, all
strings.  Unknown names, unparsable strings and errors raised by
the function are reported with `message'."
  (let ((parts (condition-case nil
                   (split-string-and-unquote str)
                 (error
                  (message "vterm: cannot parse the command %S %s" str
                           "from the terminal (unbalanced quotes?)")
                  nil))))
    (when parts
      (let* ((name (car parts))
             (entry (assoc name vterm-eval-cmds)))
        (if (not entry)
            (message "Failed to find command: %s.  %s" name
                     "To execute a command, add it to `vterm-eval-cmds'")
          (condition-case err
              (apply (cadr entry) (cdr parts))
            (error
             (message "vterm: error in `%s' called from the terminal: %s"
                      name (error-message-string err)))))))))

(defconst vterm--selection-clipboard 1
  "Bit of the OSC 52 target mask that stands for the clipboard.")

(defconst vterm--selection-primary 2
  "Bit of the OSC 52 target mask that stands for the primary selection.")

(defun vterm--set-selection (mask data)
  "Put DATA, sent with OSC 52, on the kill ring.

MASK is the bit mask of the targets named by the program; the
clipboard and the primary selection are set when their bit is
on.  Nothing happens unless
`vterm-enable-manipulate-selection-data-by-osc52' is non-nil."
  (when vterm-enable-manipulate-selection-data-by-osc52
    (let ((select-enable-clipboard
           (/= 0 (logand mask vterm--selection-clipboard)))
          (select-enable-primary
           (/= 0 (logand mask vterm--selection-primary))))
      (kill-new data)
      (message "vterm: OSC 52 put text on the kill ring"))))

(defun vterm--get-color (index &rest args)
  "Return the Emacs color for the terminal color INDEX.

INDEX is an ANSI color number from 0 to 15, or -1 for the default
color.  ARGS may contain `:foreground' to ask for a text color
rather than a background color, and `:underline' or
`:inverse-video' to tell the attributes of the text.  Colors come
from the faces of `vterm-color-palette'; the default text color of
underlined text comes from `vterm-color-underline' and the default
background of reverse-video text from `vterm-color-inverse-video'."
  (let ((foreground (memq :foreground args)))
    (cond
     ((vterm--color-override index foreground args))
     ((and (integerp index) (>= index 0) (< index 16))
      (let* ((palette vterm-color-palette)
             (face (if (< index (length palette))
                       (aref palette index)
                     (aref palette (% index 8)))))
        (if foreground
            (face-foreground face nil 'default)
          (face-background face nil 'default))))
     ((eql index -1)
      (cond
       ((and foreground (memq :underline args))
        (face-foreground 'vterm-color-underline nil 'default))
       (foreground
        (face-foreground 'default))
       ((memq :inverse-video args)
        (face-background 'vterm-color-inverse-video nil 'default))
       (t
        (face-background 'default))))
     (t nil))))

;;;; Cursor motion

(defun vterm--forward-char ()
  "Move the terminal cursor one character right; return non-nil on success."
  (vterm-reset-cursor-point)
  (let ((pt (point)))
    (vterm-send-key "<right>" nil nil nil t)
    (cond
     ((= (point) (1+ pt)) t)
     ;; From the last column of a wrapped row to the next row.
     ((and (> (point) pt)
           (get-text-property (1- (point)) 'vterm-line-wrap))
      t)
     ;; The shell echoed the escape sequence instead of moving.
     ((and (= (point) (+ pt 4))
           (looking-back (regexp-quote "^[[C") nil))
      (dotimes (_ 3)
        (vterm-send-key "<backspace>" nil nil nil t))
      nil)
     ;; The shell accepted an autosuggestion; undo it.
     ((> (point) (1+ pt))
      (vterm-send-key "_" nil nil t t)
      nil)
     (t nil))))

(defun vterm--backward-char ()
  "Move the terminal cursor one character left; return non-nil on success."
  (vterm-reset-cursor-point)
  (let ((pt (point)))
    (vterm-send-key "<left>" nil nil nil t)
    (cond
     ((= (point) (1- pt)) t)
     ;; From the first column of a row to the end of the wrapped row above.
     ((and (= (point) (- pt 2))
           (get-text-property (1- pt) 'vterm-line-wrap))
      t)
     ;; The shell echoed the escape sequence instead of moving.
     ((and (= (point) (+ pt 4))
           (looking-back (regexp-quote "^[[D") nil))
      (dotimes (_ 3)
        (vterm-send-key "<backspace>" nil nil nil t))
      nil)
     (t nil))))

(defun vterm--get-cursor-point ()
  "Return the position of the terminal cursor."
  (when vterm--term
    (save-excursion
      (vterm-reset-cursor-point))))

;;;; Buffer edits

;; Through the primitives saved when the buffer was set up.

(defun vterm--delete-region (start end)
  "Delete the text between START and END with the original `delete-region'."
  (funcall vterm--delete-region-function start end))

(defun vterm--insert (&rest contents)
  "Insert CONTENTS with the original `insert'."
  (apply vterm--insert-function contents))

(defun vterm--delete-char (n &optional killflag)
  "Delete N characters with the original `delete-char'.
KILLFLAG is passed on."
  (funcall vterm--delete-char-function n killflag))

(defun vterm--goto-line (n)
  "Move to line N and return non-nil if it exists.
A positive N counts from the top of the buffer; zero or a negative
N counts back from its end."
  (if (> n 0)
      (progn (goto-char (point-min))
             (eql 0 (forward-line (1- n))))
    (goto-char (point-max))
    (eql 0 (forward-line n))))

(defun vterm--delete-lines (line-num count &optional delete-whole-line)
  "Delete COUNT lines starting at line LINE-NUM.
LINE-NUM counts as in `vterm--goto-line'.  With DELETE-WHOLE-LINE
the newline ending the last line goes too."
  (save-excursion
    (when (vterm--goto-line line-num)
      (vterm--delete-region (point) (line-end-position count))
      (when (and delete-whole-line (eq (char-after) ?\n))
        (vterm--delete-char 1)))))

;;;; Event translation

(defun vterm--translate-event-to-args (event &optional meta)
  "Return the argument lists for `vterm-send-key' that send EVENT.

META non-nil adds the meta modifier.  The value is a list of
\(KEY SHIFT META CTRL), usually of one element; an active input
method may turn one key into several characters."
  (let* ((mods (event-modifiers event))
         (shift (and (memq 'shift mods) t))
         (meta (and (or meta (memq 'meta mods)) t))
         (ctrl (and (memq 'control mods) t))
         (basic (event-basic-type event))
         (keys (if (and input-method-function (integerp basic)
                        (not meta) (not ctrl))
                   (let* ((inhibit-read-only t)
                          (result (funcall input-method-function basic)))
                     (if (listp result) result (list basic)))
                 (list basic)))
         args)
    (dolist (key keys)
      (when key
        (let ((name (key-description (vector key))))
          ;; A shifted character is sent upper-case, with or without
          ;; meta; named keys such as <up> keep their name.
          (when (and shift (not ctrl) (integerp key))
            (setq name (upcase name)))
          (push (list name shift meta ctrl) args))))
    (nreverse args)))

;;;; Redraw timers

(defun vterm--cancel-redraw-timer ()
  "Cancel the pending delayed redraw of the current buffer."
  (when (timerp vterm--redraw-timer)
    (cancel-timer vterm--redraw-timer))
  (setq vterm--redraw-timer nil))

(defun vterm--update-windows ()
  "Make the windows showing the current buffer follow the terminal cursor.

The module has put point on the cursor.  The selected window, if
it shows this buffer, is scrolled so that the cursor is on the same
screen row as in the terminal: counted from the bottom when the
window is tall enough for the rows below the cursor, from the top
otherwise; its horizontal scroll is reset.  Other windows showing
the buffer just get their point moved."
  (let ((pt (point))
        (selected (selected-window)))
    (dolist (window (get-buffer-window-list (current-buffer) nil t))
      (set-window-point window pt)
      (when (eq window selected)
        (let ((below (count-lines (line-beginning-position) (point-max)))
              (height (window-body-height window)))
          (ignore-errors
            (recenter (if (<= below height)
                          (- below)
                        (max 0 (- (or vterm--rows below) below))))))
        (unless (zerop (window-hscroll window))
          (set-window-hscroll window 0))))))

(defun vterm--delayed-redraw (buffer)
  "Draw what changed in the terminal of BUFFER since the last redraw.
Nothing is drawn while `vterm-copy-mode' is on: the changes stay
pending in the module until copy mode ends."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (vterm--cancel-redraw-timer)
      (when (and vterm--term (not vterm-copy-mode))
        (let ((inhibit-redisplay t)
              (inhibit-read-only t))
          (vterm--redraw vterm--term)
          ;; A function called from the terminal may have killed the
          ;; buffer or switched to another one.
          (when (and (buffer-live-p buffer) (eq (current-buffer) buffer))
            (vterm--sync-after-redraw)
            (vterm--update-windows)))))))

;;;; Process filter and sentinel

(defun vterm--send (string)
  "Send STRING to the process of the current vterm buffer, if it is live.
On Windows the bytes are framed for conpty-proxy."
  (when (process-live-p vterm--process)
    (process-send-string vterm--process
                         (if (process-get vterm--process 'vterm-conpty)
                             (vterm--w32-frame-input string)
                           string))))

(defconst vterm-control-seq-regexp
  (concat "\\(?:"
          ;; C0 controls that move the cursor or switch charsets.
          "[\r\n\000\007\t\b\016\017]"
          "\\|\e\\(?:"
          ;; Two-character escapes.
          "[DM78c=]"
          ;; term.el's private message.
          "\\|AnSiT[^\n]+\n"
          ;; An OSC terminated by ST.
          "\\|\\][^\e]+\e\\\\"
          ;; A CSI sequence.
          "\\|\\[\\([\x30-\x3F]*\\)[\x20-\x2F]*[\x40-\x7E]"
          "\\)\\)")
  "Regexp matching the control sequences that term.el handles.
Kept for compatibility; vterm passes process output to the module
unchanged.")

(defconst vterm-control-seq-prefix-regexp "[\032\e]"
  "Regexp matching the start of a control sequence.
Kept for compatibility; vterm does not use it.")

(defun vterm--filter (process output)
  "Feed OUTPUT of PROCESS to its terminal.
OUTPUT is a unibyte string of raw bytes; the module decodes it.
Output arriving after the buffer was killed is dropped."
  (let ((buf (process-buffer process)))
    (when (buffer-live-p buf)
      (with-current-buffer buf
        (when vterm--term
          (let ((inhibit-redisplay t)
                (inhibit-eol-conversion t)
                (inhibit-read-only t)
                (vterm--output-after-quiet (vterm--after-quiet-p output)))
            (vterm--write-input vterm--term output)
            (vterm--update vterm--term)))))))

(defun vterm--sentinel (process event)
  "Handle the status change EVENT of the terminal PROCESS.
Run `vterm-exit-functions', then kill the buffer of a finished
process if `vterm-kill-buffer-on-exit' is non-nil there."
  (let* ((buf (process-buffer process))
         (live (buffer-live-p buf)))
    (run-hook-with-args 'vterm-exit-functions (and live buf) event)
    (when (and live
               (not (process-live-p process))
               (buffer-live-p buf)
               (buffer-local-value 'vterm-kill-buffer-on-exit buf))
      (kill-buffer buf))))

;;;; Window size

(defun vterm--text-scale-mode (&optional _arg)
  "Scale the line numbers of a vterm buffer along with its text.
This runs after `text-scale-mode' and then lets the terminal adapt
its size to the new text size."
  (when (and (derived-mode-p 'vterm-mode)
             (boundp 'display-line-numbers))
    (when vterm--linenum-remapping
      (face-remap-remove-relative vterm--linenum-remapping))
    (setq vterm--linenum-remapping
          (face-remap-add-relative
           'line-number :height (expt text-scale-mode-step
                                      text-scale-mode-amount))))
  (when (fboundp 'window--adjust-process-windows)
    (window--adjust-process-windows)))

(advice-add 'text-scale-mode :after #'vterm--text-scale-mode)

(defun vterm--window-adjust-process-window-size (process windows)
  "Resize the terminal of PROCESS to fit WINDOWS.

This is the `adjust-window-size-function' of vterm processes.  The
size comes from `window-adjust-process-window-size-function', less
the line-number margin, and is at least `vterm-min-window-width'
columns wide.  Return (WIDTH . HEIGHT), so that Emacs resizes the
pty, or nil when nothing changed, as in `vterm-copy-mode'."
  (let ((buf (process-buffer process)))
    (when (buffer-live-p buf)
      (with-current-buffer buf
        (unless vterm-copy-mode
          (let* ((size (funcall window-adjust-process-window-size-function
                                process windows))
                 (width (and size (max (- (car size) (vterm--get-margin-width))
                                       vterm-min-window-width 2)))
                 (height (and size (cdr size))))
            (when (and size vterm--term (process-live-p process)
                       (> width 0) (> height 0))
              (let ((inhibit-read-only t))
                (vterm--apply-reflow)
                (vterm--set-size vterm--term height width)
                (setq vterm--rows height)
                (vterm--sync-after-redraw)
                (vterm--update-windows))
              (unless (vterm--pty-p process)
                (let ((resize (process-get process 'vterm-resize-function)))
                  (when (functionp resize)
                    (funcall resize process height width))))
              (cons width height))))))))

;;;; Directories

(defun vterm--local-directory (dir)
  "Return DIR as a directory name if it is an existing absolute directory."
  (when (and (stringp dir)
             (not (string= dir ""))
             (file-name-absolute-p dir)
             ;; A path from the terminal must not trigger TRAMP.
             (let ((file-name-handler-alist nil))
               (file-directory-p dir)))
    (file-name-as-directory dir)))

(defun vterm--local-host-p (host)
  "Whether HOST, from a file:// URI (OSC 7, OSC 8), names this machine.
It does when empty, localhost, or the function `system-name' or its
first label (shells often know the short name only)."
  (or (member host '("" "localhost"))
      (string= host (system-name))
      (string= host (car (split-string (system-name) "\\.")))))

(defun vterm--get-directory (path)
  "Return the directory that PATH, as reported by the shell, designates.

PATH is either a local absolute directory, or USER@HOST:DIR.  The
latter is DIR when USER and HOST are the values of the function
`user-login-name' and of the function `system-name', and the TRAMP
file name /-:USER@HOST:DIR/ otherwise.  An empty USER is how the
module passes on OSC 7 (file://HOST/DIR): DIR when HOST is empty,
localhost or this machine's name (`vterm--local-host-p'), else the
TRAMP file name /-:HOST:DIR/.  A local directory must
exist.  Return nil when PATH designates no usable directory."
  (when (and (stringp path) (not (string= path "")))
    (if (string-match "\\`\\([^@]*\\)@\\([^:]*\\):\\(.*\\)\\'" path)
        (let ((user (match-string 1 path))
              (host (match-string 2 path))
              (dir (match-string 3 path)))
          (cond
           ((string= dir "") nil)
           ;; OSC 7 (file://HOST/DIR) arrives as @HOST:DIR, without user.
           ((string= user "")
            (if (vterm--local-host-p host)
                (vterm--local-directory dir)
              (file-name-as-directory (concat "/-:" host ":" dir))))
           ((and (string= user user-login-name)
                 (string= host (system-name)))
            (vterm--local-directory dir))
           (t (file-name-as-directory (concat "/-:" path)))))
      (vterm--local-directory path))))

(defun vterm--get-pwd (&optional linenum)
  "Return the directory the shell reported for line LINENUM.
LINENUM defaults to the current line.  Return nil when no directory
was recorded for it."
  (when vterm--term
    (let ((raw (vterm--get-pwd-raw vterm--term
                                   (or linenum (line-number-at-pos)))))
      (and raw (vterm--get-directory raw)))))

;;;; Prompt tracking

(defun vterm--prompt-tracking-enabled-p ()
  "Return non-nil if the shell has marked a prompt in this buffer.

A shell set up with the scripts of etc/ ends each prompt with the
escape sequence ESC ] 51 ; A, for example in zsh with
PROMPT=$PROMPT\\='%{$(vterm_prompt_end)%}\\='.  The module then puts
the text property `vterm-prompt' on the character after the
prompt.  The answer is cached once a mark has been seen."
  (or vterm--prompt-tracking-enabled-p
      (setq vterm--prompt-tracking-enabled-p
            (next-single-property-change (point-min) 'vterm-prompt))))

(defun vterm--get-beginning-of-line (&optional pt)
  "Return the start of the logical line at PT, across wrapped rows.
PT defaults to point."
  (save-excursion
    (when pt (goto-char pt))
    (beginning-of-line)
    (while (and (not (bobp))
                (get-text-property (1- (point)) 'vterm-line-wrap))
      (forward-char -1)
      (beginning-of-line))
    (point)))

(defun vterm--get-end-of-line (&optional pt)
  "Return the end of the logical line at PT, across wrapped rows.
PT defaults to point."
  (save-excursion
    (when pt (goto-char pt))
    (end-of-line)
    (while (get-text-property (point) 'vterm-line-wrap)
      (forward-char)
      (end-of-line))
    (point)))

(defun vterm--regexp-prompt-end (bol eol)
  "Return the end of the prompt between BOL and EOL found by regexp.
The prompt is the last match of `term-prompt-regexp' that starts
in the logical line from BOL to EOL, ignoring matches that start
right after a fake newline, where the regexp \"^\" would otherwise
match.  Return BOL when there is none."
  (save-excursion
    (goto-char eol)
    (let (found)
      (while (and (not found)
                  (re-search-backward term-prompt-regexp bol t))
        (let ((start (match-beginning 0)))
          (if (and (> start (point-min))
                   (get-text-property (1- start) 'vterm-line-wrap))
              (if (> (point) bol)
                  (backward-char)
                (setq found bol))
            (setq found (match-end 0)))))
      (or found bol))))

(defun vterm--get-prompt-point ()
  "Return the position where the prompt of the current line ends.

With prompt tracking (see `vterm--prompt-tracking-enabled-p') this
is the character marked by the shell; otherwise the end of the
prompt found with `term-prompt-regexp', or the beginning of the
logical line.  Return nil when tracking is on and no mark is
found."
  (let ((eol (vterm--get-end-of-line)))
    (if (and vterm-use-vterm-prompt-detection-method
             (vterm--prompt-tracking-enabled-p))
        (if (get-text-property eol 'vterm-prompt)
            eol
          (let ((change (previous-single-property-change eol 'vterm-prompt)))
            (and change (1- change))))
      (vterm--regexp-prompt-end (vterm--get-beginning-of-line) eol))))

(defun vterm--at-prompt-p ()
  "Return non-nil if point is at the end of the prompt."
  (= (point) (or (vterm--get-prompt-point) 0)))

;;;; Copy-mode text

(defun vterm--reinsert-fake-newlines ()
  "Put back the fake newlines recorded in `vterm--copy-mode-fake-newlines'."
  (let ((inhibit-read-only t)
        (inhibit-redisplay t))
    ;; The positions were recorded from the start of the buffer, each
    ;; after the removal of the ones before it; putting them back from
    ;; the last to the first restores the original text.
    (while vterm--copy-mode-fake-newlines
      (goto-char (pop vterm--copy-mode-fake-newlines))
      (vterm--insert (propertize "\n" 'vterm-line-wrap t 'rear-nonsticky t)))))

(defun vterm--remove-fake-newlines (&optional remembering-pos-p)
  "Delete the fake newlines, those with the property `vterm-line-wrap'.
The module inserts them where a line wraps.  With
REMEMBERING-POS-P, record their positions in
`vterm--copy-mode-fake-newlines' so that they can be put back."
  ;; Lazy faces are found by line: put them all on before lines join.
  (when jit-lock-mode
    (jit-lock-fontify-now))
  (let ((inhibit-read-only t)
        (inhibit-redisplay t)
        (pos (point-min)))
    (when remembering-pos-p
      (setq vterm--copy-mode-fake-newlines nil))
    (while (setq pos (text-property-any pos (point-max) 'vterm-line-wrap t))
      (if (not (eq (char-after pos) ?\n))
          (setq pos (1+ pos))
        (when remembering-pos-p
          (push pos vterm--copy-mode-fake-newlines))
        (goto-char pos)
        (vterm--delete-char 1)))))

(defun vterm--filter-buffer-substring (content)
  "Return CONTENT without its fake newlines.
This filters text copied from vterm buffers."
  (let ((pos 0)
        (start 0)
        (end (length content))
        parts)
    (while (setq pos (text-property-any pos end 'vterm-line-wrap t content))
      (when (eq (aref content pos) ?\n)
        (push (substring content start pos) parts)
        (setq start (1+ pos)))
      (setq pos (1+ pos)))
    (if (null parts)
        content
      (push (substring content start) parts)
      (apply #'concat (nreverse parts)))))

;;;; Windows: conpty-proxy

;; Emacs cannot give a process a pty on Windows.  There the shell runs in a
;; pseudo console owned by conpty-proxy.exe, which talks to Emacs over one
;; pair of pipes: raw bytes both ways with 0xFF doubled, control frames
;; (resize) on stdin and status frames on stdout, each introduced by a lone
;; 0xFF.  See doc/windows-proxy.md.  Status travels in band, so a terminal
;; takes one of the 32 subprocess slots of Emacs for Windows, and Emacs,
;; which reads a process' output to the end before it reports its exit,
;; never loses the last status line.

(defvar vterm--conpty-proxy-command nil
  "When non-nil, the program and arguments that start conpty-proxy.
Used instead of the executable that `vterm-conpty-proxy-path' or
the search finds, e.g. to run it under Wine in tests:
\(\"wine64\" \"/path/conpty-proxy.exe\" \"--wine-shim\").")

(defvar vterm--conpty-directory-function #'vterm--w32-directory
  "Function turning `default-directory' into the shell's working directory.")

(defvar-local vterm--w32-resize-status nil
  "Result of the last resize as (COLS ROWS HRESULT), from conpty-proxy.")

(defconst vterm--w32-quiet-hresults
  '(0            ; S_OK
    #x80004001   ; E_NOTIMPL: this console host cannot resize (Wine)
    #x80070006)  ; E_HANDLE: the console is closing (the shell has exited)
  "Resize results from conpty-proxy that are not worth a message.")

(defun vterm--w32-hex (string)
  "Return STRING as hex-encoded UTF-8, for conpty-proxy's --hex arguments."
  (mapconcat (lambda (byte) (format "%02x" byte))
             (encode-coding-string string 'utf-8-unix t) ""))

(defun vterm--w32-frame-input (string)
  "Return STRING as conpty-proxy input: UTF-8 bytes with 0xFF doubled."
  (let ((bytes (if (multibyte-string-p string)
                   (encode-coding-string string 'utf-8-unix t)
                 string)))
    (if (string-match-p "\377" bytes)
        (replace-regexp-in-string "\377" "\377\377" bytes t t)
      bytes)))

(defun vterm--w32-frame-resize (cols rows)
  "Return the conpty-proxy frame that resizes the console to COLS x ROWS."
  (let ((cols (max 1 (min cols 32767)))
        (rows (max 1 (min rows 32767))))
    (unibyte-string #xff ?R 4 (ash cols -8) (logand cols #xff)
                    (ash rows -8) (logand rows #xff))))

(defun vterm--w32-directory (directory)
  "Return DIRECTORY as a Windows path without a trailing separator."
  (subst-char-in-string ?/ ?\\ (directory-file-name
                                (expand-file-name directory))))

(defun vterm--w32-proxy-command ()
  "Return the program and arguments that start conpty-proxy.
Signal a `user-error' naming the places searched when it is missing."
  (or vterm--conpty-proxy-command
      (let* ((here (and vterm--directory
                        (expand-file-name "conpty-proxy.exe" vterm--directory)))
             (exe (cond (vterm-conpty-proxy-path
                         (and (file-executable-p vterm-conpty-proxy-path)
                              vterm-conpty-proxy-path))
                        ((and here (file-executable-p here)) here)
                        (t (executable-find "conpty-proxy")))))
        (unless exe
          (user-error
           "Cannot start vterm: conpty-proxy.exe not found %s"
           (if vterm-conpty-proxy-path
               (format "at %s (`vterm-conpty-proxy-path')"
                       vterm-conpty-proxy-path)
             (format "next to vterm.el%s or in `exec-path'; build it with M-x vterm-module-compile"
                     (if here (format " (%s)" here) "")))))
        (list (expand-file-name exe)))))

(defun vterm--w32-environment-args (environment)
  "Return --env arguments giving the shell the vterm part of ENVIRONMENT.
Only the entries that vterm adds in front of `process-environment'
are passed; the proxy inherits the rest from Emacs."
  (let ((own (butlast environment (length process-environment)))
        args)
    (dolist (entry own)
      (push "--env" args)
      (push (vterm--w32-hex entry) args))
    (nreverse args)))

(defun vterm--w32-read-output (process output data-function)
  "Split OUTPUT of conpty-proxy PROCESS into console output and status.
OUTPUT is a unibyte string of the proxy's stdout.  Call
DATA-FUNCTION with each run of console output (an escaped 0xFF
becomes one byte) and `vterm--w32-status-line' with each status
line, in the order they came.  A frame cut off at the end of
OUTPUT is kept on PROCESS and completed by the next call."
  (let ((pending (process-get process 'vterm-w32-pending))
        (start 0)
        esc)
    (when pending
      (process-put process 'vterm-w32-pending nil)
      (setq output (concat pending output)))
    (while (and start (setq esc (string-match-p "\377" output start)))
      (when (> esc start)
        (funcall data-function (substring output start esc)))
      (let ((end (length output)))
        (setq start nil)
        (cond
         ((and (< (1+ esc) end) (eq (aref output (1+ esc)) #xff))
          (funcall data-function "\377")
          (setq start (+ esc 2)))
         ((and (< (+ esc 2) end)
               (<= (+ esc 3 (aref output (+ esc 2))) end))
          (let ((next (+ esc 3 (aref output (+ esc 2)))))
            ;; Unknown frame types are skipped, as the proxy does.
            (when (eq (aref output (1+ esc)) ?S)
              (vterm--w32-status-line
               process (decode-coding-string
                        (substring output (+ esc 3) next) 'utf-8-unix)))
            (setq start next)))
         (t (process-put process 'vterm-w32-pending (substring output esc))))))
    (when (and start (< start (length output)))
      (funcall data-function (if (= start 0) output (substring output start))))))

(defun vterm--w32-filter (process output)
  "Feed the console output in OUTPUT of conpty-proxy PROCESS to its terminal."
  (vterm--w32-read-output process output
                          (lambda (data) (vterm--filter process data))))

(defun vterm--w32-status-line (process line)
  "Act on one status LINE from conpty-proxy PROCESS.
Errors and hangups are also kept as the process property
`vterm-w32-error', and errors are written into the terminal, where
they explain why it ended."
  (cond
   ((string-match "\\`resize cols=\\([0-9]+\\) rows=\\([0-9]+\\) hr=0x\\([0-9a-fA-F]+\\)"
                  line)
    (let ((status (list (string-to-number (match-string 1 line))
                        (string-to-number (match-string 2 line))
                        (string-to-number (match-string 3 line) 16)))
          (buffer (process-buffer process)))
      (when (buffer-live-p buffer)
        (with-current-buffer buffer
          (setq vterm--w32-resize-status status)))
      (unless (memql (nth 2 status) vterm--w32-quiet-hresults)
        (message "The pseudo console refused the resize to %dx%d (0x%08X)"
                 (nth 0 status) (nth 1 status) (nth 2 status)))))
   ((string-match "\\`ready pid=\\([0-9]+\\)" line)
    (process-put process 'vterm-w32-shell-pid
                 (string-to-number (match-string 1 line))))
   ((string-match "\\`\\(error\\|warning\\|hangup\\): " line)
    (let ((kind (match-string 1 line)))
      (unless (equal kind "warning")
        (process-put process 'vterm-w32-error line))
      (when (equal kind "error")
        (vterm--filter process (encode-coding-string
                                (concat "\r\nconpty-proxy: " line "\r\n")
                                'utf-8-unix)))
      (message "vterm: %s" line)))))

(defun vterm--w32-sentinel (process event)
  "Sentinel of a conpty-proxy PROCESS: as on POSIX.
EVENT is the status change."
  (when (or vterm-exit-functions vterm-kill-buffer-on-exit)
    (vterm--sentinel process event)))

(defun vterm--conpty-make-process (rows cols shell environment)
  "Start SHELL through conpty-proxy in a console of ROWS by COLS.
ENVIRONMENT is the value `process-environment' would have on POSIX;
its vterm entries reach the shell through the proxy's --env.
Return the process."
  (let* ((command (vterm--w32-proxy-command))
         (cwd (funcall vterm--conpty-directory-function
                       (if (file-remote-p default-directory)
                           (expand-file-name "~/")
                         default-directory)))
         ;; Emacs starts the proxy with CreateProcessA in
         ;; `default-directory': a name outside the ANSI code page or over
         ;; 260 characters would fail there, and the proxy would look for
         ;; the shell's program in that directory first.  So the proxy
         ;; starts in its own directory and the shell's comes by --cwd,
         ;; hex-encoded UTF-8 that survives any code page.
         (default-directory (or (file-name-directory (car command))
                                (expand-file-name "~/")))
         (process-adaptive-read-buffering nil)
         (proc (make-process
                :name "vterm"
                :buffer (current-buffer)
                :command (append command
                                 (list "--hex"
                                       "--cols" (number-to-string cols)
                                       "--rows" (number-to-string rows)
                                       "--cwd" (vterm--w32-hex cwd))
                                 (vterm--w32-environment-args environment)
                                 (list "--cmdline" (vterm--w32-hex shell)))
                :connection-type 'pipe
                :coding 'binary
                :noquery nil
                :filter #'vterm--w32-filter
                :sentinel #'vterm--w32-sentinel)))
    (process-put proc 'vterm-conpty t)
    (process-put proc 'vterm-resize-function
                 (lambda (process rows cols)
                   (when (process-live-p process)
                     (process-send-string process
                                          (vterm--w32-frame-resize cols rows)))))
    proc))

;;; Synchronized output

;; DEC mode 2026: a program brackets a redraw with CSI ? 2026 h and
;; CSI ? 2026 l so that the terminal shows it whole.  The module
;; recognises the mode in the byte stream, answers its DECRQM query, and
;; holds its redraws while the mode is set; libvterm still parses
;; everything.  Lisp bounds how long the buffer may stay behind: a redraw
;; held longer than `vterm-synchronized-output-timeout' ends the update.

(defcustom vterm-enable-synchronized-output t
  "Non-nil means honour synchronized output (DEC mode 2026).
Programs that redraw often (text editors, AI coding tools and other
full-screen programs) bracket each redraw with CSI ? 2026 h and
CSI ? 2026 l; the buffer is then only redrawn between two such
updates, so a half-drawn screen never shows.  When nil, the mode is
ignored and programs asking for it (DECRQM) are told it is unknown.
The setting applies to terminals created after it changes."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-synchronized-output-timeout 1.0
  "Seconds a synchronized update may hold the buffer before it shows.
A program that sets DEC mode 2026 and does not reset it in time
gets its screen shown anyway, as it is then, and the mode ends."
  :type 'number
  :group 'vterm)

(defvar-local vterm--sync-timer nil
  "Timer that ends a synchronized update held too long, or nil.")

(defun vterm--sync-setup ()
  "Tell the terminal of the current buffer whether to honour mode 2026."
  (add-hook 'kill-buffer-hook #'vterm--sync-cancel-timer nil t)
  (when (fboundp 'vterm--set-synchronized-output)
    (vterm--set-synchronized-output vterm--term
                                    vterm-enable-synchronized-output)))

(defun vterm--sync-cancel-timer ()
  "Cancel the timer of the synchronized update of the current buffer."
  (when (timerp vterm--sync-timer)
    (cancel-timer vterm--sync-timer))
  (setq vterm--sync-timer nil))

(defun vterm--sync-after-redraw ()
  "Bound the synchronized update, if one held the last redraw.
The first held redraw starts a timer of
`vterm-synchronized-output-timeout' seconds; a redraw that draws
cancels it."
  (if (and vterm--term
           (fboundp 'vterm--synchronized-p)
           (vterm--synchronized-p vterm--term))
      (unless vterm--sync-timer
        (setq vterm--sync-timer
              (run-with-timer (max 0 vterm-synchronized-output-timeout) nil
                              #'vterm--sync-expire (current-buffer))))
    (vterm--sync-cancel-timer)))

(defun vterm--sync-expire (buffer)
  "End the synchronized update of BUFFER, held too long, and redraw."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--sync-timer nil)
      (when (and vterm--term (vterm--synchronized-p vterm--term))
        (vterm--set-synchronized-output vterm--term t)
        (vterm--delayed-redraw buffer)))))

;;; Hyperlinks

;; Programs mark text as a link with OSC 8 (ESC ] 8 ; PARAMS ; URI ST,
;; ended by ESC ] 8 ; ; ST).  The module keeps the links beside the cells
;; and puts these properties on the linked text: `vterm-hyperlink' (the
;; URI), `vterm-hyperlink-id' (its id= parameter, or nil), `help-echo',
;; `mouse-face', the face `vterm-hyperlink' in front of the text's own, and
;; the keymap `vterm-hyperlink-map'.

(defcustom vterm-enable-hyperlinks t
  "Non-nil means text that programs mark with OSC 8 is a link.
Pressing return or clicking on the text opens the link's URI (see
`vterm-hyperlink-map'), with `browse-url', or with `find-file' for
a file:// URI (through TRAMP when it names another host).  When
nil, OSC 8 sequences are ignored and the text is plain.  The value
is read when a terminal starts."
  :type 'boolean
  :group 'vterm)

(defface vterm-hyperlink '((t :inherit link))
  "Face added to the text of OSC 8 hyperlinks."
  :group 'vterm)

(defvar vterm-hyperlink-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "RET") #'vterm-hyperlink-open)
    (define-key map [return] #'vterm-hyperlink-open)
    (define-key map [mouse-1] #'vterm-hyperlink-open-mouse)
    (define-key map [mouse-2] #'vterm-hyperlink-open-mouse)
    map)
  "Keymap on the text of OSC 8 hyperlinks.")
;; The module names the keymap by its symbol in the `keymap' property.
(fset 'vterm-hyperlink-map vterm-hyperlink-map)

(defun vterm--hyperlinks-setup ()
  "Tell the terminal of this buffer whether to keep OSC 8 links."
  (vterm--set-hyperlinks vterm--term vterm-enable-hyperlinks))

(defun vterm--percent-decode (string)
  "Return STRING with its %XX escapes decoded, as UTF-8."
  (decode-coding-string
   (encode-coding-string
    (replace-regexp-in-string
     "%[0-9A-Fa-f][0-9A-Fa-f]"
     (lambda (escape) (string (string-to-number (substring escape 1) 16)))
     string t t)
    'latin-1)
   'utf-8))

(defun vterm--hyperlink-file-name (uri)
  "Return the file name that URI designates, or nil if not a file:// URI.
A host other than this machine (`vterm--local-host-p') gives the
TRAMP file name /-:HOST:PATH, as directories reported by OSC 51;A do."
  (when (string-match "\\`file://\\([^/]*\\)\\(/[^?#]*\\)" uri)
    (let ((host (match-string 1 uri))
          (path (vterm--percent-decode (match-string 2 uri))))
      (if (vterm--local-host-p host)
          path
        (concat "/-:" host ":" path)))))

(defun vterm-hyperlink-follow (uri)
  "Open URI: a file:// URI with `find-file', anything else with `browse-url'."
  (let ((file (vterm--hyperlink-file-name uri)))
    (if file
        (find-file file)
      (browse-url uri))))

(defun vterm--point-at-cursor-p ()
  "Return non-nil if point is at the terminal cursor."
  (and vterm--term
       (not vterm-copy-mode)
       (= (point) (save-excursion (vterm-reset-cursor-point)))))

(defun vterm-hyperlink-open (&optional pos)
  "Open the OSC 8 hyperlink at POS, point by default.
When point is at the terminal cursor, outside copy mode, send a
return to the terminal instead, as RET does elsewhere; in copy
mode with an active region, copy it as `vterm-copy-mode-done'
does."
  (interactive)
  (let ((uri (get-text-property (or pos (point)) 'vterm-hyperlink)))
    (cond ((and (null pos) vterm-copy-mode (use-region-p))
           (call-interactively #'vterm-copy-mode-done))
          ((and (null pos) (vterm--point-at-cursor-p)) (vterm-send-return))
          (uri (vterm-hyperlink-follow uri))
          (t (user-error "No hyperlink here")))))

(defun vterm-hyperlink-open-mouse (event)
  "Open the OSC 8 hyperlink clicked on in EVENT."
  (interactive "e")
  (let* ((posn (event-end event))
         (pos (posn-point posn))
         (window (posn-window posn)))
    (when (and (windowp window) pos)
      (with-current-buffer (window-buffer window)
        (let ((uri (get-text-property pos 'vterm-hyperlink)))
          (when uri
            (vterm-hyperlink-follow uri)))))))

;;; Performance: lazy scrollback faces

;; Every coloured run in the buffer is a text-property interval that
;; each garbage collection walks, so a large scrollback full of colours
;; used to make output slow.  With `vterm-lazy-scrollback-faces' the
;; module inserts scrollback lines without faces; the module still keeps
;; each line's cells, and `jit-lock' asks it for the faces of the lines
;; Emacs is about to display.  Copying (`filter-buffer-substring') and
;; `font-lock-ensure' fontify the text they take first.  See
;; bench/README.md for the measurements.

(declare-function vterm--set-lazy-faces "ext:vterm-module.c" (term flag))
(declare-function vterm--fontify-lines "ext:vterm-module.c"
                  (term line start end))

(defcustom vterm-lazy-scrollback-faces t
  "Whether scrollback lines get their faces only when needed.

When non-nil, text that scrolls into the scrollback is inserted
without faces, and they are put on when Emacs is about to display
it (through `jit-lock'), copies it, or `font-lock-ensure' asks for
them.  This keeps colourful output fast with a large
`vterm-max-scrollback'.  When nil, every line carries its faces
from the start, as in upstream vterm.  The value is read when a
terminal is created."
  :type 'boolean
  :group 'vterm)

(defun vterm--lazy-faces-setup ()
  "Set up lazy scrollback faces in the current buffer, if wanted."
  (when (and vterm-lazy-scrollback-faces vterm--term)
    (vterm--set-lazy-faces vterm--term t)
    (jit-lock-register #'vterm--fontify-region)
    (setq-local font-lock-ensure-function #'vterm--font-lock-ensure)
    (add-function :before (local 'filter-buffer-substring-function)
                  #'vterm--fontify-for-copy)))

(defun vterm--fontify-region (beg end)
  "Put the faces on the scrollback lines between BEG and END.
`jit-lock' calls this for text Emacs is about to display; the
module draws the faces from the cells it keeps for each line."
  (when vterm--term
    (save-excursion
      (save-restriction
        (widen)
        (goto-char beg)
        (forward-line 0)
        ;; Count the lines from the nearer end of the buffer.
        (let ((line (if (< (- (point-max) (point)) (- (point) (point-min)))
                        (- (count-lines (point) (point-max)))
                      (line-number-at-pos nil t))))
          (unless (zerop line)
            (vterm--fontify-lines vterm--term line (point) end))))))
  nil)

(defun vterm--font-lock-ensure (beg end)
  "Put the faces on the text between BEG and END now.
This is `font-lock-ensure-function' in vterm buffers."
  (jit-lock-fontify-now beg end))

(defun vterm--fontify-for-copy (beg end &rest _)
  "Put the faces on the text between BEG and END before it is copied."
  (when jit-lock-mode
    (jit-lock-fontify-now (min beg end) (max beg end))))

;;; Text attributes

;; libvterm drops faint text (SGR 2) and, in 0.1.4, concealed text
;; (SGR 8).  The module keeps both (sgr.c) and hands every face that has
;; one of them, or a double or curly underline, to `vterm--attrs-face',
;; which draws them as the options below say.

(defcustom vterm-enable-faint t
  "Whether faint text (SGR 2) is drawn dimmed.
When non-nil, the color of faint text comes from the face
`vterm-color-faint' when it has a foreground, and is otherwise
the text color blended towards the background color by
`vterm-faint-blend'.  When nil, faint text looks like normal
text, as in upstream vterm."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-faint-blend 0.5
  "How far faint text moves from its own color towards its background.
0 leaves the color as it is and 1 makes it the background color."
  :type 'number
  :group 'vterm)

(defcustom vterm-enable-conceal t
  "Whether concealed text (SGR 8) is hidden.
When non-nil, concealed text is drawn in its background color: it
keeps its columns, and copying it still copies the text.  On a
text terminal whose background color Emacs does not know, text
and background are both black, or white when the frame's
`background-mode' is light.  When nil, concealed text is shown
like normal text, as in upstream vterm."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-enable-underline-styles t
  "Whether double and curly underlines keep their style.
When non-nil, a curly underline (SGR 4:3) is drawn as a wave, and
a double underline (SGR 4:2 or 21) as a double line on Emacs 30
and later, a single line before.  When nil, every underline is a
single line, as in upstream vterm."
  :type 'boolean
  :group 'vterm)

(defface vterm-color-faint
  '((t))
  "Face for faint text (SGR 2), when `vterm-enable-faint' is non-nil.
Faint text inherits this face.  When it has a foreground, that is
the color of faint text; otherwise the text color is blended
towards the background (see `vterm-faint-blend')."
  :group 'vterm)

(defun vterm--color-rgb (color)
  "Return the RGB values (0 to 65535) of the string COLOR, or nil."
  (when (and (stringp color)
             (not (member color '("unspecified-fg" "unspecified-bg"))))
    (or (color-values-from-color-spec color)
        (ignore-errors (color-values color)))))

(defun vterm--blend-color (from to fraction)
  "Return the color FRACTION of the way from color FROM to color TO.
Return nil when either color is not known."
  (let ((a (vterm--color-rgb from))
        (b (vterm--color-rgb to))
        (f (min 1.0 (max 0.0 (float fraction))))
        (rgb nil))
    (when (and a b)
      (while a
        (push (round (/ (+ (* (pop a) (- 1 f)) (* (pop b) f)) 257.0)) rgb))
      (apply #'format "#%02x%02x%02x" (nreverse rgb)))))

(defun vterm--faint-color (foreground background)
  "Return the color of faint text whose colors are FOREGROUND and BACKGROUND."
  (or (face-foreground 'vterm-color-faint nil nil)
      (vterm--blend-color foreground background vterm-faint-blend)
      (face-foreground 'shadow nil 'default)))

(defun vterm--attrs-face (plist attrs)
  "Return the face PLIST with the text attributes ATTRS drawn.
ATTRS lists symbols among `faint', `conceal', `double-underline'
and `curly-underline'.  The module calls this for each face that
has one of them, at most once per redraw."
  (let ((plist (copy-sequence plist)))
    (when (and vterm-enable-faint (memq 'faint attrs))
      (setq plist (plist-put plist :foreground
                             (vterm--faint-color
                              (plist-get plist :foreground)
                              (plist-get plist :background))))
      (setq plist (plist-put plist :inherit 'vterm-color-faint)))
    (when (and vterm-enable-underline-styles (plist-get plist :underline))
      (cond
       ((memq 'curly-underline attrs)
        (setq plist (plist-put plist :underline '(:style wave))))
       ((and (memq 'double-underline attrs) (>= emacs-major-version 30))
        (setq plist (plist-put plist :underline '(:style double-line))))))
    (when (and vterm-enable-conceal (memq 'conceal attrs))
      (let ((bg (vterm--conceal-color (plist-get plist :background))))
        (setq plist (plist-put plist :foreground bg))
        (setq plist (plist-put plist :background bg)))
      (setq plist (plist-put plist :underline nil))
      (setq plist (plist-put plist :strike-through nil)))
    plist))

(defun vterm--conceal-color (background)
  "Return the color that hides text on BACKGROUND.
That is BACKGROUND itself when it is a real color.  A text
terminal's unspecified background cannot be a text color (Emacs
draws that as inverse video): then black, or white on a light
background, paints both."
  (if (vterm--color-rgb background)
      background
    (if (eq (frame-parameter nil 'background-mode) 'light) "white" "black")))

;;; Reflow on resize

;; libvterm 0.3 and later re-wrap the screen's lines when the width
;; changes; the module steers around that code's faults (reflow.c).

(defcustom vterm-enable-reflow t
  "Whether wrapped lines are wrapped again when the width changes.
When non-nil and the module is built with libvterm 0.3 or later,
a line that wrapped is wrapped again at the new width on the
screen; lines in the scrollback keep the width they had.  When
nil, or with an older libvterm, rows are cut or padded as in
upstream vterm.  The alternate screen of full-screen programs
never reflows: they redraw it."
  :type 'boolean
  :group 'vterm)

(declare-function vterm--set-reflow "ext:vterm-module.c" (term flag))

(defun vterm--apply-reflow ()
  "Tell the current buffer's terminal about `vterm-enable-reflow'."
  (when (and vterm--term (fboundp 'vterm--set-reflow))
    (vterm--set-reflow vterm--term vterm-enable-reflow)))

;;; Shell and colour protocols

;; OSC 7 (the shell's directory), OSC 133 (semantic prompts), OSC 4, 10
;; and 11 (colour queries and sets) and OSC 9 and 777 (notifications).
;; The module parses them (osc.c) and calls the functions below; the
;; options are handed to it when a terminal starts.

(defcustom vterm-enable-osc7-directory t
  "Non-nil means OSC 7 sequences set `default-directory'.
Shells set up for other terminals, such as bash with VTE's
vte.sh, report their directory as file://HOST/PATH; a HOST other
than this machine gives a TRAMP directory, as with the vterm
escape sequence ESC ] 51 ; A.  Takes effect in new terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-enable-semantic-prompts t
  "Non-nil means OSC 133 semantic prompt sequences are followed.
The end of a prompt (133;B) is marked as ESC ] 51 ; A marks it,
for prompt navigation and copy mode, and the end of a command
\(133;D) runs `vterm-command-finished-functions'.  Takes effect in
new terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-answer-color-queries t
  "Non-nil means programs may ask for the terminal's colors.
OSC 10, 11 and 4 queries are answered with the colors of the
`default' face and of the faces of `vterm-color-palette', so that
programs can choose a dark or light theme.  Takes effect in new
terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-allow-color-setting nil
  "Non-nil means programs may change the terminal's colors.
With OSC 10, 11 and 4 a program can then set the default
foreground and background and the colors 0 to 15 of its buffer.
Takes effect in new terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-enable-notifications t
  "Non-nil means OSC 9 and OSC 777 notifications are reported.
They run `vterm-notification-functions'.  Takes effect in new
terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-notification-functions (list #'vterm-notification-message)
  "Functions called when a program in the terminal sends a notification.
Each is called in the terminal's buffer with two strings, TITLE
and BODY, from OSC 777 ; notify ; TITLE ; BODY or OSC 9 ; BODY
\(with an empty TITLE).  Control characters are removed and long
texts shortened."
  :type 'hook
  :group 'vterm)

(defcustom vterm-command-finished-functions nil
  "Functions called when a command in the terminal finishes.
The shell reports it with OSC 133 ; D ; STATUS.  Each function is
called in the terminal's buffer with STATUS, the exit status (an
integer), or nil when the shell did not give it."
  :type 'hook
  :group 'vterm)

(defvar-local vterm-last-command-status nil
  "Exit status of the last command the shell reported with OSC 133;D.")

(defvar-local vterm--color-overrides nil
  "Colors set by programs (OSC 4, 10, 11): alist of (INDEX . COLOR).
INDEX is -1 for the default foreground, -2 for the default
background, or 0 to 15.")

(defvar-local vterm--color-remaps nil
  "Alist of (INDEX . COOKIE) of `default' face remappings made for sets.")

(declare-function vterm--set-osc-options "ext:vterm-module.c"
                  (term disabled allow-set))

(defun vterm--apply-osc-options ()
  "Hand the protocol options to the terminal of the current buffer."
  (when (and vterm--term (fboundp 'vterm--set-osc-options))
    (vterm--set-osc-options
     vterm--term
     (logior (if vterm-enable-osc7-directory 0 1)
             (if vterm-enable-semantic-prompts 0 2)
             (if vterm-answer-color-queries 0 4)
             (if vterm-enable-notifications 0 8))
     vterm-allow-color-setting)))

(defun vterm-notification-message (title body)
  "Show the notification TITLE and BODY in the echo area."
  (message "vterm: %s" (if (string= title "")
                           body
                         (concat title ": " body))))

(defun vterm--notify (title body)
  "Run `vterm-notification-functions' with TITLE and BODY."
  (with-demoted-errors "vterm: error in a notification function: %S"
    (run-hook-with-args 'vterm-notification-functions title body)))

(defun vterm--nth-last-prompt-mark (n)
  "Return the position of the Nth last prompt mark of the buffer, or nil."
  (let ((pos (point-max))
        found)
    (while (and (not found) (> n 0) (> pos (point-min)))
      (setq pos (previous-single-property-change pos 'vterm-prompt nil
                                                 (point-min)))
      (when (and (get-text-property pos 'vterm-prompt)
                 (zerop (setq n (1- n))))
        (setq found pos)))
    found))

(defun vterm--command-finished (status prompts-after)
  "Record the exit STATUS of the command that just finished.
STATUS is an integer or nil.  PROMPTS-AFTER is the number of
prompt ends the shell marked after it finished, so the prompt of
the command is that many marks before the last one: its mark
gets the text property `vterm-command-status' (the module also
keeps it with a prompt row still on the screen, so that it is
drawn again with the row).  Then run
`vterm-command-finished-functions'."
  (setq vterm-last-command-status status)
  (let ((mark (and status (vterm--nth-last-prompt-mark (1+ prompts-after)))))
    (when mark
      (let ((inhibit-read-only t))
        (put-text-property mark (1+ mark) 'vterm-command-status status))))
  (with-demoted-errors "vterm: error in a command-finished function: %S"
    (run-hook-with-args 'vterm-command-finished-functions status)))

(defun vterm--color-override (index foreground args)
  "Return the color a program set for INDEX, or nil.
FOREGROUND and ARGS are as in `vterm--get-color'."
  (cond
   ((null vterm--color-overrides) nil)
   ((and (integerp index) (>= index 0) (< index 16))
    (cdr (assq index vterm--color-overrides)))
   ((and (eql index -1) foreground (not (memq :underline args)))
    (cdr (assq -1 vterm--color-overrides)))
   ((and (eql index -1) (not foreground) (not (memq :inverse-video args)))
    (cdr (assq -2 vterm--color-overrides)))))

(defun vterm--query-color (index)
  "Return the color INDEX as \"rgb:RRRR/GGGG/BBBB\", for OSC 10, 11 or 4.
INDEX is -1 for the default foreground, -2 for the default
background, or 0 to 15.  A default color Emacs does not know
\(on a text terminal) is taken as black or white, following the
frame's `background-mode'."
  (let* ((color (pcase index
                  (-1 (vterm--get-color -1 :foreground))
                  (-2 (vterm--get-color -1))
                  (_ (vterm--get-color index :foreground))))
         ;; On a text terminal `color-values' gives the nearest of the
         ;; terminal's colors; the color's own value is a better answer.
         (values (and (stringp color)
                      (or (and (display-graphic-p) (color-values color))
                          (tty-color-standard-values (downcase color))
                          (color-values color)))))
    (unless values
      (let ((dark (eq (frame-parameter nil 'background-mode) 'dark)))
        (setq values (if (eq dark (eql index -2))
                         '(0 0 0)
                       '(65535 65535 65535)))))
    (apply #'format "rgb:%04x/%04x/%04x" values)))

(defun vterm--set-color (index spec)
  "Make SPEC the color INDEX of the terminal, as a program asked.
INDEX is as in `vterm--query-color'; other indexes and colors
Emacs does not know are ignored.  Only with
`vterm-allow-color-setting'."
  (when (and vterm-allow-color-setting
             (integerp index) (>= index -2) (< index 16))
    (let* ((rgb (and (string-match
                      "\\`rgb:\\([[:xdigit:]]\\{1,4\\}\\)/\\([[:xdigit:]]\\{1,4\\}\\)/\\([[:xdigit:]]\\{1,4\\}\\)\\'"
                      spec)
                     (mapcar (lambda (i)
                               (let ((hex (match-string i spec)))
                                 (/ (* (string-to-number hex 16) 255)
                                    (1- (expt 16 (length hex))))))
                             '(1 2 3))))
           (color (if rgb
                      (apply #'format "#%02x%02x%02x" rgb)
                    spec)))
      (when (color-defined-p color)
        (setf (alist-get index vterm--color-overrides) color)
        (when (< index 0)
          (let ((old (alist-get index vterm--color-remaps)))
            (when old
              (face-remap-remove-relative old)))
          (setf (alist-get index vterm--color-remaps)
                (face-remap-add-relative
                 'default (if (eql index -1) :foreground :background)
                 color)))))))

;;; Entry Points

(defun vterm--internal (pop-to-buf-fun &optional arg)
  "Return a vterm buffer chosen by ARG, shown with POP-TO-BUF-FUN.

ARG nil means the buffer `vterm-buffer-name', a number N the
buffer of that name followed by <N>, a string a new buffer of
that name, and anything else a new buffer named after
`vterm-buffer-name'.  The terminal is started unless the buffer is
already in `vterm-mode' or a mode derived from it."
  (let ((buf (cond ((numberp arg)
                    (get-buffer-create (format "%s<%d>" vterm-buffer-name arg)))
                   ((stringp arg) (generate-new-buffer arg))
                   (arg (generate-new-buffer vterm-buffer-name))
                   (t (get-buffer-create vterm-buffer-name)))))
    (funcall pop-to-buf-fun buf)
    (with-current-buffer buf
      (unless (derived-mode-p 'vterm-mode)
        (vterm-mode)))
    buf))

;;;###autoload
(defun vterm (&optional arg)
  "Switch to a vterm buffer, creating it and its terminal if needed.

Without ARG, use the buffer named `vterm-buffer-name'.  With a
numeric prefix argument N, use the buffer of that name followed by
<N>.  With a string ARG, create a new buffer of that name.  With
any other prefix argument, create a new buffer.  Return the
buffer."
  (interactive "P")
  (vterm--internal #'pop-to-buffer-same-window arg))

;;;###autoload
(defun vterm-other-window (&optional arg)
  "Like `vterm', but show the buffer in another window.
ARG chooses the buffer as in `vterm'.  Return the buffer."
  (interactive "P")
  (vterm--internal #'pop-to-buffer arg))

(provide 'vterm)

;; Local Variables:
;; indent-tabs-mode: nil
;; End:

;;; vterm.el ends here

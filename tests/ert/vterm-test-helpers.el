;;; vterm-test-helpers.el --- Fixtures shared by the vterm ERT suite  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors

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

;; One fixture, `vterm-test--with-term', and a small vocabulary around it,
;; so that each test reads as a short sequence of input and expectation.
;;
;; The fixture has two modes:
;;
;; * process mode (default): a hidden buffer in `vterm-mode' running a real
;;   shell on a real pty, of a chosen size.  Shells: "/bin/sh" (default,
;;   PS1 "$ "), `bash' (bash --norc --noprofile, PS1 "$ ") and
;;   `bash-prompt' (bash with PS1 "P> " and the project's
;;   etc/emacs-vterm-bash.sh sourced, for prompt and directory tracking).
;; * process-free mode (:free t): `vterm--new' in a temporary buffer; bytes
;;   go straight to `vterm--write-input', output the module wants to send to
;;   the process is captured (see `flushed') and redraws are explicit.  Use
;;   it for deterministic rendering tests.
;;
;; Inside the body these local helpers exist (see `vterm-test--with-term'):
;;   (input STRING)           type STRING with `vterm-send-string'
;;   (run COMMAND)            type COMMAND then `vterm-send-return'
;;   (key KEY &optional SHIFT META CTRL)   `vterm-send-key'
;;   (feed &rest BYTES)       bytes into the terminal as if from the process
;;   (redraw)                 apply pending changes to the buffer
;;   (wait-for RE-OR-FN &optional TIMEOUT)  poll until it matches, else fail
;;   (screen)                 the screen rows as strings
;;   (text)                   whole buffer text, fake newlines removed
;;   (should-screen &rest ROWS)  whole screen equals ROWS (trailing blanks
;;                            ignored, missing rows must be empty)
;;   (should-cursor ROW COL)  terminal cursor at screen ROW, display COL
;;   (flushed)                process-free: bytes the module wanted to send
;;
;; Timing: nothing here sleeps for a fixed time to decide a result; waits
;; poll `accept-process-output' until a generous deadline
;; (`vterm-test-timeout', 20 s, or $VTERM_TEST_TIMEOUT).

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'subr-x)
(require 'vterm)

;;;; Configuration

(defconst vterm-test--dir
  (file-name-directory (or load-file-name buffer-file-name default-directory))
  "Directory of the test files.")

(defconst vterm-test--root
  (file-name-as-directory (expand-file-name "../.." vterm-test--dir))
  "Root of the source tree (two levels above the test files).")

(defvar vterm-test-timeout
  (let ((env (getenv "VTERM_TEST_TIMEOUT")))
    (if (and env (> (string-to-number env) 0)) (string-to-number env) 20))
  "Seconds a wait may take before the test fails.")

(defvar vterm-test-bash-integration
  (or (getenv "VTERM_TEST_BASH_INTEGRATION")
      (expand-file-name "etc/emacs-vterm-bash.sh" vterm-test--root))
  "Shell-integration script sourced by the `bash-prompt' fixture shell.")

(defvar vterm-test-sh-prompt "$ "
  "PS1 given to /bin/sh and plain bash test shells.")

(defvar vterm-test-bash-prompt "P> "
  "PS1 given to the `bash-prompt' fixture shell (before the integration).")

;;;; Module features

(defun vterm-test--module-info ()
  "Return the module's feature plist, or nil if it has none."
  (and (fboundp 'vterm--module-info) (vterm--module-info)))

(defun vterm-test--feature (prop)
  "Return the value of PROP in `vterm--module-info'."
  (plist-get (vterm-test--module-info) prop))

;;;; Skips

(defun vterm-test--posix-p ()
  "Return non-nil if real shells on ptys can be used here."
  (and (not (memq system-type '(windows-nt ms-dos cygwin)))
       (file-executable-p "/bin/sh")))

(defun vterm-test--skip-unless-posix ()
  "Skip the current test unless real shells on ptys are available."
  (unless (vterm-test--posix-p)
    (ert-skip "Needs POSIX ptys and /bin/sh")))

(defun vterm-test--skip-unless-program (program)
  "Skip the current test unless PROGRAM is on the variable `exec-path'."
  (unless (executable-find program)
    (ert-skip (format "Needs %s" program))))

;;;; Scratch files

(defvar vterm-test--tmpdir nil
  "Directory for scripts written by the helpers; removed at exit.")

(defun vterm-test--tmpdir ()
  "Return (creating it once) the helpers' scratch directory."
  (unless (and vterm-test--tmpdir (file-directory-p vterm-test--tmpdir))
    (setq vterm-test--tmpdir (make-temp-file "vterm-test-" t))
    (add-hook 'kill-emacs-hook
              (lambda ()
                (when (and vterm-test--tmpdir
                           (file-directory-p vterm-test--tmpdir))
                  (delete-directory vterm-test--tmpdir t)))))
  vterm-test--tmpdir)

(defun vterm-test--write-script (name text)
  "Write TEXT into the scratch file NAME and return its absolute name."
  (let ((file (expand-file-name name (vterm-test--tmpdir))))
    (with-temp-file file (insert text))
    file))

(defun vterm-test--bash-rcfile ()
  "Return an rc file to set the test prompt and source the integration."
  (unless (file-readable-p vterm-test-bash-integration)
    (ert-fail (list "Shell integration script missing"
                    vterm-test-bash-integration)))
  (vterm-test--write-script
   "bashrc"
   (concat "unset HISTFILE\n"
           "PROMPT_COMMAND=\n"
           (format "PS1=%s\n" (shell-quote-argument vterm-test-bash-prompt))
           (format ". %s\n" (shell-quote-argument
                             (expand-file-name vterm-test-bash-integration))))))

(defun vterm-test--shell-command (shell)
  "Return the `vterm-shell' string for the fixture SHELL designator."
  (pcase shell
    ('nil "/bin/sh")
    ('sh "/bin/sh")
    ('bash (format "%s --norc --noprofile" (or (executable-find "bash") "bash")))
    ('bash-prompt (format "%s --noprofile --rcfile %s"
                          (or (executable-find "bash") "bash")
                          (vterm-test--bash-rcfile)))
    ((pred stringp) shell)
    (_ (error "Unknown fixture shell %S" shell))))

(defun vterm-test--default-wait (shell)
  "Return the regexp to wait for until the fixture SHELL is ready."
  (pcase shell
    ((or 'nil 'sh 'bash) (concat "^" (regexp-quote vterm-test-sh-prompt)))
    ('bash-prompt (concat "^" (regexp-quote vterm-test-bash-prompt)))
    ("/bin/sh" (concat "^" (regexp-quote vterm-test-sh-prompt)))
    (_ nil)))

;;;; Buffer state

(defvar-local vterm-test--rows nil "Rows of the fixture terminal.")
(defvar-local vterm-test--cols nil "Columns of the fixture terminal.")
(defvar-local vterm-test--free nil "Non-nil in a process-free fixture.")
(defvar-local vterm-test--flushed nil
  "Strings the module passed to `vterm--flush-output' (newest first).")
(defvar-local vterm-test--invalidations 0
  "Calls of `vterm--invalidate' seen in a process-free fixture.")
(defvar-local vterm-test--wire-count 0
  "Key-reader rounds used so far in this buffer.")

(defun vterm-test--redraw ()
  "Redraw the current buffer from its terminal."
  (when (and (buffer-live-p (current-buffer)) vterm--term)
    (let ((inhibit-read-only t))
      (vterm--redraw vterm--term))))

(defun vterm-test--strip-fake-newlines (string)
  "Return STRING without the newlines that carry `vterm-line-wrap'."
  (let ((pos 0) (out nil) (len (length string)))
    (while (< pos len)
      (let ((next (or (next-single-property-change pos 'vterm-line-wrap string)
                      len)))
        (if (get-text-property pos 'vterm-line-wrap string)
            (push (replace-regexp-in-string
                   "\n" "" (substring-no-properties string pos next))
                  out)
          (push (substring-no-properties string pos next) out))
        (setq pos next)))
    (apply #'concat (nreverse out))))

(defun vterm-test--text ()
  "Return the buffer text without properties and without fake newlines."
  (vterm-test--strip-fake-newlines (buffer-string)))

(defun vterm-test--screen-start ()
  "Return the buffer position of the first screen row."
  (save-excursion
    (goto-char (point-max))
    (forward-line (- (or vterm-test--rows 0)))
    (point)))

(defun vterm-test--screen ()
  "Return the screen rows (the last `vterm-test--rows' lines) as strings."
  (let ((rows (split-string (buffer-substring-no-properties
                             (vterm-test--screen-start) (point-max))
                            "\n")))
    ;; The buffer ends in a newline, so the last element is empty.
    (butlast rows)))

(defun vterm-test--screen-trimmed ()
  "Return the screen rows with trailing blanks removed."
  (mapcar #'string-trim-right (vterm-test--screen)))

(defun vterm-test--cursor ()
  "Return (ROW . COL) of point: screen row (0-based) and display column."
  (let ((start (vterm-test--screen-start)))
    (cons (count-lines start (line-beginning-position))
          (current-column))))

(defun vterm-test--line-count ()
  "Return the number of lines in the buffer."
  (count-lines (point-min) (point-max)))

(defun vterm-test--line (n)
  "Return the text of buffer line N (1-based), without properties."
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- n))
    (buffer-substring-no-properties (line-beginning-position)
                                    (line-end-position))))

(defun vterm-test--find (regexp)
  "Return the buffer position of the first match of REGEXP, or nil."
  (save-excursion
    (goto-char (point-min))
    (and (re-search-forward regexp nil t) (match-beginning 0))))

(defun vterm-test--line-start (regexp)
  "Return the start of the line of the first match of REGEXP, or fail."
  (let ((pos (vterm-test--find regexp)))
    (should pos)
    (save-excursion (goto-char pos) (line-beginning-position))))

;;;; Waiting

(defun vterm-test--pump (&optional seconds)
  "Accept process output for up to SECONDS (default 0.05)."
  (let ((proc (and (boundp 'vterm--process) vterm--process)))
    (accept-process-output (and (processp proc) (process-live-p proc) proc)
                           (or seconds 0.05))))

(defun vterm-test--wait-drawn (regexp &optional poll)
  "Pump output until REGEXP is in the buffer, without redrawing it.
Unlike `vterm-test--wait-for', which redraws before each check, this
sees only what the terminal's own redraws put in the buffer, so it
can observe redraw pacing.  Polls every POLL seconds (default 0.01).
Return the position of the match, or nil after `vterm-test-timeout'."
  (let ((deadline (+ (float-time) vterm-test-timeout))
        (found nil))
    (while (and (not (setq found (vterm-test--find regexp)))
                (< (float-time) deadline))
      (accept-process-output vterm--process (or poll 0.01)))
    found))

(defun vterm-test--walk-prompts (prompt)
  "Check prompt navigation over two commands run at PROMPT.
The buffer shows PROMPT \"true\", PROMPT \"echo two\" and an empty
PROMPT last.  From the end of the buffer, `vterm-previous-prompt'
must stop right after each prompt in turn, back to the first, and
`vterm-next-prompt' go forward to the second again.  Return the
line starts of the three prompts, (FIRST SECOND CURRENT); point is
after the second."
  (let* ((quoted (regexp-quote prompt))
         (first (vterm-test--line-start (concat "^" quoted "true$")))
         (second (vterm-test--line-start (concat "^" quoted "echo two$")))
         (current (vterm-test--line-start (concat "^" quoted "\n")))
         (width (length prompt)))
    (goto-char (point-max))
    (vterm-previous-prompt 1)
    (should (= (point) (+ current width)))
    (vterm-previous-prompt 1)
    (should (= (point) (+ second width)))
    (vterm-previous-prompt 1)
    (should (= (point) (+ first width)))
    (vterm-next-prompt 1)
    (should (= (point) (+ second width)))
    (list first second current)))

(defun vterm-test--check (what)
  "Redraw and test WHAT: a regexp on `vterm-test--text' or a function."
  (vterm-test--redraw)
  (cond ((stringp what)
         (let ((text (vterm-test--text)))
           (and (string-match what text)
                (or (match-string 1 text) (match-string 0 text)))))
        ((functionp what) (funcall what))
        (t (error "Cannot wait for %S" what))))

(defun vterm-test--wait-for (what &optional timeout)
  "Poll until WHAT is true, then return its value; fail after TIMEOUT seconds.
WHAT is a regexp matched against the buffer text (fake newlines
removed; the value is group 1 if it matched, else the whole match)
or a function of no arguments.  The buffer is redrawn before each
check."
  (let ((buffer (current-buffer))
        (deadline (+ (float-time) (or timeout vterm-test-timeout)))
        (result nil))
    (while (and (buffer-live-p buffer)
                (not (setq result (with-current-buffer buffer
                                    (vterm-test--check what))))
                (< (float-time) deadline))
      (with-current-buffer buffer (vterm-test--pump)))
    (or result
        (ert-fail (list "Timed out waiting"
                        (if (stringp what) what 'predicate)
                        :seconds (or timeout vterm-test-timeout)
                        :buffer (if (buffer-live-p buffer)
                                    (with-current-buffer buffer
                                      (vterm-test--tail (vterm-test--text)))
                                  'killed))))))

(defun vterm-test--tail (text)
  "Return the last 2000 characters of TEXT, for failure reports."
  (if (> (length text) 2000)
      (concat "..." (substring text -2000))
    text))

(defun vterm-test--wait-while (pred seconds)
  "Pump output for SECONDS and fail as soon as PRED becomes non-nil.
For negative expectations (\"this must not appear\"); slowness can
only make such a check pass later, never fail it."
  (let ((deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline)
      (vterm-test--pump 0.05)
      (when (funcall pred)
        (ert-fail (list "Condition became true" :buffer
                        (vterm-test--tail (vterm-test--text))))))))

;;;; Input

(defun vterm-test--input (string)
  "Type STRING into the terminal."
  (vterm-send-string string))

(defun vterm-test--run (command)
  "Type COMMAND and press return."
  (vterm-send-string command)
  (vterm-send-return))

(defun vterm-test--feed (&rest strings)
  "Feed STRINGS to the terminal as process output, then redraw.
Unibyte strings go byte for byte; multibyte strings as UTF-8."
  (dolist (s strings)
    (vterm--write-input vterm--term s))
  (let ((inhibit-read-only t))
    (vterm--update vterm--term))
  (vterm-test--redraw))

(defun vterm-test--flushed ()
  "Return and reset what the module sent towards the process."
  (prog1 (apply #'concat (reverse vterm-test--flushed))
    (setq vterm-test--flushed nil)))

(defun vterm-test--hex (string)
  "Return STRING's UTF-8 bytes as lower-case hex pairs separated by spaces."
  (mapconcat (lambda (b) (format "%02x" b))
             (if (multibyte-string-p string)
                 (encode-coding-string string 'utf-8-unix)
               string)
             " "))

;;;; Expectations

(defun vterm-test--should-screen (rows)
  "Assert that the screen equals ROWS; missing rows must be empty."
  (vterm-test--redraw)
  (let* ((actual (vterm-test--screen-trimmed))
         (expected (append rows (make-list (max 0 (- (length actual)
                                                     (length rows)))
                                           ""))))
    (should (equal actual expected))))

(defun vterm-test--should-cursor (row col)
  "Assert that the terminal cursor is at screen ROW, display column COL."
  (vterm-test--redraw)
  (should (equal (vterm-test--cursor) (cons row col))))

(defun vterm-test--face-at (pos)
  "Return the `font-lock-face' plist at POS."
  (get-text-property pos 'font-lock-face))

(defun vterm-test--face-of (string)
  "Return the `font-lock-face' at the first occurrence of STRING."
  (let ((pos (vterm-test--find (regexp-quote string))))
    (should pos)
    (vterm-test--face-at pos)))

;;;; Fixture

(defun vterm-test--new-args (rows cols)
  "Return the 8 `vterm--new' arguments for ROWS x COLS from the options."
  (list rows cols vterm-max-scrollback
        (bound-and-true-p vterm-disable-bold-font)
        vterm-disable-underline
        vterm-disable-inverse-video
        vterm-ignore-blink-cursor
        (or (bound-and-true-p vterm-set-bold-highbright)
            (bound-and-true-p vterm-set-bold-hightbright))))

(defun vterm-test--make-free (rows cols name)
  "Return a buffer NAME holding a process-free ROWS x COLS terminal."
  (let ((buffer (generate-new-buffer name)))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (setq vterm--term (apply #'vterm--new (vterm-test--new-args rows cols))))
      (setq vterm-test--free t
            vterm-test--rows rows
            vterm-test--cols cols
            buffer-read-only t
            truncate-lines t))
    buffer))

(defun vterm-test--make-process (rows cols shell env name)
  "Return a buffer NAME in `vterm-mode' running SHELL on a ROWS x COLS pty.
ENV is prepended to `process-environment'."
  (let ((buffer (generate-new-buffer name))
        (vterm-shell (vterm-test--shell-command shell))
        ;; Not `vterm-environment': .dir-locals.el may replace that.
        (process-environment (append env
                                     (list (concat "PS1=" vterm-test-sh-prompt))
                                     process-environment))
        (vterm-min-window-width (min cols vterm-min-window-width)))
    (with-current-buffer buffer
      (cl-letf (((symbol-function 'window-body-height)
                 (lambda (&rest _) rows))
                ((symbol-function 'window-body-width)
                 (lambda (&rest _) cols))
                ((symbol-function 'window-max-chars-per-line)
                 (lambda (&rest _) cols)))
        (vterm-mode))
      (setq vterm-test--rows rows
            vterm-test--cols cols)
      (when (processp vterm--process)
        (set-process-query-on-exit-flag vterm--process nil)))
    buffer))

(defun vterm-test--kill (buffer)
  "Kill BUFFER and its process without asking."
  (when (buffer-live-p buffer)
    (let ((proc (get-buffer-process buffer)))
      (when (processp proc)
        (set-process-query-on-exit-flag proc nil)
        (delete-process proc)))
    (let ((kill-buffer-query-functions nil))
      (kill-buffer buffer))))

(defun vterm-test--call-with-term (spec body)
  "Make the terminal described by SPEC, call BODY in its buffer, clean up.
See `vterm-test--with-term' for SPEC."
  (let* ((free (plist-get spec :free))
         (rows (or (plist-get spec :rows) 10))
         (cols (or (plist-get spec :cols) 80))
         (shell (plist-get spec :shell))
         (wait (if (plist-member spec :wait)
                   (plist-get spec :wait)
                 (vterm-test--default-wait shell)))
         (name (or (plist-get spec :name)
                   (if free " *vterm-test-free*" " *vterm-test*")))
         (vterm-max-scrollback (or (plist-get spec :scrollback)
                                   vterm-max-scrollback))
         (buffer nil))
    (unless free (vterm-test--skip-unless-posix))
    (unwind-protect
        (progn
          (setq buffer (if free
                           (vterm-test--make-free rows cols name)
                         (vterm-test--make-process
                          rows cols shell (plist-get spec :env) name)))
          (with-current-buffer buffer
            (if free
                (cl-letf (((symbol-function 'vterm--flush-output)
                           (lambda (s) (push s vterm-test--flushed)))
                          ((symbol-function 'vterm--invalidate)
                           (lambda () (cl-incf vterm-test--invalidations))))
                  (funcall body))
              (when wait (vterm-test--wait-for wait))
              (funcall body))))
      (vterm-test--kill buffer))))

(defmacro vterm-test--with-term (spec &rest body)
  "Run BODY in a fresh terminal buffer described by SPEC.
SPEC is a list of keywords and forms (the forms are evaluated):
  :rows N, :cols N   size (default 10 x 80)
  :free BOOL         non-nil: process-free mode (no shell)
  :shell S           nil or `sh' (/bin/sh), `bash', `bash-prompt', or a
                     command-line string used as `vterm-shell'
  :env LIST          extra \"VAR=value\" strings for the child (through
                     `process-environment', so `vterm-environment' wins)
  :wait RE-OR-FN     readiness to wait for before BODY (default: the
                     shell's prompt; nil for none)
  :scrollback N      `vterm-max-scrollback' for this terminal
  :name STRING       buffer name
BODY runs with the terminal buffer current and the local helpers
described in the Commentary of this file."
  (declare (indent 1) (debug (sexp body)))
  `(vterm-test--call-with-term
    (list ,@spec)
    (lambda ()
      (cl-flet ((input (s) (vterm-test--input s))
                (run (c) (vterm-test--run c))
                (key (k &optional shift meta ctrl)
                     (vterm-send-key k shift meta ctrl))
                (feed (&rest s) (apply #'vterm-test--feed s))
                (redraw () (vterm-test--redraw))
                (wait-for (what &optional timeout)
                          (vterm-test--wait-for what timeout))
                (screen () (vterm-test--redraw) (vterm-test--screen))
                (text () (vterm-test--redraw) (vterm-test--text))
                (should-screen (&rest rows) (vterm-test--should-screen rows))
                (should-cursor (row col) (vterm-test--should-cursor row col))
                (flushed () (vterm-test--flushed)))
        (ignore #'input #'run #'key #'feed #'redraw #'wait-for #'screen
                #'text #'should-screen #'should-cursor #'flushed)
        ,@body))))

;;;; Bytes on the wire

;; A reader shell reports in hex exactly the bytes it reads from its tty.
;; Raw mode: after printing "READY<n>" it reads one byte at a time until
;; the sentinel byte 1c (FS, never part of a key tested here), which the
;; helper sends right after the key, then prints "BYTES<n>:[...]".  No
;; timeout decides where a key ends.  Cooked mode (for ICRNL tests): it
;; reads one line.  The markers are built with printf so the command text
;; itself never matches them.

(defconst vterm-test--reader-sentinel "\x1c"
  "Byte sent after a key to end a raw-mode read.")

(defconst vterm-test--reader-script
  "mode=$1
if [ \"$mode\" = cooked ]; then stty -echo; else stty raw -echo; fi
if [ -n \"$VTERM_TEST_PROLOGUE\" ]; then printf \"$VTERM_TEST_PROLOGUE\"; fi
n=0
while :; do
  n=$((n+1))
  printf 'RE%sDY%d\\r\\n' A $n
  if [ \"$mode\" = cooked ]; then
    x=$(dd bs=256 count=1 2>/dev/null | od -An -tx1 -v)
  else
    x=
    while :; do
      b=$(dd bs=1 count=1 2>/dev/null | od -An -tx1)
      b=$(echo $b)
      [ -z \"$b\" ] && exit 1
      [ \"$b\" = 1c ] && break
      x=\"$x $b\"
    done
  fi
  printf 'BY%sES%d:[%s]\\r\\n' T $n \"$(echo $x)\"
done
"
  "Shell script that reports the bytes it reads from its tty.")

(defvar-local vterm-test--reader-mode nil
  "Mode of the key reader running in this buffer: `raw' or `cooked'.")

(defun vterm-test--reader-shell (mode)
  "Return a `vterm-shell' string running the key reader in MODE."
  (format "/bin/sh %s %s"
          (vterm-test--write-script "key-reader.sh" vterm-test--reader-script)
          (if (eq mode 'cooked) "cooked" "raw")))

(defun vterm-test--wire (thunk)
  "In a key-reader buffer, call THUNK and return the hex of what arrived."
  (let ((n (cl-incf vterm-test--wire-count)))
    (vterm-test--wait-for (format "READY%d\r?$" n))
    (funcall thunk)
    (unless (eq vterm-test--reader-mode 'cooked)
      (process-send-string vterm--process vterm-test--reader-sentinel))
    (string-trim
     (vterm-test--wait-for (format "BYTES%d:\\[\\([^]]*\\)\\]" n)))))

(defmacro vterm-test--with-key-reader (spec &rest body)
  "Run BODY in a terminal whose shell reports the bytes it receives.
SPEC: :mode `raw' (default) or `cooked', :prologue printf format
printed before reading (e.g. \"\\\\033[?1h\").  In BODY, (wire FORM...)
evaluates FORMs and returns the hex string of the bytes the shell
read, e.g. \"1b 5b 41\"."
  (declare (indent 1) (debug (sexp body)))
  (let ((mode (plist-get spec :mode))
        (prologue (plist-get spec :prologue)))
    `(let ((reader-shell (vterm-test--reader-shell ,mode))
           (reader-env (vterm-test--reader-env ,prologue)))
       (vterm-test--with-term (:cols 120 :shell reader-shell :env reader-env
                               :wait nil)
         (setq vterm-test--reader-mode ,mode)
         (cl-macrolet ((wire (&rest forms)
                             `(vterm-test--wire (lambda () ,@forms))))
           ,@body)))))

(defun vterm-test--reader-env (prologue)
  "Return the environment entries that pass PROLOGUE to the key reader."
  (and prologue (list (concat "VTERM_TEST_PROLOGUE=" prologue))))

(defun vterm-test--key-bytes (thunk &optional mode prologue)
  "Return the hex of the bytes a fresh reader shell got from THUNK.
MODE is `raw' (default) or `cooked'; PROLOGUE as in
`vterm-test--with-key-reader'."
  (let ((shell (vterm-test--reader-shell mode))
        (env (vterm-test--reader-env prologue))
        (result nil))
    (vterm-test--with-term (:cols 120 :shell shell :env env :wait nil)
      (setq vterm-test--reader-mode mode)
      (setq result (vterm-test--wire thunk)))
    result))

;;;; Recording calls

(defmacro vterm-test--recording (specs &rest body)
  "Run BODY with functions replaced by recorders.
SPECS is a list of (VAR FUNCTION [RESULT-FORM]): each call of
FUNCTION pushes its argument list onto VAR (oldest first after BODY)
and returns RESULT-FORM (default nil), evaluated at each call."
  (declare (indent 1) (debug ((&rest (symbolp symbolp &optional form)) body)))
  `(let ,(mapcar (lambda (s) (list (car s) nil)) specs)
     (cl-letf ,(mapcar
                (lambda (s)
                  `((symbol-function ',(nth 1 s))
                    (lambda (&rest args)
                      (setq ,(car s) (append ,(car s) (list args)))
                      ,(nth 2 s))))
                specs)
       ,@body)))

(defun vterm-test--messages-since (marker)
  "Return the text logged in *Messages* after MARKER."
  (with-current-buffer (messages-buffer)
    (buffer-substring-no-properties marker (point-max))))

(defun vterm-test--messages-mark ()
  "Return a marker at the end of *Messages*."
  (with-current-buffer (messages-buffer)
    (copy-marker (point-max))))

(provide 'vterm-test-helpers)

;;; vterm-test-helpers.el ends here

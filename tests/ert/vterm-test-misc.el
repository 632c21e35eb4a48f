;;; vterm-test-misc.el --- ERT: keymaps, cursor, timers, bookmarks, TRAMP, module  -*- lexical-binding: t; -*-

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

;; Checklist coverage (spec §7):
;;   vterm-test-misc-mode-map-unbound            C94
;;   vterm-test-misc-mode-map-bindings           C94
;;   vterm-test-misc-copy-mode-map               C95
;;   vterm-test-misc-cursor-shapes               C101
;;   vterm-test-misc-cursor-type-untouched       C101, §4.6
;;   vterm-test-misc-blink-honoured              108
;;   vterm-test-misc-blink-ignored               108
;;   vterm-test-misc-redraw-timer                C102
;;   vterm-test-misc-redraw-no-timer             C102
;;   vterm-test-misc-margin-width                C103
;;   vterm-test-misc-margin-narrows-terminal     C103, §4.1
;;   vterm-test-misc-bookmark-record             C104
;;   vterm-test-misc-bookmark-handler-new        C104, §4.19
;;   vterm-test-misc-bookmark-handler-cd         C104, §4.19
;;   vterm-test-misc-next-error                  C09, §4.19
;;   vterm-test-misc-tramp-shell-local           C105
;;   vterm-test-misc-tramp-shell-connection-local  C105
;;   vterm-test-misc-tramp-shell-method          C105
;;   vterm-test-misc-tramp-shell-wildcard        C105 (upstream `t' entry)
;;   vterm-test-misc-load-time-setup             §1.5
;;   vterm-test-misc-module-functions            §2 (DESIGN table)
;;   vterm-test-misc-module-info                 §2 (vterm--module-info)
;;   vterm-test-misc-module-bad-arguments        §2 (typed errors, no abort)
;;   vterm-test-misc-module-missing              §4.18
;;   vterm-test-misc-obsolete-aliases            §1.2
;;   vterm-test-misc-emacs-nw-under-tmux         113 (real keyboard path)
;; Keymap customization (112) is quirk Q11: see vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)
(require 'bookmark)

;;;; Keymaps

(ert-deftest vterm-test-misc-mode-map-unbound ()
  "C94: the default exceptions are not bound by `vterm-mode-map'."
  (dolist (key '("C-x" "C-u" "C-g" "C-h" "C-y" "M-x" "M-o" "M-y" "M-O" "M-["))
    (ert-info ((format "key %s" key))
      (let ((binding (lookup-key vterm-mode-map (kbd key))))
        (should (or (null binding) (numberp binding)
                    ;; M-O / M-[ live in the ESC map: unbound there.
                    (and (keymapp binding) nil)))))))

(ert-deftest vterm-test-misc-mode-map-bindings ()
  "C94: the explicit and generated bindings of `vterm-mode-map'."
  (dolist (pair '(("C-l" . vterm-clear)
                  ("C-c C-c" . vterm--self-insert)
                  ("C-c C-g" . vterm--self-insert)
                  ("C-c C-u" . vterm--self-insert)
                  ("C-c C-y" . vterm--self-insert)
                  ("C-a" . vterm--self-insert)
                  ("a" . vterm--self-insert)
                  ("<f1>" . vterm--self-insert)
                  ("<f12>" . vterm--self-insert)
                  ("<up>" . vterm--self-insert)
                  ("<C-left>" . vterm--self-insert)
                  ("<backtab>" . vterm--self-insert)
                  ("<escape>" . vterm--self-insert)
                  ("M-<" . vterm--self-insert)
                  ("M->" . vterm--self-insert)
                  ("M-." . vterm--self-insert)
                  ("C-SPC" . vterm--self-insert)
                  ("C-_" . vterm--self-insert)
                  ("C-]" . vterm--self-insert)
                  ("C-\\" . vterm--self-insert)
                  ("M-a" . vterm--self-insert-meta)
                  ("M-A" . vterm--self-insert-meta)
                  ("M-:" . vterm--self-insert-meta)
                  ("C-c C-l" . vterm-clear-scrollback)
                  ("C-c C-r" . vterm-reset-cursor-point)
                  ("C-c C-n" . vterm-next-prompt)
                  ("C-c C-p" . vterm-previous-prompt)
                  ("C-c C-t" . vterm-copy-mode)
                  ("<S-prior>" . scroll-down-command)
                  ("<S-next>" . scroll-up-command)
                  ("RET" . vterm-send-return)
                  ("<return>" . vterm-send-return)
                  ("TAB" . vterm-send-tab)
                  ("<tab>" . vterm-send-tab)
                  ("DEL" . vterm-send-backspace)
                  ("<backspace>" . vterm-send-backspace)
                  ("<delete>" . vterm-send-delete)
                  ("M-DEL" . vterm-send-meta-backspace)
                  ("<M-backspace>" . vterm-send-meta-backspace)
                  ("<C-backspace>" . vterm-send-meta-backspace)
                  ("S-SPC" . vterm-send-space)))
    (ert-info ((format "key %s" (car pair)))
      (should (eq (lookup-key vterm-mode-map (kbd (car pair))) (cdr pair)))))
  (dolist (pair '((yank . vterm-yank)
                  (yank-pop . vterm-yank-pop)
                  (undo . vterm-undo)
                  (self-insert-command . vterm--self-insert)
                  (xterm-paste . vterm-xterm-paste)
                  (mouse-yank-primary . vterm-yank-primary)))
    (ert-info ((format "remap %s" (car pair)))
      (should (eq (lookup-key vterm-mode-map (vector 'remap (car pair)))
                  (cdr pair))))))

(ert-deftest vterm-test-misc-copy-mode-map ()
  "C95: `vterm-copy-mode-map' bindings."
  (dolist (pair '(("C-c C-t" . vterm-copy-mode)
                  ("RET" . vterm-copy-mode-done)
                  ("<return>" . vterm-copy-mode-done)
                  ("C-c C-r" . vterm-reset-cursor-point)
                  ("C-a" . vterm-beginning-of-line)
                  ("C-e" . vterm-end-of-line)
                  ("C-c C-n" . vterm-next-prompt)
                  ("C-c C-p" . vterm-previous-prompt)))
    (ert-info ((format "key %s" (car pair)))
      (should (eq (lookup-key vterm-copy-mode-map (kbd (car pair)))
                  (cdr pair))))))

;;;; Cursor

(ert-deftest vterm-test-misc-cursor-shapes ()
  "C101: DECSCUSR and ?25 set the buffer-local `cursor-type'."
  (vterm-test--with-term (:free t)
    (feed "\e[6 q")
    (should (local-variable-p 'cursor-type))
    (should (eq cursor-type 'bar))
    (feed "\e[4 q")
    (should (eq cursor-type 'hbar))
    (feed "\e[2 q")
    (should (eq cursor-type 'box))
    (feed "\e[?25l")
    (should (null cursor-type))
    (feed "\e[?25h")
    (should (eq cursor-type 'box))
    (feed "\e[5 q\e[?25l\e[?25h")
    (should (eq cursor-type 'bar))))

(ert-deftest vterm-test-misc-cursor-type-untouched ()
  "§4.6: without shape requests `cursor-type' is left alone."
  (vterm-test--with-term (:free t)
    (feed "plain text")
    (should-not (local-variable-p 'cursor-type))))

(ert-deftest vterm-test-misc-blink-honoured ()
  "108: blink requests reach `blink-cursor-mode' when not ignored.
That is, with `vterm-ignore-blink-cursor' nil."
  (let ((vterm-ignore-blink-cursor nil))
    (vterm-test--recording ((calls blink-cursor-mode))
      (vterm-test--with-term (:free t)
        (feed "\e[?12h")
        (should (equal (car (last calls)) '(1)))
        (feed "\e[2 q")
        (should (equal (car (last calls)) '(0)))))))

(ert-deftest vterm-test-misc-blink-ignored ()
  "108: with `vterm-ignore-blink-cursor' t, blink requests are ignored."
  (let ((vterm-ignore-blink-cursor t))
    (vterm-test--recording ((calls blink-cursor-mode))
      (vterm-test--with-term (:free t)
        (feed "\e[?12h")
        (feed "\e[2 q")
        (feed "\e[1 q")
        (should (null calls))))))

;;;; Redraw timer

(defun vterm-test-misc--pump-until-text (regexp)
  "Pump output without redrawing until REGEXP is in the buffer.
Return non-nil if `vterm--redraw-timer' was seen set meanwhile."
  (let ((deadline (+ (float-time) vterm-test-timeout))
        (timer-seen nil))
    (while (and (not (vterm-test--find regexp)) (< (float-time) deadline))
      (accept-process-output vterm--process 0.02)
      (when vterm--redraw-timer (setq timer-seen t)))
    (should (vterm-test--find regexp))
    timer-seen))

(ert-deftest vterm-test-misc-redraw-timer ()
  "C102: plain output is drawn by `vterm--redraw-timer' shortly after.
That is upstream's fixed pacing, `vterm-adaptive-redraw' nil."
  (let ((vterm-timer-delay 0.1)
        (vterm-adaptive-redraw nil))
    (vterm-test--with-term ()
      (run "sleep 1; echo LATE-\"\"OUTPUT")
      (wait-for "sleep 1; echo LATE")
      (should (vterm-test-misc--pump-until-text "^LATE-OUTPUT$")))))

(ert-deftest vterm-test-misc-redraw-no-timer ()
  "C102: with `vterm-timer-delay' nil output is drawn without a timer."
  (let ((vterm-timer-delay nil))
    (vterm-test--with-term ()
      (run "sleep 1; echo LATE-\"\"OUTPUT")
      (wait-for "sleep 1; echo LATE")
      (should-not (vterm-test-misc--pump-until-text "^LATE-OUTPUT$")))))

;;;; Line numbers

(ert-deftest vterm-test-misc-margin-width ()
  "C103: the line-number margin is 4 + digits of (frame-height + scrollback)."
  (let ((vterm-max-scrollback 1000))
    (with-temp-buffer
      (let ((display-line-numbers nil))
        (should (= (vterm--get-margin-width) 0)))
      (let ((display-line-numbers t))
        (should (= (vterm--get-margin-width)
                   (+ 4 (length (number-to-string
                                 (+ (frame-height) 1000))))))))))

(ert-deftest vterm-test-misc-margin-narrows-terminal ()
  "C103 / §4.1: with line numbers the terminal is narrower by the margin."
  (vterm-test--skip-unless-posix)
  (let* ((vterm-shell "/bin/sh")
         (vterm-min-window-width 10)
         (vterm-max-scrollback 1000)
         (margin (+ 4 (length (number-to-string (+ (frame-height) 1000)))))
         (buffer (generate-new-buffer " *vterm-test-margin*"))
         ;; `vterm-mode' kills local variables: bind the default value.
         (display-line-numbers t))
    (unwind-protect
        (with-current-buffer buffer
          (cl-letf (((symbol-function 'window-body-height) (lambda (&rest _) 8))
                    ((symbol-function 'window-body-width) (lambda (&rest _) 100))
                    ((symbol-function 'window-max-chars-per-line)
                     (lambda (&rest _) 100)))
            (vterm-mode))
          (should (string-match-p (format "columns %d " (- 100 margin))
                                  (nth 2 (process-command vterm--process)))))
      (vterm-test--kill buffer))))

;;;; Bookmarks

(ert-deftest vterm-test-misc-bookmark-record ()
  "C104: the bookmark record names the handler, directory and buffer."
  (vterm-test--with-term (:name "vterm-bookmark-test")
    (let ((record (vterm--bookmark-make-record)))
      (should (eq (bookmark-prop-get record 'handler) 'vterm--bookmark-handler))
      (should (equal (bookmark-prop-get record 'thisdir) default-directory))
      (should (equal (bookmark-prop-get record 'buf-name) "vterm-bookmark-test"))
      (should (eq bookmark-make-record-function 'vterm--bookmark-make-record)))))

(ert-deftest vterm-test-misc-bookmark-handler-new ()
  "§4.19: the handler creates the named terminal in the bookmarked directory."
  (vterm-test--skip-unless-posix)
  (let ((vterm-shell "/bin/sh")
        (vterm-bookmark-check-dir t)
        (process-environment (cons "PS1=$ " process-environment))
        (name "vterm-bookmark-new-test")
        (record '(nil (handler . vterm--bookmark-handler)
                      (thisdir . "/tmp/")
                      (buf-name . "vterm-bookmark-new-test")
                      (defaults))))
    (when (get-buffer name) (vterm-test--kill (get-buffer name)))
    (unwind-protect
        (save-current-buffer
          (vterm--bookmark-handler record)
          (should (equal (buffer-name) name))
          (should (eq major-mode 'vterm-mode))
          (should (equal default-directory "/tmp/"))
          (setq vterm-test--rows (vterm-test--line-count))
          (vterm-test--wait-for "^\\$ ")
          (vterm-test--run "pwd")
          (vterm-test--wait-for "^/tmp$"))
      (when (get-buffer name) (vterm-test--kill (get-buffer name))))))

(ert-deftest vterm-test-misc-bookmark-handler-cd ()
  "§4.19: an existing terminal elsewhere gets `cd DIR' typed into it."
  (let ((vterm-bookmark-check-dir t))
    (vterm-test--with-term (:name "vterm-bookmark-cd-test")
      (let ((buffer (current-buffer)))
        (setq default-directory "/")
        (save-current-buffer
          (with-temp-buffer
            (vterm--bookmark-handler
             '(nil (handler . vterm--bookmark-handler)
                   (thisdir . "/tmp/")
                   (buf-name . "vterm-bookmark-cd-test")
                   (defaults))))
          (should (eq (current-buffer) buffer)))
        (wait-for "cd /tmp/?\n\\$ ")
        (run "pwd")
        (wait-for "^/tmp$")))))

;;;; next-error

(ert-deftest vterm-test-misc-next-error ()
  "C09 / §4.19: `next-error' visits files relative to the line's directory."
  (vterm-test--skip-unless-program "bash")
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-next-error-" t)))
         (file (expand-file-name "foo.txt" dir)))
    (unwind-protect
        (progn
          (with-temp-file file (insert "line one\nline two\nline three\n"))
          (vterm-test--with-term (:shell 'bash-prompt :rows 12 :cols 120)
            (run (format "cd %s" (shell-quote-argument dir)))
            (wait-for (lambda () (equal default-directory dir)))
            ;; The command line itself must not look like an error.
            (run "printf '%s:%s: error: something\\n' foo.txt 2")
            (wait-for "^foo.txt:2: error: something$")
            (run "cd /")
            (wait-for (lambda () (equal default-directory "/")))
            (compilation-shell-minor-mode 1)
            (should (eq next-error-function 'vterm-next-error-function))
            (goto-char (vterm-test--find "^foo.txt:2"))
            (save-window-excursion
              (vterm-next-error-function 1 t))
            (let ((visited (get-file-buffer file)))
              (should visited)
              (with-current-buffer visited
                (should (= (line-number-at-pos) 2)))
              (kill-buffer visited))))
      (delete-directory dir t))))

;;;; TRAMP shells

(ert-deftest vterm-test-misc-tramp-shell-local ()
  "C105: a local `default-directory' uses `vterm-shell'."
  (let ((vterm-shell "/bin/local-shell")
        (default-directory "/"))
    (should (equal (vterm--get-shell) "/bin/local-shell"))))

(ert-deftest vterm-test-misc-tramp-shell-connection-local ()
  "C105: an unlisted method uses the connection-local `shell-file-name'."
  (let ((vterm-tramp-shells nil)
        (vterm-shell "/bin/local-shell")
        (default-directory "/sudo::/"))
    (should (equal (vterm--get-shell) "/bin/sh"))))

(ert-deftest vterm-test-misc-tramp-shell-method ()
  "C105: `vterm-tramp-shells' gives the shell for a method."
  (let ((vterm-tramp-shells '(("sudo" "/bin/dash")))
        (default-directory "/sudo::/"))
    (should (equal (vterm--get-shell) "/bin/dash"))))

(ert-deftest vterm-test-misc-tramp-shell-wildcard ()
  "C105: a t entry in `vterm-tramp-shells' applies to unlisted methods."
  (let ((vterm-tramp-shells '(("docker" "/bin/sh") (t "/bin/fallback")))
        (default-directory "/sudo::/"))
    (should (equal (vterm--get-shell) "/bin/fallback"))))

;;;; Load-time setup and the module

(ert-deftest vterm-test-misc-load-time-setup ()
  "§1.5: global hooks and advice installed when vterm is loaded."
  (should (memq 'vterm--compilation-setup compilation-shell-minor-mode-hook))
  (should (advice-member-p #'vterm--text-scale-mode #'text-scale-mode))
  (should (featurep 'vterm-module))
  (should (featurep 'term/xterm)))

(ert-deftest vterm-test-misc-module-functions ()
  "§2: every module function of the DESIGN table exists."
  (dolist (f '(vterm--new vterm--update vterm--redraw vterm--write-input
               vterm--set-size vterm--set-pty-name vterm--get-pwd-raw
               vterm--reset-point vterm--get-icrnl vterm--module-info))
    (ert-info ((symbol-name f))
      (should (fboundp f)))))

(ert-deftest vterm-test-misc-module-info ()
  "§2: `vterm--module-info' describes the libvterm features."
  (let ((info (vterm--module-info)))
    (should (stringp (plist-get info :libvterm)))
    (should (string-match-p "\\`[0-9]+\\.[0-9]+" (plist-get info :libvterm)))
    (dolist (key '(:string-fragments :selection :sb-clear :continuation :arena))
      (ert-info ((symbol-name key))
        (should (plist-member info key))))))

(ert-deftest vterm-test-misc-module-bad-arguments ()
  "§2: bad arguments signal typed errors instead of crashing."
  (should-error (vterm--update "not a terminal") :type 'wrong-type-argument)
  (should-error (vterm--redraw 42) :type 'wrong-type-argument)
  (should-error (vterm--redraw) :type 'wrong-number-of-arguments)
  (should-error (with-temp-buffer (vterm--new "ten" 80)) :type 'wrong-type-argument)
  (vterm-test--with-term (:free t)
    (should-error (vterm--write-input vterm--term 42) :type 'wrong-type-argument)
    (should-error (vterm--set-size vterm--term "5" 20) :type 'wrong-type-argument)
    (should-error (vterm--get-pwd-raw vterm--term "x") :type 'wrong-type-argument)
    ;; The terminal still works afterwards.
    (feed "ok")
    (should (equal (vterm-test--line 1) "ok"))))

(ert-deftest vterm-test-misc-module-missing ()
  "§4.18: loading vterm without a module signals an error naming it.
The offer to build the module is declined."
  (let* ((dir (make-temp-file "vterm-nomodule-" t))
         (source (locate-library "vterm.el")))
    (unwind-protect
        (progn
          (copy-file source (expand-file-name "vterm.el" dir))
          (with-temp-buffer
            (let ((status
                   (call-process
                    (expand-file-name invocation-name invocation-directory)
                    nil t nil "--batch" "-Q" "-L" dir
                    "--eval"
                    (concat "(progn"
                            " (fset 'y-or-n-p (lambda (&rest _) nil))"
                            " (fset 'yes-or-no-p (lambda (&rest _) nil))"
                            " (condition-case err (require 'vterm)"
                            "  (error (princ (format \"LOAD-ERROR:%S\" err))"
                            "   (kill-emacs 3)))"
                            " (princ \"LOADED\"))"))))
              (should (equal status 3))
              (should (string-match-p "LOAD-ERROR:.*module" (buffer-string))))))
      (delete-directory dir t))))

(ert-deftest vterm-test-misc-obsolete-aliases ()
  "§1.2: obsolete variable names still reach the current options."
  (let ((vterm-clear-scrollback-when-clearing 'x))
    (should (eq (symbol-value 'vterm-clear-scrollback) 'x)))
  (let ((vterm-use-vterm-prompt-detection-method 'y))
    (should (eq (symbol-value 'vterm-use-vterm-prompt) 'y)))
  (let ((vterm-disable-bold 'z))
    (should (eq (symbol-value 'vterm-disable-bold-font) 'z)))
  (should (boundp 'vterm-set-bold-highbright))
  (should (boundp 'vterm-set-bold-hightbright)))

;;;; Interactive Emacs under tmux

(defvar vterm-test-misc--tmux-socket nil
  "Socket file of the private tmux server used by the tmux test.")

(defun vterm-test-misc--tmux (&rest args)
  "Run tmux with ARGS on the private server; return its output."
  (with-temp-buffer
    (let ((status (apply #'call-process "tmux" nil t nil
                         "-S" vterm-test-misc--tmux-socket args)))
      (unless (eq status 0)
        (ert-fail (list "tmux failed" args (buffer-string))))
      (buffer-string))))

(defun vterm-test-misc--tmux-wait (pred-or-regexp)
  "Poll the tmux pane until PRED-OR-REGEXP matches its text; return it."
  (let ((deadline (+ (float-time) vterm-test-timeout))
        (text "") (ok nil))
    (while (and (not ok) (< (float-time) deadline))
      (setq text (vterm-test-misc--tmux "capture-pane" "-p" "-t" "vt"))
      (setq ok (if (stringp pred-or-regexp)
                   (string-match-p pred-or-regexp text)
                 (funcall pred-or-regexp text)))
      (unless ok (sleep-for 0.1)))
    (unless ok
      (ert-fail (list "tmux pane never matched" pred-or-regexp :pane text)))
    text))

(ert-deftest vterm-test-misc-emacs-nw-under-tmux ()
  "113: real keys in `emacs -nw' under tmux reach the terminal.
Typed commands run, OSC 0 renames the buffer, C-c C-c interrupts,
C-c C-t toggles copy mode and M-x stays Emacs' own."
  :tags '(:expensive-test)
  (vterm-test--skip-unless-posix)
  (vterm-test--skip-unless-program "tmux")
  ;; The Emacs started in tmux cannot load a sanitizer build of the module
  ;; (the runtime is preloaded only into the Emacs running the tests).
  (skip-unless (not (plist-get (vterm--module-info) :sanitized)))
  (let* ((vterm-test-misc--tmux-socket
          (expand-file-name "tmux-socket" (vterm-test--tmpdir)))
         (emacs (expand-file-name invocation-name invocation-directory))
         (dirs (delete-dups
                (list (file-name-directory (locate-library "vterm"))
                      (file-name-directory (locate-library "vterm-module")))))
         (expr (concat "(progn (require 'vterm)"
                       " (setq vterm-shell \"/bin/sh\""
                       " vterm-buffer-name-string \"vt:%s\")"
                       " (vterm))"))
         (command (mapconcat
                   #'shell-quote-argument
                   (append (list "env" "PS1=$ " emacs "-nw" "-Q")
                           (apply #'append (mapcar (lambda (d) (list "-L" d))
                                                   dirs))
                           (list "--eval" expr))
                   " ")))
    (unwind-protect
        (progn
          (vterm-test-misc--tmux "new-session" "-d" "-s" "vt" "-x" "100"
                                 "-y" "30" command)
          ;; capture-pane drops trailing blanks: the prompt reads "$".
          (vterm-test-misc--tmux-wait "^\\$ *$")
          ;; Typed text runs in the shell.
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "echo hi-th" "ere" "Enter")
          (vterm-test-misc--tmux-wait "^hi-there *$")
          ;; OSC 0 renames the buffer (visible in the mode line).
          (vterm-test-misc--tmux "send-keys" "-t" "vt"
                                 "printf '\\033]0;MYTITLE\\007'" "Enter")
          (vterm-test-misc--tmux-wait "vt:MYTITLE")
          ;; C-c C-c interrupts a command.
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "sleep 30" "Enter")
          (vterm-test-misc--tmux-wait "^\\$ sleep 30 *\n *$")
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "C-c" "C-c")
          (vterm-test-misc--tmux-wait "\\^C")
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "echo after-int" "Enter")
          (vterm-test-misc--tmux-wait "^after-int *$")
          ;; C-c C-t toggles copy mode.
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "C-c" "C-t")
          (vterm-test-misc--tmux-wait "VTermCopy")
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "C-c" "C-t")
          (vterm-test-misc--tmux-wait
           (lambda (text) (not (string-match-p "VTermCopy" text))))
          ;; M-x is Emacs' own.
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "M-x")
          (vterm-test-misc--tmux-wait "^M-x *$")
          (vterm-test-misc--tmux "send-keys" "-t" "vt" "C-g"))
      (ignore-errors (vterm-test-misc--tmux "kill-server"))
      (when (file-exists-p vterm-test-misc--tmux-socket)
        (delete-file vterm-test-misc--tmux-socket)))))

;;; vterm-test-misc.el ends here

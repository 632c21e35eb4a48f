;;; vterm-w32-tests.el --- vterm inside Emacs for Windows, under Wine  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors

;; This program is free software: you can redistribute it and/or modify it
;; under the terms of the GNU General Public License as published by the Free
;; Software Foundation, either version 3 of the License, or (at your option)
;; any later version.

;; This program is distributed in the hope that it will be useful, but
;; WITHOUT ANY WARRANTY; without even the implied warranty of
;; MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General
;; Public License for more details.

;; You should have received a copy of the GNU General Public License along
;; with this program.  If not, see <https://www.gnu.org/licenses/>.

;;; Commentary:

;; Loaded by tests/w32emacs/run.sh into `emacs.exe --batch', the Emacs for
;; Windows that tools/emacs-w32.sh builds, running under Wine.  vterm.el,
;; vterm-module.dll and conpty-proxy.exe are in VTERM_W32_PKG, laid out as
;; an installed package, and nothing of vterm is overridden: this is
;; `system-type' windows-nt, its process layer, its 32-child limit and
;; its CreateProcessA.  The one concession to Wine is
;; CONPTY_PROXY_WINE_SHIM=1 in the environment, without which Wine's
;; pseudo console loses the shell's output (doc/windows-proxy.md, section
;; 8; doc/windows-testing.md).
;;
;; Environment: VTERM_W32_PKG (the package directory), VTERM_W32_TMP (a
;; scratch directory), VTERM_W32_BIN (test helpers: show-args.exe),
;; VTERM_W32_LONGDIR (a directory over 260 characters, made by run.sh
;; because Emacs for Windows cannot make one).  All are Windows paths.

;;; Code:

(require 'ert)
(require 'cl-lib)

(defconst vterm-w32-test-pkg (file-name-as-directory (getenv "VTERM_W32_PKG")))
(defconst vterm-w32-test-tmp (file-name-as-directory (getenv "VTERM_W32_TMP")))
(defconst vterm-w32-test-bin (file-name-as-directory (getenv "VTERM_W32_BIN")))

(add-to-list 'load-path vterm-w32-test-pkg)
(require 'vterm)

;; Redraw on every output, and keep the buffers of ended shells to look at.
(setq vterm-timer-delay nil
      vterm-kill-buffer-on-exit nil)

;;;; Helpers

(defvar vterm-w32-test-programs
  '("conpty-proxy.exe" "cmd.exe" "conhost.exe" "ping.exe" "show-args.exe")
  "Programs a terminal may leave behind.")

(defun vterm-w32-test-wait (predicate seconds)
  "Pump output until PREDICATE is non-nil or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (when (and (derived-mode-p 'vterm-mode) vterm--term)
        (let ((inhibit-read-only t))
          (vterm--redraw vterm--term))))
    value))

(defun vterm-w32-test-screen ()
  "The text of the current buffer, without properties."
  (buffer-substring-no-properties (point-min) (point-max)))

(defun vterm-w32-test-shows (regexp)
  "Non-nil when the current buffer's text matches REGEXP."
  (string-match-p regexp (vterm-w32-test-screen)))

(defun vterm-w32-test-prompt-p ()
  "Non-nil when cmd's prompt (a drive letter path ending in >) is shown.
A long prompt may wrap once."
  (vterm-w32-test-shows "^[A-Za-z]:\\\\[^>\n]*\\(?:\n[^>\n]*\\)?>"))

(defun vterm-w32-test-type (line)
  "Type LINE and Enter into the current terminal."
  (vterm-send-string line)
  (vterm-send-return))

(defun vterm-w32-test-ended-p ()
  "Non-nil when the current terminal's process has ended."
  (not (process-live-p vterm--process)))

(defun vterm-w32-test-start (&optional name shell directory)
  "Start a terminal in a new buffer NAME running SHELL in DIRECTORY.
SHELL defaults to cmd.exe and DIRECTORY to the scratch directory.
Return the buffer."
  (let ((default-directory (or directory vterm-w32-test-tmp))
        (vterm-shell (or shell "cmd.exe")))
    (vterm (generate-new-buffer-name (or name "*vterm-w32*")))))

(defun vterm-w32-test-kill (buffer)
  "Kill BUFFER and its terminal without asking.
Return when Emacs has noticed the end of the terminal's process and
dropped it from the process list (`delete-exited-processes'), so
that the next test starts with none."
  (when (buffer-live-p buffer)
    (let ((process (buffer-local-value 'vterm--process buffer))
          (kill-buffer-query-functions nil))
      (kill-buffer buffer)
      (when (processp process)
        (vterm-w32-test-wait (lambda () (not (memq process (process-list))))
                             30)))))

(defmacro vterm-w32-test-with-terminal (spec &rest body)
  "Run BODY in a new terminal buffer, then kill it.
SPEC is (VAR &optional SHELL DIRECTORY); VAR is bound to the buffer."
  (declare (indent 1))
  (let ((var (car spec)))
    `(let ((,var (vterm-w32-test-start nil ,(nth 1 spec) ,(nth 2 spec))))
       (unwind-protect
           (with-current-buffer ,var ,@body)
         (vterm-w32-test-kill ,var)))))

(defun vterm-w32-test-running (programs)
  "Return the pids of running processes whose program is in PROGRAMS."
  (cl-loop for pid in (list-system-processes)
           for comm = (cdr (assq 'comm (process-attributes pid)))
           when (and comm (member (downcase comm) programs))
           collect pid))

(defun vterm-w32-test-leftovers (before)
  "Wait for, then return, the terminal processes not in BEFORE."
  (let (left)
    (vterm-w32-test-wait
     (lambda ()
       (setq left (cl-set-difference
                   (vterm-w32-test-running vterm-w32-test-programs) before))
       (null left))
     30)
    left))

(defun vterm-w32-test-copy-helper (name to)
  "Copy the test helper NAME.exe to the file TO, making its directory."
  (make-directory (file-name-directory to) t)
  (copy-file (expand-file-name (concat name ".exe") vterm-w32-test-bin) to t))

;;;; A session

(ert-deftest vterm-w32-test-session ()
  "The command `vterm' runs cmd through conpty-proxy in Emacs for Windows.
Output, typed input (UTF-8 too), and the exit status through the
sentinel and `vterm-exit-functions'."
  (let* ((events nil)
         (buffer nil)
         (vterm-exit-functions (list (lambda (exited event)
                                       (when (eq exited buffer)
                                         (push event events)))))
         (default-directory vterm-w32-test-tmp)
         (vterm-shell "cmd.exe"))
    (setq buffer (call-interactively #'vterm))
    (unwind-protect
        (with-current-buffer buffer
          (should (eq system-type 'windows-nt))
          (should (equal (buffer-name) vterm-buffer-name))
          (should (null (process-tty-name vterm--process)))
          (should (equal (car (process-command vterm--process))
                         (expand-file-name "conpty-proxy.exe"
                                           vterm-w32-test-pkg)))
          (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
          (vterm-w32-test-type "echo marker-%INSIDE_EMACS%-end")
          (should (vterm-w32-test-wait
                   (lambda () (vterm-w32-test-shows "^marker-vterm-end")) 30))
          (vterm-w32-test-type "echo caf\u00e9 \u65e5\u672c")
          (should (vterm-w32-test-wait
                   (lambda () (vterm-w32-test-shows "^caf\u00e9 \u65e5\u672c"))
                   30))
          (vterm-w32-test-type "exit 7")
          (should (vterm-w32-test-wait #'vterm-w32-test-ended-p 60))
          (should (eql (process-exit-status vterm--process) 7))
          ;; The process can be dead before its sentinel has run.
          (should (vterm-w32-test-wait (lambda () events) 30))
          (should (equal events '("exited abnormally with code 7\n"))))
      (vterm-w32-test-kill buffer))))

(ert-deftest vterm-w32-test-resize ()
  "Splitting the window resizes the terminal and sends a resize frame.
The proxy's answer comes back in band; Wine's console cannot resize
and says E_NOTIMPL, which is not worth a message, and neither is
E_HANDLE (the console closing under a late resize).  The terminal
goes on working."
  (vterm-w32-test-with-terminal (buffer)
    (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
    (delete-other-windows)
    (set-window-buffer (selected-window) buffer)
    (let ((rows vterm--rows))
      (split-window-below)
      (window--adjust-process-windows)
      (should (vterm-w32-test-wait (lambda () vterm--w32-resize-status) 30))
      (should (< vterm--rows rows))
      (should (equal (cdr vterm--w32-resize-status)
                     (list vterm--rows #x80004001))))
    (vterm-w32-test-type "echo after-resize")
    (should (vterm-w32-test-wait
             (lambda () (vterm-w32-test-shows "^after-resize")) 30))
    (let (messages)
      (cl-letf (((symbol-function 'message)
                 (lambda (&rest args) (push (apply #'format args) messages))))
        (vterm--w32-status-line vterm--process
                                "resize cols=80 rows=24 hr=0x80070006")
        (should (null messages))
        (vterm--w32-status-line vterm--process
                                "resize cols=80 rows=24 hr=0x80070057")
        (should (equal (length messages) 1))))
    (delete-other-windows)))

;;;; Ending terminals

(ert-deftest vterm-w32-test-kill-no-orphans ()
  "Killing the buffer ends the proxy, the shell and what it started.
One ping runs in the terminal, one in a window of its own (`start'),
which only the proxy's job can stop."
  (let* ((before (vterm-w32-test-running vterm-w32-test-programs))
         (buffer (vterm-w32-test-start)))
    (unwind-protect
        (with-current-buffer buffer
          (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
          (vterm-w32-test-type "start \"\" ping -n 100 127.0.0.1")
          (vterm-w32-test-type "ping -n 100 127.0.0.1")
          (should (vterm-w32-test-wait
                   (lambda ()
                     (= (length (vterm-w32-test-running '("ping.exe"))) 2))
                   60)))
      (vterm-w32-test-kill buffer))
    (should (null (process-list)))
    (should (null (vterm-w32-test-leftovers before)))))

(ert-deftest vterm-w32-test-errors-reach-the-buffer ()
  "A shell that cannot start: the proxy's last status line is never lost.
The error is kept on the process and written into the terminal, and
the exit status is 127; ten times in a row, since a race would not
show every time."
  (dotimes (_ 10)
    (vterm-w32-test-with-terminal (buffer "no-such-shell.exe")
      (should (vterm-w32-test-wait #'vterm-w32-test-ended-p 60))
      (should (eql (process-exit-status vterm--process) 127))
      (should (string-match-p "\\`error: shell not found: no-such-shell.exe"
                              (or (process-get vterm--process 'vterm-w32-error)
                                  "")))
      (should (vterm-w32-test-wait
               (lambda ()
                 (vterm-w32-test-shows "conpty-proxy: error: shell not found"))
               10))))
  (should (null (process-list))))

(ert-deftest vterm-w32-test-errors-failed-start-leaks-nothing ()
  "A start that Emacs itself fails leaves no process behind.
Forty failures, more than Emacs' 32 child slots, and a terminal
still opens."
  (let ((bad (expand-file-name "not-a-program.exe" vterm-w32-test-tmp)))
    (write-region "this is not a program\n" nil bad)
    (let ((vterm-conpty-proxy-path bad))
      (dotimes (_ 40)
        (let ((buffer (generate-new-buffer "*vterm-w32-fail*")))
          (unwind-protect
              (with-current-buffer buffer
                (let ((vterm-shell "cmd.exe"))
                  (should-error (vterm-mode) :type 'file-error)))
            (vterm-w32-test-kill buffer)))))
    (should (null (process-list)))
    (vterm-w32-test-with-terminal (buffer)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60)))))

;;;; Many terminals, large output

(ert-deftest vterm-w32-test-twenty-terminals ()
  "Twenty terminals at once, each one Emacs subprocess, all working.
Emacs for Windows runs at most 32 subprocesses; with a second
process per terminal for status lines only 16 could open."
  (let ((before (vterm-w32-test-running vterm-w32-test-programs))
        buffers)
    (unwind-protect
        (progn
          (dotimes (i 20)
            (push (vterm-w32-test-start (format "*vterm-w32-%02d*" i))
                  buffers))
          (setq buffers (nreverse buffers))
          (should (= (length (process-list)) 20))
          (cl-loop for buffer in buffers
                   for i from 0
                   do (with-current-buffer buffer
                        (should (vterm-w32-test-wait
                                 #'vterm-w32-test-prompt-p 120))
                        (vterm-w32-test-type (format "echo terminal-%02d-ok" i))))
          (cl-loop for buffer in buffers
                   for i from 0
                   do (with-current-buffer buffer
                        (should (vterm-w32-test-wait
                                 (lambda ()
                                   (vterm-w32-test-shows
                                    (format "^terminal-%02d-ok" i)))
                                 60)))))
      (mapc #'vterm-w32-test-kill buffers))
    (should (null (process-list)))
    (should (null (vterm-w32-test-leftovers before)))))

(ert-deftest vterm-w32-test-flood ()
  "1 MiB of output (cmd's `type' of a file) arrives whole and in order.
16384 numbered lines of 64 bytes; every one must be in the buffer."
  (let ((file (expand-file-name "flood.txt" vterm-w32-test-tmp))
        (count 16384)
        (vterm-max-scrollback 20000))
    (with-temp-buffer
      (dotimes (i count)
        (insert (format "flood-%05d-%s\r\n" (1+ i) (make-string 50 ?x))))
      (should (= (buffer-size) (* 1024 1024)))
      (let ((coding-system-for-write 'no-conversion))
        (write-region nil nil file)))
    (vterm-w32-test-with-terminal (buffer)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
      (vterm-w32-test-type "type flood.txt")
      (should (vterm-w32-test-wait
               (lambda () (vterm-w32-test-shows
                           (format "^flood-%05d-x\\{50\\}$" count)))
               600))
      (let ((numbers nil))
        (save-excursion
          (goto-char (point-min))
          (while (re-search-forward "^flood-\\([0-9]\\{5\\}\\)-x\\{50\\}$"
                                    nil t)
            (push (string-to-number (match-string 1)) numbers)))
        (should (equal (nreverse numbers) (number-sequence 1 count)))))))

;;;; Where the terminal starts, and with which shell

(ert-deftest vterm-w32-test-non-ascii-directory ()
  "A start in a directory named outside the ANSI code page works.
Twice in the same directory and then elsewhere: Emacs starts the
proxy with CreateProcessA, so the directory reaches the shell only
through the proxy's hex-encoded --cwd."
  (let ((dir (file-name-as-directory
              (expand-file-name "\u65e5\u672c \u00e9" vterm-w32-test-tmp))))
    (make-directory dir t)
    (dotimes (_ 2)
      (vterm-w32-test-with-terminal (buffer nil dir)
        (should (vterm-w32-test-wait
                 (lambda () (vterm-w32-test-shows "\u65e5\u672c \u00e9>"))
                 60))))
    (vterm-w32-test-with-terminal (buffer)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60)))))

(ert-deftest vterm-w32-test-long-directory ()
  "A start in a directory over 260 characters works.
The shell gets the directory's short (8.3) name; a file it writes
there lands in the long directory."
  (let ((dir (file-name-as-directory (getenv "VTERM_W32_LONGDIR"))))
    (should (> (length dir) 260))
    (vterm-w32-test-with-terminal (buffer nil dir)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
      (vterm-w32-test-type "echo here> long-directory-marker.txt")
      (vterm-w32-test-type "echo written-%ERRORLEVEL%")
      (should (vterm-w32-test-wait
               (lambda () (vterm-w32-test-shows "^written-0")) 30)))))

(ert-deftest vterm-w32-test-planted-program ()
  "A cmd.exe planted in the buffer's directory is not run.
The proxy starts in its own directory, so the shell's program is
looked up there and in the system's, never in the buffer's."
  (let ((dir (file-name-as-directory
              (expand-file-name "planted" vterm-w32-test-tmp))))
    (vterm-w32-test-copy-helper "show-args" (expand-file-name "cmd.exe" dir))
    (vterm-w32-test-with-terminal (buffer "cmd.exe" dir)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))
      (should-not (vterm-w32-test-shows "show-args")))))

(ert-deftest vterm-w32-test-default-shell-quoted ()
  "The default shell is a quoted file name, so a space in it is safe.
A stand-in pwsh.exe under \"Program Files\" must start with no
argument; with nothing on the variable `exec-path' %ComSpec% is used, quoted."
  (let* ((dir (expand-file-name "Program Files/PowerShell/7/"
                                vterm-w32-test-tmp))
         (pwsh (expand-file-name "pwsh.exe" dir)))
    (vterm-w32-test-copy-helper "show-args" pwsh)
    (let* ((exec-path (list dir))
           (shell (vterm--default-shell)))
      (should (equal shell
                     (concat "\"" (subst-char-in-string ?/ ?\\ pwsh) "\"")))
      (vterm-w32-test-with-terminal (buffer shell)
        (should (vterm-w32-test-wait #'vterm-w32-test-ended-p 60))
        (should (vterm-w32-test-wait
                 (lambda () (vterm-w32-test-shows "show-args: 0 argument")) 10))
        (should (eql (process-exit-status vterm--process) 0))))
    (let* ((exec-path nil)
           (shell (vterm--default-shell)))
      (should (string-match-p "\\`\"[A-Za-z]:\\\\.*\\\\cmd\\.exe\"\\'" shell))
      (vterm-w32-test-with-terminal (buffer shell)
        (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60))))))

(ert-deftest vterm-w32-test-tramp-directory ()
  "From a remote directory, the local `vterm-shell' runs in the home directory.
Nothing is asked of the remote host."
  (let ((remote "/ssh:nobody@host.invalid:/tmp/"))
    (let ((default-directory remote)
          (vterm-shell "cmd.exe"))
      (should (equal (vterm--get-shell) "cmd.exe")))
    (vterm-w32-test-with-terminal (buffer "cmd.exe" remote)
      (should (vterm-w32-test-wait #'vterm-w32-test-prompt-p 60)))))

;;; vterm-w32-tests.el ends here

;;; vterm-e2e.el --- vterm.el's Windows path, end to end under Wine  -*- lexical-binding: t; -*-

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

;; Run by run-tests.py with PROXY_EXE (the cross-built conpty-proxy.exe),
;; WINE, WINEPREFIX and VTERM_DIR (the tree with vterm.el and the native
;; module) in the environment.  Linux Emacs takes vterm.el's windows-nt
;; code path: only the system check, the proxy command (wine + the
;; test-only shim) and the path translation are overridden.  Prints one
;; "PASS name" or "FAIL name | detail" line per check.

;;; Code:

(add-to-list 'load-path (getenv "VTERM_DIR"))
(add-to-list 'load-path (or (getenv "VTERM_MODULE_DIR") (getenv "VTERM_DIR")))
(require 'vterm)

(defvar e2e-failed 0)

(defun e2e-check (name ok &optional detail)
  "Report check NAME as passed when OK, else failed with DETAIL."
  (if ok
      (princ (format "PASS %s\n" name))
    (setq e2e-failed (1+ e2e-failed))
    (princ (format "FAIL %s | %s\n" name (or detail "")))))

(defun e2e-wait (predicate seconds)
  "Pump output until PREDICATE is non-nil or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (when (and vterm--term (buffer-live-p (current-buffer)))
        (let ((inhibit-read-only t))
          (vterm--redraw vterm--term))))
    value))

(defun e2e-screen ()
  "The buffer text without properties."
  (buffer-substring-no-properties (point-min) (point-max)))

(let* ((vterm--system-type-override 'windows-nt)
       (vterm--conpty-proxy-command
        (list (getenv "WINE") (getenv "PROXY_EXE") "--wine-shim"))
       (vterm--conpty-directory-function
        (lambda (dir) (concat "Z:" (subst-char-in-string
                                    ?/ ?\\ (directory-file-name dir)))))
       (vterm-shell "cmd.exe")
       (vterm-kill-buffer-on-exit nil)
       (vterm-timer-delay nil)
       (default-directory "/tmp/")
       (buffer (vterm "*vterm-e2e*")))
  (with-current-buffer buffer
    (e2e-check "windows path taken: pipe, not pty"
               (and (processp vterm--process)
                    (null (process-tty-name vterm--process))
                    (process-get vterm--process 'vterm-conpty))
               (format "%S" (and (processp vterm--process)
                                 (process-command vterm--process))))
    (e2e-check "one process per terminal (status is in band)"
               (equal (process-list) (list vterm--process))
               (format "%S" (process-list)))
    (e2e-check "cmd prompt shown in the buffer"
               (e2e-wait (lambda () (string-match-p "Z:\\\\tmp>" (e2e-screen))) 60)
               (e2e-screen))
    (vterm-send-string "echo e2e-%INSIDE_EMACS%-marker")
    (vterm-send-return)
    (e2e-check "command output rendered"
               (e2e-wait (lambda () (string-match-p "^e2e-vterm-marker" (e2e-screen))) 30)
               (e2e-screen))
    (vterm-send-string "echo caf\u00e9 \u65e5\u672c")
    (vterm-send-return)
    (e2e-check "UTF-8 typed and echoed"
               (e2e-wait (lambda () (string-match-p "^caf\u00e9 \u65e5\u672c" (e2e-screen))) 30)
               (e2e-screen))
    ;; A window resize, as Emacs would deliver it.
    (let ((window-adjust-process-window-size-function
           (lambda (_process _windows) (cons 100 30))))
      (e2e-check "resize accepted by vterm"
                 (equal (vterm--window-adjust-process-window-size
                         vterm--process nil)
                        '(100 . 30))))
    (e2e-check "resize frame reached ResizePseudoConsole, result reported"
               (e2e-wait (lambda () (equal vterm--w32-resize-status
                                           '(100 30 #x80004001)))
                         30)
               (format "%S" vterm--w32-resize-status))
    (vterm-send-string "echo after-resize")
    (vterm-send-return)
    (e2e-check "terminal works after the resize"
               (e2e-wait (lambda () (string-match-p "^after-resize" (e2e-screen))) 30)
               (e2e-screen))
    (vterm-send-string "exit 7")
    (vterm-send-return)
    (e2e-check "shell exit status reaches the sentinel"
               (e2e-wait (lambda () (and (not (process-live-p vterm--process))
                                         (eql (process-exit-status vterm--process) 7)))
                         60)
               (format "%S %S" (process-status vterm--process)
                       (process-exit-status vterm--process)))))

(kill-emacs (if (= e2e-failed 0) 0 1))

;;; vterm-e2e.el ends here

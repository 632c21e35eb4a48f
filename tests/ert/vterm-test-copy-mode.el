;;; vterm-test-copy-mode.el --- ERT: vterm-copy-mode  -*- lexical-binding: t; -*-

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
;;   vterm-test-copy-mode-enter-and-leave        C50, §4.11
;;   vterm-test-copy-mode-done-excludes-prompt   C51
;;   vterm-test-copy-mode-done-prefix            C52
;;   vterm-test-copy-mode-done-option-nil        C52, §1.1 (option inverted)
;;   vterm-test-copy-mode-done-region            §2.1 (active region)
;;   vterm-test-copy-mode-done-outside           C53
;;   vterm-test-copy-mode-non-vterm-buffer       C56
;;   vterm-test-copy-mode-no-resize              C57
;;   vterm-test-copy-mode-suspends-output        C58
;;   vterm-test-copy-mode-stop-start             118
;;   vterm-test-copy-mode-fake-newlines          C59
;;   vterm-test-copy-mode-hook                   §1.5 (hook on each toggle)
;;   vterm-test-copy-mode-derived-mode           115

;;; Code:

(require 'vterm-test-helpers)

(defmacro vterm-test-copy--with-kill-ring (&rest body)
  "Run BODY with a private, empty kill ring and no clipboard."
  (declare (indent 0))
  `(let ((kill-ring nil)
         (kill-ring-yank-pointer nil)
         (interprogram-cut-function nil)
         (interprogram-paste-function nil))
     ,@body))

(defun vterm-test-copy--goto-line-matching (regexp)
  "Move point into the first line matching REGEXP (after its start)."
  (let ((pos (vterm-test--find regexp)))
    (should pos)
    (goto-char (1+ pos))))

(ert-deftest vterm-test-copy-mode-enter-and-leave ()
  "C50: copy mode removes the local map and shows \" VTermCopy\"."
  (vterm-test--with-term ()
    (should (eq (current-local-map) vterm-mode-map))
    (vterm-copy-mode 1)
    (should vterm-copy-mode)
    (should (null (current-local-map)))
    (should (equal (cadr (assq 'vterm-copy-mode minor-mode-alist))
                   " VTermCopy"))
    (should (eq (cdr (assq 'vterm-copy-mode minor-mode-map-alist))
                vterm-copy-mode-map))
    (vterm-copy-mode -1)
    (should-not vterm-copy-mode)
    (should (eq (current-local-map) vterm-mode-map))))

(ert-deftest vterm-test-copy-mode-done-excludes-prompt ()
  "C51: `vterm-copy-mode-done' copies the line without the prompt."
  (vterm-test-copy--with-kill-ring
    (vterm-test--with-term (:shell 'bash-prompt)
      (run "cd /tmp")
      (wait-for "^P> cd /tmp\nP> ")
      (vterm-copy-mode 1)
      (vterm-test-copy--goto-line-matching "^P> cd /tmp$")
      (vterm-copy-mode-done nil)
      (should (equal (substring-no-properties (car kill-ring)) "cd /tmp"))
      (should-not vterm-copy-mode)
      (should (eq (current-local-map) vterm-mode-map)))))

(ert-deftest vterm-test-copy-mode-done-prefix ()
  "C52: with a prefix argument the prompt is included."
  (vterm-test-copy--with-kill-ring
    (vterm-test--with-term (:shell 'bash-prompt)
      (run "cd /tmp")
      (wait-for "^P> cd /tmp\nP> ")
      (vterm-copy-mode 1)
      (vterm-test-copy--goto-line-matching "^P> cd /tmp$")
      (vterm-copy-mode-done '(4))
      (should (equal (substring-no-properties (car kill-ring)) "P> cd /tmp")))))

(ert-deftest vterm-test-copy-mode-done-option-nil ()
  "C52: `vterm-copy-exclude-prompt' nil includes the prompt, prefix inverts."
  (vterm-test-copy--with-kill-ring
    (let ((vterm-copy-exclude-prompt nil))
      (vterm-test--with-term (:shell 'bash-prompt)
        (run "cd /tmp")
        (wait-for "^P> cd /tmp\nP> ")
        (vterm-copy-mode 1)
        (vterm-test-copy--goto-line-matching "^P> cd /tmp$")
        (vterm-copy-mode-done nil)
        (should (equal (substring-no-properties (car kill-ring)) "P> cd /tmp"))
        (vterm-copy-mode 1)
        (vterm-test-copy--goto-line-matching "^P> cd /tmp$")
        (vterm-copy-mode-done '(4))
        (should (equal (substring-no-properties (car kill-ring)) "cd /tmp"))))))

(ert-deftest vterm-test-copy-mode-done-region ()
  "§2.1: with an active region, exactly the region is copied."
  (vterm-test-copy--with-kill-ring
    (vterm-test--with-term ()
      (run "echo REGION-\"\"TEXT-HERE")
      (wait-for "^REGION-TEXT-HERE$")
      (vterm-copy-mode 1)
      (let ((pos (vterm-test--find "^REGION-TEXT-HERE$"))
            (transient-mark-mode t))
        (goto-char pos)
        (push-mark (+ pos 7) t t)
        (goto-char (+ pos 11))
        (should (use-region-p))
        (vterm-copy-mode-done nil)
        (should (equal (substring-no-properties (car kill-ring)) "TEXT"))
        (should-not vterm-copy-mode)))))

(ert-deftest vterm-test-copy-mode-done-outside ()
  "C53: `vterm-copy-mode-done' outside copy mode is a `user-error'."
  (vterm-test--with-term ()
    (should-error (vterm-copy-mode-done nil) :type 'user-error)))

(ert-deftest vterm-test-copy-mode-non-vterm-buffer ()
  "C56: `vterm-copy-mode' outside a vterm buffer is a `user-error'."
  (with-temp-buffer
    (should-error (vterm-copy-mode 1) :type 'user-error)))

(ert-deftest vterm-test-copy-mode-no-resize ()
  "C57: in copy mode `vterm--window-adjust-process-window-size' returns nil."
  (vterm-test--with-term ()
    (let ((buffer (current-buffer)))
      (save-window-excursion
        (delete-other-windows)
        (set-window-buffer (selected-window) buffer)
        (should (consp (vterm--window-adjust-process-window-size
                        vterm--process (list (selected-window)))))
        (vterm-copy-mode 1)
        (should (null (vterm--window-adjust-process-window-size
                       vterm--process (list (selected-window)))))
        (vterm-copy-mode -1)))))

(ert-deftest vterm-test-copy-mode-suspends-output ()
  "C58: output is held back during copy mode and appears after it."
  (vterm-test--with-term ()
    (run "sleep 1; echo AFTER-\"\"SLEEP")
    ;; Stop only once the echo of RET moved the cursor below the command,
    ;; so the held-back output cannot overtake that echo.
    (wait-for (lambda ()
                (let ((pos (vterm-test--find "echo AFTER-\"\"SLEEP$")))
                  (and pos (> (point) (save-excursion
                                        (goto-char pos)
                                        (line-end-position)))))))
    (vterm-copy-mode 1)
    (vterm-test--wait-while
     (lambda () (vterm-test--find "^AFTER-SLEEP$")) 2)
    (vterm-copy-mode -1)
    (wait-for "^AFTER-SLEEP$")))

(ert-deftest vterm-test-copy-mode-stop-start ()
  "118: `vterm-send-stop' suspends output until `vterm-send-start'."
  (vterm-test--with-term ()
    (vterm-send-stop)
    (run "echo STOPPED-\"\"OUTPUT")
    (vterm-test--wait-while
     (lambda () (vterm-test--redraw) (vterm-test--find "STOPPED-OUTPUT")) 1.5)
    (vterm-send-start)
    ;; The held-back echo and output may come out in either order.
    (wait-for "STOPPED-OUTPUT")))

(ert-deftest vterm-test-copy-mode-fake-newlines ()
  "C59: copy mode can join wrapped lines and restore them on exit."
  (let ((vterm-copy-mode-remove-fake-newlines t)
        (long (make-string 45 ?w)))
    (vterm-test--with-term (:cols 40)
      (run (format "printf '%%s\\n' %s" long))
      (wait-for (concat "^" long "$"))
      (redraw)
      (should (vterm-test--find (concat "^" (make-string 40 ?w) "\n")))
      (vterm-copy-mode 1)
      (should (eq truncate-lines nil))
      (should (vterm-test--find (concat "^" long "$")))
      (vterm-copy-mode -1)
      (should (eq truncate-lines t))
      (let ((pos (vterm-test--find (concat "^" (make-string 40 ?w) "\n"))))
        (should pos)
        (should (get-text-property (+ pos 40) 'vterm-line-wrap))))))

(ert-deftest vterm-test-copy-mode-hook ()
  "§1.5: `vterm-copy-mode-hook' runs on every toggle."
  (let* ((count 0)
         (vterm-copy-mode-hook (list (lambda () (cl-incf count)))))
    (vterm-test--with-term ()
      (vterm-copy-mode 1)
      (vterm-copy-mode -1)
      (should (= count 2)))))

(define-derived-mode vterm-test-copy--derived-mode vterm-mode "VTermDerived"
  "A mode derived from `vterm-mode', for test 115.")

(ert-deftest vterm-test-copy-mode-derived-mode ()
  "115: a mode derived from `vterm-mode' runs a terminal and allows copy mode."
  (vterm-test--skip-unless-posix)
  (let ((vterm-shell "/bin/sh")
        (process-environment (cons "PS1=$ " process-environment))
        (buffer (generate-new-buffer " *vterm-test-derived*")))
    (unwind-protect
        (with-current-buffer buffer
          (vterm-test-copy--derived-mode)
          (setq vterm-test--rows (window-body-height))
          (should (process-live-p vterm--process))
          (vterm-test--wait-for "^\\$ ")
          (vterm-copy-mode 1)
          (should vterm-copy-mode)
          (vterm-copy-mode -1))
      (vterm-test--kill buffer))))

;;; vterm-test-copy-mode.el ends here

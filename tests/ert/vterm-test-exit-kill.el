;;; vterm-test-exit-kill.el --- ERT: process exit, sentinel and killing buffers  -*- lexical-binding: t; -*-

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
;;   vterm-test-exit-kill-exit-code-kills-buffer    C99
;;   vterm-test-exit-kill-keep-buffer               C100
;;   vterm-test-exit-kill-hook-added-later          §1.1 (hook read at exit)
;;   vterm-test-exit-kill-no-sentinel               §4.15 (default sentinel)
;;   vterm-test-exit-kill-asks-before-kill          119
;;   vterm-test-exit-kill-kill-buffer-ends-process  119, §4.15
;;   vterm-test-exit-kill-finalizer                 119 (user-ptr finalizer)
;;   vterm-test-exit-kill-check-proc                §2.1 (vterm-check-proc)

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-exit--wait-dead (buffer)
  "Wait until BUFFER is killed; fail after `vterm-test-timeout'."
  (let ((deadline (+ (float-time) vterm-test-timeout)))
    (while (and (buffer-live-p buffer) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (should-not (buffer-live-p buffer))))

(defun vterm-test-exit--wait-exited (process)
  "Wait until PROCESS has exited and its sentinel has run."
  (let ((deadline (+ (float-time) vterm-test-timeout)))
    (while (and (process-live-p process) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (should-not (process-live-p process))
    ;; Let a pending sentinel run.
    (accept-process-output nil 0.1)))

(ert-deftest vterm-test-exit-kill-exit-code-kills-buffer ()
  "C99: `exit 3' kills the buffer and runs `vterm-exit-functions'."
  (let* ((calls nil)
         (vterm-kill-buffer-on-exit t)
         (vterm-exit-functions
          (list (lambda (buf event)
                  (push (list (and buf (buffer-name buf)) event) calls)))))
    (vterm-test--with-term (:name "*vterm-exit-test*")
      (let ((buffer (current-buffer)))
        (run "exit 3")
        (vterm-test-exit--wait-dead buffer)))
    (should (equal calls '(("*vterm-exit-test*"
                            "exited abnormally with code 3\n"))))))

(ert-deftest vterm-test-exit-kill-keep-buffer ()
  "C100: with kill-on-exit nil the buffer stays, in `vterm-mode', text intact."
  (let* ((calls nil)
         (vterm-kill-buffer-on-exit nil)
         (vterm-exit-functions
          (list (lambda (buf event) (push (list buf event) calls)))))
    (vterm-test--with-term ()
      (run "echo BEFORE-\"\"EXIT; exit")
      (wait-for "^BEFORE-EXIT$")
      (vterm-test-exit--wait-exited vterm--process)
      (should (buffer-live-p (current-buffer)))
      (should (eq major-mode 'vterm-mode))
      (should (vterm-test--find "^BEFORE-EXIT$"))
      (should (equal calls (list (list (current-buffer) "finished\n")))))))

(ert-deftest vterm-test-exit-kill-hook-added-later ()
  "§1.1: an exit function added after creation still runs (kill-on-exit t)."
  (let ((calls nil)
        (vterm-kill-buffer-on-exit t)
        (vterm-exit-functions nil))
    (vterm-test--with-term ()
      (let ((buffer (current-buffer)))
        (setq vterm-exit-functions
              (list (lambda (_buf event) (push event calls))))
        (run "exit 0")
        (vterm-test-exit--wait-dead buffer)))
    (should (equal calls '("finished\n")))))

(ert-deftest vterm-test-exit-kill-no-sentinel ()
  "§4.15: without kill-on-exit or exit functions there is no vterm sentinel.
The buffer survives the exit of its process untouched."
  (let ((vterm-kill-buffer-on-exit nil)
        (vterm-exit-functions nil))
    (vterm-test--with-term ()
      (should-not (eq (process-sentinel vterm--process) #'vterm--sentinel))
      (run "echo STILL-\"\"HERE; exit")
      (wait-for "^STILL-HERE$")
      (vterm-test-exit--wait-exited vterm--process)
      (should (buffer-live-p (current-buffer)))
      (should (vterm-test--find "^STILL-HERE$")))))

(ert-deftest vterm-test-exit-kill-asks-before-kill ()
  "119: killing a live terminal asks for confirmation."
  (vterm-test--with-term ()
    (set-process-query-on-exit-flag vterm--process t)
    (let ((buffer (current-buffer))
          (asked 0))
      (cl-letf (((symbol-function 'yes-or-no-p)
                 (lambda (&rest _) (cl-incf asked) nil))
                ((symbol-function 'y-or-n-p)
                 (lambda (&rest _) (cl-incf asked) nil)))
        (should-not (kill-buffer buffer)))
      (should (= asked 1))
      (should (buffer-live-p buffer))
      (should (process-live-p vterm--process)))))

(ert-deftest vterm-test-exit-kill-kill-buffer-ends-process ()
  "119: killing the buffer ends its process."
  (vterm-test--with-term ()
    (let ((proc vterm--process)
          (kill-buffer-query-functions nil))
      (kill-buffer (current-buffer))
      (let ((deadline (+ (float-time) vterm-test-timeout)))
        (while (and (process-live-p proc) (< (float-time) deadline))
          (accept-process-output nil 0.05)))
      (should-not (process-live-p proc)))))

(ert-deftest vterm-test-exit-kill-finalizer ()
  "119: many terminals created and dropped are reclaimed without trouble."
  (dotimes (_ 30)
    (with-temp-buffer
      (let ((inhibit-read-only t)
            (term (apply #'vterm--new (vterm-test--new-args 10 40))))
        (vterm--write-input term "some text\r\n\e]2;title\a\e]51;A/tmp\e\\")
        (vterm--redraw term))))
  (garbage-collect)
  (garbage-collect)
  (vterm-test--with-term (:free t)
    (feed "still fine")
    (should (equal (vterm-test--line 1) "still fine"))))

(ert-deftest vterm-test-exit-kill-check-proc ()
  "§2.1: `vterm-check-proc' returns the terminal while the process runs."
  (let ((vterm-kill-buffer-on-exit nil)
        (vterm-exit-functions nil))
    (vterm-test--with-term ()
      (should (eq (vterm-check-proc) vterm--term))
      (should (eq (vterm-check-proc (buffer-name)) vterm--term))
      (run "exit")
      (vterm-test-exit--wait-exited vterm--process)
      (should-not (vterm-check-proc)))))

;;; vterm-test-exit-kill.el ends here

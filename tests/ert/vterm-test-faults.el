;;; vterm-test-faults.el --- vterm tests: faults  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors
;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:

;; Things going wrong around a terminal: the shell killed by a signal or
;; exiting in the middle of a flood of output, the buffer killed while
;; output flows, an error inside a command run by OSC 51;E, and process
;; output arriving after the buffer died.  Expected: no Lisp error escapes,
;; the user is told what happened, and later output is still drawn.

;;; Code:

(require 'cl-lib)
(require 'ert)
(require 'vterm)

(defun vterm-test-faults--start (&optional kill-on-exit)
  "Start a /bin/sh vterm in a fresh buffer and return it.
KILL-ON-EXIT is the buffer's `vterm-kill-buffer-on-exit'."
  (let ((vterm-shell "/bin/sh")
        (buffer (generate-new-buffer " *vterm-faults*")))
    (with-current-buffer buffer
      (vterm-mode)
      ;; Read again when the process exits: it must be buffer-local.
      (setq-local vterm-kill-buffer-on-exit kill-on-exit))
    ;; Input typed before the first prompt races with it: the command's
    ;; output can then follow the prompt on its line (seen with Emacs 30
    ;; on a loaded machine).
    (vterm-test-faults--wait
     (lambda () (string-match-p "^[$#] " (vterm-test-faults--text buffer))))
    buffer))

(defun vterm-test-faults--wait (predicate &optional seconds)
  "Pump process output until PREDICATE returns non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) (or seconds 20))) value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun vterm-test-faults--text (buffer)
  "BUFFER's text after a redraw."
  (with-current-buffer buffer
    (let ((inhibit-read-only t))
      (vterm--redraw vterm--term))
    (buffer-substring-no-properties (point-min) (point-max))))

(defun vterm-test-faults--kill (buffer)
  "Kill BUFFER without asking about its process."
  (when (buffer-live-p buffer)
    (let ((kill-buffer-query-functions nil))
      (kill-buffer buffer))))

(defmacro vterm-test-faults--with-exit-events (spec &rest body)
  "Run BODY with a fresh terminal and the exit events of its process.
SPEC is (BUFFER EVENTS): BUFFER is bound to the terminal's buffer and
EVENTS to a function returning the events received for that buffer
\(other terminals' processes may exit during BODY)."
  (declare (indent 1))
  (let ((seen (make-symbol "seen")))
    `(let* ((,seen nil)
            (,(car spec) nil)
            (vterm-exit-functions
             (list (lambda (buf event)
                     (when (and buf (eq buf ,(car spec)))
                       (push event ,seen)))))
            (,(cadr spec) (lambda () ,seen)))
       (setq ,(car spec) (vterm-test-faults--start))
       (unwind-protect (with-current-buffer ,(car spec) ,@body)
         (vterm-test-faults--kill ,(car spec))))))

(ert-deftest vterm-test-faults-shell-killed-by-signal ()
  "A shell killed by SIGKILL: the exit hook gets Emacs' event, no error."
  (vterm-test-faults--with-exit-events (buffer events)
    (vterm-send-string "kill -9 $$")
    (vterm-send-return)
    (should (vterm-test-faults--wait (lambda () (funcall events))))
    (should (string-match-p "killed" (car (funcall events))))
    (should (buffer-live-p buffer))
    (should (eq major-mode 'vterm-mode))))

(ert-deftest vterm-test-faults-exit-mid-output ()
  "A shell that exits while flooding output: the output up to the exit is
drawn, the status reported."
  (vterm-test-faults--with-exit-events (buffer events)
    (vterm-send-string "seq 1 30000; echo FLOOD-END; exit 3")
    (vterm-send-return)
    (should (vterm-test-faults--wait (lambda () (funcall events)) 60))
    (should (string-match-p "code 3" (car (funcall events))))
    (should (string-match-p "FLOOD-END" (vterm-test-faults--text buffer)))))

(ert-deftest vterm-test-faults-buffer-killed-mid-output ()
  "Killing the buffer while output flows ends the process; no error."
  (let* ((buffer (vterm-test-faults--start))
         (process (buffer-local-value 'vterm--process buffer)))
    (with-current-buffer buffer
      (vterm-send-string "while :; do echo flowing; done")
      (vterm-send-return))
    (vterm-test-faults--wait
     (lambda () (string-match-p "flowing\nflowing" (vterm-test-faults--text buffer))))
    (vterm-test-faults--kill buffer)
    (should (vterm-test-faults--wait (lambda () (not (process-live-p process)))))
    ;; Late output and events for the dead buffer are harmless.
    (accept-process-output nil 0.3)
    (should-not (buffer-live-p buffer))))

(ert-deftest vterm-test-faults-output-after-buffer-died ()
  "The filter ignores output for a process whose buffer is gone."
  (let* ((buffer (vterm-test-faults--start))
         (process (buffer-local-value 'vterm--process buffer)))
    (set-process-sentinel process #'ignore)
    (set-process-buffer process nil)
    (kill-buffer buffer)
    (should (progn (vterm--filter process "late output\r\n") t))
    (delete-process process)))

(ert-deftest vterm-test-faults-error-in-eval-command ()
  "An error inside a whitelisted OSC 51;E command is reported, and output
that follows it in the same chunk is still drawn."
  (let* ((messages nil)
         (vterm-eval-cmds '(("boom" (lambda (&rest _) (error "Boom from eval")))))
         (buffer (vterm-test-faults--start)))
    (unwind-protect
        (with-current-buffer buffer
          (cl-letf (((symbol-function 'message)
                     (lambda (fmt &rest args)
                       (push (apply #'format-message fmt args) messages))))
            (vterm-send-string "printf '\\033]51;Eboom x\\033\\\\AFTER-BOOM\\n'")
            (vterm-send-return)
            (should (vterm-test-faults--wait
                     (lambda () (string-match-p "^AFTER-BOOM" (vterm-test-faults--text buffer)))))
            (should (cl-some (lambda (m) (string-match-p "Boom from eval" m)) messages))))
      (vterm-test-faults--kill buffer))))

(provide 'vterm-test-faults)
;;; vterm-test-faults.el ends here

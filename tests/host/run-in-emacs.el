;;; run-in-emacs.el --- run a host script in real Emacs, to check the host  -*- lexical-binding: t -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors
;;
;; This program is free software: you can redistribute it and/or modify
;; it under the terms of the GNU General Public License as published by
;; the Free Software Foundation, either version 3 of the License, or
;; (at your option) any later version.
;;
;; This program is distributed in the hope that it will be useful,
;; but WITHOUT ANY WARRANTY; without even the implied warranty of
;; MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
;; GNU General Public License for more details.
;;
;; You should have received a copy of the GNU General Public License
;; along with this program.  If not, see <https://www.gnu.org/licenses/>.

;;; Commentary:

;; emacs --batch -Q -module-assertions -l run-in-emacs.el MODULE SCRIPT
;;
;; Defines the host's test vocabulary (deftest, should, should-not,
;; should-equal, should-error, skip-unless) and the few host variables
;; toymod.vtl uses, loads MODULE and SCRIPT, and prints "N passed, N
;; failed" like vterm-host.  toymod.vtl passing both here and in
;; vterm-host shows that the host's emacs_env behaves like Emacs'.

;;; Code:

(defvar vtl--passed 0)
(defvar vtl--failed 0)
(defvar vtl--skipped 0)
(defvar host-quit-flag nil "Unused in Emacs: quitting is real here.")

(define-error 'vtl--failure "Host assertion failed")

(defun vtl--report (form detail)
  (setq vtl--failed (1+ vtl--failed))
  (message "FAIL %S\n     => %S" form detail))

(defun vtl--fail (form detail)
  (vtl--report form detail)
  (signal 'vtl--failure (list form)))

(defmacro should (form)
  `(let ((v (condition-case err ,form
              (vtl--failure (signal (car err) (cdr err)))
              (error (vtl--fail ',form (list 'signalled err))))))
     (if v (progn (setq vtl--passed (1+ vtl--passed)) v)
       (vtl--fail ',form nil))))

(defmacro should-not (form)
  `(let ((v (condition-case err ,form
              (error (vtl--fail ',form (list 'signalled err))))))
     (if (not v) (progn (setq vtl--passed (1+ vtl--passed)) t)
       (vtl--fail ',form v))))

(defmacro should-equal (a b)
  `(let ((x ,a) (y ,b))
     (if (equal x y) (progn (setq vtl--passed (1+ vtl--passed)) t)
       (vtl--fail '(should-equal ,a ,b) (list x y)))))

(defmacro should-error (form &rest keys)
  (let ((type (plist-get keys :type)))
    `(let ((err (condition-case e (progn ,form nil) (error e) (quit e))))
       (cond ((not err) (vtl--fail ',form "did not signal"))
             ((and ,type
                   (not (let ((types ,type))
                          (seq-some (lambda (ty)
                                      (memq ty (get (car err) 'error-conditions)))
                                    (if (listp types) types (list types))))))
              (vtl--fail ',form (list "wrong error type" err)))
             (t (setq vtl--passed (1+ vtl--passed)) err)))))

(defmacro skip-unless (cond)
  `(unless ,cond (throw 'vtl--skip nil)))

(defmacro deftest (name &rest body)
  (when (stringp (car body)) (setq body (cdr body)))
  `(let ((before vtl--failed))
     (if (eq 'skipped
             (catch 'vtl--skip
               (condition-case err (progn ,@body nil)
                 (vtl--failure nil)
                 (error (vtl--report '(deftest ,name) (list 'error err))))))
         (setq vtl--skipped (1+ vtl--skipped))
       (when (/= before vtl--failed) (message "FAIL test %s" ',name)))))

(let ((module (pop command-line-args-left))
      (script (pop command-line-args-left)))
  (module-load (expand-file-name module))
  (condition-case err (load (expand-file-name script) nil t t)
    (error (setq vtl--failed (1+ vtl--failed))
           (message "FAIL: error escaped: %S" err)))
  (garbage-collect)
  (princ (format "%d passed, %d failed\n" vtl--passed vtl--failed))
  (kill-emacs (if (> vtl--failed 0) 1 0)))

;;; run-in-emacs.el ends here

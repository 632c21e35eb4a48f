;;; elisp-lint.el --- Byte-compile, checkdoc and package-lint, with counts  -*- lexical-binding: t; -*-

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

;; Usage (tests/lint/run.sh runs these):
;;
;;   `emacs -Q --batch -l tests/lint/elisp-lint.el -f elisp-lint-batch \
;;     CHECK FILE...'
;;
;; CHECK is one of:
;;   byte-compile  compile each FILE (a copy, in a scratch directory, so
;;                 no .elc lands in the checkout); every warning counts,
;;                 as with `byte-compile-error-on-warn'
;;   checkdoc      `checkdoc-file' on each FILE; every finding counts
;;   package-lint  `package-lint-buffer' on each FILE, the first FILE
;;                 being the package's main file; errors and warnings
;;                 count (package-lint.el must be on `load-path')
;;
;; Each problem is printed as FILE:LINE: TEXT, then the line
;; "CHECK: N problems"; the exit status is 0 for no problem, else 1.

;;; Code:

(require 'cl-lib)
(require 'bytecomp)
(require 'checkdoc)

(defvar elisp-lint--count 0
  "Problems found so far.")

(defun elisp-lint--report (file line text)
  "Count and print the problem TEXT at LINE of FILE."
  (setq elisp-lint--count (1+ elisp-lint--count))
  (message "%s:%s: %s" file line text))

(defun elisp-lint-byte-compile (files)
  "Byte-compile copies of FILES, with the directory of each on `load-path'.
The compiler prints each warning with its place in the copy."
  (let* ((scratch (make-temp-file "elisp-lint" t))
         (log byte-compile-log-warning-function)
         (byte-compile-log-warning-function
          (lambda (&rest args)
            (setq elisp-lint--count (1+ elisp-lint--count))
            (apply log args))))
    (unwind-protect
        (dolist (file files)
          (let ((copy (expand-file-name (file-name-nondirectory file) scratch))
                (load-path (cons (file-name-directory file) load-path)))
            (copy-file file copy t)
            (unless (byte-compile-file copy)
              (elisp-lint--report file "?" "compilation failed"))))
      (delete-directory scratch t))))

(defun elisp-lint-checkdoc (files)
  "Run `checkdoc-file' on FILES."
  (advice-add 'checkdoc-error :before
              (lambda (point msg)
                (elisp-lint--report
                 (buffer-file-name)
                 (line-number-at-pos (or point (point-min)))
                 msg)))
  ;; Keep the findings out of *Warnings*: they are printed once, above.
  (advice-add 'warn :override #'ignore)
  (unwind-protect
      (dolist (file files)
        (checkdoc-file file))
    (advice-remove 'warn #'ignore)))

(declare-function package-lint-buffer "package-lint" (&optional buffer))
(defvar package-lint-main-file)

(defun elisp-lint-package-lint (files)
  "Run `package-lint-buffer' on FILES; the first one is the main file."
  (require 'package-lint)
  (let ((package-lint-main-file (car files)))
    (dolist (file files)
      (with-temp-buffer
        (insert-file-contents file t)
        (emacs-lisp-mode)
        (pcase-dolist (`(,line ,column ,type ,text) (package-lint-buffer))
          (elisp-lint--report file (format "%s:%s" line column)
                              (format "%s: %s" type text)))))))

(defun elisp-lint-batch ()
  "Run the check named on the command line on the files named there."
  (let* ((check (pop command-line-args-left))
         (files (mapcar #'expand-file-name command-line-args-left))
         (function (intern-soft (concat "elisp-lint-" (or check "")))))
    (setq command-line-args-left nil)
    (unless (and files (member check '("byte-compile" "checkdoc"
                                       "package-lint")))
      (error "Usage: -f elisp-lint-batch byte-compile|checkdoc|package-lint FILE"))
    (funcall function files)
    (message "%s: %d problems" check elisp-lint--count)
    (kill-emacs (if (zerop elisp-lint--count) 0 1))))

(provide 'elisp-lint)

;;; elisp-lint.el ends here

;;; build-package.el --- Build vterm's package archive as MELPA would  -*- lexical-binding: t; -*-

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

;; Usage:  `emacs -Q --batch -l tools/build-package.el \
;;            -f vterm-build-package-batch OUTDIR'
;;
;; Writes OUTDIR/vterm-VERSION.tar and prints its file name, following
;; the steps of MELPA's builder on the recipe etc/vterm.recipe:
;;
;; - The files are those of a fresh clone: the ones git tracks, with
;;   their contents in the working tree.
;; - Each string of the recipe's :files is a wildcard matched against
;;   the top level of the tree; a matching directory comes with all it
;;   holds.  The wildcards of an (:exclude ...) entry remove what they
;;   match.
;; - The version is MELPA's: the time of the newest commit that touched
;;   a packaged file, as YYYYMMDD.HMM in UTC.
;; - vterm-pkg.el is made from the headers of vterm.el (description,
;;   Package-Requires, keywords, URL, authors).
;; - The tar holds one directory, vterm-VERSION/, as `package-install-file'
;;   expects.

;;; Code:

(require 'cl-lib)
(require 'lisp-mnt)
(require 'package)
(require 'subr-x)

(defconst vterm-build-package-root
  (file-name-directory
   (directory-file-name
    (file-name-directory (or load-file-name buffer-file-name))))
  "The checkout: the directory above tools/.")

(defun vterm-build-package--git (&rest args)
  "Return the output of git run with ARGS in the checkout, or signal."
  (let ((default-directory vterm-build-package-root))
    (with-temp-buffer
      (unless (eql 0 (apply #'process-file "git" nil t nil args))
        (error "Command git %s failed: %s" (string-join args " ")
               (buffer-string)))
      (buffer-string))))

(defun vterm-build-package--recipe ()
  "Return the recipe in etc/vterm.recipe as a list."
  (with-temp-buffer
    (insert-file-contents
     (expand-file-name "etc/vterm.recipe" vterm-build-package-root))
    (read (current-buffer))))

(defun vterm-build-package--top-matches (wildcard tracked)
  "Return the files of TRACKED whose top-level name fits WILDCARD.
A top-level directory that matches brings all its files."
  (let ((regexp (wildcard-to-regexp wildcard)))
    (cl-remove-if-not
     (lambda (file)
       (string-match-p regexp (car (split-string file "/"))))
     tracked)))

(defun vterm-build-package-files (recipe tracked)
  "Return the files of TRACKED that RECIPE's :files spec packages."
  (let ((spec (plist-get (cdr recipe) :files))
        (files nil)
        (excluded nil))
    (dolist (entry spec)
      (cond ((stringp entry)
             (setq files (append files (vterm-build-package--top-matches
                                        entry tracked))))
            ((eq (car-safe entry) :exclude)
             (dolist (wildcard (cdr entry))
               (setq excluded (append excluded
                                      (vterm-build-package--top-matches
                                       wildcard tracked)))))
            (t (error "Unsupported :files entry %S" entry))))
    (sort (cl-set-difference (delete-dups files) excluded :test #'equal)
          #'string<)))

(defun vterm-build-package-version (files)
  "Return MELPA's version for FILES: the time of their newest commit."
  (let ((stamp (string-trim
                (apply #'vterm-build-package--git
                       "log" "-1" "--format=%ct" "--" files))))
    (when (string-empty-p stamp)
      (error "No commit touches the packaged files"))
    (let ((time (seconds-to-time (string-to-number stamp))))
      (concat (format-time-string "%Y%m%d." time t)
              (number-to-string
               (string-to-number (format-time-string "%H%M" time t)))))))

(defun vterm-build-package--pkg-file (version)
  "Return the text of vterm-pkg.el for VERSION, from vterm.el's headers."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "vterm.el" vterm-build-package-root))
    (let* ((desc (package-buffer-info))
           (reqs (mapcar (lambda (req)
                           (list (car req) (package-version-join (cadr req))))
                         (package-desc-reqs desc)))
           (extras (package-desc-extras desc)))
      (let ((print-length nil) (print-level nil) (print-quoted t)
            (props nil))
        (dolist (key '(:keywords :url :authors :maintainer))
          (let ((value (alist-get key extras)))
            (when value
              (setq props (append props (list key (if (stringp value)
                                                      value
                                                    (list 'quote value))))))))
        (concat
         ";;; Generated package description from vterm.el"
         "  -*- no-byte-compile: t -*-\n"
         (prin1-to-string
          `(define-package "vterm" ,version ,(package-desc-summary desc)
             ',reqs ,@props))
         "\n")))))

(defun vterm-build-package (outdir)
  "Write the package tar into OUTDIR and return its file name."
  (let* ((recipe (vterm-build-package--recipe))
         (tracked (split-string (vterm-build-package--git
                                 "ls-files" "--cached" "-z")
                                "\0" t))
         (tracked (cl-remove-if-not
                   (lambda (file)
                     (file-exists-p (expand-file-name
                                     file vterm-build-package-root)))
                   tracked))
         (files (vterm-build-package-files recipe tracked))
         (version (vterm-build-package-version files))
         (name (format "vterm-%s" version))
         (stage (make-temp-file "vterm-package" t))
         (tar (expand-file-name (concat name ".tar") outdir)))
    (unwind-protect
        (let ((dir (expand-file-name name stage)))
          (dolist (file files)
            (let ((target (expand-file-name file dir)))
              (make-directory (file-name-directory target) t)
              (copy-file (expand-file-name file vterm-build-package-root)
                         target t t t)))
          (with-temp-file (expand-file-name "vterm-pkg.el" dir)
            (insert (vterm-build-package--pkg-file version)))
          (make-directory outdir t)
          (let ((default-directory (file-name-as-directory stage)))
            (unless (eql 0 (call-process "tar" nil nil nil
                                         "-cf" tar name))
              (error "Could not write %s" tar))))
      (delete-directory stage t))
    tar))

(defun vterm-build-package-batch ()
  "Build the archive into the directory named on the command line."
  (let ((outdir (pop command-line-args-left)))
    (unless outdir
      (error "Usage: %s -Q --batch -l %s -f %s OUTDIR" (car command-line-args)
             "tools/build-package.el" "vterm-build-package-batch"))
    (princ (concat (vterm-build-package (expand-file-name outdir)) "\n"))))

(provide 'build-package)

;;; build-package.el ends here

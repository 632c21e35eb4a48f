;;; vterm-test-naming.el --- ERT: buffer naming and multiple terminals  -*- lexical-binding: t; -*-

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
;;   vterm-test-naming-reuse                   C98
;;   vterm-test-naming-numbered                C98
;;   vterm-test-naming-prefix-new              C98
;;   vterm-test-naming-string                  C98
;;   vterm-test-naming-other-window            C98, §2.1
;;   vterm-test-naming-custom-base-name        §1.1 (vterm-buffer-name)
;;   vterm-test-naming-unique-title-rename     §4.17
;;   vterm-test-naming-independent-terminals   §4.17

;;; Code:

(require 'vterm-test-helpers)

(defmacro vterm-test-naming--with-clean (&rest body)
  "Run BODY with no vterm buffers around; kill new buffers afterwards."
  (declare (indent 0))
  `(progn
     (vterm-test--skip-unless-posix)
     (let ((before (buffer-list))
           (vterm-shell "/bin/sh")
           (vterm-buffer-name "*vterm*"))
       (dolist (b (buffer-list))
         (when (string-prefix-p "*vterm*" (buffer-name b))
           (vterm-test--kill b)))
       (save-window-excursion
         (unwind-protect (progn ,@body)
           (dolist (b (buffer-list))
             (unless (memq b before) (vterm-test--kill b))))))))

(ert-deftest vterm-test-naming-reuse ()
  "C98: `vterm' twice gives the same \"*vterm*\" buffer."
  (vterm-test-naming--with-clean
    (let ((a (vterm)) (b (vterm)))
      (should (eq a b))
      (should (equal (buffer-name a) "*vterm*"))
      (should (= (length (cl-remove-if-not
                          (lambda (b) (with-current-buffer b
                                        (derived-mode-p 'vterm-mode)))
                          (buffer-list)))
                 1)))))

(ert-deftest vterm-test-naming-numbered ()
  "C98: a numeric argument N gives \"*vterm*<N>\", reused on repeat."
  (vterm-test-naming--with-clean
    (let ((a (vterm 2)) (b (vterm 2)))
      (should (eq a b))
      (should (equal (buffer-name a) "*vterm*<2>"))
      (with-current-buffer a (should (eq major-mode 'vterm-mode))))))

(ert-deftest vterm-test-naming-prefix-new ()
  "C98: a non-numeric prefix (C-u) always makes a new buffer."
  (vterm-test-naming--with-clean
    (let* ((a (vterm))
           (b (vterm '(4)))
           (c (vterm '(4))))
      (should-not (eq a b))
      (should-not (eq b c))
      (should (string-match-p "\\`\\*vterm\\*<[0-9]+>\\'" (buffer-name b)))
      (should (string-match-p "\\`\\*vterm\\*<[0-9]+>\\'" (buffer-name c)))
      (with-current-buffer c (should (process-live-p vterm--process))))))

(ert-deftest vterm-test-naming-string ()
  "C98: a string argument names a brand-new buffer."
  (vterm-test-naming--with-clean
    (let ((a (vterm "my-term")))
      (should (equal (buffer-name a) "my-term"))
      (with-current-buffer a (should (eq major-mode 'vterm-mode)))
      (let ((b (vterm "my-term")))
        (should-not (eq a b))
        (should (string-prefix-p "my-term<" (buffer-name b)))))))

(ert-deftest vterm-test-naming-other-window ()
  "C98: `vterm-other-window' returns the existing \"*vterm*\"."
  (vterm-test-naming--with-clean
    (let ((a (vterm)))
      (should (eq (vterm-other-window) a))
      (should (get-buffer-window a)))))

(ert-deftest vterm-test-naming-custom-base-name ()
  "§1.1: `vterm-buffer-name' is the base name."
  (vterm-test-naming--with-clean
    (let ((vterm-buffer-name "*my-vt*"))
      (let ((a (vterm)) (b (vterm 3)))
        (should (equal (buffer-name a) "*my-vt*"))
        (should (equal (buffer-name b) "*my-vt*<3>"))))))

(ert-deftest vterm-test-naming-unique-title-rename ()
  "§4.17: two terminals with the same title get unique names."
  (let ((vterm-buffer-name-string "vt %s"))
    (vterm-test--with-term (:free t)
      (feed "\e]2;SAME\a")
      (should (equal (buffer-name) "vt SAME"))
      (let ((first (current-buffer)))
        (vterm-test--with-term (:free t)
          (feed "\e]2;SAME\a")
          (should-not (eq (current-buffer) first))
          (should (equal (buffer-name) "vt SAME<2>")))))))

(ert-deftest vterm-test-naming-independent-terminals ()
  "§4.17: each buffer has its own terminal and process."
  (vterm-test--with-term ()
    (let ((term1 vterm--term) (proc1 vterm--process) (buf1 (current-buffer)))
      (vterm-test--with-term ()
        (should-not (eq vterm--term term1))
        (should-not (eq vterm--process proc1))
        (run "echo ONLY-\"\"HERE")
        (wait-for "^ONLY-HERE$")
        (with-current-buffer buf1
          (vterm-test--redraw)
          (should-not (vterm-test--find "ONLY-HERE")))))))

;;; vterm-test-naming.el ends here

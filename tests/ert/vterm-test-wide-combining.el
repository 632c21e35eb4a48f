;;; vterm-test-wide-combining.el --- ERT: wide, combining and split/invalid UTF-8  -*- lexical-binding: t; -*-

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
;;   vterm-test-wide-combining-line                    C21
;;   vterm-test-wide-combining-line-from-shell         C21
;;   vterm-test-wide-combining-cursor-after-wide       C22
;;   vterm-test-wide-combining-cursor-from-shell       C22
;;   vterm-test-wide-combining-split-utf8-direct       C29
;;   vterm-test-wide-combining-split-utf8-after-text   C29
;;   vterm-test-wide-combining-split-utf8-every-byte   C29
;;   vterm-test-wide-combining-split-utf8-from-shell   C29
;;   vterm-test-wide-combining-multibyte-input         §1 (multibyte strings)
;;   vterm-test-wide-combining-wide-at-margin          §4.4 (wide chars, wrap)
;; C30 (invalid UTF-8 chunk) is quirk Q2: see vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)

(defconst vterm-test-wide--line
  (concat "日本X|e" (string #x301) "|")
  "The C21 line: two wide chars, X, a bar, e + combining acute, a bar.")

(ert-deftest vterm-test-wide-combining-line ()
  "C21: wide chars appear once and combining marks are kept."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed (encode-coding-string vterm-test-wide--line 'utf-8))
    (should (equal (vterm-test--line 1) vterm-test-wide--line))
    (should (= (length (vterm-test--line 1)) 7))))

(ert-deftest vterm-test-wide-combining-line-from-shell ()
  "C21: the same line printed by a shell through the pty."
  (vterm-test--with-term (:rows 5 :cols 40)
    ;; 日 = e6 97 a5, 本 = e6 9c ac, U+0301 = cc 81.
    (run "printf 'W:\\346\\227\\245\\346\\234\\254X|e\\314\\201|\\n'")
    (should (equal (wait-for "^W:\\(.*|\\)$") vterm-test-wide--line))))

(ert-deftest vterm-test-wide-combining-cursor-after-wide ()
  "C22: after two wide chars point is 2 chars in, at display column 4."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed (encode-coding-string "日本" 'utf-8))
    (should (= (- (point) (line-beginning-position)) 2))
    (should (= (current-column) 4))
    (should-cursor 0 4)))

(ert-deftest vterm-test-wide-combining-cursor-from-shell ()
  "C22: cursor after wide chars printed by a shell (no trailing newline)."
  (vterm-test--with-term (:rows 5 :cols 40)
    (run "printf '\\346\\227\\245\\346\\234\\254'; sleep 30")
    (wait-for "^日本")
    (redraw)
    (should (equal (buffer-substring-no-properties (line-beginning-position)
                                                   (point))
                   "日本"))
    (should (= (current-column) 4))))

(ert-deftest vterm-test-wide-combining-split-utf8-direct ()
  "C29: a UTF-8 char split across two writes renders once, with what follows."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "\346\227")
    (feed "\245OK")
    (should (equal (vterm-test--line 1) "日OK"))))

(ert-deftest vterm-test-wide-combining-split-utf8-after-text ()
  "C29: a char split at the end of a chunk that also holds text is kept."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "P:\346\227")
    (feed "\245OK\r\n")
    (feed "AFTER")
    (should (equal (vterm-test--line 1) "P:日OK"))
    (should (equal (vterm-test--line 2) "AFTER"))))

(ert-deftest vterm-test-wide-combining-split-utf8-every-byte ()
  "C29: a stream fed one byte at a time renders like the whole stream."
  (vterm-test--with-term (:free t :rows 3 :cols 30)
    (let ((bytes (encode-coding-string
                  (concat "a日b" vterm-test-wide--line "é") 'utf-8)))
      (dotimes (i (length bytes))
        (vterm--write-input vterm--term (substring bytes i (1+ i))))
      (redraw)
      (should (equal (vterm-test--line 1)
                     (concat "a日b" vterm-test-wide--line "é"))))))

(ert-deftest vterm-test-wide-combining-split-utf8-from-shell ()
  "C29: a char split across two process writes renders \"日OK\"."
  (vterm-test--with-term (:rows 5 :cols 40)
    (run "printf 'S:\\346\\227'; sleep 0.5; printf '\\245OK\\n'")
    (should (equal (wait-for "^S:\\(.*OK\\)$" 10) "日OK"))))

(ert-deftest vterm-test-wide-combining-multibyte-input ()
  "§1: a multibyte Lisp string is fed as UTF-8."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "héllo 日")
    (should (equal (vterm-test--line 1) "héllo 日"))))

(ert-deftest vterm-test-wide-combining-wide-at-margin ()
  "§4.4: a wide char that does not fit in the last column wraps whole."
  (vterm-test--with-term (:free t :rows 3 :cols 5)
    (feed (encode-coding-string "abcd日e" 'utf-8))
    (should (equal (string-trim-right (vterm-test--line 1)) "abcd"))
    (should (equal (vterm-test--line 2) "日e"))
    (should-cursor 1 3)))

;;; vterm-test-wide-combining.el ends here

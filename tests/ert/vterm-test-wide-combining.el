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
;;   vterm-test-wide-combining-split-mark-every-libvterm-mark  issue 9
;;   vterm-test-wide-combining-split-mark-random-splits        issue 9
;;   vterm-test-wide-combining-split-mark-from-shell           issue 9
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

;;;; Combining marks split from their base (issue 9, robustness)

(defconst vterm-test-wide--libvterm-marks
  '(
    #x300 #x36F #x483 #x486 #x488 #x489 #x591 #x5BD #x5BF #x5C1 #x5C2
    #x5C4 #x5C5 #x5C7 #x600 #x603 #x610 #x615 #x64B #x65E #x670 #x6D6
    #x6E4 #x6E7 #x6E8 #x6EA #x6ED #x70F #x711 #x730 #x74A #x7A6 #x7B0
    #x7EB #x7F3 #x901 #x902 #x93C #x941 #x948 #x94D #x951 #x954 #x962
    #x963 #x981 #x9BC #x9C1 #x9C4 #x9CD #x9E2 #x9E3 #xA01 #xA02 #xA3C
    #xA41 #xA42 #xA47 #xA48 #xA4B #xA4D #xA70 #xA71 #xA81 #xA82 #xABC
    #xAC1 #xAC5 #xAC7 #xAC8 #xACD #xAE2 #xAE3 #xB01 #xB3C #xB3F #xB41
    #xB43 #xB4D #xB56 #xB82 #xBC0 #xBCD #xC3E #xC40 #xC46 #xC48 #xC4A
    #xC4D #xC55 #xC56 #xCBC #xCBF #xCC6 #xCCC #xCCD #xCE2 #xCE3 #xD41
    #xD43 #xD4D #xDCA #xDD2 #xDD4 #xDD6 #xE31 #xE34 #xE3A #xE47 #xE4E
    #xEB1 #xEB4 #xEB9 #xEBB #xEBC #xEC8 #xECD #xF18 #xF19 #xF35 #xF37
    #xF39 #xF71 #xF7E #xF80 #xF84 #xF86 #xF87 #xF90 #xF97 #xF99 #xFBC
    #xFC6 #x102D #x1030 #x1032 #x1036 #x1037 #x1039 #x1058 #x1059 #x1160
    #x11FF #x135F #x1712 #x1714 #x1732 #x1734 #x1752 #x1753 #x1772
    #x1773 #x17B4 #x17B5 #x17B7 #x17BD #x17C6 #x17C9 #x17D3 #x17DD
    #x180B #x180D #x18A9 #x1920 #x1922 #x1927 #x1928 #x1932 #x1939
    #x193B #x1A17 #x1A18 #x1B00 #x1B03 #x1B34 #x1B36 #x1B3A #x1B3C
    #x1B42 #x1B6B #x1B73 #x1DC0 #x1DCA #x1DFE #x1DFF #x200B #x200F
    #x202A #x202E #x2060 #x2063 #x206A #x206F #x20D0 #x20EF #x302A
    #x302F #x3099 #x309A #xA806 #xA80B #xA825 #xA826 #xFB1E #xFE00
    #xFE0F #xFE20 #xFE23 #xFEFF #xFFF9 #xFFFB #x10A01 #x10A03 #x10A05
    #x10A06 #x10A0C #x10A0F #x10A38 #x10A3A #x10A3F #x1D167 #x1D169
    #x1D173 #x1D182 #x1D185 #x1D18B #x1D1AA #x1D1AD #x1D242 #x1D244
    #xE0001 #xE0020 #xE007F #xE0100 #xE01EF)
  "The first and last code point of each range libvterm joins as a mark.
libvterm 0.1.4 and 0.3.3 share this zero-width table (src/unicode.c).
U+302A..U+302F and U+3099..U+309A are left out: libvterm also counts
them as 2 columns wide and adds that to their base's width, so even
in the middle of a row a split write (which keeps the base's width)
and a whole write differ there, in libvterm itself.")

(defun vterm-test-wide--wide-mark-p (cp)
  "Whether libvterm counts the mark CP as 2 columns wide."
  (or (<= #x302A cp #x302F) (<= #x3099 cp #x309A)))

(defun vterm-test-wide--render (rows cols pieces)
  "Return the screen and cursor after feeding PIECES to a ROWS x COLS terminal."
  (vterm-test--with-term (:free t :rows rows :cols cols)
    (dolist (piece pieces)
      (vterm--write-input vterm--term piece))
    (redraw)
    (list (vterm-test--screen) (vterm-test--cursor))))

(defun vterm-test-wide--splits (rows cols string cuts)
  "Return the splits of STRING at each of CUTS that render unlike it whole.
STRING is fed as UTF-8 to a ROWS x COLS terminal, once whole and once
cut at each byte offset of CUTS (or every offset when CUTS is t)."
  (let* ((bytes (encode-coding-string string 'utf-8))
         (whole (vterm-test-wide--render rows cols (list bytes)))
         (bad nil))
    (dolist (cut (if (eq cuts t) (number-sequence 1 (1- (length bytes))) cuts))
      (let ((split (vterm-test-wide--render
                    rows cols (list (substring bytes 0 cut)
                                    (substring bytes cut)))))
        (unless (equal split whole)
          (push (list string cut :whole whole :split split) bad))))
    (nreverse bad)))

(ert-deftest vterm-test-wide-combining-split-mark-every-libvterm-mark ()
  "Issue 9: every mark libvterm joins, written after its edge base, joins it.
The base is \"d\" in the last column or \"日\" ending there, also
\"日\" filling a 2-column row, as the first glyph or after a wrap;
the mark comes in the next write.  A mark missing from the module's
own table (U+0600, U+FFF9, ...) was dropped or put on the next row,
where the whole write joined it."
  (let ((bad nil))
    (dolist (cp (cl-remove-if #'vterm-test-wide--wide-mark-p
                              vterm-test-wide--libvterm-marks))
      (pcase-dolist (`(,base ,cols) '(("abcd" 4) ("ab日" 4) ("日" 2) ("a日" 2)))
        (let ((string (concat base (string cp) "x")))
          (setq bad (nconc bad (vterm-test-wide--splits
                                3 cols string
                                (list (string-bytes base))))))))
    (should-not bad)))

(ert-deftest vterm-test-wide-combining-split-mark-random-splits ()
  "Issue 9: marks near the right edge render the same however cut.
Random strings of letters, wide characters, marks, line ends and
SGR, on narrow terminals, are compared whole against every cut."
  (let ((pieces (list "a" "b" "日" "\u0301" "\u0302" "\u0600" "\ufe0f"
                      "\u200d" "\ufff9" "\r\n" "\e[1m" "\u1100\u1161"))
        (bad nil))
    (random "vterm-test-wide-combining")
    (dotimes (_ 40)
      (let ((string (apply #'concat
                           (cl-loop repeat (+ 4 (random 8))
                                    collect (nth (random (length pieces))
                                                 pieces))))
            (cols (+ 2 (random 4))))
        (setq bad (nconc bad (vterm-test-wide--splits 4 cols string t)))))
    (should-not bad)))

(ert-deftest vterm-test-wide-combining-split-mark-from-shell ()
  "Issue 9: a shell's mark written after a last-column base joins it.
Two printf commands write \"abcd\" on a 4-column row, then U+0600
and \"x\": the mark belongs to \"d\", \"x\" goes on the next row."
  (vterm-test--with-term (:rows 5 :cols 4)
    (run "clear; printf abcd; sleep 0.3; printf '\\330\\200x'; sleep 30")
    (wait-for (lambda () (member "x" (vterm-test--screen-trimmed))))
    (should (equal (car (vterm-test--screen)) (concat "abcd" (string #x600))))))

;;; vterm-test-wide-combining.el ends here

;;; vterm-test-render-faces.el --- ERT: rendering of text, colours and attributes  -*- lexical-binding: t; -*-

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
;;   vterm-test-render-faces-echo                     C11
;;   vterm-test-render-faces-buffer-shape             C12
;;   vterm-test-render-faces-point-is-cursor          C12
;;   vterm-test-render-faces-red-foreground           C13
;;   vterm-test-render-faces-red-background           C14
;;   vterm-test-render-faces-bright-colours           C15
;;   vterm-test-render-faces-256-and-rgb              C16
;;   vterm-test-render-faces-attributes               C17
;;   vterm-test-render-faces-default-colours          C18
;;   vterm-test-render-faces-underline-inverse-colours  C19
;;   vterm-test-render-faces-font-lock-face-only      C20
;;   vterm-test-render-faces-reverse-not-resolved     C17, §4.5
;;   vterm-test-render-faces-wrap-newline             C23
;;   vterm-test-render-faces-wrap-filter-substring    C25
;;   vterm-test-render-faces-cursor-padding           C26
;;   vterm-test-render-faces-tab-bs-cr                C27
;;   vterm-test-render-faces-background-spaces        C27
;;   vterm-test-render-faces-alt-screen               C28
;;   vterm-test-render-faces-bold-highbright          109
;;   vterm-test-render-faces-disable-flags            109
;;   vterm-test-render-faces-terminal-replies         §3.1 (replies flushed)
;; C24 (exact-width line) is quirk Q3: see vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)

(defvar vterm-set-bold-highbright)
(defvar vterm-disable-bold)

(defmacro vterm-test-render--with-colors (specs &rest body)
  "Run BODY with face attributes set as in SPECS, restoring them after.
SPECS is a list of (FACE ATTRIBUTE VALUE ...)."
  (declare (indent 1))
  (let ((saved (make-symbol "saved")))
    `(let ((,saved nil))
       (unwind-protect
           (progn
             (dolist (spec ',specs)
               (let ((face (car spec)) (plist (cdr spec)))
                 (while plist
                   (push (list face (car plist)
                               (face-attribute face (car plist) nil))
                         ,saved)
                   (set-face-attribute face nil (car plist) (cadr plist))
                   (setq plist (cddr plist)))))
             ,@body)
         (dolist (s ,saved)
           (set-face-attribute (nth 0 s) nil (nth 1 s) (nth 2 s)))))))

(ert-deftest vterm-test-render-faces-echo ()
  "C11: a shell command's output appears as a buffer line."
  (vterm-test--with-term ()
    (run "echo hello-$((1+2))")
    (wait-for "^hello-3$")
    (should (member "hello-3" (screen)))))

(ert-deftest vterm-test-render-faces-buffer-shape ()
  "C12: every row ends in a newline; lines = scrollback + rows."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (should (= (vterm-test--line-count) 5))
    (should (equal (buffer-string) "\n\n\n\n\n"))
    (feed "1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8")
    (should (= (vterm-test--line-count) 8))
    (should (string-suffix-p "\n" (buffer-string)))
    (should (equal (vterm-test--text) "1\n2\n3\n4\n5\n6\n7\n8\n"))
    (should-screen "4" "5" "6" "7" "8")
    (should-cursor 4 1)))

(ert-deftest vterm-test-render-faces-point-is-cursor ()
  "C12: after a redraw point is at the terminal cursor (with a shell)."
  (vterm-test--with-term (:rows 6)
    (run "printf 'abc\\ndef'; sleep 30")
    (wait-for "^def")
    (redraw)
    (should (= (point) (save-excursion (vterm-reset-cursor-point))))
    (should (equal (buffer-substring-no-properties (line-beginning-position)
                                                   (point))
                   "def"))
    (should (= (vterm-test--line-count) 6))))

(ert-deftest vterm-test-render-faces-red-foreground ()
  "C13: SGR 31 takes the foreground of `vterm-color-red'."
  (vterm-test-render--with-colors ((vterm-color-red :foreground "#aa0001"
                                                    :background "#bb0002"))
    (vterm-test--with-term (:free t)
      (feed "\e[31mR\e[m")
      (should (equal (plist-get (vterm-test--face-of "R") :foreground)
                     (face-foreground 'vterm-color-red nil 'default)))
      (should (equal (plist-get (vterm-test--face-of "R") :foreground)
                     "#aa0001")))))

(ert-deftest vterm-test-render-faces-red-background ()
  "C14: SGR 41 takes the background of `vterm-color-red' (upstream rule)."
  (vterm-test-render--with-colors ((vterm-color-red :foreground "#aa0001"
                                                    :background "#bb0002"))
    (vterm-test--with-term (:free t)
      (feed "\e[41mB\e[m")
      (should (equal (plist-get (vterm-test--face-of "B") :background)
                     (face-background 'vterm-color-red nil 'default)))
      (should (equal (plist-get (vterm-test--face-of "B") :background)
                     "#bb0002")))))

(ert-deftest vterm-test-render-faces-bright-colours ()
  "C15: SGR 91/101 and 38;5;9 use `vterm-color-bright-red'."
  (vterm-test-render--with-colors ((vterm-color-red :foreground "#aa0001"
                                                    :background "#bb0002")
                                   (vterm-color-bright-red
                                    :foreground "#cc0003"
                                    :background "#dd0004"))
    (vterm-test--with-term (:free t)
      (feed "\e[91mF\e[m \e[101mG\e[m \e[38;5;9mH\e[m")
      (should (equal (plist-get (vterm-test--face-of "F") :foreground)
                     "#cc0003"))
      (should (equal (plist-get (vterm-test--face-of "G") :background)
                     "#dd0004"))
      (should (equal (plist-get (vterm-test--face-of "H") :foreground)
                     "#cc0003")))))

(ert-deftest vterm-test-render-faces-256-and-rgb ()
  "C16: 256-colour and direct colours become #RRGGBB."
  (vterm-test--with-term (:free t)
    (feed "\e[38;5;196mA\e[m \e[38;2;1;2;3mB\e[m \e[48;2;255;128;0mC\e[m")
    (should (equal (plist-get (vterm-test--face-of "A") :foreground) "#FF0000"))
    (should (equal (plist-get (vterm-test--face-of "B") :foreground) "#010203"))
    (should (equal (plist-get (vterm-test--face-of "C") :background) "#FF8000"))))

(ert-deftest vterm-test-render-faces-attributes ()
  "C17: SGR 1/3/4/7/9 map to face attributes; every run has :extend t."
  (vterm-test--with-term (:free t)
    (feed "\e[1mb\e[m\e[3mi\e[m\e[4mu\e[m\e[7mr\e[m\e[9ms\e[m.")
    (should (eq (plist-get (vterm-test--face-of "b") :weight) 'bold))
    (should (eq (plist-get (vterm-test--face-of "i") :slant) 'italic))
    (should (eq (plist-get (vterm-test--face-of "u") :underline) t))
    (should (eq (plist-get (vterm-test--face-of "r") :inverse-video) t))
    (should (eq (plist-get (vterm-test--face-of "s") :strike-through) t))
    (should-not (plist-get (vterm-test--face-of ".") :weight))
    ;; Every character of every run (row-ending newlines carry no run).
    (let ((pos (point-min)))
      (while (< pos (point-max))
        (unless (eq (char-after pos) ?\n)
          (ert-info ((format "position %d" pos))
            (should (eq (plist-get (vterm-test--face-at pos) :extend) t))))
        (setq pos (1+ pos))))))

(ert-deftest vterm-test-render-faces-default-colours ()
  "C18: default-coloured text carries the `default' face's colours (upstream)."
  (vterm-test--with-term (:free t)
    (feed "plain")
    (let ((face (vterm-test--face-of "plain")))
      (should (plist-member face :foreground))
      (should (plist-member face :background))
      (should (equal (plist-get face :foreground)
                     (face-foreground 'default nil 'default)))
      (should (equal (plist-get face :background)
                     (face-background 'default nil 'default))))))

(ert-deftest vterm-test-render-faces-underline-inverse-colours ()
  "C19: underline uses `vterm-color-underline', reverse `vterm-color-inverse-video'."
  (vterm-test-render--with-colors ((vterm-color-underline :foreground "#123456")
                                   (vterm-color-inverse-video
                                    :background "#654321"))
    (vterm-test--with-term (:free t)
      (feed "\e[4mU\e[m \e[7mI\e[m")
      (should (equal (plist-get (vterm-test--face-of "U") :foreground)
                     "#123456"))
      (should (equal (plist-get (vterm-test--face-of "I") :background)
                     "#654321")))))

(ert-deftest vterm-test-render-faces-font-lock-face-only ()
  "C20: colours live on `font-lock-face'; the `face' property is unused."
  (vterm-test--with-term (:free t)
    (feed "\e[31mR\e[m")
    (let ((pos (vterm-test--find "R")))
      (should (get-text-property pos 'font-lock-face))
      (should-not (get-text-property pos 'face)))))

(ert-deftest vterm-test-render-faces-reverse-not-resolved ()
  "§4.5: reverse video keeps the unswapped colours and sets :inverse-video."
  (vterm-test-render--with-colors ((vterm-color-red :foreground "#aa0001"
                                                    :background "#bb0002"))
    (vterm-test--with-term (:free t)
      (feed "\e[7;31mX\e[m")
      (let ((face (vterm-test--face-of "X")))
        (should (equal (plist-get face :foreground) "#aa0001"))
        (should (eq (plist-get face :inverse-video) t))))))

(ert-deftest vterm-test-render-faces-wrap-newline ()
  "C23: a line of COLS+20 chars gets a fake newline at column COLS."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (feed (make-string 20 ?a) (make-string 20 ?b))
    (goto-char (point-min))
    (end-of-line)
    (should (= (current-column) 20))
    (should (eq (char-after) ?\n))
    (should (eq (get-text-property (point) 'vterm-line-wrap) t))
    (should (eq (get-text-property (point) 'rear-nonsticky) t))
    (should (equal (vterm-test--line 1) (make-string 20 ?a)))
    (should (equal (vterm-test--line 2) (make-string 20 ?b)))
    (should (string-prefix-p (concat (make-string 20 ?a) (make-string 20 ?b))
                             (vterm-test--text)))))

(ert-deftest vterm-test-render-faces-wrap-filter-substring ()
  "C25: `filter-buffer-substring' drops fake newlines in a vterm buffer."
  (let ((xs (make-string 30 ?x))
        (ys (make-string 25 ?y)))
    (vterm-test--with-term (:cols 40)
      ;; The command line shows "xs ys"; only the output has them joined.
      (run (format "printf '%%s%%s\\n' %s %s" xs ys))
      (wait-for (concat "^" xs ys "$"))
      (redraw)
      (let ((pos (vterm-test--find (concat "^" (substring xs 0 10)))))
        (should pos)
        (goto-char pos)
        (end-of-line)
        (should (eq (get-text-property (point) 'vterm-line-wrap) t)))
      (let ((copied (filter-buffer-substring (point-min) (point-max))))
        (should (string-match-p (concat "^" xs ys "$") copied))))))

(ert-deftest vterm-test-render-faces-cursor-padding ()
  "C26: a cursor beyond the text is reached by padding the row with spaces."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "abc\e[10C")
    (should (equal (vterm-test--line 1) (concat "abc" (make-string 10 ?\s))))
    (should-cursor 0 13)))

(ert-deftest vterm-test-render-faces-tab-bs-cr ()
  "C27: tabs expand to spaces; backspace and CR only move the cursor."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "tab\tX\r\nab\bX\rZ")
    (should (equal (vterm-test--line 1) "tab     X"))
    (should (equal (vterm-test--line 2) "ZX"))
    (should-cursor 1 1)))

(ert-deftest vterm-test-render-faces-background-spaces ()
  "C27: printed spaces with a background colour are kept and coloured."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "\e[41m   \e[m\r\nnext")
    (should (equal (vterm-test--line 1) "   "))
    (should (plist-get (vterm-test--face-at (point-min)) :background))
    (should (equal (plist-get (vterm-test--face-at (point-min)) :background)
                   (face-background 'vterm-color-red nil 'default)))))

(ert-deftest vterm-test-render-faces-alt-screen ()
  "C28: the alternate screen hides the main screen and restores it."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "main-text\r\n")
    (feed "\e[?1049h\e[HALT-TEXT")
    (should-not (vterm-test--find "main-text"))
    (should (vterm-test--find "ALT-TEXT"))
    (feed "\e[?1049l")
    (should (vterm-test--find "main-text"))
    (should-not (vterm-test--find "ALT-TEXT"))
    (should (= (vterm-test--line-count) 4))))

(ert-deftest vterm-test-render-faces-bold-highbright ()
  "109: with `vterm-set-bold-highbright' bold red uses the bright red face."
  (vterm-test-render--with-colors ((vterm-color-red :foreground "#aa0001")
                                   (vterm-color-bright-red
                                    :foreground "#cc0003"))
    (let ((vterm-set-bold-highbright t))
      (vterm-test--with-term (:free t)
        (feed "\e[1;31mX\e[m")
        (should (equal (plist-get (vterm-test--face-of "X") :foreground)
                       "#cc0003"))))
    (let ((vterm-set-bold-highbright nil))
      (vterm-test--with-term (:free t)
        (feed "\e[1;31mX\e[m")
        (should (equal (plist-get (vterm-test--face-of "X") :foreground)
                       "#aa0001"))))))

(ert-deftest vterm-test-render-faces-disable-flags ()
  "109: the disable flags drop attributes; colour lookups still see them."
  (vterm-test-render--with-colors ((vterm-color-underline :foreground "#123456")
                                   (vterm-color-inverse-video
                                    :background "#654321"))
    (let ((vterm-disable-bold t)
          (vterm-disable-underline t)
          (vterm-disable-inverse-video t))
      (vterm-test--with-term (:free t)
        (feed "\e[1mB\e[m \e[4mU\e[m \e[7mI\e[m")
        (should-not (plist-get (vterm-test--face-of "B") :weight))
        (should-not (plist-get (vterm-test--face-of "U") :underline))
        (should-not (plist-get (vterm-test--face-of "I") :inverse-video))
        (should (equal (plist-get (vterm-test--face-of "U") :foreground)
                       "#123456"))
        (should (equal (plist-get (vterm-test--face-of "I") :background)
                       "#654321"))))))

(ert-deftest vterm-test-render-faces-terminal-replies ()
  "§3.1: terminal replies (DSR, DA) are sent towards the process."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (feed "ab\r\ncd\e[6n")
    (should (equal (flushed) "\e[2;3R"))
    (feed "\e[c")
    (should (string-prefix-p "\e[?" (flushed)))))

;;; vterm-test-render-faces.el ends here

;;; vterm-test-attrs.el --- ERT: faint, conceal and underline styles  -*- lexical-binding: t; -*-

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

;; The text attributes libvterm drops (protocol issue, item 7): faint
;; (SGR 2, reset by 22 and 0), conceal (SGR 8, reset by 28) and the
;; double and curly underlines (SGR 4:2, 21, 4:3).  The module keeps faint
;; and conceal in libvterm's font field (sgr.c) and vterm.el draws them in
;; `vterm--attrs-face'.  libvterm 0.1.4 already stores the underline
;; styles, so every test here runs on both libvterm versions.
;;
;; Colours: the default face is set to white on black, so faint default
;; text blends to #808080 with the default `vterm-faint-blend'.

;;; Code:

(require 'vterm-test-helpers)

(defmacro vterm-test-attrs--with-colors (&rest body)
  "Run BODY with the default face white on black, restoring it after."
  (declare (indent 0))
  `(let ((fg (face-attribute 'default :foreground))
         (bg (face-attribute 'default :background)))
     (unwind-protect
         (progn
           (set-face-attribute 'default nil
                               :foreground "#ffffff" :background "#000000")
           ,@body)
       (set-face-attribute 'default nil :foreground fg :background bg))))

(defun vterm-test-attrs--faint-p (string)
  "Whether the first STRING on the screen is drawn faint."
  (eq (plist-get (vterm-test--face-of string) :inherit) 'vterm-color-faint))

(defun vterm-test-attrs--face-in (regexp)
  "The face of the text matched by REGEXP's first group, in the buffer."
  (save-excursion
    (goto-char (point-min))
    (should (re-search-forward regexp nil t))
    (get-text-property (match-beginning 1) 'font-lock-face)))

(defun vterm-test-attrs--faces ()
  "The buffer's characters, each with its face (compared with `equal')."
  (let (faces)
    (dotimes (i (1- (point-max)))
      (push (cons (char-after (1+ i))
                  (get-text-property (1+ i) 'font-lock-face))
            faces))
    (nreverse faces)))

(defun vterm-test-attrs--fg (string)
  "The foreground of the first STRING on the screen."
  (plist-get (vterm-test--face-of string) :foreground))

(defun vterm-test-attrs--bg (string)
  "The background of the first STRING on the screen."
  (plist-get (vterm-test--face-of string) :background))

;;;; Faint

(ert-deftest vterm-test-attrs-faint-shell ()
  "A shell's printf '\\e[2mdim\\e[0m' is drawn dimmed; SGR 0 ends it."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term ()
      (run "printf 'x\\033[2mdim\\033[0m plain\\n'")
      (wait-for "^xdim plain$")
      (let ((dim (vterm-test-attrs--face-in "^x\\(dim\\) plain$"))
            (plain (vterm-test-attrs--face-in "^xdim\\( plain\\)$")))
        (should (eq (plist-get dim :inherit) 'vterm-color-faint))
        (should (equal (plist-get dim :foreground) "#808080"))
        (should-not (plist-get plain :inherit))
        (should (equal (plist-get plain :foreground) "#ffffff"))))))

(ert-deftest vterm-test-attrs-faint-rgb-blend ()
  "Faint blends the text colour half way towards its background."
  (vterm-test--with-term (:free t)
    (feed "\e[38;2;200;100;0;48;2;0;0;100m\e[2mdim\e[22mnorm\e[0m")
    (should (equal (vterm-test-attrs--fg "dim") "#643232"))
    (should (equal (vterm-test-attrs--bg "dim") "#000064"))
    (should (equal (vterm-test-attrs--fg "norm") "#C86400"))
    (should-not (vterm-test-attrs--faint-p "norm"))))

(ert-deftest vterm-test-attrs-faint-resets ()
  "SGR 22 ends faint and bold, SGR 0 and an empty SGR end faint."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed "\e[1;2mA\e[22mB\e[2mC\e[0mD\e[2mE\e[mF\e[2;1mG\e[1mH\e[22mI")
      (should (vterm-test-attrs--faint-p "A"))
      (should (eq (plist-get (vterm-test--face-of "A") :weight) 'bold))
      (should-not (vterm-test-attrs--faint-p "B"))
      (should-not (plist-get (vterm-test--face-of "B") :weight))
      (should (vterm-test-attrs--faint-p "C"))
      (should-not (vterm-test-attrs--faint-p "D"))
      (should (vterm-test-attrs--faint-p "E"))
      (should-not (vterm-test-attrs--faint-p "F"))
      (should (vterm-test-attrs--faint-p "G"))
      (should (vterm-test-attrs--faint-p "H"))
      (should-not (vterm-test-attrs--faint-p "I")))))

(ert-deftest vterm-test-attrs-faint-combined-params ()
  "SGR 2 inside a list counts; the 2 and 8 of colour arguments do not."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed "\e[1;2;31mA\e[0m"
            "\e[38;5;2mB\e[0m"
            "\e[38;2;2;2;2mC\e[0m"
            "\e[38:2::1:2:3mD\e[0m"
            "\e[48;5;8mE\e[0m"
            "\e[38;5;2;2mF\e[0m"
            "\e[0;2mG\e[2;0mH\e[;2mI\e[0m"
            "\e[38:5:8;2mJ\e[0m")
      (should (vterm-test-attrs--faint-p "A"))
      (should (eq (plist-get (vterm-test--face-of "A") :weight) 'bold))
      (should-not (vterm-test-attrs--faint-p "B"))
      (should (equal (vterm-test-attrs--fg "C") "#020202"))
      (should-not (vterm-test-attrs--faint-p "C"))
      (should-not (vterm-test-attrs--faint-p "D"))
      (should-not (vterm-test-attrs--faint-p "E"))
      (should (equal (vterm-test-attrs--fg "E") "#ffffff"))
      (should (vterm-test-attrs--faint-p "F"))
      (should (vterm-test-attrs--faint-p "G"))
      (should-not (vterm-test-attrs--faint-p "H"))
      (should (vterm-test-attrs--faint-p "I"))
      (should (vterm-test-attrs--faint-p "J")))))

(ert-deftest vterm-test-attrs-faint-chunking ()
  "Faint and conceal come out the same when every byte is its own write."
  (vterm-test-attrs--with-colors
    (let ((input "a\e[1;2;38;5;3mb\e[22;8mc\e[28;4:3md\e[0;2me\e[me")
          whole split)
      (vterm-test--with-term (:free t)
        (feed input)
        (setq whole (vterm-test-attrs--faces)))
      (vterm-test--with-term (:free t)
        (apply #'feed (mapcar #'string input))
        (setq split (vterm-test-attrs--faces)))
      (should (equal whole split))
      (should (equal (mapcar #'car (last (cl-subseq whole 0 6) 6))
                     (string-to-list "abcdee"))))))

(ert-deftest vterm-test-attrs-faint-saved-cursor ()
  "DECSC saves faint with the rest of the pen; DECRC restores it."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed "\e[2m\e7\e[0mA\e8B\e[0mC")
      (should (vterm-test-attrs--faint-p "B"))
      (should-not (vterm-test-attrs--faint-p "C")))))

(ert-deftest vterm-test-attrs-faint-font-select-ignored ()
  "SGR 10-19 (alternative fonts) neither set nor clear faint."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed "\e[2m\e[10mA\e[13mB\e[0m\e[11mC\e[0m")
      (should (vterm-test-attrs--faint-p "A"))
      (should (vterm-test-attrs--faint-p "B"))
      (should-not (vterm-test-attrs--faint-p "C"))
      (should (equal (vterm-test-attrs--fg "C") "#ffffff")))))

(ert-deftest vterm-test-attrs-faint-scrollback ()
  "Faint text keeps its face in scrollback."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t :rows 3 :cols 20)
      (feed "\e[2mold-dim\e[0m old\r\n")
      (feed "1\r\n2\r\n3\r\n4\r\n")
      (should-not (member "old-dim old" (screen)))
      (should (vterm-test-attrs--faint-p "old-dim"))
      (should-not (vterm-test-attrs--faint-p " old")))))

(ert-deftest vterm-test-attrs-faint-option-off ()
  "With `vterm-enable-faint' nil, faint text looks like normal text."
  (vterm-test-attrs--with-colors
    (let ((vterm-enable-faint nil))
      (vterm-test--with-term (:free t)
        (feed "\e[2mdim\e[0m")
        (should-not (vterm-test-attrs--faint-p "dim"))
        (should (equal (vterm-test-attrs--fg "dim") "#ffffff"))))))

(ert-deftest vterm-test-attrs-faint-face-foreground ()
  "A foreground on `vterm-color-faint' is the colour of faint text."
  (vterm-test-attrs--with-colors
    (let ((old (face-attribute 'vterm-color-faint :foreground)))
      (unwind-protect
          (progn
            (set-face-attribute 'vterm-color-faint nil :foreground "#123456")
            (vterm-test--with-term (:free t)
              (feed "\e[2mdim\e[0m")
              (should (equal (vterm-test-attrs--fg "dim") "#123456"))))
        (set-face-attribute 'vterm-color-faint nil :foreground old)))))

;;;; Conceal

(ert-deftest vterm-test-attrs-conceal ()
  "SGR 8 draws text in its background colour; SGR 28 and 0 end it."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed "\e[4;9;48;2;1;2;3m\e[8mhidden\e[28mshown\e[8mX\e[0mY")
      (should (equal (vterm-test-attrs--fg "hidden") "#010203"))
      (should (equal (vterm-test-attrs--bg "hidden") "#010203"))
      (should-not (plist-get (vterm-test--face-of "hidden") :underline))
      (should-not (plist-get (vterm-test--face-of "hidden") :strike-through))
      (should (equal (vterm-test-attrs--fg "shown") "#ffffff"))
      (should (equal (vterm-test-attrs--fg "X") "#010203"))
      (should (equal (vterm-test-attrs--fg "Y") "#ffffff"))
      ;; The text is in the buffer: copying gets it.
      (should (string-match-p "hiddenshownXY" (buffer-string))))))

(ert-deftest vterm-test-attrs-conceal-shell ()
  "A shell's concealed output keeps its columns and is drawn invisibly."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term ()
      (run "printf 'pw:\\033[8msecret\\033[28m:end\\n'")
      (wait-for "^pw:secret:end$")
      (let ((secret (vterm-test-attrs--face-in "^pw:\\(secret\\):end$"))
            (end (vterm-test-attrs--face-in "^pw:secret\\(:end\\)$")))
        (should (equal (plist-get secret :foreground) "#000000"))
        (should (equal (plist-get secret :background) "#000000"))
        (should (equal (plist-get end :foreground) "#ffffff"))))))

(ert-deftest vterm-test-attrs-conceal-unspecified-background ()
  "With an unspecified background (a text terminal), conceal paints a colour.
Emacs draws the foreground \"unspecified-bg\" as inverse video, which
would show the text."
  (vterm-test--with-term (:free t)
    (cl-letf (((symbol-function 'vterm--get-color)
               (lambda (_index &rest args)
                 (if (memq :foreground args) "unspecified-fg" "unspecified-bg"))))
      (feed "\e[8mhidden\e[0m"))
    (let ((face (vterm-test--face-of "hidden")))
      (should (member (plist-get face :foreground) '("black" "white")))
      (should (equal (plist-get face :foreground) (plist-get face :background))))))

(ert-deftest vterm-test-attrs-conceal-option-off ()
  "With `vterm-enable-conceal' nil, concealed text is shown."
  (vterm-test-attrs--with-colors
    (let ((vterm-enable-conceal nil))
      (vterm-test--with-term (:free t)
        (feed "\e[8mhidden\e[0m")
        (should (equal (vterm-test-attrs--fg "hidden") "#ffffff"))))))

;;;; Underline styles

(ert-deftest vterm-test-attrs-underline-styles ()
  "SGR 4:3 is a wave; 4:2 and 21 are double (single before Emacs 30)."
  (vterm-test--with-term (:free t)
    (feed "\e[4:3mcurly\e[4:2mdbl\e[0m\e[21mtwo\e[24mnone\e[4msingle\e[4:0mzero\e[0m")
    (let ((double (if (>= emacs-major-version 30) '(:style double-line) t)))
      (should (equal (plist-get (vterm-test--face-of "curly") :underline)
                     '(:style wave)))
      (should (equal (plist-get (vterm-test--face-of "dbl") :underline) double))
      (should (equal (plist-get (vterm-test--face-of "two") :underline) double))
      (should-not (plist-get (vterm-test--face-of "none") :underline))
      (should (eq (plist-get (vterm-test--face-of "single") :underline) t))
      (should-not (plist-get (vterm-test--face-of "zero") :underline)))))

(ert-deftest vterm-test-attrs-underline-styles-shell ()
  "A shell's curly underline reaches the buffer as a wave."
  (vterm-test--with-term ()
    (run "printf '\\033[4:3mwavy\\033[0m flat\\n'")
    (wait-for "^wavy flat$")
    (should (equal (plist-get (vterm-test-attrs--face-in "^\\(wavy\\) flat$")
                              :underline)
                   '(:style wave)))
    (should-not (plist-get (vterm-test-attrs--face-in "^wavy\\( flat\\)$")
                           :underline))))

(ert-deftest vterm-test-attrs-underline-styles-option-off ()
  "With `vterm-enable-underline-styles' nil, every underline is single."
  (let ((vterm-enable-underline-styles nil))
    (vterm-test--with-term (:free t)
      (feed "\e[4:3mcurly\e[21mdbl\e[0m")
      (should (eq (plist-get (vterm-test--face-of "curly") :underline) t))
      (should (eq (plist-get (vterm-test--face-of "dbl") :underline) t)))))

;;;; Hostile input

(ert-deftest vterm-test-attrs-hostile-sgr ()
  "Long, odd and truncated SGRs leave the terminal working."
  (vterm-test-attrs--with-colors
    (vterm-test--with-term (:free t)
      (feed (concat "\e[" (mapconcat #'identity (make-list 40 "2") ";") "mA"
                    "\e[0;" (mapconcat #'identity (make-list 40 "8;28") ";")
                    "mB\e[0m"
                    "\e[38;2mC\e[38mD\e[38;5mE\e[0m"
                    "\e[::::2::::mF\e[0m"
                    "\e[2" "\e[0mG"
                    "\e[99999;2mH\e[0mok"))
      (should (vterm-test-attrs--faint-p "A"))
      ;; The guard keeps 16 parameters, "0;8;28;...;8": concealed.
      (should (equal (vterm-test-attrs--fg "B") "#000000"))
      (should-not (vterm-test-attrs--faint-p "B"))
      (should (string-match-p "ABCDEFGHok" (buffer-string)))
      (should-not (vterm-test-attrs--faint-p "G"))
      (should (vterm-test-attrs--faint-p "H"))
      (should-not (vterm-test-attrs--faint-p "ok")))))

(provide 'vterm-test-attrs)

;;; vterm-test-attrs.el ends here

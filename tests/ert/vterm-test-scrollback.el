;;; vterm-test-scrollback.el --- ERT: scrollback capacity, order and contents  -*- lexical-binding: t; -*-

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
;;   vterm-test-scrollback-limit-from-shell     C60
;;   vterm-test-scrollback-limit-direct         C60
;;   vterm-test-scrollback-order                C60, §4.9 (oldest first)
;;   vterm-test-scrollback-zero                 §4.9 (0 disables)
;;   vterm-test-scrollback-keeps-faces          §4.9 (rows keep attributes)
;;   vterm-test-scrollback-max-clamp            C66
;; Clearing (C61-C65) is in vterm-test-clear.el.

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-scrollback--lines (from to)
  "Return the lines FROM..TO as CR LF separated terminal output."
  (mapconcat #'number-to-string (number-sequence from to) "\r\n"))

(ert-deftest vterm-test-scrollback-limit-from-shell ()
  "C60: with `vterm-max-scrollback' 50, `seq 1 300' leaves 50 + rows lines."
  (vterm-test--skip-unless-program "seq")
  (vterm-test--with-term (:rows 10 :scrollback 50)
    (run "seq 1 300; echo SEQ-\"\"DONE")
    (wait-for "^SEQ-DONE\n\\$ ")
    (should (= (vterm-test--line-count) 60))
    (should (member "300" (screen)))))

(ert-deftest vterm-test-scrollback-limit-direct ()
  "C60: the scrollback keeps exactly `vterm-max-scrollback' lines."
  (vterm-test--with-term (:free t :rows 10 :cols 20 :scrollback 50)
    (feed (vterm-test-scrollback--lines 1 300))
    (should (= (vterm-test--line-count) 60))
    ;; 300 lines, 10 on screen: 290 pushed, the newest 50 (241..290) kept.
    (should (equal (vterm-test--line 1) "241"))
    (should (equal (vterm-test--line 50) "290"))
    (should-screen "291" "292" "293" "294" "295" "296" "297" "298" "299" "300")))

(ert-deftest vterm-test-scrollback-order ()
  "§4.9: scrollback lines appear oldest first, above the screen."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "one\r\ntwo\r\nthree\r\nfour\r\nfive")
    (should (equal (vterm-test--text) "one\ntwo\nthree\nfour\nfive\n"))
    (should-screen "three" "four" "five")))

(ert-deftest vterm-test-scrollback-zero ()
  "§4.9: `vterm-max-scrollback' 0 disables the scrollback."
  (vterm-test--with-term (:free t :rows 3 :cols 20 :scrollback 0)
    (feed "one\r\ntwo\r\nthree\r\nfour\r\nfive")
    (should (= (vterm-test--line-count) 3))
    (should (equal (vterm-test--text) "three\nfour\nfive\n"))))

(ert-deftest vterm-test-scrollback-keeps-faces ()
  "§4.9: a row keeps its text properties when it moves into the scrollback."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "\e[31mred-line\e[m\r\n")
    (let ((before (vterm-test--face-of "red-line")))
      (feed "a\r\nb\r\nc\r\nd")
      (should (equal (vterm-test--line 1) "red-line"))
      (should (equal (vterm-test--face-at (point-min)) before))
      (should (plist-get before :foreground)))))

(ert-deftest vterm-test-scrollback-max-clamp ()
  "C66: `vterm-max-scrollback' goes past upstream's cap of 100000.
The module keeps up to 1000000 lines (issue 11); 150000 are kept
here, and the oldest lines beyond them are dropped."
  :tags '(:expensive-test)
  (should (= (plist-get (vterm--module-info) :scrollback-max) 1000000))
  (vterm-test--with-term (:free t :rows 5 :cols 20 :scrollback 150000)
    (feed (vterm-test-scrollback--lines 1 150100))
    (should (= (vterm-test--line-count) (+ 150000 5)))
    ;; 150095 lines were pushed; the oldest 95 were dropped.
    (should (equal (vterm-test--line 1) "96"))
    (should-screen "150096" "150097" "150098" "150099" "150100")))

;;; vterm-test-scrollback.el ends here

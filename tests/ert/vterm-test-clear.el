;;; vterm-test-clear.el --- ERT: clearing the screen and the scrollback  -*- lexical-binding: t; -*-

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
;;   vterm-test-clear-scrollback-from-shell        C61
;;   vterm-test-clear-scrollback-direct            C61
;;   vterm-test-clear-ed2-keeps-lines              C62
;;   vterm-test-clear-ed3                          C63 (per :sb-clear)
;;   vterm-test-clear-sends-form-feed              C64
;;   vterm-test-clear-keeps-scrollback             C64
;;   vterm-test-clear-prefix-clears-scrollback     C65
;;   vterm-test-clear-option-inverts               C65, §2.1 (XOR with prefix)
;;   vterm-test-clear-bash-clears-screen           §4.12 (C-l reaches readline)

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-clear--fill (n)
  "Feed N numbered lines."
  (vterm-test--feed
   (mapconcat #'number-to-string (number-sequence 1 n) "\r\n")))

(ert-deftest vterm-test-clear-scrollback-from-shell ()
  "C61: `vterm-clear-scrollback' leaves only the screen, output kept."
  (vterm-test--skip-unless-program "seq")
  (vterm-test--with-term (:rows 10 :scrollback 50)
    (run "seq 1 300; echo SEQ-\"\"DONE")
    (wait-for "^SEQ-DONE\n\\$ ")
    (should (= (vterm-test--line-count) 60))
    (vterm-clear-scrollback)
    (wait-for (lambda () (= (vterm-test--line-count) 10)))
    (should (member "300" (screen)))))

(ert-deftest vterm-test-clear-scrollback-direct ()
  "C61: the <clear_scrollback> key drops every scrollback line."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-clear--fill 20)
    (should (= (vterm-test--line-count) 20))
    (vterm-clear-scrollback)
    (redraw)
    (should (= (vterm-test--line-count) 4))
    (should-screen "17" "18" "19" "20")
    ;; New output scrolls into a fresh scrollback.
    (feed "\r\n21")
    (should (equal (vterm-test--text) "17\n18\n19\n20\n21\n"))))

(ert-deftest vterm-test-clear-ed2-keeps-lines ()
  "C62: ESC [ H ESC [ 2 J clears the screen but not the scrollback."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-clear--fill 10)
    (should (= (vterm-test--line-count) 10))
    (feed "\e[H\e[2J")
    (should (= (vterm-test--line-count) 10))
    (should (equal (vterm-test--line 1) "1"))
    (should-screen)))

(ert-deftest vterm-test-clear-ed3 ()
  "C63: ESC [ 3 J clears the scrollback only where libvterm reports it."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-clear--fill 10)
    (feed "\e[3J")
    (if (vterm-test--feature :sb-clear)
        (should (= (vterm-test--line-count) 4))
      (should (= (vterm-test--line-count) 10)))
    (should-screen "7" "8" "9" "10")))

(ert-deftest vterm-test-clear-sends-form-feed ()
  "C64: `vterm-clear' sends exactly one C-l (0c) to the process."
  (vterm-test--with-key-reader ()
    (should (equal (wire (vterm-clear)) "0c"))))

(ert-deftest vterm-test-clear-keeps-scrollback ()
  "C64: with the option nil `vterm-clear' keeps the scrollback."
  (let ((vterm-clear-scrollback-when-clearing nil))
    (vterm-test--with-term (:free t :rows 4 :cols 20)
      (vterm-test-clear--fill 10)
      (vterm-clear)
      (redraw)
      (should (equal (flushed) "\f"))
      (should (= (vterm-test--line-count) 10)))))

(ert-deftest vterm-test-clear-prefix-clears-scrollback ()
  "C65: `(vterm-clear \\='(4))' drops the scrollback and sends C-l."
  (let ((vterm-clear-scrollback-when-clearing nil))
    (vterm-test--with-term (:free t :rows 4 :cols 20)
      (vterm-test-clear--fill 10)
      (vterm-clear '(4))
      (redraw)
      (should (equal (flushed) "\f"))
      (should (= (vterm-test--line-count) 4)))
    (vterm-test--with-term (:rows 4 :scrollback 100)
      (run "i=0; while [ $i -lt 20 ]; do echo L$i; i=$((i+1)); done")
      (wait-for "^L19\n\\$ ")
      (should (> (vterm-test--line-count) 4))
      (vterm-clear '(4))
      (wait-for (lambda () (= (vterm-test--line-count) 4))))))

(ert-deftest vterm-test-clear-option-inverts ()
  "C65: with the option t a plain call clears, a prefix call does not."
  (let ((vterm-clear-scrollback-when-clearing t))
    (vterm-test--with-term (:free t :rows 4 :cols 20)
      (vterm-test-clear--fill 10)
      (vterm-clear '(4))
      (redraw)
      (should (= (vterm-test--line-count) 10))
      (vterm-clear)
      (redraw)
      (should (= (vterm-test--line-count) 4))
      (should (equal (flushed) "\f\f")))))

(ert-deftest vterm-test-clear-bash-clears-screen ()
  "§4.12: C-l from `vterm-clear' makes readline clear the screen."
  (vterm-test--skip-unless-program "bash")
  (vterm-test--with-term (:rows 6 :shell 'bash)
    (run "echo MARK-\"\"ONE")
    (wait-for "^MARK-ONE\n\\$ ")
    (vterm-clear)
    (wait-for (lambda ()
                (and (not (vterm-test--find "MARK-ONE"))
                     (equal (car (vterm-test--screen-trimmed)) "$"))))))

;;; vterm-test-clear.el ends here

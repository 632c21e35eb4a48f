;;; vterm-test-resize.el --- ERT: resizing the terminal  -*- lexical-binding: t; -*-

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
;;   vterm-test-resize-set-size-shrinks           C97
;;   vterm-test-resize-grow-pops-scrollback       C97, §4.9 (pop on grow)
;;   vterm-test-resize-no-reflow                  §4.4 (no reflow)
;;   vterm-test-resize-same-size-no-change        §2 (set-size if changed)
;;   vterm-test-resize-split-window               C96
;;   vterm-test-resize-adjust-function            §4.10
;;   vterm-test-resize-narrow-window-min-width    §4.10, Q12 (kept)

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-resize--set-size (rows cols)
  "Resize the current fixture terminal to ROWS x COLS.
Return what `vterm--set-size' returned."
  (let ((value (let ((inhibit-read-only t))
                 (vterm--set-size vterm--term rows cols))))
    (setq vterm-test--rows rows
          vterm-test--cols cols)
    (vterm-test--redraw)
    value))

(ert-deftest vterm-test-resize-set-size-shrinks ()
  "C97: shrinking cuts long rows and moves top rows into the scrollback."
  (vterm-test--with-term (:free t :rows 10 :cols 30)
    (feed "l1\r\nl2\r\nl3\r\nl4\r\nl5\r\nabcdefghijklmnopqrstuvwxyz")
    (should (= (vterm-test--line-count) 10))
    (should (null (vterm-test-resize--set-size 5 20)))
    (let ((count (vterm-test--line-count)))
      (should (< count 10))
      (should (>= count 5)))
    (should (equal (vterm-test--line 1) "l1"))
    (should (vterm-test--find "^abcdefghijklmnopqrst$"))
    (should-not (vterm-test--find "u"))
    (should (member "abcdefghijklmnopqrst" (vterm-test--screen)))
    (should (= (car (vterm-test--cursor)) 4))))

(ert-deftest vterm-test-resize-grow-pops-scrollback ()
  "C97: growing the height brings scrollback lines back onto the screen."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "1\r\n2\r\n3\r\n4\r\n5\r\n6")
    (should (= (vterm-test--line-count) 6))
    (should-screen "4" "5" "6")
    (vterm-test-resize--set-size 6 20)
    (should (= (vterm-test--line-count) 6))
    (should-screen "1" "2" "3" "4" "5" "6")
    (should-cursor 5 1)))

(ert-deftest vterm-test-resize-no-reflow ()
  "§4.4: widening does not re-join rows that wrapped."
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (feed "abcdefghijKLMNO")
    (vterm-test-resize--set-size 4 40)
    (should (equal (vterm-test--line 1) "abcdefghij"))
    (should (equal (vterm-test--line 2) "KLMNO"))))

(ert-deftest vterm-test-resize-same-size-no-change ()
  "§2: setting the current size changes nothing."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed "a\r\nb")
    (let ((before (buffer-string)))
      (vterm-test-resize--set-size 4 20)
      (should (equal (buffer-string) before)))))

(ert-deftest vterm-test-resize-split-window ()
  "C96: after a vertical split the pty gets fewer rows, still >= 80 columns."
  (vterm-test--with-term (:rows 20 :cols 80)
    (let ((buffer (current-buffer)))
      (save-window-excursion
        (delete-other-windows)
        (set-window-buffer (selected-window) buffer)
        (split-window-vertically)
        (window--adjust-process-windows)
        (with-current-buffer buffer
          (run "stty size")
          (let* ((size (split-string (wait-for "^\\([0-9]+ [0-9]+\\)$")))
                 (rows (string-to-number (car size)))
                 (cols (string-to-number (cadr size))))
            (should (< rows 15))
            (should (> rows 0))
            (should (>= cols 80))))))))

(ert-deftest vterm-test-resize-adjust-function ()
  "§4.10: the adjust function resizes the terminal and returns (W . H)."
  (vterm-test--with-term (:rows 20 :cols 80)
    (let ((buffer (current-buffer)))
      (save-window-excursion
        (delete-other-windows)
        (set-window-buffer (selected-window) buffer)
        (let* ((win (selected-window))
               (size (vterm--window-adjust-process-window-size
                      vterm--process (list win))))
          (should (consp size))
          (should (= (cdr size) (window-body-height win)))
          (should (>= (car size) vterm-min-window-width))
          (setq vterm-test--rows (cdr size))
          (redraw)
          (should (= (vterm-test--line-count) (cdr size))))))))

(ert-deftest vterm-test-resize-narrow-window-min-width ()
  "§4.10 / Q12 (kept): a narrow window still gives `vterm-min-window-width'."
  (vterm-test--with-term (:rows 10 :cols 80)
    (let ((buffer (current-buffer))
          (vterm-min-window-width 80))
      (save-window-excursion
        (delete-other-windows)
        (set-window-buffer (selected-window) buffer)
        (split-window-horizontally 30)
        (let ((size (vterm--window-adjust-process-window-size
                     vterm--process (list (selected-window)))))
          (should (consp size))
          (should (< (window-body-width) 80))
          (should (= (car size) 80)))))))

;;; vterm-test-resize.el ends here

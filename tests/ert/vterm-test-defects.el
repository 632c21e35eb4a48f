;;; vterm-test-defects.el --- Regression tests for issue 13  -*- lexical-binding: t; -*-

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

;; One test (or a few) per defect of issue 13, "ten defects found by
;; review", each named after its number: vterm-test-defects-<N>-<case>.
;; Each failed before its fix on the libvterm versions it names.  The
;; classes of tests that missed them live in vterm-test-cadence.el (redraw
;; cadences) and vterm-test-reentry.el (Lisp callbacks mid-redraw).

;;; Code:

(require 'vterm-test-helpers)

;;;; Helpers

(defun vterm-test-defects--resize (rows cols)
  "Resize the fixture terminal to ROWS x COLS and redraw."
  (let ((inhibit-read-only t))
    (vterm--set-size vterm--term rows cols))
  (setq vterm-test--rows rows
        vterm-test--cols cols)
  (vterm-test--redraw))

(defun vterm-test-defects--fresh-screen (rows cols &rest bytes)
  "Return the trimmed screen of a fresh ROWS x COLS terminal fed BYTES."
  (let (result)
    (vterm-test--with-term (:free t :rows rows :cols cols)
      (apply #'feed bytes)
      (setq result (list (vterm-test--screen-trimmed) (vterm-test--cursor))))
    result))

(defun vterm-test-defects--marks (prop)
  "Return the buffer positions that carry text property PROP."
  (let ((pos (point-min)) (marks nil))
    (while (setq pos (text-property-any pos (point-max) prop t))
      (push pos marks)
      (setq pos (1+ pos)))
    (nreverse marks)))

(defun vterm-test-defects--line-length (row)
  "Return the length of screen ROW's buffer line, padding included."
  (save-excursion
    (goto-char (vterm-test--screen-start))
    (forward-line row)
    (- (line-end-position) (point))))

(defun vterm-test-defects--continuation-p ()
  "Return non-nil if the module knows libvterm's continuation flag."
  (vterm-test--feature :continuation))

;;;; 1. A redraw writes into another buffer

(ert-deftest vterm-test-defects-1-eval-find-file-keeps-file ()
  "Issue 13 #1: output arriving while an OSC 51;E `find-file' runs is drawn
into the terminal's buffer, never into the file's buffer."
  (let* ((file (make-temp-file "vterm-victim-" nil ".txt" "victim text\n"))
         (victim nil)
         (term-buffer nil)
         (vterm-eval-cmds
          `(("open" ,(lambda (f)
                       (setq victim (find-file-noselect f))
                       (with-current-buffer victim (setq buffer-read-only t))
                       (set-buffer victim)
                       ;; Output of the shell while find-file waits.
                       (with-current-buffer term-buffer
                         (vterm--write-input vterm--term
                                             "\r\nnext prompt$ ")))))))
    (unwind-protect
        (vterm-test--with-term (:free t :rows 5 :cols 40)
          (setq term-buffer (current-buffer))
          (feed (format "$ \e]51;Eopen %s\e\\" file))
          (should (buffer-live-p victim))
          (with-current-buffer victim
            (should (equal (buffer-string) "victim text\n"))
            (should-not (buffer-modified-p)))
          (redraw)
          (should (equal (vterm-test--screen-trimmed)
                         '("$" "next prompt$" "" "" ""))))
      (when (buffer-live-p victim) (kill-buffer victim))
      (delete-file file))))

;;;; 2. Resizes with libvterm 0.1.4 clobber DECSC, origin mode, pending wrap

(ert-deftest vterm-test-defects-2-resize-keeps-saved-cursor ()
  "Issue 13 #2: leaving the alternate screen after a resize restores the
cursor the shell had, not one saved by the resize."
  (vterm-test--with-term (:free t :rows 10 :cols 40)
    (feed "$ echo\r\n$ " "\e[?1049h\e[H\e[2J\e[8;30Hvim")
    (vterm-test-defects--resize 12 40)
    (feed "\e[?1049l" "X")
    (should (equal (nth 1 (vterm-test--screen-trimmed)) "$ X"))
    (should-cursor 1 3)))

(ert-deftest vterm-test-defects-2-resize-keeps-pending-wrap ()
  "Issue 13 #2: a height-only resize keeps the pending wrap of a full row."
  (vterm-test--with-term (:free t :rows 5 :cols 10)
    (feed "0123456789")
    (vterm-test-defects--resize 6 10)
    (feed "X")
    (should (equal (seq-take (vterm-test--screen-trimmed) 2)
                   '("0123456789" "X")))))

(ert-deftest vterm-test-defects-2-resize-keeps-origin-mode ()
  "Issue 13 #2: in origin mode with margins, a resize does not move the
cursor; the result equals a fresh terminal of the target size."
  (let ((bytes '("\e[3;8r\e[?6h\e[2;5H" "A")))
    (vterm-test--with-term (:free t :rows 10 :cols 20)
      (feed (car bytes))
      (vterm-test-defects--resize 10 30)
      (feed (cadr bytes))
      (should (equal (list (vterm-test--screen-trimmed) (vterm-test--cursor))
                     (apply #'vterm-test-defects--fresh-screen 10 30 bytes))))))

(ert-deftest vterm-test-defects-2-shrink-restores-safely ()
  "Issue 13 #2: a cursor saved outside a screen that then shrank is
restored inside it (the libvterm 0.1.4 crash the old fix-up guarded)."
  (vterm-test--with-term (:free t :rows 10 :cols 20)
    (feed "\e[9;15H\e7\e[H")
    (vterm-test-defects--resize 4 10)
    (feed "\e8" "\e[K" "Z")
    (redraw)
    (should (string-match-p "Z" (vterm-test--text)))
    (feed "\e[H\e[2Jok")
    (should-screen "ok")))

(defun vterm-test-defects--app-state-stream (state rows cols)
  "Return a list of random application-state pieces for RANDOM-STATE STATE.
Every position stays inside ROWS x COLS, away from the right edge, and
nothing scrolls, so the screen is the same in any larger terminal."
  (let ((pieces nil))
    (dotimes (_ (+ 4 (cl-random 12 state)))
      (push
       (pcase (cl-random 9 state)
         (0 (format "\e[%d;%dH" (1+ (cl-random rows state))
                    (1+ (cl-random (- cols 4) state))))
         (1 "\e7")
         (2 "\e8")
         (3 "\e[?1049h")
         (4 "\e[?1049l")
         (5 (let ((top (1+ (cl-random (1- rows) state))))
              (format "\e[%d;%dr" top
                      (+ top 1 (cl-random (- rows top) state)))))
         (6 (if (zerop (cl-random 2 state)) "\e[?6h" "\e[?6l"))
         (7 "\e[r")
         (_ (format "\e[%d;%dH%c%c" (1+ (cl-random rows state))
                    (1+ (cl-random (- cols 4) state))
                    (+ ?a (cl-random 26 state)) (+ ?a (cl-random 26 state)))))
       pieces))
    (nreverse pieces)))

(ert-deftest vterm-test-defects-2-resize-with-app-state-matches-fresh ()
  "Issue 13 #2: with saved cursors, the alternate screen and origin mode
with margins in play, a resize in the middle of the output leaves the
same screen and cursor as a fresh terminal of the target size."
  (let ((state (cl-make-random-state 13)))
    (dotimes (case 150)
      (let* ((rows (+ 4 (cl-random 5 state)))
             (cols (+ 8 (cl-random 8 state)))
             (to-rows (+ rows (- (cl-random 5 state) 2)))
             (to-cols (+ cols (- (cl-random 5 state) 2)))
             (small-rows (min rows to-rows))
             (small-cols (min cols to-cols))
             (before (vterm-test-defects--app-state-stream
                      state small-rows small-cols))
             (after (vterm-test-defects--app-state-stream
                     state small-rows small-cols))
             (resized nil))
        (vterm-test--with-term (:free t :rows rows :cols cols)
          (apply #'feed before)
          (vterm-test-defects--resize to-rows to-cols)
          (apply #'feed after)
          (setq resized (list (vterm-test--screen-trimmed)
                              (vterm-test--cursor))))
        (should (equal (list case resized)
                       (list case (apply #'vterm-test-defects--fresh-screen
                                         to-rows to-cols
                                         (append before after)))))))))

;;;; 3. Cursor padding grows

(ert-deftest vterm-test-defects-3-padding-does-not-grow ()
  "Issue 13 #3: redraws and `vterm--reset-point' pad the cursor row once."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (feed "$ ls\e[5C")
    (dotimes (_ 4)
      (feed "\e[3;1H")
      (feed "\e[1;10H"))
    (dotimes (_ 3) (vterm--reset-point vterm--term))
    (should (= (vterm-test-defects--line-length 0) 9))
    (should-cursor 0 9)))

(ert-deftest vterm-test-defects-3-copy-mode-reset-keeps-fake-newlines ()
  "Issue 13 #3: `vterm-reset-cursor-point' in copy mode with
`vterm-copy-mode-remove-fake-newlines' leaves the text as it was once
copy mode ends."
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (feed "$ AAAAAAAAAAAA\e[2D")
    (setq major-mode 'vterm-mode) ; copy mode checks it; no process needed
    (let ((before (buffer-substring-no-properties (point-min) (point-max)))
          (wraps (vterm-test-defects--marks 'vterm-line-wrap))
          (vterm-copy-mode-remove-fake-newlines t))
      (vterm-copy-mode 1)
      (dotimes (_ 3) (vterm-reset-cursor-point))
      (should (equal (point) (+ (point-min) 12)))
      (vterm-copy-mode -1)
      (should (equal (buffer-substring-no-properties (point-min) (point-max))
                     before))
      (should (equal (vterm-test-defects--marks 'vterm-line-wrap) wraps)))))

;;;; 4. Stale wrap marks (libvterm >= 0.2)

(ert-deftest vterm-test-defects-4-wrap-mark-after-later-write ()
  "Issue 13 #4: a row gets its wrap mark when the next row continues it in
a later redraw."
  (vterm-test--with-term (:free t :rows 5 :cols 10)
    (feed "$ AAAAAAAA")
    (feed "BB")
    (should (= (length (vterm-test-defects--marks 'vterm-line-wrap)) 1))
    (should (equal (vterm-test--text) "$ AAAAAAAABB\n\n\n\n"))))

;;;; 5. Wrap flags of lines pushed several at a time (libvterm >= 0.2)

(ert-deftest vterm-test-defects-5-multi-line-scroll-wrap-flags ()
  "Issue 13 #5: SU pushes lines with their own wrap flags."
  (skip-unless (vterm-test-defects--continuation-p))
  (vterm-test--with-term (:free t :rows 3 :cols 10 :scrollback 10)
    (feed "AAAAAAAAAAAB\r\nCC\e[2S")
    (should (equal (vterm-test--text) "AAAAAAAAAAAB\nCC\n\n  \n"))
    (should (= (length (vterm-test-defects--marks 'vterm-line-wrap)) 1)))
  (vterm-test--with-term (:free t :rows 3 :cols 10 :scrollback 10)
    (feed "X\r\nBBBBBBBBBBCC\e[2S")
    (should (equal (vterm-test--text) "X\nBBBBBBBBBBCC\n\n  \n"))
    (should (equal (vterm-test--line 1) "X"))
    (should (= (length (vterm-test-defects--marks 'vterm-line-wrap)) 1))))

(ert-deftest vterm-test-defects-5-shrink-wrap-flags ()
  "Issue 13 #5: a shrinking resize pushes lines with their own wrap flags."
  (skip-unless (vterm-test-defects--continuation-p))
  (vterm-test--with-term (:free t :rows 4 :cols 10 :scrollback 10)
    (feed "X\r\nBBBBBBBBBBCC\r\nD")
    (vterm-test-defects--resize 1 10)
    (should (equal (vterm-test--text) "X\nBBBBBBBBBBCC\nD\n"))
    (should (= (length (vterm-test-defects--marks 'vterm-line-wrap)) 1))))

;;;; 6. Row info and scroll regions

(ert-deftest vterm-test-defects-6-region-keeps-prompt-below ()
  "Issue 13 #6: scrolling a region that starts at row 1 leaves the prompt
mark and directory of a row below the region where they were."
  (vterm-test--with-term (:free t :rows 6 :cols 20 :scrollback 10)
    (feed "\e[6;1H\e]51;Auser@host:/below\e\\P> ")
    (feed "\e[1;3r\e[3;1H\n\n\n\e[r")
    (let ((marks (vterm-test-defects--marks 'vterm-prompt)))
      (should (= (length marks) 1))
      (goto-char (car marks))
      (should (equal (buffer-substring (line-beginning-position)
                                       (line-end-position))
                     "P> "))
      (should (equal (vterm--get-pwd-raw vterm--term (line-number-at-pos))
                     "user@host:/below")))))

(ert-deftest vterm-test-defects-6-reverse-scroll-moves-row-info ()
  "Issue 13 #6: a reverse scroll (SD) moves the prompt mark down with its
row."
  (vterm-test--with-term (:free t :rows 6 :cols 20)
    (feed "\e]51;Auser@host:/p\e\\P> x")
    (feed "\e[2T")
    (should (equal (vterm-test--screen-trimmed) '("" "" "P> x" "" "" "")))
    (let ((marks (vterm-test-defects--marks 'vterm-prompt)))
      (should (= (length marks) 1))
      (should (= (line-number-at-pos (car marks)) 3)))))

;;;; 7. Out of memory

(defmacro vterm-test-defects--should-memory-full (&rest body)
  "Assert that BODY signals `memory-full' (not a kind of `error')."
  `(should (eq 'memory-full
               (condition-case err (progn ,@body 'no-signal)
                 (memory-full (car err))))))

(defun vterm-test-defects--skip-unless-faults ()
  "Skip unless the module was built with fault injection."
  (unless (fboundp 'vterm--inject-fault)
    (ert-skip "Module built without VTERM_FAULT_INJECTION")))

(ert-deftest vterm-test-defects-7-resize-out-of-memory ()
  "Issue 13 #7: a resize whose row info cannot be allocated signals
`memory-full' and leaves a working terminal of the old size."
  (vterm-test-defects--skip-unless-faults)
  (vterm-test--with-term (:free t :rows 5 :cols 10)
    (feed "abc")
    (vterm--inject-fault 'row-info)
    (vterm-test-defects--should-memory-full (vterm-test-defects--resize 12 40))
    (setq vterm-test--rows 5 vterm-test--cols 10)
    (feed "\r\nline two")
    (should-screen "abc" "line two")
    (vterm-test-defects--resize 7 12)
    (should-screen "abc" "line two")))

(ert-deftest vterm-test-defects-7-first-scrollback-ring-out-of-memory ()
  "Issue 13 #7: when the scrollback ring cannot be allocated, the output
signals `memory-full' once and the terminal keeps working."
  (vterm-test-defects--skip-unless-faults)
  (vterm-test--with-term (:free t :rows 3 :cols 10 :scrollback 100)
    (vterm--inject-fault 'scrollback-ring)
    (vterm-test-defects--should-memory-full
     (vterm--write-input vterm--term "1\r\n2\r\n3\r\n4"))
    (feed "\r\n5\r\n6")
    (should-screen "4" "5" "6")
    (should (string-match-p "\\`\\(?:[0-9]\n\\)*4\n5\n6\n\\'"
                            (vterm-test--text)))))

;;;; 8. Combining mark in a later write than its base in the last column

(ert-deftest vterm-test-defects-8-combining-after-edge-glyph ()
  "Issue 13 #8: a combining mark in a later write joins the glyph in the
last column, for every way of splitting the bytes."
  (let ((whole (encode-coding-string "abcde\u0301X" 'utf-8)))
    (dolist (split (number-sequence 1 (1- (length whole))))
      (vterm-test--with-term (:free t :rows 3 :cols 5)
        (feed (substring whole 0 split))
        (feed (substring whole split))
        (should (equal (vterm-test--screen-trimmed)
                       '("abcde\u0301" "X" "")))))
    (vterm-test--with-term (:free t :rows 3 :cols 5)
      (dotimes (i (length whole))
        (feed (substring whole i (1+ i))))
      (should (equal (vterm-test--screen-trimmed) '("abcde\u0301" "X" ""))))))

(ert-deftest vterm-test-defects-8-combining-after-wide-edge-glyph ()
  "Issue 13 #8: a combining mark in a later write joins a wide glyph that
ends the row."
  (vterm-test--with-term (:free t :rows 3 :cols 5)
    (feed "abc\u65e5")
    (feed "\u0301X")
    (should (equal (vterm-test--screen-trimmed) '("abc\u65e5\u0301" "X" "")))))

;;;; 9. REP in pending-wrap state

(ert-deftest vterm-test-defects-9-rep-after-pending-wrap ()
  "Issue 13 #9: REP after a glyph in the last column repeats that glyph,
wrapping onto the next row as xterm does."
  (vterm-test--with-term (:free t :rows 3 :cols 5)
    (feed "abcde\e[2b")
    (should (equal (vterm-test--screen-trimmed) '("abcde" "ee" "")))))

(ert-deftest vterm-test-defects-9-rep-wraps ()
  "Issue 13 #9: REP wraps past the end of the row."
  (vterm-test--with-term (:free t :rows 3 :cols 5)
    (feed "ab\e[6b")
    (should (equal (vterm-test--screen-trimmed) '("abbbb" "bbb" "")))))

;;;; 10. vterm--get-pwd-raw and changes not yet drawn

(ert-deftest vterm-test-defects-10-pwd-before-redraw ()
  "Issue 13 #10: `vterm--get-pwd-raw' answers for the buffer's lines as
drawn, whatever was pushed, evicted or popped since."
  (vterm-test--with-term (:free t :rows 3 :cols 10 :scrollback 3)
    (feed "\e]51;Au@h:/one\e\\1\r\n\e]51;Au@h:/two\e\\2\r\n"
          "\e]51;Au@h:/three\e\\3")
    (let ((drawn (vterm-test--text))
          (before (mapcar (lambda (l) (vterm--get-pwd-raw vterm--term l))
                          '(1 2 3))))
      (should (equal before '("u@h:/one" "u@h:/two" "u@h:/three")))
      ;; Undrawn output: five more lines (two evicted from scrollback).
      (vterm--write-input vterm--term
                          "\r\n\e]51;Au@h:/four\e\\4\r\n5\r\n6\r\n7\r\n8")
      (should (equal (vterm-test--text) drawn))
      (should (equal (mapcar (lambda (l) (vterm--get-pwd-raw vterm--term l))
                             '(1 2 3))
                     before))
      (redraw)
      (should (equal (vterm--get-pwd-raw vterm--term
                                         (vterm-test--line-count))
                     "u@h:/four")))))

(ert-deftest vterm-test-defects-10-pwd-after-pop ()
  "Issue 13 #10: lines popped back to the screen by a resize keep their
directory until and after the redraw."
  (vterm-test--with-term (:free t :rows 2 :cols 10 :scrollback 10)
    (feed "\e]51;Au@h:/a\e\\a\r\n\e]51;Au@h:/b\e\\b\r\nc")
    (should (equal (vterm--get-pwd-raw vterm--term 1) "u@h:/a"))
    (vterm-test-defects--resize 4 10) ; pops the lines back
    (should (equal (vterm-test--screen-trimmed) '("a" "b" "c" "")))
    (should (equal (vterm--get-pwd-raw vterm--term 1) "u@h:/a"))
    (should (equal (vterm--get-pwd-raw vterm--term 2) "u@h:/b"))))

(provide 'vterm-test-defects)

;;; vterm-test-defects.el ends here

;;; vterm-test-sync.el --- ERT: synchronized output (DEC mode 2026)  -*- lexical-binding: t; -*-

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

;; Issue 9, item 2: between CSI ? 2026 h and CSI ? 2026 l the buffer is
;; not redrawn; an update never ended shows after
;; `vterm-synchronized-output-timeout'; DECRQM for 2026 is answered;
;; `vterm-enable-synchronized-output' turns it all off.  The
;; process-free tests enable the mode with
;; `vterm--set-synchronized-output', as `vterm-mode' does; the others
;; run programs on a real pty and record every state the buffer is
;; redrawn to.

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-sync--enable ()
  "Make the process-free terminal of the current buffer honour mode 2026."
  (vterm--set-synchronized-output vterm--term t))

(defmacro vterm-test-sync--recording (var &rest body)
  "Run BODY, pushing onto VAR the screen (rows trimmed) after every redraw."
  (declare (indent 1) (debug (symbolp body)))
  (let ((record (make-symbol "record")))
    `(let ((,record (lambda (&rest _)
                      (push (vterm-test--screen-trimmed) ,var))))
       (advice-add 'vterm--redraw :after ,record)
       (unwind-protect (progn ,@body)
         (advice-remove 'vterm--redraw ,record)))))

(defun vterm-test-sync--frame-rows (screen)
  "Return the rows of SCREEN that belong to a test frame."
  (cl-remove-if-not (lambda (row) (string-match-p "^frame [0-9]+ " row))
                    screen))

(defun vterm-test-sync--partial-p (screen rows)
  "Whether SCREEN shows part of a frame of ROWS rows plus an end row.
A frame is ROWS rows \"frame F row R\" then \"frame F end\", all of
the same F; a screen without any frame row is not partial."
  (let ((frame-rows (vterm-test-sync--frame-rows screen)))
    (and frame-rows
         (let ((f (and (string-match "^frame \\([0-9]+\\) " (car frame-rows))
                       (match-string 1 (car frame-rows)))))
           (not (equal frame-rows
                       (append (cl-loop for r from 1 to rows
                                        collect (format "frame %s row %d" f r))
                               (list (format "frame %s end" f)))))))))

;;;; Process-free: the module holds its redraws

(ert-deftest vterm-test-sync-held-until-reset ()
  "Between h and l the buffer keeps the old screen; l shows the new one."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-sync--enable)
    (feed "old")
    (feed "\e[?2026h\e[2J\e[Hnew\r\nsecond")
    (should-screen "old")
    (should (vterm--synchronized-p vterm--term))
    (feed "\e[?2026l")
    (should-not (vterm--synchronized-p vterm--term))
    (should-screen "new" "second")
    (should-cursor 1 6)))

(ert-deftest vterm-test-sync-every-byte ()
  "A full redraw fed one byte per write, redrawn after each, never shows half.
The only states drawn are the old screen and the new one."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-sync--enable)
    (feed "one\r\ntwo\r\nthree")
    (let ((old (vterm-test--screen-trimmed))
          (bytes (concat "\e[?2026h\e[H\e[2JONE\r\nTWO\r\nTHREE\r\nFOUR"
                         "\e[?2026l"))
          (states nil))
      (dotimes (i (length bytes))
        (feed (substring bytes i (1+ i)))
        (push (vterm-test--screen-trimmed) states))
      (should (equal (car states) '("ONE" "TWO" "THREE" "FOUR")))
      (should-not (cl-remove-if (lambda (s) (or (equal s old)
                                                (equal s (car states))))
                                states)))))

(ert-deftest vterm-test-sync-duplicate-and-stray ()
  "A repeated h is one update, ended by one l; an l without h does nothing."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (vterm-test-sync--enable)
    (feed "\e[?2026h\e[?2026hA")
    (should-screen "")
    (feed "\e[?2026l")
    (should-screen "A")
    (feed "\e[?2026l\e[?2026lB")
    (should-screen "AB")
    (feed "\e[?25;2026hC")
    (should-screen "AB")
    (feed "\e[?2026;25l")
    (should-screen "ABC")))

(ert-deftest vterm-test-sync-resize-during-update ()
  "A resize while an update is held keeps it held, then draws it whole."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-sync--enable)
    (feed "before")
    (feed "\e[?2026h\e[H\e[2Jhalf")
    (let ((inhibit-read-only t))
      (vterm--set-size vterm--term 6 30))
    (setq vterm-test--rows 6)
    (redraw)
    (should-not (vterm-test--find "half"))
    (should (vterm-test--find "before"))
    (feed "\r\nwhole\e[?2026l")
    (should-screen "half" "whole")
    (should (= (length (vterm-test--screen)) 6))
    (should-cursor 1 5)))

(ert-deftest vterm-test-sync-decrqm ()
  "DECRQM for 2026 is answered 2 (reset) or 1 (set), however it is cut."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (vterm-test-sync--enable)
    (flushed)
    (feed "\e[?2026$p")
    (should (equal (flushed) "\e[?2026;2$y"))
    (let ((query "\e[?2026h\e[?2026$p\e[?2026l"))
      (dotimes (i (length query))
        (feed (substring query i (1+ i)))))
    (should (equal (flushed) "\e[?2026;1$y"))))

(ert-deftest vterm-test-sync-disabled ()
  "Without `vterm--set-synchronized-output' the mode is ignored, as before.
Redraws happen as usual and DECRQM gets libvterm's answer, 0."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (flushed)
    (feed "\e[?2026hshown")
    (should-screen "shown")
    (feed "\e[?2026$p")
    (should (equal (flushed) "\e[?2026;0$y"))
    (should-not (vterm--synchronized-p vterm--term))))

;;;; Programs on a pty

(defconst vterm-test-sync--frames-script
  "rows=$1
for f in 1 2 3; do
  printf '\\033[?2026h\\033[H\\033[2J'
  r=1
  while [ $r -le $rows ]; do
    printf 'frame %d row %d\\r\\n' $f $r
    r=$((r+1))
    sleep 0.05
  done
  printf 'frame %d end\\033[?2026l' $f
  sleep 0.3
done
sleep 30
"
  "Shell script drawing 3 frames of ROWS rows, a row every 50 ms, under 2026.")

(defun vterm-test-sync--run-frames (enable)
  "Run the frames script with `vterm-enable-synchronized-output' ENABLE.
Return every screen the buffer was redrawn to while it ran."
  (let ((vterm-enable-synchronized-output enable)
        (script (vterm-test--write-script "sync-frames.sh"
                                          vterm-test-sync--frames-script))
        (states nil))
    (vterm-test--with-term (:rows 10 :cols 40)
      (vterm-test-sync--recording states
        (run (format "clear; sh %s 6" script))
        (wait-for "^frame 3 end")))
    states))

(ert-deftest vterm-test-sync-program-frames-whole ()
  "A program's redraws under 2026, cut by sleeps, only ever show whole frames."
  (vterm-test--skip-unless-posix)
  (let ((states (vterm-test-sync--run-frames t)))
    (should (cl-some #'vterm-test-sync--frame-rows states))
    (should-not (cl-remove-if-not
                 (lambda (s) (vterm-test-sync--partial-p s 6)) states))))

(ert-deftest vterm-test-sync-program-frames-option-off ()
  "With `vterm-enable-synchronized-output' nil the same program shows halves.
This also shows that the whole-frames test can fail."
  (vterm-test--skip-unless-posix)
  (let ((states (vterm-test-sync--run-frames nil)))
    (should (cl-remove-if-not
             (lambda (s) (vterm-test-sync--partial-p s 6)) states))))

(ert-deftest vterm-test-sync-never-ended ()
  "An update never ended shows after the timeout, and the terminal goes on."
  (let ((vterm-enable-synchronized-output t)
        (vterm-synchronized-output-timeout 1.0)
        (arrived nil))
    (vterm-test--with-term (:rows 5 :cols 40)
      (let ((spy (lambda (_term output)
                   (when (and (not arrived) (string-match-p "HELLO" output))
                     (setq arrived (float-time))))))
        (advice-add 'vterm--write-input :after spy)
        (unwind-protect
            (progn
              (run "printf '\\033[?2026hHEL''LO'; sleep 30")
              (wait-for "HELLO" 10))
          (advice-remove 'vterm--write-input spy)))
      (should arrived)
      (let ((waited (- (float-time) arrived)))
        (should (>= waited 0.9))
        (should (< waited 5)))
      (should-not (vterm--synchronized-p vterm--term))
      (input "typed")
      (wait-for "HELLOtyped"))))

(ert-deftest vterm-test-sync-decrqm-from-program ()
  "A program on the pty reads the DECRQM replies: 2, then 1 inside an update.
With the option off it reads libvterm's 0."
  (let ((script (vterm-test--write-script
                 "sync-decrqm.sh"
                 "stty raw -echo
ask() { printf '\\033[?2026$p' >/dev/tty; dd bs=1 count=11 2>/dev/null | od -An -tx1 | tr -d ' \\n'; }
a=$(ask)
printf '\\033[?2026h'
b=$(ask)
printf '\\033[?2026l'
stty sane
printf 'R1=%s R2=%s\\n' $a $b
")))
    (dolist (case '((t "1b5b3f323032363b322479" "1b5b3f323032363b312479")
                    (nil "1b5b3f323032363b302479" "1b5b3f323032363b302479")))
      (let ((vterm-enable-synchronized-output (car case)))
        (vterm-test--with-term (:rows 5 :cols 60)
          (run (format "sh %s" script))
          (should (equal (wait-for "R1=\\([0-9a-f]+ R2=[0-9a-f]+\\)")
                         (format "%s R2=%s" (nth 1 case) (nth 2 case)))))))))

;;; vterm-test-sync.el ends here

;;; vterm-test-perf.el --- ERT: lazy scrollback faces, large scrollback  -*- lexical-binding: t; -*-

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

;; Issue 11 (performance at scale).  With `vterm-lazy-scrollback-faces'
;; the scrollback is inserted without faces and `jit-lock' puts them on
;; from the cells the module keeps.  These tests check that whoever
;; needs the faces gets exactly the faces an eager terminal has: display
;; (`jit-lock-fontify-now', as redisplay does), `font-lock-ensure',
;; copying (`kill-ring-save', `filter-buffer-substring'), isearch in copy
;; mode, and copy mode with its fake newlines removed; and that bogus
;; calls of the module function are harmless.  Redraw pacing
;; (`vterm-adaptive-redraw'): output after a quiet time is drawn by the
;; filter itself, a flood on the timer, the end of a burst once the
;; output pauses.  Speed is measured by the benchmarks in bench/,
;; never here.

;;; Code:

(require 'vterm-test-helpers)

(defconst vterm-test-perf--colours
  (concat "\e[31mred\e[0m plain \e[1;42mbold-on-green\e[0m "
          "\e[38;2;10;20;30mrgb\e[0m \e[7minverse\e[0m")
  "One line with several styles, each followed by a reset.")

(defun vterm-test-perf--lines (n)
  "Return N coloured lines, numbered, as terminal output."
  (mapconcat (lambda (i) (format "%d %s" i vterm-test-perf--colours))
             (number-sequence 1 n) "\r\n"))

(defun vterm-test-perf--faces (&optional beg end)
  "Return (POS . FACE) for every face change between BEG and END."
  (let ((pos (or beg (point-min)))
        (end (or end (point-max)))
        faces)
    (while (< pos end)
      (push (cons pos (get-text-property pos 'font-lock-face)) faces)
      (setq pos (next-single-property-change pos 'font-lock-face nil end)))
    (nreverse faces)))

(defun vterm-test-perf--scrollback-end ()
  "Return the position where the screen rows start."
  (save-excursion
    (goto-char (point-max))
    (forward-line (- vterm-test--rows))
    (point)))

(defun vterm-test-perf--lazy-free ()
  "Turn lazy faces on in the current process-free terminal buffer."
  (let ((vterm-lazy-scrollback-faces t))
    (setq-local font-lock-defaults '(nil t)) ; as `vterm-mode' does
    (vterm--lazy-faces-setup)))

(defun vterm-test-perf--eager-faces (lines rows)
  "Return the faces of an eager ROWS-row terminal fed LINES."
  (vterm-test--with-term (:free t :rows rows :cols 80)
    (feed lines)
    (redraw)
    (vterm-test-perf--faces)))

;;;; ASCII redraws

(ert-deftest vterm-test-perf-ascii-redraw-same-text ()
  "A redraw of pure ASCII text gives the same buffer as any other.
The module makes such text as a unibyte string (one copy less for
Emacs); the buffer must stay multibyte, with the same characters
and faces, also when later text is not ASCII."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed "plain \e[31mred\e[0m\r\n")
    (should (multibyte-string-p (buffer-string)))
    (should-screen "plain red" "" "" "")
    (should (equal (plist-get (vterm-test--face-of "red") :foreground) "red3"))
    (feed "caf\u00e9 \e[32m\u4e2d\e[0m\r\nmore ascii")
    (should-screen "plain red" "café 中" "more ascii" "")
    (should (equal (plist-get (vterm-test--face-of "中") :foreground) "green3"))
    (should (eq (char-after (vterm-test--find "é")) ?é))))

;;;; Redraw pacing

(defun vterm-test-perf--drawn-by-filter (adaptive)
  "Whether late output shows as soon as the filter has run it.
A shell waits a second, then prints a line; with
`vterm-adaptive-redraw' bound to ADAPTIVE, return non-nil when the
line was in the buffer the moment the process filter returned from
the chunk that carried it (no timer in between)."
  (let ((vterm-timer-delay 0.1)
        (vterm-adaptive-redraw adaptive)
        (drawn 'never-seen))
    (vterm-test--with-term ()
      (add-function :after (process-filter vterm--process)
                    (lambda (_process output)
                      (when (and (eq drawn 'never-seen)
                                 (string-match-p "LATE-OUTPUT" output))
                        (setq drawn (and (vterm-test--find "^LATE-OUTPUT$")
                                         t)))))
      (run "sleep 1; echo LATE-\"\"OUTPUT")
      (wait-for "^LATE-OUTPUT$"))
    (should-not (eq drawn 'never-seen))
    drawn))

(ert-deftest vterm-test-perf-pacing-late-output-at-once ()
  "Adaptive pacing draws output after a quiet time without a timer.
With upstream's fixed delay the same output waits for the timer."
  (should (vterm-test-perf--drawn-by-filter t))
  (should-not (vterm-test-perf--drawn-by-filter nil)))

(defun vterm-test-perf--end-of-burst-wait (adaptive)
  "Seconds the end of a burst waits to be drawn, pacing by ADAPTIVE.
With `vterm-timer-delay' 2 and `vterm-adaptive-redraw' ADAPTIVE, a
program prints 3000 lines (full reads, so not drawn at once) and
stops; return the time between the filter getting the last line and
the buffer showing it."
  (let ((vterm-timer-delay 2)
        (vterm-adaptive-redraw adaptive)
        (arrived nil)
        (shown nil))
    (vterm-test--with-term
        (:wait nil :shell "sh -c 'sleep 0.5; seq 1 3000; sleep 30'")
      (add-function :after (process-filter vterm--process)
                    (lambda (_process output)
                      (when (and (not arrived)
                                 (string-match-p "^3000" output))
                        (setq arrived (float-time)))))
      (vterm-test--wait-drawn "^3000$" 0.005)
      (setq shown (float-time)))
    (should arrived)
    (- shown arrived)))

(ert-deftest vterm-test-perf-pacing-end-of-burst ()
  "With pacing on, the end of a burst is drawn once the output pauses.
Upstream's pacing (`vterm-adaptive-redraw' nil, the check that can
fail) waits the whole `vterm-timer-delay', here 2 s."
  (should (< (vterm-test-perf--end-of-burst-wait t) 1.0))
  (should (>= (vterm-test-perf--end-of-burst-wait nil) 1.0)))

(defun vterm-test-perf--flood (adaptive delay)
  "Return (REDRAWS . CHUNKS) of a flood, paced by ADAPTIVE and DELAY.
They are the values of `vterm-adaptive-redraw' and `vterm-timer-delay'.
The terminal's program prints 60000 numbered lines, without a key
typed (keys are drawn at once, unpaced).  REDRAWS counts the
redraws of the buffer until the last line is drawn, CHUNKS the
chunks of output the filter got."
  (let ((vterm-timer-delay delay)
        (vterm-adaptive-redraw adaptive)
        (redraws 0)
        (chunks 0))
    (cl-letf* ((redraw (symbol-function 'vterm--delayed-redraw))
               ((symbol-function 'vterm--delayed-redraw)
                (lambda (buffer)
                  (cl-incf redraws)
                  (funcall redraw buffer))))
      (vterm-test--with-term
          (:scrollback 100 :wait nil
           :shell "sh -c 'sleep 0.3; seq 1 60000; echo FLOOD-END; sleep 30'")
        (add-function :before (process-filter vterm--process)
                      (lambda (&rest _) (cl-incf chunks)))
        (vterm-test--wait-drawn "^FLOOD-END$")
        (should (vterm-test--find "^60000$"))))
    (cons redraws chunks)))

(ert-deftest vterm-test-perf-pacing-flood-on-the-timer ()
  "A flood is drawn on the timer, not chunk by chunk, with pacing on.
60000 lines arrive in many chunks; the buffer is redrawn a few
times, far fewer than the chunks (with `vterm-timer-delay' nil, the
check that can fail, every chunk is drawn)."
  (pcase-let ((`(,redraws . ,chunks) (vterm-test-perf--flood t 0.1)))
    (should (> chunks 20))
    (should (< redraws (/ chunks 4))))
  (pcase-let ((`(,redraws . ,chunks) (vterm-test-perf--flood t nil)))
    (should (>= redraws chunks))))

(ert-deftest vterm-test-perf-scrollback-plain-until-needed ()
  "Issue 11: scrollback text from a real shell carries no faces until
it is displayed; then it has the faces the screen showed."
  (vterm-test--skip-unless-program "printf")
  (vterm-test--with-term (:rows 5 :scrollback 1000)
    (run "i=0; while [ $i -lt 40 ]; do printf '\\033[31mRED%d\\033[0m x\\n' $i; i=$((i+1)); done; echo END-\"\"MARK")
    (wait-for "^END-MARK\n")
    (redraw)
    (let ((sb-end (vterm-test-perf--scrollback-end))
          (red (save-excursion
                 (goto-char (point-min))
                 (search-forward "RED3 " nil t)
                 (- (point) 5))))
      (should (< red sb-end))
      ;; Nothing in the scrollback has a face yet: no intervals to walk.
      (should-not (text-property-not-all (point-min) sb-end
                                         'font-lock-face nil))
      ;; Redisplay fontifies through jit-lock.
      (jit-lock-fontify-now (point-min) sb-end)
      (let ((face (get-text-property red 'font-lock-face)))
        (should face)
        (should (equal (plist-get face :foreground)
                       (vterm--get-color 1 :foreground)))
        ;; The reset after the number: the default colours again.
        (should-not (equal (get-text-property (+ red 5) 'font-lock-face)
                           face))))))

(ert-deftest vterm-test-perf-lazy-equals-eager ()
  "Issue 11: after fontification the buffer has the eager faces exactly."
  (let* ((lines (vterm-test-perf--lines 60))
         (eager (vterm-test-perf--eager-faces lines 6)))
    (vterm-test--with-term (:free t :rows 6 :cols 80)
      (vterm-test-perf--lazy-free)
      (feed lines)
      (redraw)
      (should-not (equal (vterm-test-perf--faces) eager))
      (font-lock-ensure)
      (should (equal (vterm-test-perf--faces) eager)))))

(ert-deftest vterm-test-perf-lazy-across-redraws ()
  "Issue 11: lines pushed, evicted and fontified between redraws."
  (let* ((lines (vterm-test-perf--lines 90))
         (eager (vterm-test--with-term (:free t :rows 4 :cols 80
                                              :scrollback 30)
                  ;; The same chunks and redraws as below.
                  (feed (substring lines 0 1000))
                  (redraw)
                  (feed (substring lines 1000))
                  (redraw)
                  (vterm-test-perf--faces))))
    (vterm-test--with-term (:free t :rows 4 :cols 80 :scrollback 30)
      (vterm-test-perf--lazy-free)
      (feed (substring lines 0 1000))
      (redraw)
      ;; Lines now pushed and evicted but not yet redrawn: the buffer
      ;; lags behind the ring, and fontifying must follow the buffer.
      (feed (substring lines 1000 3000))
      (jit-lock-fontify-now)
      (let ((drawn (vterm-test-perf--faces)))
        (should (cl-some #'cdr drawn)))
      (feed (substring lines 3000))
      (redraw)
      (jit-lock-fontify-now)
      (should (equal (vterm-test-perf--faces) eager)))))

(ert-deftest vterm-test-perf-kill-ring-save-has-faces ()
  "Issue 11: copying scrollback text copies its faces."
  (vterm-test--with-term (:free t :rows 4 :cols 80)
    (vterm-test-perf--lazy-free)
    (feed (vterm-test-perf--lines 20))
    (redraw)
    (goto-char (point-min))
    (let ((kill-ring nil)
          (beg (line-beginning-position 2))
          (end (line-end-position 3)))
      (should-not (text-property-not-all beg end 'font-lock-face nil))
      (kill-ring-save beg end)
      (let* ((copied (car kill-ring))
             (at (string-match "red" copied)))
        (should at)
        (should (get-text-property at 'font-lock-face copied))
        (should (get-text-property (string-match "bold-on-green" copied)
                                   'font-lock-face copied))))))

(ert-deftest vterm-test-perf-isearch-in-copy-mode ()
  "Issue 11: isearch finds scrollback text, which then shows its face."
  (vterm-test--skip-unless-program "printf")
  (vterm-test--with-term (:rows 5 :scrollback 1000)
    (run "printf '\\033[32mNEEDLE\\033[0m\\n'; i=0; while [ $i -lt 20 ]; do echo pad$i; i=$((i+1)); done; echo END-\"\"MARK")
    (wait-for "^END-MARK\n")
    (redraw)
    (save-window-excursion
      (switch-to-buffer (current-buffer))
      (vterm-copy-mode 1)
      (goto-char (point-max))
      (execute-kbd-macro (kbd "C-r NEEDLE RET"))
      (should (< (point) (vterm-test-perf--scrollback-end)))
      (should (looking-at "NEEDLE"))
      ;; What redisplay does for the window that now shows it:
      (jit-lock-fontify-now (line-beginning-position) (line-end-position))
      (should (equal (plist-get (get-text-property (point) 'font-lock-face)
                                :foreground)
                     (vterm--get-color 2 :foreground)))
      (vterm-copy-mode -1))))

(ert-deftest vterm-test-perf-copy-mode-fake-newlines ()
  "Issue 11: copy mode joining wrapped lines keeps every face."
  (let* ((long (concat "\e[33m" (make-string 100 ?y) "\e[0m tail"))
         (lines (concat (mapconcat (lambda (_) long) (number-sequence 1 6)
                                   "\r\n")
                        "\r\n" (vterm-test-perf--lines 10))))
    (vterm-test--with-term (:rows 4 :cols 40 :wait nil
                                  :shell "cat")
      (let ((vterm-copy-mode-remove-fake-newlines t))
        (vterm--filter vterm--process lines)
        (redraw)
        (vterm-copy-mode 1)
        (goto-char (point-min))
        (should (search-forward (make-string 100 ?y) nil t))
        (should (equal (plist-get (get-text-property (1- (point))
                                                     'font-lock-face)
                                  :foreground)
                       (vterm--get-color 3 :foreground)))
        (vterm-copy-mode -1)))))

(ert-deftest vterm-test-perf-off-is-eager ()
  "Issue 11: with `vterm-lazy-scrollback-faces' nil faces come at once."
  (vterm-test--skip-unless-program "printf")
  (let ((vterm-lazy-scrollback-faces nil))
    (vterm-test--with-term (:rows 5 :scrollback 1000)
      (run "i=0; while [ $i -lt 20 ]; do printf '\\033[31mRED%d\\033[0m\\n' $i; i=$((i+1)); done; echo END-\"\"MARK")
      (wait-for "^END-MARK\n")
      (redraw)
      (should (text-property-not-all (point-min)
                                     (vterm-test-perf--scrollback-end)
                                     'font-lock-face nil)))))

(ert-deftest vterm-test-perf-fontify-hostile-arguments ()
  "Issue 11: bogus `vterm--fontify-lines' calls do nothing or signal."
  (vterm-test--with-term (:free t :rows 4 :cols 80)
    (vterm-test-perf--lazy-free)
    (feed (vterm-test-perf--lines 30))
    (redraw)
    (let ((before (buffer-string))
          (inhibit-read-only t))
      (dolist (args `((0 1 100) (-1 1 100) (,most-negative-fixnum 1 100)
                      (1 ,(point-max) 1) (1 1 1) (3 1 ,(point-max))
                      (,most-positive-fixnum 1 ,(point-max))
                      (1 ,(* 2 (point-max)) ,(* 3 (point-max)))))
        (apply #'vterm--fontify-lines vterm--term args))
      (should (equal (buffer-substring-no-properties (point-min) (point-max))
                     (substring-no-properties before)))
      (should-error (vterm--fontify-lines vterm--term "1" 1 2)
                    :type 'wrong-type-argument)
      (should-error (vterm--fontify-lines 'not-a-term 1 1 2)
                    :type 'wrong-type-argument))))

(ert-deftest vterm-test-perf-large-scrollback-kept ()
  "Issue 11: more than upstream's 100000 lines are kept, in order."
  :tags '(:expensive-test)
  (vterm-test--with-term (:free t :rows 4 :cols 20 :scrollback 120000)
    (vterm-test-perf--lazy-free)
    (feed (mapconcat #'number-to-string (number-sequence 1 120010) "\r\n"))
    (redraw)
    (should (= (vterm-test--line-count) (+ 120000 4)))
    (should (equal (vterm-test--line 1) "7"))
    (should (equal (vterm-test--line 120000) "120006"))))

;;; vterm-test-perf.el ends here

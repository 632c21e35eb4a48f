;;; vterm-test-reflow.el --- ERT: re-wrapping lines on resize  -*- lexical-binding: t; -*-

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

;; Reflow on resize (protocol issue, item 10), libvterm >= 0.3 only: the
;; tests that need it skip on libvterm 0.1.4 with the reason, and one test
;; checks that there `vterm--set-reflow' says no and changes nothing.
;; Process-free terminals start with reflow off (the module's default, so
;; upstream's §4.4 "no reflow" still holds for `vterm--new'); these tests
;; turn it on, as `vterm-mode' does from `vterm-enable-reflow'.

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-reflow--skip-unless-supported ()
  "Skip the current test unless the module can reflow."
  (unless (plist-get (vterm--module-info) :reflow)
    (ert-skip "libvterm < 0.3: no reflow (vterm_screen_enable_reflow)")))

(defun vterm-test-reflow--set-size (rows cols)
  "Resize the fixture terminal to ROWS x COLS and redraw."
  (let ((inhibit-read-only t))
    (vterm--set-size vterm--term rows cols))
  (setq vterm-test--rows rows
        vterm-test--cols cols)
  (vterm-test--redraw))

(defun vterm-test-reflow--on ()
  "Turn reflow on for the fixture terminal."
  (should (eq (vterm--set-reflow vterm--term t) t)))

(ert-deftest vterm-test-reflow-narrow-widen ()
  "A wrapped line re-wraps when the width shrinks and grows back."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (vterm-test-reflow--on)
    (feed "abcdefghijKLMNO\r\n$ ")
    (should-screen "abcdefghij" "KLMNO" "$")
    (vterm-test-reflow--set-size 4 6)
    (should-screen "abcdef" "ghijKL" "MNO" "$")
    (should-cursor 3 2)
    (vterm-test-reflow--set-size 4 20)
    (should-screen "abcdefghijKLMNO" "$")
    (should-cursor 1 2)
    (should (equal (text) "abcdefghijKLMNO\n$ \n\n\n"))))

(ert-deftest vterm-test-reflow-keeps-hyperlinks ()
  "An OSC 8 link on a re-wrapped line stays on exactly its characters."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (vterm-test-reflow--on)
    (feed "abc\e]8;;http://x/\e\\defghijKL\e]8;;\e\\MNO\r\n$ ")
    (should-screen "abcdefghij" "KLMNO" "$")
    (dolist (cols '(6 4 20 10))
      (vterm-test-reflow--set-size 4 cols)
      (let ((linked ""))
        (save-excursion
          (goto-char (point-min))
          (while (not (eobp))
            (when (equal (get-text-property (point) 'vterm-hyperlink)
                         "http://x/")
              (setq linked (concat linked (string (char-after)))))
            (forward-char)))
        (should (equal (cons cols linked) (cons cols "defghijKL")))))))

(ert-deftest vterm-test-reflow-wrap-properties ()
  "Rows of a re-wrapped line end in a `vterm-line-wrap' newline."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (vterm-test-reflow--on)
    (feed "abcdefghijKLMNO\r\n$ ")
    (vterm-test-reflow--set-size 4 5)
    (should-screen "abcde" "fghij" "KLMNO" "$")
    (goto-char (point-min))
    (should (get-text-property (line-end-position) 'vterm-line-wrap))
    (forward-line 1)
    (should (get-text-property (line-end-position) 'vterm-line-wrap))
    (forward-line 1)
    (should-not (get-text-property (line-end-position) 'vterm-line-wrap))
    (should (equal (text) "abcdefghijKLMNO\n$ \n"))))

(ert-deftest vterm-test-reflow-exact-width-q3 ()
  "Q3: a line exactly COLS wide stays its own line through a reflow."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 5 :cols 10)
    (vterm-test-reflow--on)
    (feed "0123456789\r\nnext\r\n$ ")
    (vterm-test-reflow--set-size 5 5)
    (should-screen "01234" "56789" "next" "$")
    (vterm-test-reflow--set-size 5 10)
    (should-screen "0123456789" "next" "$")
    (goto-char (point-min))
    (should-not (get-text-property (line-end-position) 'vterm-line-wrap))
    (should (equal (text) "0123456789\nnext\n$ \n\n\n"))))

(ert-deftest vterm-test-reflow-full-screen-keeps-text ()
  "Narrowing a full screen scrolls whole lines out; no text is lost."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10 :scrollback 100)
    (vterm-test-reflow--on)
    (feed "abcdefghijklmnopq\r\n12345678\r\n$ ")
    (should-screen "abcdefghij" "klmnopq" "12345678" "$")
    (vterm-test-reflow--set-size 4 6)
    (should-screen "123456" "78" "$")
    (should-cursor 2 2)
    (should (equal (text) "abcdefghijklmnopq\n12345678\n$ \n\n"))
    (vterm-test-reflow--set-size 4 10)
    (should (string-prefix-p "abcdefghijklmnopq\n12345678\n$ \n"
                             (text)))))

(ert-deftest vterm-test-reflow-scrollback-round-trip ()
  "Lines that go to scrollback and come back keep their text."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 3 :cols 8 :scrollback 100)
    (vterm-test-reflow--on)
    (feed "first-line-long\r\nsecond\r\nthird\r\n$ ")
    (let ((before (text)))
      (dolist (size '((3 5) (3 12) (2 4) (6 8) (3 8)))
        (vterm-test-reflow--set-size (car size) (cadr size))
        (should (string-match-p "first-line-long\nsecond\nthird\n\\$ "
                                (text))))
      (should (string-prefix-p (string-trim-right before) (text))))))

(ert-deftest vterm-test-reflow-cursor-line-too-tall ()
  "A cursor line taller than the new screen does not reflow (libvterm aborts)."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (vterm-test-reflow--on)
    (feed "$ 0123456789012345678901234567890123")
    (vterm-test-reflow--set-size 4 5)
    (vterm-test-reflow--set-size 2 3)
    (vterm-test-reflow--set-size 4 10)
    (feed "\e[H\e[2Jstill-works")
    (should-screen "still-work" "s")))

(ert-deftest vterm-test-reflow-continued-top-row ()
  "A top row continuing a line in scrollback re-wraps on its own."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10 :scrollback 100)
    (vterm-test-reflow--on)
    (feed "abcdefghijklmnopqrstuvwxy\r\n12\r\n$ ")
    (should-screen "klmnopqrst" "uvwxy" "12" "$")
    (vterm-test-reflow--set-size 4 6)
    (should (string-prefix-p "abcdefghijklmnopqrstuvwxy\n12\n$ \n" (text)))
    (vterm-test-reflow--set-size 4 10)
    (should (string-match-p "\\`abcdefghijklmnopqrstuvwxy\n12\n\\$ \n"
                            (text)))))

(ert-deftest vterm-test-reflow-prompt-follows ()
  "The prompt mark of a re-wrapped prompt line moves with its cell."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (vterm-test-reflow--on)
    (feed "0123456789abcdefghi> \e]51;A/tmp\e\\ls")
    (should (eq (get-text-property 24 'vterm-prompt) t)) ; row 2, column 1
    (vterm-test-reflow--set-size 4 30)
    (should-screen "0123456789abcdefghi> ls")
    (should (eq (get-text-property 22 'vterm-prompt) t))
    (should (= (length (vterm-test-reflow--prompts)) 1))
    (vterm-test-reflow--set-size 4 7)
    (should-screen "0123456" "789abcd" "efghi>" "ls")
    (should (eq (get-text-property 25 'vterm-prompt) t))
    (should (= (length (vterm-test-reflow--prompts)) 1))
    (should (equal (vterm--get-pwd-raw vterm--term 4) "/tmp"))))

(defun vterm-test-reflow--prompts ()
  "Positions carrying `vterm-prompt' in the buffer."
  (let (found (pos (point-min)))
    (while (setq pos (text-property-any pos (point-max) 'vterm-prompt t))
      (push pos found)
      (setq pos (1+ pos)))
    found))

(ert-deftest vterm-test-reflow-shell-prompt ()
  "bash's prompt mark (51;A) stays on the prompt through reflows."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:shell 'bash-prompt :rows 8 :cols 40)
    (vterm-test-reflow--on)
    (run "printf '%s\\n' abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ")
    (wait-for "^abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\nP> ")
    (dolist (cols '(12 25 7 40))
      (vterm-test-reflow--set-size 8 cols)
      (let ((prompts (vterm-test-reflow--prompts)))
        (should (= (length prompts) 2))
        (dolist (pos prompts)
          (should (equal (buffer-substring-no-properties (- pos 3) pos)
                         "P> ")))))
    (should (string-match-p
             "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\nP> \\'"
             (string-trim-right (text) "\n+")))
    (run "echo done-$((6*7))")
    (wait-for "^done-42$")))

(ert-deftest vterm-test-reflow-option-off ()
  "With reflow off, narrowing cuts rows as upstream does."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (should (eq (vterm--set-reflow vterm--term nil) t))
    (feed "abcdefghijKLMNO\r\n$ ")
    (vterm-test-reflow--set-size 4 6)
    (should-screen "abcdef" "KLMNO" "$")))

(ert-deftest vterm-test-reflow-unsupported-is-no-op ()
  "With libvterm < 0.3, `vterm--set-reflow' says nil and nothing changes."
  (when (plist-get (vterm--module-info) :reflow)
    (ert-skip "libvterm >= 0.3: reflow is supported"))
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (should-not (vterm--set-reflow vterm--term t))
    (feed "abcdefghijKLMNO\r\n$ ")
    (vterm-test-reflow--set-size 4 6)
    (should-screen "abcdef" "KLMNO" "$")))

(ert-deftest vterm-test-reflow-altscreen ()
  "The alternate screen does not reflow; the primary one does after it."
  (vterm-test-reflow--skip-unless-supported)
  (vterm-test--with-term (:free t :rows 4 :cols 10)
    (vterm-test-reflow--on)
    (feed "$ \e[?1049h\e[HALTSCREEN-LONG")
    (vterm-test-reflow--set-size 4 6)
    (should (equal (car (screen)) "ALTSCR"))
    (feed "\e[?1049l\r\nabcdefghijKLMNO\r\n$ ")
    (should-screen "abcdef" "ghijKL" "MNO" "$")
    (vterm-test-reflow--set-size 4 20)
    (should-screen "$" "abcdefghijKLMNO" "$")))

(defun vterm-test-reflow--random-text (state)
  "Lines of random ASCII text from random STATE, as terminal output."
  (let (lines)
    (dotimes (_ (1+ (cl-random 4 state)))
      (let ((n (cl-random 30 state)))
        (push (apply #'string
                     (cl-loop repeat n
                              collect (+ ?a (cl-random 26 state))))
              lines)))
    (concat (mapconcat #'identity (nreverse lines) "\r\n") "\r\n$ ")))

(ert-deftest vterm-test-reflow-random-matches-fresh ()
  "After random widths, the screen equals a fresh one printed at the last.
The text fits on the screen at every width, where libvterm's reflow is
expected to agree with printing the same text again."
  (vterm-test-reflow--skip-unless-supported)
  (let ((state (cl-make-random-state 42)))
    (dotimes (_ 40)
      (let* ((text (vterm-test-reflow--random-text state))
             (widths (cl-loop repeat (1+ (cl-random 5 state))
                              collect (+ 5 (cl-random 30 state))))
             (final (car (last widths)))
             got want)
        (vterm-test--with-term (:free t :rows 30 :cols 20)
          (vterm-test-reflow--on)
          (feed text)
          (dolist (w widths)
            (vterm-test-reflow--set-size 30 w))
          (setq got (list (screen) (vterm-test--cursor))))
        (vterm-test--with-term (:free t :rows 30 :cols final)
          (feed text)
          (setq want (list (screen) (vterm-test--cursor))))
        (should (equal (list text widths got) (list text widths want)))))))

(ert-deftest vterm-test-reflow-hostile-wide ()
  "Wide characters, marks and tiny sizes in random resizes: no crash."
  (vterm-test-reflow--skip-unless-supported)
  (let ((state (cl-make-random-state 7)))
    (vterm-test--with-term (:free t :rows 6 :cols 12 :scrollback 50)
      (vterm-test-reflow--on)
      (dotimes (i 60)
        (feed (encode-coding-string
               (format "%d日本語e\u0301x\u4e2d\u6587%s\r\n" i
                       (make-string (cl-random 40 state) ?w))
               'utf-8))
        (vterm-test-reflow--set-size (+ 1 (cl-random 8 state))
                                     (+ 2 (cl-random 20 state))))
      (vterm-test-reflow--set-size 6 40)
      (feed "\e[H\e[2Jok")
      (should (equal (car (screen)) "ok")))))

(ert-deftest vterm-test-reflow-shell-window ()
  "A long line printed by the shell re-wraps as its window narrows and widens."
  (vterm-test-reflow--skip-unless-supported)
  (let ((vterm-min-window-width 10)
        (vterm-enable-reflow t))
    (vterm-test--with-term (:rows 10 :cols 70)
      (let ((buffer (current-buffer))
            (line (concat (make-string 50 ?x) (make-string 10 ?y))))
        (run (format "printf '%%s\\n' %s" line))
        ;; The prompt too: text typed before it would be echoed first.
        (wait-for (concat "^" line "\n\\$ "))
        (save-window-excursion
          (delete-other-windows)
          (set-window-buffer (selected-window) buffer)
          (split-window-horizontally 30)
          (window--adjust-process-windows)
          (with-current-buffer buffer
            (setq vterm-test--rows vterm--rows)
            (redraw)
            ;; Each screen row is now at most the new width, and the
            ;; line joins back whole in the text.
            (should (cl-every (lambda (row) (<= (length row) 40)) (screen)))
            (should (string-match-p (concat "^" line "$") (text)))
            (should-not (member line (screen))))
          (delete-other-windows)
          (window--adjust-process-windows)
          (with-current-buffer buffer
            (redraw)
            (should (member line (screen)))
            (run "echo after-$((6*7))")
            (wait-for "^after-42$")))))))

(provide 'vterm-test-reflow)

;;; vterm-test-reflow.el ends here

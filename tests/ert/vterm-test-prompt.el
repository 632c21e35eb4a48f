;;; vterm-test-prompt.el --- ERT: prompt tracking, navigation and command-line editing  -*- lexical-binding: t; -*-

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

;; The prompt tests run bash with PS1 "P> " and etc/emacs-vterm-bash.sh.
;;
;; Checklist coverage (spec §7):
;;   vterm-test-prompt-marker-property            C45, Q4 (kept)
;;   vterm-test-prompt-marker-direct              C45, §4.8 (process-free)
;;   vterm-test-prompt-point                      C46
;;   vterm-test-prompt-at-prompt-and-command-p    C46, §4.8
;;   vterm-test-prompt-beginning-of-line          C47
;;   vterm-test-prompt-navigation                 C48
;;   vterm-test-prompt-directories                C49
;;   vterm-test-prompt-delete-region              C54
;;   vterm-test-prompt-goto-char                  §4.13
;;   vterm-test-prompt-yank                       C55
;;   vterm-test-prompt-yank-pop                   117
;;   vterm-test-prompt-end-of-line-wrapped        §2.1 (vterm-end-of-line)
;;   vterm-test-prompt-regexp-fallback            116
;;   vterm-test-prompt-regexp-when-option-off     116
;;   vterm-test-prompt-integration-title-and-dir  114, §6
;;   vterm-test-prompt-integration-vterm-cmd      114, §6
;;   vterm-test-prompt-integration-clear          114, §6
;; The wrapped-line regexp fallback (Q5) is in vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)

(ert-deftest vterm-test-prompt-marker-property ()
  "C45 / Q4: the cell after \"P> \" carries `vterm-prompt'; the prompt does not."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (let ((start (vterm-test--line-start "^P> echo abc")))
      (should (eq (get-text-property (+ start 3) 'vterm-prompt) t))
      (should (eq (get-text-property (+ start 3) 'rear-nonsticky) t))
      (dolist (pos (list start (+ start 1) (+ start 2) (+ start 4)))
        (should-not (get-text-property pos 'vterm-prompt))))))

(ert-deftest vterm-test-prompt-marker-direct ()
  "§4.8: 51;A marks the cell at the cursor column of its row (process-free)."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed "P> \e]51;A/tmp\e\\ls")
    (should (eq (get-text-property 4 'vterm-prompt) t))
    (should-not (get-text-property 3 'vterm-prompt))
    (should-not (get-text-property 5 'vterm-prompt))
    (goto-char (point-min))
    (should (= (vterm--get-prompt-point) 4))))

(ert-deftest vterm-test-prompt-point ()
  "C46: `vterm--get-prompt-point' is the line start + 3."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (let ((start (vterm-test--line-start "^P> echo abc")))
      (goto-char (+ start 6))
      (should (= (vterm--get-prompt-point) (+ start 3))))))

(ert-deftest vterm-test-prompt-at-prompt-and-command-p ()
  "§4.8: `vterm--at-prompt-p' and `vterm-cursor-in-command-buffer-p'."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (let ((start (vterm-test--line-start "^P> echo abc")))
      (goto-char (+ start 3))
      (should (vterm--at-prompt-p))
      (goto-char (+ start 5))
      (should-not (vterm--at-prompt-p))
      (should (vterm-cursor-in-command-buffer-p))
      (should (vterm-cursor-in-command-buffer-p (+ start 3)))
      (should-not (vterm-cursor-in-command-buffer-p (+ start 1))))))

(ert-deftest vterm-test-prompt-beginning-of-line ()
  "C47: `vterm-beginning-of-line' toggles prompt point and line start."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (let ((start (vterm-test--line-start "^P> echo abc")))
      (vterm-reset-cursor-point)
      (should (= (point) (+ start 11)))
      (vterm-beginning-of-line)
      (should (= (point) (+ start 3)))
      (vterm-beginning-of-line)
      (should (= (point) start))
      (vterm-beginning-of-line)
      (should (= (point) (+ start 3))))))

(ert-deftest vterm-test-prompt-navigation ()
  "C48: previous/next prompt from the end of the buffer."
  (vterm-test--with-term (:shell 'bash-prompt :rows 10)
    (run "true")
    (wait-for "^P> true\nP> ")
    (run "echo two")
    (wait-for "^two\nP> ")
    (let ((current (nth 2 (vterm-test--walk-prompts "P> "))))
      (vterm-next-prompt 1)
      (should (= (point) (+ current 3))))))

(ert-deftest vterm-test-prompt-directories ()
  "C49: each prompt line records the directory it was printed in."
  (vterm-test--with-term (:shell 'bash-prompt :rows 10)
    (run "cd /tmp")
    (wait-for "^P> cd /tmp\nP> ")
    (run "cd /usr")
    (wait-for "^P> cd /usr\nP> ")
    (should (equal (vterm-test--line 2) "P> cd /usr"))
    (should (equal (vterm--get-pwd 2) "/tmp/"))
    (should (equal (vterm--get-pwd 3) "/usr/"))
    (should (equal default-directory "/usr/"))))

(ert-deftest vterm-test-prompt-delete-region ()
  "C54: `vterm-delete-region' deletes command-line text through the shell."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (redraw)
    (let ((pp (vterm--get-prompt-point)))
      (vterm-delete-region pp (+ pp 5)))
    (wait-for "^P> abc$")))

(ert-deftest vterm-test-prompt-goto-char ()
  "§4.13: `vterm-goto-char' moves the terminal cursor with arrow keys."
  (vterm-test--with-term (:shell 'bash-prompt)
    (input "echo abc")
    (wait-for "^P> echo abc")
    (redraw)
    (let ((pp (vterm--get-prompt-point)))
      (should (vterm-goto-char (+ pp 2)))
      (wait-for (lambda () (= (point) (+ pp 2))))
      (input "X")
      (wait-for "^P> ecXho abc"))))

(ert-deftest vterm-test-prompt-yank ()
  "C55: `vterm-yank' pastes the kill ring head into the shell."
  (let ((kill-ring nil)
        (kill-ring-yank-pointer nil)
        (interprogram-paste-function nil)
        (interprogram-cut-function nil))
    (vterm-test--with-term (:shell 'bash-prompt)
      (kill-new "echo YANKED")
      (redraw)
      (vterm-yank)
      (wait-for "^P> echo YANKED")
      (vterm-send-return)
      (wait-for "^YANKED$"))))

(ert-deftest vterm-test-prompt-yank-pop ()
  "117: `vterm-yank-pop' undoes the last yank with C-_ and pastes the next."
  (let ((kill-ring nil)
        (kill-ring-yank-pointer nil)
        (interprogram-paste-function nil)
        (interprogram-cut-function nil))
    (vterm-test--with-term (:shell 'bash-prompt)
      (kill-new "echo FIRST")
      (kill-new "echo SECOND")
      (redraw)
      (vterm-yank)
      (wait-for "^P> echo SECOND")
      (let ((last-command 'yank))
        (vterm-yank-pop))
      (wait-for "^P> echo FIRST$")
      (vterm-send-return)
      (wait-for "^FIRST$")
      (should-not (vterm-test--find "^SECOND$")))))

(ert-deftest vterm-test-prompt-end-of-line-wrapped ()
  "§2.1: `vterm-end-of-line' skips fake newlines to the logical end."
  (vterm-test--with-term (:shell 'bash-prompt :cols 30)
    (input (concat "echo " (make-string 40 ?z)))
    (wait-for (concat "^P> echo " (make-string 40 ?z)))
    (let ((start (vterm-test--line-start "^P> echo")))
      (goto-char start)
      (vterm-end-of-line)
      (should (= (point) (+ start 3 5 40 1)))
      (should (= (line-number-at-pos) (1+ (line-number-at-pos start))))
      (vterm-beginning-of-line)
      (should (= (point) (+ start 3))))))

(ert-deftest vterm-test-prompt-regexp-fallback ()
  "116: without 51;A the prompt functions use `term-prompt-regexp'."
  (vterm-test--with-term (:rows 8)
    (setq-local term-prompt-regexp "^\\$ ")
    (run "true")
    (wait-for "^\\$ true\n\\$ ")
    (let ((first (vterm-test--line-start "^\\$ true$"))
          (current (vterm-test--line-start "^\\$ \n")))
      (should-not (vterm--prompt-tracking-enabled-p))
      (vterm-reset-cursor-point)
      (should (= (vterm--get-prompt-point) (+ current 2)))
      (goto-char (+ first 5))
      (should (= (vterm--get-prompt-point) (+ first 2)))
      (goto-char (+ current 2))
      (vterm-previous-prompt 1)
      (should (= (point) (+ first 2)))
      (vterm-next-prompt 1)
      (should (= (point) (+ current 2))))))

(ert-deftest vterm-test-prompt-regexp-when-option-off ()
  "116: with `vterm-use-vterm-prompt-detection-method' nil, 51;A is not used."
  (vterm-test--with-term (:shell 'bash-prompt)
    (setq-local vterm-use-vterm-prompt-detection-method nil)
    (setq-local term-prompt-regexp "^P> ")
    (input "echo abc")
    (wait-for "^P> echo abc")
    (let ((start (vterm-test--line-start "^P> echo abc")))
      (goto-char (+ start 6))
      (should (= (vterm--get-prompt-point) (+ start 3)))
      (setq-local term-prompt-regexp "^P")
      (should (= (vterm--get-prompt-point) (+ start 1))))))

(ert-deftest vterm-test-prompt-integration-title-and-dir ()
  "114: the bash integration reports title and directory."
  (let ((vterm-buffer-name-string "vt:%s"))
    (vterm-test--with-term (:shell 'bash-prompt)
      (run "cd /etc")
      (wait-for "^P> cd /etc\nP> ")
      (wait-for (lambda () (equal default-directory "/etc/")))
      (wait-for (lambda () (string-match-p "\\`vt:.*:/etc\\'" (buffer-name)))))))

(defun vterm-test-prompt--recorder (&rest _args)
  "Stand-in for a whitelisted eval command; replaced while recording.")

(ert-deftest vterm-test-prompt-integration-vterm-cmd ()
  "114: `vterm_cmd' sends its quoted arguments to a whitelisted function."
  (vterm-test--recording ((calls vterm-test-prompt--recorder))
    (let ((vterm-eval-cmds (cons '("vt-record" vterm-test-prompt--recorder)
                                 vterm-eval-cmds)))
      (vterm-test--with-term (:shell 'bash-prompt)
        (run "vterm_cmd vt-record 'x y' 'q\"uote' z")
        (wait-for (lambda () calls))
        (should (equal calls '(("x y" "q\"uote" "z"))))))))

(ert-deftest vterm-test-prompt-integration-clear ()
  "114: the integration's `clear' also drops the scrollback."
  (vterm-test--with-term (:shell 'bash-prompt :rows 6)
    (run "i=0; while [ $i -lt 20 ]; do echo L$i; i=$((i+1)); done")
    (wait-for "^L19\nP> ")
    (should (> (vterm-test--line-count) 6))
    (run "clear")
    (wait-for (lambda () (and (= (vterm-test--line-count) 6)
                              (not (vterm-test--find "^L19"))
                              (vterm-test--find "^P> $"))))))

;;; vterm-test-prompt.el ends here

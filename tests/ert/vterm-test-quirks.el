;;; vterm-test-quirks.el --- ERT: regression tests for the fixed upstream quirks  -*- lexical-binding: t; -*-

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

;; One or more regression tests per quirk of spec §9 that this project
;; fixes.  Each docstring names the quirk.
;;
;; Checklist coverage (spec §7 / §9):
;;   vterm-test-quirk-q1-new-optional-args            Q1
;;   vterm-test-quirk-q1-new-default-scrollback       Q1
;;   vterm-test-quirk-q2-invalid-utf8-direct          Q2, C30 (fixed)
;;   vterm-test-quirk-q2-invalid-utf8-from-shell      Q2, C30 (fixed)
;;   vterm-test-quirk-q2-invalid-chunk-not-dropped    Q2
;;   vterm-test-quirk-q2-split-char-from-shell        Q2, C29
;;   vterm-test-quirk-q3-exact-width-line             Q3, C24 (per :continuation)
;;   vterm-test-quirk-q3-long-line-still-wraps        Q3, C23
;;   vterm-test-quirk-q3-copy-exact-width-line        Q3, C24, C25
;;   vterm-test-quirk-q5-regexp-prompt-wrapped        Q5
;;   vterm-test-quirk-q5-copy-wrapped-line            Q5
;;   vterm-test-quirk-q6-empty-directory              Q6, 111 (fixed)
;;   vterm-test-quirk-q8-send-key-sequence            Q8, C87 (fixed)
;;   vterm-test-quirk-q8-send-shifted-symbol          Q8, C86 (fixed)
;;   vterm-test-quirk-q8-send-direct                  Q8 (process-free)
;;   vterm-test-quirk-q9-meta-upper-case              Q9, C89 (fixed)
;;   vterm-test-quirk-q10-selection-mask              Q10, C44
;;   vterm-test-quirk-q11-customize-exceptions        Q11, 112 (fixed)
;;   vterm-test-quirk-q14-eval-failure-message        Q14, C42
;;   vterm-test-quirk-q16-delete-region-fallback      Q16

;;; Code:

(require 'vterm-test-helpers)

;;;; Q1: vterm--new arity

(ert-deftest vterm-test-quirk-q1-new-optional-args ()
  "Q1: `vterm--new' works with 3 to 8 arguments (missing ones default)."
  (let ((arity (func-arity 'vterm--new)))
    (should (<= (car arity) 3))
    (should (equal (cdr arity) 8)))
  (dolist (n '(3 4 5 6 7 8))
    (ert-info ((format "%d arguments" n))
      (with-temp-buffer
        (let* ((inhibit-read-only t)
               (args (cl-subseq (list 4 20 100 nil nil nil t nil) 0 n))
               (term (apply #'vterm--new args)))
          (should (user-ptrp term))
          (should (= (count-lines (point-min) (point-max)) 4))
          (vterm--write-input term "\e[1mbold")
          (vterm--redraw term)
          (should (equal (buffer-substring-no-properties 1 5) "bold"))
          ;; DISABLE-BOLD defaults to nil.
          (should (eq (plist-get (get-text-property 1 'font-lock-face) :weight)
                      'bold)))))))

(ert-deftest vterm-test-quirk-q1-new-default-scrollback ()
  "Q1: SCROLLBACK nil gives the default of 1000 lines."
  (with-temp-buffer
    (let* ((inhibit-read-only t)
           (term (vterm--new 3 20 nil)))
      (vterm--write-input
       term (mapconcat #'number-to-string (number-sequence 1 1200) "\r\n"))
      (vterm--redraw term)
      (should (= (count-lines (point-min) (point-max)) 1003)))))

;;;; Q2: invalid and split UTF-8

(ert-deftest vterm-test-quirk-q2-invalid-utf8-direct ()
  "Q2: invalid bytes become U+FFFD and the rest of the chunk is kept."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "\377\376ok\r\n")
    (should (string-match-p "\\`\ufffd+ok\\'" (vterm-test--line 1)))))

(ert-deftest vterm-test-quirk-q2-invalid-utf8-from-shell ()
  "Q2 / C30: `printf '\\377\\376ok\\n'' shows \"ok\" after replacement chars."
  (vterm-test--with-term ()
    (run "printf 'Q2:\\377\\376ok\\n'")
    (should (string-match-p "\\`\ufffd+ok\\'" (wait-for "^Q2:\\(.*ok\\)$")))))

(ert-deftest vterm-test-quirk-q2-invalid-chunk-not-dropped ()
  "Q2: a chunk with an invalid byte does not swallow the next chunk."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "a\377")
    (feed "bc")
    (should (equal (vterm-test--line 1) "a\ufffdbc"))))

(ert-deftest vterm-test-quirk-q2-split-char-from-shell ()
  "Q2 / C29: the chunk after a split UTF-8 char is not lost."
  (vterm-test--with-term ()
    (run "printf 'P:\\346\\227'; sleep 0.5; printf '\\245OK\\n'; echo AFTER-\"\"CHUNK")
    (wait-for "AFTER-CHUNK\n")
    (should (equal (vterm-test--line 2) "P:日OK"))
    (should (equal (vterm-test--line 3) "AFTER-CHUNK"))))

;;;; Q3: fake newline after an exact-width line

(ert-deftest vterm-test-quirk-q3-exact-width-line ()
  "Q3: an exact-width line ended by a real newline is not a wrapped line.
This holds when libvterm has the continuation flag; with libvterm
0.1.4 the upstream rule (last column occupied) stays."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed (make-string 20 ?a) "\r\nnext")
    (goto-char (point-min))
    (end-of-line)
    (should (= (current-column) 20))
    (if (vterm-test--feature :continuation)
        (progn
          (should-not (get-text-property (point) 'vterm-line-wrap))
          (should (equal (vterm-test--text)
                         (concat (make-string 20 ?a) "\nnext\n\n\n"))))
      (should (eq (get-text-property (point) 'vterm-line-wrap) t)))))

(ert-deftest vterm-test-quirk-q3-long-line-still-wraps ()
  "Q3: a COLS+20 line still gets its fake newline on every libvterm."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed (make-string 40 ?b) "\r\nnext")
    (goto-char (point-min))
    (end-of-line)
    (should (eq (get-text-property (point) 'vterm-line-wrap) t))
    (forward-line 1)
    (end-of-line)
    (if (vterm-test--feature :continuation)
        (should-not (get-text-property (point) 'vterm-line-wrap))
      (should (eq (get-text-property (point) 'vterm-line-wrap) t)))
    (should (string-prefix-p (concat (make-string 40 ?b)
                                     (if (vterm-test--feature :continuation)
                                         "\n" ""))
                             (vterm-test--text)))))

(ert-deftest vterm-test-quirk-q3-copy-exact-width-line ()
  "Q3: copying an exact-width line keeps it apart from the next line.
This holds when libvterm has the continuation flag."
  (vterm-test--with-term (:cols 40)
    (run (format "printf '%%s\\nNEXT-LINE\\n' %s" (make-string 40 ?x)))
    ;; No "^": with libvterm 0.1.4 the two lines are joined on purpose.
    (wait-for "NEXT-LINE\n")
    (let ((copied (filter-buffer-substring (point-min) (point-max))))
      (if (vterm-test--feature :continuation)
          (should (string-match-p (concat "^" (make-string 40 ?x) "\nNEXT-LINE$")
                                  copied))
        (should (string-match-p (concat "^" (make-string 40 ?x) "NEXT-LINE$")
                                copied))))))

;;;; Q5: regexp prompt fallback on wrapped lines

(ert-deftest vterm-test-quirk-q5-regexp-prompt-wrapped ()
  "Q5: the regexp prompt fallback does not stop at fake newlines."
  (let ((term-prompt-regexp "^"))
    (vterm-test--with-term (:free t :rows 4 :cols 20)
      (feed "0123456789abcdefghijKLMNOPQRST")
      (should-not (vterm--prompt-tracking-enabled-p))
      (goto-char (point-min))
      (forward-line 1)
      (forward-char 3)
      (should (= (vterm--get-prompt-point) (point-min))))))

(ert-deftest vterm-test-quirk-q5-copy-wrapped-line ()
  "Q5: `vterm-copy-mode-done' on the 2nd row of a wrapped line copies it all."
  (let ((kill-ring nil)
        (kill-ring-yank-pointer nil)
        (interprogram-cut-function nil)
        (interprogram-paste-function nil)
        (term-prompt-regexp "^")
        (long (concat (make-string 30 ?l) (make-string 20 ?r))))
    (vterm-test--with-term (:cols 40)
      (run (format "printf '%%s%%s\\n' %s %s"
                   (make-string 30 ?l) (make-string 20 ?r)))
      (wait-for (concat "^" long "$"))
      (vterm-copy-mode 1)
      (goto-char (vterm-test--find (concat "^" (make-string 10 ?r) "$")))
      (forward-char 2)
      (vterm-copy-mode-done nil)
      (should (equal (substring-no-properties (car kill-ring)) long)))))

;;;; Q6: empty directory

(ert-deftest vterm-test-quirk-q6-empty-directory ()
  "Q6 / 111: an empty 51;A leaves `default-directory' unchanged."
  (vterm-test--with-term (:free t)
    (setq default-directory "/tmp/")
    (feed "\e]51;A\e\\")
    (should (equal default-directory "/tmp/"))
    (feed "\e]51;A\a")
    (should (equal default-directory "/tmp/"))
    (feed "\e]51;A/usr\e\\")
    (should (equal default-directory "/usr/"))))

;;;; Q8: vterm-send with key sequences and shifted keys

(ert-deftest vterm-test-quirk-q8-send-key-sequence ()
  "Q8 / C87: (vterm-send \"C-a b\") sends every key: 01 62."
  (should (equal (vterm-test--key-bytes (lambda () (vterm-send "C-a b")))
                 "01 62")))

(ert-deftest vterm-test-quirk-q8-send-shifted-symbol ()
  "Q8 / C86: (vterm-send \"S-<up>\") sends ESC [ 1 ; 2 A."
  (should (equal (vterm-test--key-bytes (lambda () (vterm-send "S-<up>")))
                 (vterm-test--hex "\e[1;2A"))))

(ert-deftest vterm-test-quirk-q8-send-direct ()
  "Q8: `vterm-send' translates each event of the sequence (process-free)."
  (vterm-test--with-term (:free t)
    (vterm-send "C-a b")
    (should (equal (flushed) (string ?\C-a ?b)))
    (vterm-send "S-<up>")
    (should (equal (flushed) "\e[1;2A"))
    (vterm-send "M-x <f5>")
    (should (equal (flushed) "\ex\e[15~"))))

;;;; Q9: meta + upper-case letter

(ert-deftest vterm-test-quirk-q9-meta-upper-case ()
  "Q9 / C89: M-A through `vterm--self-insert-meta' sends ESC A (1b 41)."
  (should (equal (vterm-test--key-bytes
                  (lambda ()
                    (let ((last-command-event ?A))
                      (vterm--self-insert-meta))))
                 "1b 41")))

;;;; Q10: OSC 52 selection mask

(ert-deftest vterm-test-quirk-q10-selection-mask ()
  "Q10: OSC 52 enables only the selections named in its mask."
  (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
    (dolist (case '(("c" t nil) ("p" nil t) ("cp" t t)))
      (ert-info ((format "targets %S" (car case)))
        (let* ((kill-ring nil)
               (kill-ring-yank-pointer nil)
               (interprogram-paste-function nil)
               (seen nil)
               (interprogram-cut-function
                (lambda (_text)
                  (push (list (and select-enable-clipboard t)
                              (and select-enable-primary t))
                        seen))))
          (vterm-test--with-term (:free t)
            (feed (format "\e]52;%s;%s\a" (car case)
                          (base64-encode-string "masked")))
            (should (equal (car kill-ring) "masked"))
            (should (equal seen (list (cdr case))))))))))

;;;; Q11: customizing the exceptions

(ert-deftest vterm-test-quirk-q11-customize-exceptions ()
  "Q11 / 112: customizing `vterm-keymap-exceptions' keeps vterm's own keys.
C-l, the C-c prefix and the RET/TAB/DEL bindings survive."
  (let ((old vterm-keymap-exceptions))
    (unwind-protect
        (progn
          (customize-set-variable 'vterm-keymap-exceptions
                                  (append old '("C-t")))
          (should-not (eq (lookup-key vterm-mode-map (kbd "C-t"))
                          'vterm--self-insert))
          (should (eq (lookup-key vterm-mode-map (kbd "C-l")) 'vterm-clear))
          (dolist (pair '(("C-c C-c" . vterm--self-insert)
                          ("C-c C-g" . vterm--self-insert)
                          ("C-c C-l" . vterm-clear-scrollback)
                          ("C-c C-t" . vterm-copy-mode)
                          ("C-c C-n" . vterm-next-prompt)
                          ("RET" . vterm-send-return)
                          ("TAB" . vterm-send-tab)
                          ("DEL" . vterm-send-backspace)
                          ("M-DEL" . vterm-send-meta-backspace)
                          ("C-a" . vterm--self-insert)
                          ("M-a" . vterm--self-insert-meta)))
            (ert-info ((car pair))
              (should (eq (lookup-key vterm-mode-map (kbd (car pair)))
                          (cdr pair)))))
          (dolist (key '("C-x" "M-x" "C-g"))
            (ert-info (key)
              (should-not (eq (lookup-key vterm-mode-map (kbd key))
                              'vterm--self-insert)))))
      (customize-set-variable 'vterm-keymap-exceptions old))
    (should (eq (lookup-key vterm-mode-map (kbd "C-t")) 'vterm--self-insert))
    (should (eq (lookup-key vterm-mode-map (kbd "C-l")) 'vterm-clear))))

;;;; Q14: eval failure message

(ert-deftest vterm-test-quirk-q14-eval-failure-message ()
  "Q14: the eval failure message names the real option `vterm-eval-cmds'."
  (let ((mark (vterm-test--messages-mark)))
    (vterm-test--with-term (:free t)
      (feed "\e]51;Eno-such-command arg\e\\"))
    (let ((logged (vterm-test--messages-since mark)))
      (should (string-match-p "Failed to find command: no-such-command" logged))
      (should (string-match-p "vterm-eval-cmds" logged)))))

;;;; Q16: vterm-delete-region fallback

(ert-deftest vterm-test-quirk-q16-delete-region-fallback ()
  "Q16: the fallback of `vterm-delete-region' does not signal read-only.
When the cursor cannot reach START, no `buffer-read-only' error."
  (vterm-test--with-term ()
    (run "echo FIRST-\"\"LINE")
    (wait-for "^FIRST-LINE\n\\$ ")
    (redraw)
    (should buffer-read-only)
    ;; Text above the command line: the cursor cannot move there.
    (should-not (condition-case err
                    (progn (vterm-delete-region (point-min) (+ (point-min) 2))
                           nil)
                  (buffer-read-only err)))
    (run "echo STILL-\"\"WORKS")
    (wait-for "^STILL-WORKS$")))

;;; vterm-test-quirks.el ends here

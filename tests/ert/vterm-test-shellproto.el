;;; vterm-test-shellproto.el --- ERT: OSC 7, 133, colour queries, notifications  -*- lexical-binding: t; -*-

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

;; The shell and colour protocols of vterm.el's section "Shell and colour
;; protocols" (the module side is osc.c; its reply bytes and hostile
;; payloads are also in tests/host/shellproto.vtl):
;;
;;   OSC 7            file://HOST/PATH sets `default-directory'
;;   OSC 133 A/B/C/D  prompt marks, `vterm-command-finished-functions'
;;   OSC 10/11/4 ?    colour replies from the faces; sets only if allowed
;;   OSC 9, 777       `vterm-notification-functions'
;;
;; Most tests run a real bash on a pty, set up as shells for other
;; terminals are: a PS1 with 133;A and 133;B (and no 51;A), PS0 with
;; 133;C, and PROMPT_COMMAND printing 133;D with the status and OSC 7
;; with the directory, as VTE's vte.sh does.

;;; Code:

(require 'vterm-test-helpers)

;;;; Fixture

(defconst vterm-test-shellproto--rc
  (concat
   "PS1='\\[\\e]133;A\\a\\]S> \\[\\e]133;B\\a\\]'\n"
   "PS0='\\[\\e]133;C\\a\\]'\n"
   "__osc7_path() { local p=${PWD//\\%/%25}; printf '%s' \"${p// /%20}\"; }\n"
   "PROMPT_COMMAND='printf \"\\e]133;D;%s;aid=$$\\a\\e]7;file://%s%s\\a\" "
   "\"$?\" \"$HOSTNAME\" \"$(__osc7_path)\"'\n")
  "A bash rc file emitting OSC 133 and OSC 7 the way other terminals' shell
integrations do (no vterm escape sequences).")

(defmacro vterm-test-shellproto--with-bash (&rest body)
  "Run BODY in a terminal running bash with `vterm-test-shellproto--rc'."
  (declare (indent 0) (debug (body)))
  `(progn
     (vterm-test--skip-unless-posix)
     (vterm-test--skip-unless-program "bash")
     (vterm-test--with-term
         (:rows 12 :cols 70
          :shell (format "%s --noprofile --rcfile %s"
                         (executable-find "bash")
                         (vterm-test--write-script
                          "shellproto-rc.sh" vterm-test-shellproto--rc))
          :wait "^S> ")
       ,@body)))

(defmacro vterm-test-shellproto--with-face (face attribute value &rest body)
  "Run BODY with ATTRIBUTE of FACE set to VALUE, then restore it."
  (declare (indent 3) (debug (form form form body)))
  (let ((old (make-symbol "old")))
    `(let ((,old (face-attribute ,face ,attribute)))
       (unwind-protect
           (progn (set-face-attribute ,face nil ,attribute ,value)
                  ,@body)
         (set-face-attribute ,face nil ,attribute ,old)))))

(defun vterm-test-shellproto--feed-bytes (string)
  "Feed STRING one byte per write, then update and redraw."
  (let ((bytes (encode-coding-string string 'utf-8)))
    (dotimes (i (length bytes))
      (vterm--write-input vterm--term (substring bytes i (1+ i))))
    (let ((inhibit-read-only t))
      (vterm--update vterm--term))
    (vterm-test--redraw)))

(defconst vterm-test-shellproto--query-script
  (concat "stty -echo; printf '\\033]%s\\007'; "
          "IFS= read -r -t 5 -d $'\\a' r; stty echo; echo \"GOT[${r#*;}]\"")
  "Shell command that sends the OSC query %s and prints the reply's colour.
Echo is off before the query, as in programs that ask: the reply may
come before `read' runs.")

;;;; OSC 7

(ert-deftest vterm-test-shellproto-osc7-from-bash ()
  "OSC 7 from the prompt command sets `default-directory', spaces and
percent signs included (percent-encoded by the shell)."
  (vterm-test-shellproto--with-bash
    (let ((dir (file-name-as-directory (make-temp-file "vt osc7 %x " t))))
      (unwind-protect
          (progn
            (run (format "cd %s" (shell-quote-argument dir)))
            (wait-for (lambda () (equal default-directory dir)))
            (run "cd /usr")
            (wait-for (lambda () (equal default-directory "/usr/")))
            ;; Lines keep the directory they were printed in.  (Under load
            ;; the tty may echo the typed command before the prompt shows.)
            (should (equal (vterm--get-pwd
                            (line-number-at-pos
                             (vterm-test--line-start "cd /usr$")))
                           dir)))
        (delete-directory dir)))))

(defconst vterm-test-shellproto--vte-sh "/etc/profile.d/vte-2.91.sh"
  "VTE's shell integration (Debian package libvte-2.91-common).")

(ert-deftest vterm-test-shellproto-osc7-vte-sh ()
  "VTE's own vte.sh, as bash users have it, drives `default-directory'.
It emits OSC 7 (ST-terminated, percent-encoded by vte-urlencode-cwd)
from PROMPT_COMMAND when VTE_VERSION is at least 3405."
  (vterm-test--skip-unless-posix)
  (vterm-test--skip-unless-program "bash")
  (unless (file-readable-p vterm-test-shellproto--vte-sh)
    (ert-skip (format "Needs %s" vterm-test-shellproto--vte-sh)))
  (let ((rc (vterm-test--write-script
             "shellproto-vte-rc.sh"
             (format "PS1='V> '\n. %s\n" vterm-test-shellproto--vte-sh)))
        (dir (file-name-as-directory (make-temp-file "vt vte %x " t))))
    (unwind-protect
        (vterm-test--with-term
            (:shell (format "%s --noprofile --rcfile %s"
                            (executable-find "bash") rc)
             :env '("VTE_VERSION=7006")
             :wait "^V> ")
          (run (format "cd %s" (shell-quote-argument dir)))
          (wait-for (lambda () (equal default-directory dir)))
          (run "cd /usr")
          (wait-for (lambda () (equal default-directory "/usr/"))))
      (delete-directory dir))))

(ert-deftest vterm-test-shellproto-osc7-hosts ()
  "OSC 7 with this machine's name is local; another host is TRAMP.
A plain bash: the rc file's own OSC 7 would follow each printf."
  (vterm-test--skip-unless-posix)
  (vterm-test--skip-unless-program "bash")
  (vterm-test--with-term (:shell 'bash)
    (run (format "printf '\\033]7;file://%s/tmp\\007'" (system-name)))
    (wait-for (lambda () (equal default-directory "/tmp/")))
    (run "printf '\\033]7;file://localhost/usr\\007'")
    (wait-for (lambda () (equal default-directory "/usr/")))
    (run "printf '\\033]7;file://other.example/srv/a%%20b\\007'")
    (wait-for (lambda ()
                (equal default-directory "/-:other.example:/srv/a b/")))))

(ert-deftest vterm-test-shellproto-osc7-short-host-name ()
  "OSC 7 and OSC 8 agree on which hosts are this machine: the short
name of a fully qualified `system-name' is local for both."
  (cl-letf (((symbol-function 'system-name) (lambda () "box.example.org")))
    (vterm-test--with-term (:free t)
      (setq default-directory "/")
      (feed "\e]7;file://box/tmp\a")
      (redraw)
      (should (equal default-directory "/tmp/"))
      (feed "\e]7;file://boxer/usr\a")
      (redraw)
      (should (equal default-directory "/-:boxer:/usr/")))
    (should (equal (vterm--hyperlink-file-name "file://box/tmp/f") "/tmp/f"))
    (should (equal (vterm--hyperlink-file-name "file://box.example.org/f")
                   "/f"))
    (should (equal (vterm--hyperlink-file-name "file://boxer/f")
                   "/-:boxer:/f"))))

(ert-deftest vterm-test-shellproto-osc7-malformed ()
  "Malformed OSC 7 payloads change nothing."
  (vterm-test--with-term (:free t)
    (setq default-directory "/")
    (feed "\e]7;http://h/tmp\a" "\e]7;file://h\a" "\e]7;file:/tmp\a"
          "\e]7;file:///a%zz\a" "\e]7;file:///a%2\a" "\e]7;file:///a%00b\a"
          "\e]7;file:///a%0ab\a" "\e]7;file://u@h/tmp\a" "\e]7;file://h:1/tmp\a"
          "\e]7;file://\a" "\e]7;\a"
          (concat "\e]7;file:///" (make-string 100000 ?a) "\a")
          "\e]7;file:///nonexistent/dir\a")
    (should (equal default-directory "/"))
    (feed "\e]7;file:///usr\e\\")
    (should (equal default-directory "/usr/"))))

(ert-deftest vterm-test-shellproto-osc7-chunked ()
  "OSC 7 fed one byte per write works as one write."
  (vterm-test--with-term (:free t)
    (setq default-directory "/")
    (vterm-test-shellproto--feed-bytes "x\e]7;file:///us%72\e\\y")
    (should (equal default-directory "/usr/"))
    (should (equal (car (screen)) "xy"))))

(ert-deftest vterm-test-shellproto-osc7-option-off ()
  "`vterm-enable-osc7-directory' nil ignores OSC 7."
  (vterm-test--with-term (:free t)
    (setq default-directory "/")
    (let ((vterm-enable-osc7-directory nil))
      (vterm--apply-osc-options))
    (feed "\e]7;file:///usr\a")
    (should (equal default-directory "/"))))

;;;; OSC 133

(ert-deftest vterm-test-shellproto-133-prompt-navigation ()
  "Prompts marked only with 133;B work for prompt navigation."
  (vterm-test-shellproto--with-bash
    (run "true")
    (wait-for "^S> true\nS> ")
    (run "echo two")
    (wait-for "^two\nS> ")
    (should (vterm--prompt-tracking-enabled-p))
    (vterm-reset-cursor-point)
    (should (vterm--at-prompt-p))
    (let ((second (nth 1 (vterm-test--walk-prompts "S> "))))
      (goto-char (+ second 6))
      (should (= (vterm--get-prompt-point) (+ second 3))))))

(ert-deftest vterm-test-shellproto-133-copy-mode-excludes-prompt ()
  "Copy mode leaves out a prompt marked with 133;B."
  (let ((kill-ring nil)
        (kill-ring-yank-pointer nil)
        (interprogram-cut-function nil)
        (interprogram-paste-function nil)
        (vterm-copy-exclude-prompt t))
    (vterm-test-shellproto--with-bash
      (run "echo copy-me")
      (wait-for "^copy-me\nS> ")
      (vterm-copy-mode 1)
      (goto-char (vterm-test--line-start "^S> echo copy-me$"))
      (vterm-copy-mode-done nil)
      (should (equal (substring-no-properties (car kill-ring))
                     "echo copy-me")))))

(ert-deftest vterm-test-shellproto-133-exit-status ()
  "133;D;N runs `vterm-command-finished-functions' with each status and
records it on the prompt of the command."
  (vterm-test-shellproto--with-bash
    (let (statuses)
      (add-hook 'vterm-command-finished-functions
                (lambda (status) (push status statuses)) nil t)
      ;; Each command is typed once the next prompt shows: typed early,
      ;; the tty would echo it before the prompt, on a line of its own.
      (run "false")
      (wait-for (lambda () (equal statuses '(1))))
      (wait-for "^S> false\nS> ")
      (run "true")
      (wait-for (lambda () (equal statuses '(0 1))))
      (wait-for "^S> true\nS> ")
      (run "(exit 7)")
      (wait-for (lambda () (equal statuses '(7 0 1))))
      (wait-for "^S> (exit 7)\nS> ")
      (should (eql vterm-last-command-status 7))
      (dolist (case '(("^S> false$" . 1) ("^S> true$" . 0)
                      ("^S> (exit 7)$" . 7)))
        (let ((start (vterm-test--line-start (car case))))
          (should (eql (get-text-property (+ start 3) 'vterm-command-status)
                       (cdr case))))))))

(ert-deftest vterm-test-shellproto-133-clear-forgets-marks ()
  "After `clear', output on rows that showed prompts has no prompt mark:
133;A and 133;C unmark the rows below the cursor."
  (vterm-test-shellproto--with-bash
    (run "true")
    (wait-for "^S> true\nS> ")
    (run "true")
    (wait-for "^S> true\nS> true\nS> ")
    (run "clear")
    (wait-for (lambda () (string-prefix-p "S> \n" (vterm-test--text))))
    (run "echo abc")
    (wait-for "^abc\nS> ")
    (let ((start (vterm-test--line-start "^abc$")))
      (should-not (text-property-any start (+ start 4) 'vterm-prompt t)))
    (vterm-reset-cursor-point)
    (should (vterm--at-prompt-p))))

(ert-deftest vterm-test-shellproto-133-malformed ()
  "Malformed 133 sequences mark nothing; the hook sees nil statuses."
  (vterm-test--with-term (:free t)
    (let (statuses)
      (add-hook 'vterm-command-finished-functions
                (lambda (status) (push status statuses)) nil t)
      (feed "\e]133\a\e]133;\a\e]133;Bxyz\aP> \e]133;Dfoo\a\e]133;Z\a"
            "\e]133;D;99999999999\a\e]133;D;1x\a\e]133;b\a\e]133;B;k=i\a"
            "\e]133;D;aid=3;k=x\a")
      (should (equal statuses '(nil nil nil)))
      ;; Only the well-formed B (with ignored parameters) marked a prompt.
      (should (get-text-property 4 'vterm-prompt))
      (should (= 1 (length (seq-filter
                            (lambda (p) (get-text-property p 'vterm-prompt))
                            (number-sequence (point-min)
                                             (1- (point-max))))))))))

(ert-deftest vterm-test-shellproto-133-option-off ()
  "`vterm-enable-semantic-prompts' nil ignores 133."
  (vterm-test--with-term (:free t)
    (let ((vterm-enable-semantic-prompts nil)
          called)
      (vterm--apply-osc-options)
      (add-hook 'vterm-command-finished-functions
                (lambda (_) (setq called t)) nil t)
      (feed "P> \e]133;B\a\e]133;D;0\a")
      (should-not called)
      (should-not (next-single-property-change (point-min) 'vterm-prompt)))))

;;;; Colour queries

(ert-deftest vterm-test-shellproto-color-background-from-bash ()
  "A program reads the background colour of the `default' face, and the
new one after the face changes."
  (vterm-test-shellproto--with-face 'default :background "#102030"
    (vterm-test-shellproto--with-bash
      (run (format vterm-test-shellproto--query-script "11;?"))
      (wait-for "^GOT\\[rgb:1010/2020/3030\\]$")
      (set-face-attribute 'default nil :background "#fedcba")
      (run (format vterm-test-shellproto--query-script "11;?"))
      (wait-for "^GOT\\[rgb:fefe/dcdc/baba\\]$"))))

(ert-deftest vterm-test-shellproto-color-foreground-and-palette ()
  "OSC 10 and OSC 4 ; 1 are answered from `default' and `vterm-color-red'."
  (vterm-test-shellproto--with-face 'default :foreground "#c0ffee"
    (vterm-test-shellproto--with-face 'vterm-color-red :foreground "#123456"
      (vterm-test-shellproto--with-bash
        (run (format vterm-test-shellproto--query-script "10;?"))
        (wait-for "^GOT\\[rgb:c0c0/ffff/eeee\\]$")
        (run (format vterm-test-shellproto--query-script "4;1;?"))
        (wait-for "^GOT\\[1;rgb:1212/3434/5656\\]$")
        (set-face-attribute 'vterm-color-red nil :foreground "#abcdef")
        (run (format vterm-test-shellproto--query-script "4;1;?"))
        (wait-for "^GOT\\[1;rgb:abab/cdcd/efef\\]$")
        ;; The 256-colour cube: index 196 is pure red.
        (run (format vterm-test-shellproto--query-script "4;196;?"))
        (wait-for "^GOT\\[196;rgb:ffff/0000/0000\\]$")))))

(ert-deftest vterm-test-shellproto-color-st-terminator ()
  "A query ended by ST is answered with ST."
  (vterm-test-shellproto--with-face 'default :background "#000000"
    (vterm-test--with-term (:free t)
      (feed "\e]11;?\e\\")
      (should (equal (flushed) "\e]11;rgb:0000/0000/0000\e\\"))
      (vterm-test-shellproto--feed-bytes "\e]11;?\a")
      (should (equal (flushed) "\e]11;rgb:0000/0000/0000\a")))))

(ert-deftest vterm-test-shellproto-color-option-off ()
  "`vterm-answer-color-queries' nil leaves queries unanswered."
  (vterm-test--with-term (:free t)
    (let ((vterm-answer-color-queries nil))
      (vterm--apply-osc-options))
    (feed "\e]11;?\a\e]10;?\a\e]4;1;?\a")
    (should (equal (flushed) ""))))

(ert-deftest vterm-test-shellproto-color-set-needs-option ()
  "Programs set colours only with `vterm-allow-color-setting'."
  (vterm-test-shellproto--with-face 'default :background "#000000"
    (vterm-test--with-term (:free t)
      (feed "\e]11;#102030\a\e]4;1;rgb:ff/80/00\a\e]11;?\a")
      (should (equal (flushed) "\e]11;rgb:0000/0000/0000\a"))
      (should-not vterm--color-overrides)
      (let ((vterm-allow-color-setting t))
        (vterm--apply-osc-options)
        (feed "\e]11;#102030\a\e]4;1;rgb:ff/80/00\a\e]4;2;nosuchcolor\a"
              "\e]11;?\a\e]4;1;?\a")
        (should (equal (flushed)
                       (concat "\e]11;rgb:1010/2020/3030\a"
                               "\e]4;1;rgb:ffff/8080/0000\a")))
        (should (equal (vterm--get-color 1 :foreground) "#ff8000"))
        (should-not (assq 2 vterm--color-overrides))
        (should (assq 'default face-remapping-alist))
        ;; Text drawn in colour 1 now uses the set colour.
        (feed "\e[31mred\e[0m")
        (should (equal (plist-get (vterm-test--face-of "red") :foreground)
                       "#ff8000"))))))

;;;; Notifications

(ert-deftest vterm-test-shellproto-notify-from-bash ()
  "OSC 777 and OSC 9 from a program run `vterm-notification-functions';
ConEmu's OSC 9 ; 4 (progress) does not."
  (vterm-test-shellproto--with-bash
    (let (notes)
      (setq-local vterm-notification-functions
                  (list (lambda (title body) (push (list title body) notes))))
      (run (concat "printf '\\033]777;notify;Build;done: ok\\007"
                   "\\033]9;4;1;50\\007\\033]9;plain text\\033\\\\'"))
      (wait-for (lambda () (= (length notes) 2)))
      (should (equal (reverse notes)
                     '(("Build" "done: ok") ("" "plain text")))))))

(ert-deftest vterm-test-shellproto-notify-default-message ()
  "By default a notification shows in the echo area."
  (let ((mark (vterm-test--messages-mark)))
    (vterm-test--with-term (:free t)
      (feed "\e]777;notify;Title;Body\a\e]9;Only body\a"))
    (let ((log (vterm-test--messages-since mark)))
      (should (string-match-p "^vterm: Title: Body$" log))
      (should (string-match-p "^vterm: Only body$" log)))))

(ert-deftest vterm-test-shellproto-notify-hostile ()
  "Huge, numerous and binary notifications stay bounded and valid."
  (vterm-test--with-term (:free t)
    (let (notes)
      (setq-local vterm-notification-functions
                  (list (lambda (title body) (push (list title body) notes))))
      (feed (concat "\e]9;" (make-string (- (* 1024 1024) 100) ?x) "\a"))
      (should (= (length notes) 1))
      (should (<= (length (cadr (car notes))) 2051))
      (should (string-suffix-p "..." (cadr (car notes))))
      (setq notes nil)
      (feed (string-to-unibyte "\e]777;notify;\377\300t;b\302\233x\a"))
      (should (equal (car notes) (list "\ufffd\ufffdt" "bx")))
      (setq notes nil)
      (feed (apply #'concat (make-list 100000 "\e]9;n\a")))
      (should (<= (length notes) 256))
      (feed "\ec\e[2J\e[Hworks")
      (should (equal (car (screen)) "works")))))

(ert-deftest vterm-test-shellproto-notify-option-off ()
  "`vterm-enable-notifications' nil ignores OSC 9 and 777."
  (vterm-test--with-term (:free t)
    (let ((vterm-enable-notifications nil)
          called)
      (vterm--apply-osc-options)
      (setq-local vterm-notification-functions
                  (list (lambda (&rest _) (setq called t))))
      (feed "\e]9;x\a\e]777;notify;t;b\a")
      (should-not called))))

;;;; Chunking

(ert-deftest vterm-test-shellproto-chunked-same-as-whole ()
  "Every protocol gives the same result byte at a time as in one write."
  (let ((stream (concat "\e]7;file:///usr\a" "P> \e]133;B\a" "ls\r\n"
                        "\e]133;D;3\e\\" "\e]9;note\a" "\e]11;?\a"
                        "\e]4;2;?;200;?\e\\" "\e[6n")))
    (cl-flet ((run-stream
                (chunked)
                (let (notes statuses)
                  (vterm-test--with-term (:free t)
                    (setq default-directory "/")
                    (setq-local vterm-notification-functions
                                (list (lambda (title body)
                                        (push (list title body) notes))))
                    (add-hook 'vterm-command-finished-functions
                              (lambda (s) (push s statuses)) nil t)
                    (if chunked
                        (vterm-test-shellproto--feed-bytes stream)
                      (feed stream))
                    (list default-directory notes statuses (flushed)
                          (vterm--get-prompt-point) (screen))))))
      (let ((whole (run-stream nil)))
        (should (equal (nth 0 whole) "/usr/"))
        (should (equal (nth 1 whole) '(("" "note"))))
        (should (equal (nth 2 whole) '(3)))
        (should (string-match-p "\\`\e\\]11;rgb:[0-9a-f/]+\a\e\\]4;2;rgb:.*\e\\\\\e\\[2;1R\\'"
                                (nth 3 whole)))
        (should (equal (run-stream t) whole))))))

(provide 'vterm-test-shellproto)

;;; vterm-test-shellproto.el ends here

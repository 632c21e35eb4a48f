;;; vterm-test-osc.el --- ERT: titles, directory tracking, eval and OSC 52  -*- lexical-binding: t; -*-

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
;;   vterm-test-osc-title-osc0                   C31
;;   vterm-test-osc-title-osc2-st                C32
;;   vterm-test-osc-title-from-shell             C31 (through a pty)
;;   vterm-test-osc-icon-name-ignored            C33
;;   vterm-test-osc-long-title                   C34 (fixed: never cut), Q15
;;   vterm-test-osc-title-split-writes           C34, §4.7 (fragments)
;;   vterm-test-osc-title-last-wins              §3.2 (last title per redraw)
;;   vterm-test-osc-title-option-nil             §1.1 (no rename when nil)
;;   vterm-test-osc-dir-plain                    C35
;;   vterm-test-osc-dir-host-without-user        C36
;;   vterm-test-osc-dir-local-user-host          C37
;;   vterm-test-osc-dir-remote                   C38
;;   vterm-test-osc-dir-nonexistent              C39
;;   vterm-test-osc-dir-bel-terminated           C40
;;   vterm-test-osc-dir-from-shell               C35 (through a pty)
;;   vterm-test-osc-dir-last-per-redraw          Q7 (kept)
;;   vterm-test-osc-dir-recorded-per-row         §4.8, C49 (process-free)
;;   vterm-test-osc-pwd-unrecorded-line          110
;;   vterm-test-osc-dir-survives-scrollback      §4.9 (rows keep directory)
;;   vterm-test-osc-other-51-ignored             107
;;   vterm-test-osc-osc7-and-bell-ignored        106
;;   vterm-test-osc-eval-message                 C41
;;   vterm-test-osc-eval-not-whitelisted         C42 (message text: Q14)
;;   vterm-test-osc-eval-arguments               C43
;;   vterm-test-osc-eval-order                   Q7 (all 51;E run in order)
;;   vterm-test-osc-eval-in-terminal-buffer      §4.7
;;   vterm-test-osc-selection-kill-ring          C44
;;   vterm-test-osc-selection-option-nil         C44
;;   vterm-test-osc-selection-long               C44, §4.7 (fragments)
;;   vterm-test-osc-selection-query-ignored      §4.7
;;   vterm-test-osc-selection-from-shell         C44 (through a pty)
;; Empty 51;A (111 / Q6) and the OSC 52 mask (Q10) are in vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)

;;;; Titles

(ert-deftest vterm-test-osc-title-osc0 ()
  "C31: OSC 0 renames the buffer through `vterm-buffer-name-string'."
  (let ((vterm-buffer-name-string "vterm %s"))
    (vterm-test--with-term (:free t)
      (feed "\e]0;TITLE-ZERO\a")
      (should (equal (buffer-name) "vterm TITLE-ZERO")))))

(ert-deftest vterm-test-osc-title-osc2-st ()
  "C32: OSC 2 terminated by ST renames the buffer."
  (let ((vterm-buffer-name-string "vterm %s"))
    (vterm-test--with-term (:free t)
      (feed "\e]2;TITLE-TWO\e\\")
      (should (equal (buffer-name) "vterm TITLE-TWO")))))

(ert-deftest vterm-test-osc-title-from-shell ()
  "C31: a title printed by the shell renames the buffer."
  (let ((vterm-buffer-name-string "vterm %s"))
    (vterm-test--with-term ()
      (run "printf '\\033]0;SHELL-TITLE\\007'")
      (wait-for (lambda () (equal (buffer-name) "vterm SHELL-TITLE"))))))

(ert-deftest vterm-test-osc-icon-name-ignored ()
  "C33: OSC 1 (icon name) does not rename."
  (let ((vterm-buffer-name-string "vterm %s"))
    (vterm-test--with-term (:free t :name " *vterm-test-icon*")
      (feed "\e]1;ICON\a")
      (should (equal (buffer-name) " *vterm-test-icon*")))))

(ert-deftest vterm-test-osc-long-title ()
  "C34 / Q15: a 100-character title is kept whole on every libvterm."
  (let ((vterm-buffer-name-string "%s")
        (title (mapconcat (lambda (i) (format "%d" (% i 10)))
                          (number-sequence 1 100) "")))
    (vterm-test--with-term (:free t)
      (feed (concat "\e]2;" title "\a"))
      (should (equal (buffer-name) title)))))

(ert-deftest vterm-test-osc-title-split-writes ()
  "§4.7: a title split across writes is assembled."
  (let ((vterm-buffer-name-string "vt %s"))
    (vterm-test--with-term (:free t)
      (vterm--write-input vterm--term "\e]2;FIRST-HALF")
      (feed "-SECOND-HALF\e\\")
      (should (equal (buffer-name) "vt FIRST-HALF-SECOND-HALF")))))

(ert-deftest vterm-test-osc-title-last-wins ()
  "§3.2: with several titles before a redraw the last one is used."
  (let ((vterm-buffer-name-string "vt %s"))
    (vterm-test--with-term (:free t)
      (feed "\e]2;ONE\a\e]2;TWO\a")
      (should (equal (buffer-name) "vt TWO")))))

(ert-deftest vterm-test-osc-title-option-nil ()
  "§1.1: with `vterm-buffer-name-string' nil titles do not rename."
  (let ((vterm-buffer-name-string nil))
    (vterm-test--with-term (:free t :name " *vterm-test-keep*")
      (feed "\e]2;IGNORED\a")
      (should (equal (buffer-name) " *vterm-test-keep*")))))

;;;; Directory tracking (51;A)

(defmacro vterm-test-osc--with-dir (&rest body)
  "Run BODY in a process-free terminal whose `default-directory' is \"/\"."
  (declare (indent 0))
  `(vterm-test--with-term (:free t)
     (setq default-directory "/")
     ,@body))

(ert-deftest vterm-test-osc-dir-plain ()
  "C35: 51;A with an existing directory sets `default-directory'."
  (vterm-test-osc--with-dir
    (feed "\e]51;A/usr/\e\\")
    (should (equal default-directory "/usr/"))))

(ert-deftest vterm-test-osc-dir-host-without-user ()
  "C36: HOST:DIR without a user is not a directory; nothing changes."
  (vterm-test-osc--with-dir
    (feed "\e]51;Ahost:/tmp\e\\")
    (should (equal default-directory "/"))))

(ert-deftest vterm-test-osc-dir-local-user-host ()
  "C37: USER@HOST:DIR for this user and host gives the local DIR."
  (vterm-test-osc--with-dir
    (feed (format "\e]51;A%s@%s:/tmp\e\\" user-login-name (system-name)))
    (should (equal default-directory "/tmp/"))))

(ert-deftest vterm-test-osc-dir-remote ()
  "C38: another user or host gives a TRAMP name (not checked)."
  (vterm-test-osc--with-dir
    (feed "\e]51;Abob@otherhost:/srv/x\e\\")
    (should (equal default-directory "/-:bob@otherhost:/srv/x/"))))

(ert-deftest vterm-test-osc-dir-nonexistent ()
  "C39: a directory that does not exist is ignored."
  (vterm-test-osc--with-dir
    (feed "\e]51;A/nonexistent-dir-vterm-test\e\\")
    (should (equal default-directory "/"))))

(ert-deftest vterm-test-osc-dir-bel-terminated ()
  "C40: a BEL-terminated 51;A works too."
  (vterm-test-osc--with-dir
    (feed "\e]51;A/etc\a")
    (should (equal default-directory "/etc/"))))

(ert-deftest vterm-test-osc-dir-from-shell ()
  "C35: 51;A printed by a shell sets `default-directory'."
  (vterm-test--with-term ()
    (setq default-directory "/")
    (run "printf '\\033]51;A/usr/\\033\\\\'")
    (wait-for (lambda () (equal default-directory "/usr/")))))

(ert-deftest vterm-test-osc-dir-last-per-redraw ()
  "Q7 (kept): of several 51;A before one redraw the last applies."
  (vterm-test-osc--with-dir
    (feed "\e]51;A/usr\e\\\e]51;A/etc\e\\")
    (should (equal default-directory "/etc/"))))

(ert-deftest vterm-test-osc-dir-recorded-per-row ()
  "§4.8: rows from the cursor row down record the directory."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (feed "\e]51;A/tmp\e\\first\r\n")
    (feed "\e]51;A/usr\e\\second\r\n")
    (should (equal (vterm--get-pwd 1) "/tmp/"))
    (should (equal (vterm--get-pwd 2) "/usr/"))
    (should (equal (vterm--get-pwd 5) "/usr/"))
    (should (equal (vterm--get-pwd-raw vterm--term 1) "/tmp"))))

(ert-deftest vterm-test-osc-pwd-unrecorded-line ()
  "110: a scrollback line that never had a directory gives nil, no crash."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "a\r\nb\r\nc\r\nd\r\ne")
    (should (= (vterm-test--line-count) 5))
    (should (null (vterm--get-pwd 1)))
    (should (null (vterm--get-pwd-raw vterm--term 1)))
    (should (null (vterm--get-pwd-raw vterm--term 4)))))

(ert-deftest vterm-test-osc-dir-survives-scrollback ()
  "§4.9: a row keeps its recorded directory in the scrollback."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "\e]51;A/tmp\e\\tmp-row\r\n")
    (feed "\e]51;A/usr\e\\x\r\ny\r\nz\r\nw")
    (should (equal (vterm-test--line 1) "tmp-row"))
    (should (equal (vterm--get-pwd 1) "/tmp/"))))

(ert-deftest vterm-test-osc-other-51-ignored ()
  "107: 51;X is ignored and a following 51;A still applies."
  (vterm-test-osc--with-dir
    (feed "\e]51;Xfoo\e\\")
    (should (equal default-directory "/"))
    (feed "\e]51;A/var\e\\")
    (should (equal default-directory "/var/"))))

(ert-deftest vterm-test-osc-osc7-and-bell-ignored ()
  "106: OSC 7 does not change the directory; BEL never calls `ding'.
Upstream ignores OSC 7; here that takes `vterm-enable-osc7-directory'
nil (see vterm-test-shellproto.el for OSC 7 switched on)."
  (vterm-test--recording ((dings ding) (beeps beep))
    (vterm-test-osc--with-dir
      (let ((vterm-enable-osc7-directory nil))
        (vterm--apply-osc-options))
      (feed "\e]7;file://vm/tmp\e\\")
      (should (equal default-directory "/"))
      (feed "\a")
      (should (null dings))
      (should (null beeps)))))

;;;; Eval (51;E)

(defun vterm-test-osc--recorder (&rest _args)
  "Stand-in for a whitelisted eval command; replaced while recording.")

(ert-deftest vterm-test-osc-eval-message ()
  "C41: 51;E with a whitelisted `message' call runs it."
  (let ((mark (vterm-test--messages-mark)))
    (vterm-test--with-term (:free t)
      (feed "\e]51;Emessage \"hi %s\" \"there\"\e\\"))
    (should (string-match-p "^hi there$" (vterm-test--messages-since mark)))))

(ert-deftest vterm-test-osc-eval-not-whitelisted ()
  "C42: a command missing from `vterm-eval-cmds' only gets a message."
  (let ((file (make-temp-file "vterm-test-eval-"))
        (mark (vterm-test--messages-mark)))
    (unwind-protect
        (progn
          (vterm-test--with-term (:free t)
            (feed (format "\e]51;Edelete-file \"%s\"\e\\" file)))
          (should (file-exists-p file))
          (should (string-match-p "Failed to find command: delete-file"
                                  (vterm-test--messages-since mark))))
      (delete-file file))))

(ert-deftest vterm-test-osc-eval-arguments ()
  "C43: arguments are split shell-style and passed as strings."
  (vterm-test--recording ((calls vterm-test-osc--recorder))
    (let ((vterm-eval-cmds (cons '("vt-record" vterm-test-osc--recorder)
                                 vterm-eval-cmds)))
      (vterm-test--with-term (:free t)
        (feed "\e]51;Evt-record a \"b c\"\e\\")
        (should (equal calls '(("a" "b c"))))))))

(ert-deftest vterm-test-osc-eval-order ()
  "Q7 (kept): every 51;E before a redraw runs, in order."
  (vterm-test--recording ((calls vterm-test-osc--recorder))
    (let ((vterm-eval-cmds (cons '("vt-record" vterm-test-osc--recorder)
                                 vterm-eval-cmds)))
      (vterm-test--with-term (:free t)
        (feed "\e]51;Evt-record 1\e\\\e]51;Evt-record 2\a"
              "\e]51;Evt-record 3\e\\")
        (should (equal calls '(("1") ("2") ("3"))))))))

(ert-deftest vterm-test-osc-eval-in-terminal-buffer ()
  "§4.7: the whitelisted function runs with the terminal buffer current."
  (let* ((seen nil)
         (vterm-eval-cmds
          (cons (list "vt-where" (lambda (&rest _) (setq seen (current-buffer))))
                vterm-eval-cmds)))
    (vterm-test--with-term (:free t)
      (let ((buffer (current-buffer)))
        (with-temp-buffer
          (with-current-buffer buffer
            (feed "\e]51;Evt-where\e\\")))
        (should (eq seen buffer))))))

;;;; Selection (OSC 52)

(defmacro vterm-test-osc--with-clipboard (var &rest body)
  "Run BODY with a private kill ring; VAR collects interprogram cuts."
  (declare (indent 1))
  `(let* ((kill-ring nil)
          (kill-ring-yank-pointer nil)
          (,var nil)
          (interprogram-cut-function
           (lambda (text)
             (setq ,var (append ,var
                                (list (list text select-enable-clipboard
                                            select-enable-primary))))))
          (interprogram-paste-function nil))
     ,@body))

(ert-deftest vterm-test-osc-selection-kill-ring ()
  "C44: with the option on, OSC 52 puts the text on the kill ring."
  (vterm-test-osc--with-clipboard cuts
    (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
      (vterm-test--with-term (:free t)
        (feed (format "\e]52;c;%s\a" (base64-encode-string "hello clip")))
        (should (equal (car kill-ring) "hello clip"))
        (should (equal (caar cuts) "hello clip"))))))

(ert-deftest vterm-test-osc-selection-option-nil ()
  "C44: with the option off, OSC 52 does nothing."
  (vterm-test-osc--with-clipboard cuts
    (let ((vterm-enable-manipulate-selection-data-by-osc52 nil))
      (vterm-test--with-term (:free t)
        (feed (format "\e]52;c;%s\a" (base64-encode-string "hello clip")))
        (should (null kill-ring))
        (should (null cuts))))))

(ert-deftest vterm-test-osc-selection-long ()
  "C44: a selection longer than one 4096-byte chunk arrives whole."
  (vterm-test-osc--with-clipboard cuts
    (ignore cuts)
    (let ((vterm-enable-manipulate-selection-data-by-osc52 t)
          (text (apply #'concat (mapcar (lambda (i) (format "%05d," i))
                                        (number-sequence 1 1500)))))
      (vterm-test--with-term (:free t)
        (feed (format "\e]52;c;%s\e\\" (base64-encode-string text t)))
        ;; Compare sizes and digests: the text is too long for a readable diff.
        (should (equal (length (car kill-ring)) (length text)))
        (should (equal (secure-hash 'sha1 (or (car kill-ring) ""))
                       (secure-hash 'sha1 text)))))))

(ert-deftest vterm-test-osc-selection-query-ignored ()
  "§4.7: an OSC 52 query (?) neither sets the kill ring nor replies."
  (vterm-test-osc--with-clipboard cuts
    (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
      (vterm-test--with-term (:free t)
        (feed "\e]52;c;?\a")
        (should (null kill-ring))
        (should (null cuts))
        (should (equal (flushed) ""))))))

(ert-deftest vterm-test-osc-selection-from-shell ()
  "C44: OSC 52 printed by a shell reaches the kill ring."
  (vterm-test-osc--with-clipboard cuts
    (ignore cuts)
    (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
      (vterm-test--with-term ()
        (run (format "printf '\\033]52;c;%s\\007'"
                     (base64-encode-string "from shell")))
        (wait-for (lambda () (equal (car kill-ring) "from shell")))))))

;;; vterm-test-osc.el ends here

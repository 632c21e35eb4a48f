;;; vterm-test-keys.el --- ERT: keys and the bytes they put on the wire  -*- lexical-binding: t; -*-

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

;; Two layers:
;; * vterm-test-keys-wire-*: a shell reads its tty in raw (or cooked) mode
;;   and reports, in hex, exactly the bytes that arrived (spec §7 "Keys").
;; * vterm-test-keys-module-*: one test per row of the spec §2.6 table,
;;   generated from `vterm-test-keys--table'; the key goes through
;;   `vterm--update' of a process-free terminal and the bytes passed to
;;   `vterm--flush-output' are compared.  A selection of rows is also
;;   checked on the wire (vterm-test-keys-wire-table-*).
;;
;; Checklist coverage (spec §7):
;;   vterm-test-keys-wire-ctrl-a               C67
;;   vterm-test-keys-wire-meta-x               C68
;;   vterm-test-keys-wire-up                   C69
;;   vterm-test-keys-wire-shift-up             C70
;;   vterm-test-keys-wire-ctrl-left            C71
;;   vterm-test-keys-wire-f1                   C72
;;   vterm-test-keys-wire-f5                   C73
;;   vterm-test-keys-wire-backspace            C74
;;   vterm-test-keys-wire-meta-backspace       C75
;;   vterm-test-keys-wire-tab                  C76
;;   vterm-test-keys-wire-backtab              C77
;;   vterm-test-keys-wire-return-raw           C78
;;   vterm-test-keys-wire-ctrl-space           C79
;;   vterm-test-keys-wire-ctrl-m               C80
;;   vterm-test-keys-wire-ctrl-j               C81
;;   vterm-test-keys-wire-undo                 C82
;;   vterm-test-keys-wire-delete               C83
;;   vterm-test-keys-wire-home                 C84
;;   vterm-test-keys-wire-e-acute              C85
;;   vterm-test-keys-wire-next-key-ctrl-g      C88
;;   vterm-test-keys-wire-self-insert-meta     C89 (lower-case letter)
;;   vterm-test-keys-wire-bracketed-paste      C90
;;   vterm-test-keys-wire-plain-string         C90, §2.5
;;   vterm-test-keys-wire-decckm-up            C91
;;   vterm-test-keys-wire-return-cooked        C92
;;   vterm-test-keys-icrnl                     C92, C93
;;   vterm-test-keys-wire-self-insert-ctrl-c   §2.3 (C-c C-c sends 03)
;;   vterm-test-keys-wire-self-insert-non-ascii  §2.3 (remapped self-insert)
;;   vterm-test-keys-wire-insert-chars         §2.5 (vterm-insert)
;;   vterm-test-keys-wire-send-space           §2.3 (S-SPC)
;;   vterm-test-keys-wire-escape               §2.1 (vterm-send-escape)
;;   vterm-test-keys-wire-table-*              §2.6 (sample on the wire)
;;   vterm-test-keys-module-*                  §2.6 (every row)
;;   vterm-test-keys-module-unknown-ignored    §2.6 (unknown names)
;; C86, C87 (vterm-send) and the M-A case of C89 are quirks Q8/Q9: see
;; vterm-test-quirks.el.

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-keys--wire (thunk &optional mode prologue)
  "Return the hex of the bytes sent by THUNK.
MODE and PROLOGUE are as in `vterm-test--key-bytes'."
  (vterm-test--key-bytes thunk mode prologue))

;;;; Bytes on the wire (§7 Keys)

(ert-deftest vterm-test-keys-wire-ctrl-a ()
  "C67: a + ctrl sends 01."
  (should (equal (vterm-test-keys--wire
                  (lambda () (vterm-send-key "a" nil nil t)))
                 "01")))

(ert-deftest vterm-test-keys-wire-meta-x ()
  "C68: x + meta sends ESC x."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "x" nil t)))
                 "1b 78")))

(ert-deftest vterm-test-keys-wire-up ()
  "C69: <up> sends ESC [ A."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<up>")))
                 "1b 5b 41")))

(ert-deftest vterm-test-keys-wire-shift-up ()
  "C70: <up> + shift sends ESC [ 1 ; 2 A."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<up>" t)))
                 (vterm-test--hex "\e[1;2A"))))

(ert-deftest vterm-test-keys-wire-ctrl-left ()
  "C71: <left> + ctrl sends ESC [ 1 ; 5 D."
  (should (equal (vterm-test-keys--wire
                  (lambda () (vterm-send-key "<left>" nil nil t)))
                 (vterm-test--hex "\e[1;5D"))))

(ert-deftest vterm-test-keys-wire-f1 ()
  "C72: <f1> sends ESC O P."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<f1>")))
                 "1b 4f 50")))

(ert-deftest vterm-test-keys-wire-f5 ()
  "C73: <f5> sends ESC [ 1 5 ~."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<f5>")))
                 (vterm-test--hex "\e[15~"))))

(ert-deftest vterm-test-keys-wire-backspace ()
  "C74: `vterm-send-backspace' sends 7f."
  (should (equal (vterm-test-keys--wire #'vterm-send-backspace) "7f")))

(ert-deftest vterm-test-keys-wire-meta-backspace ()
  "C75: `vterm-send-meta-backspace' sends ESC 7f."
  (should (equal (vterm-test-keys--wire #'vterm-send-meta-backspace) "1b 7f")))

(ert-deftest vterm-test-keys-wire-tab ()
  "C76: `vterm-send-tab' sends 09."
  (should (equal (vterm-test-keys--wire #'vterm-send-tab) "09")))

(ert-deftest vterm-test-keys-wire-backtab ()
  "C77: <backtab> sends ESC [ Z."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<backtab>")))
                 "1b 5b 5a")))

(ert-deftest vterm-test-keys-wire-return-raw ()
  "C78: `vterm-send-return' with ICRNL off sends CR (0d)."
  (should (equal (vterm-test-keys--wire #'vterm-send-return) "0d")))

(ert-deftest vterm-test-keys-wire-ctrl-space ()
  "C79: (vterm-send \"C-SPC\") sends NUL."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send "C-SPC"))) "00")))

(ert-deftest vterm-test-keys-wire-ctrl-m ()
  "C80: m + ctrl sends the CSI u form ESC [ 1 0 9 ; 5 u."
  (should (equal (vterm-test-keys--wire
                  (lambda () (vterm-send-key "m" nil nil t)))
                 (vterm-test--hex "\e[109;5u"))))

(ert-deftest vterm-test-keys-wire-ctrl-j ()
  "C81: j + ctrl sends LF."
  (should (equal (vterm-test-keys--wire
                  (lambda () (vterm-send-key "j" nil nil t)))
                 "0a")))

(ert-deftest vterm-test-keys-wire-undo ()
  "C82: `vterm-undo' sends C-_ (1f)."
  (should (equal (vterm-test-keys--wire #'vterm-undo) "1f")))

(ert-deftest vterm-test-keys-wire-delete ()
  "C83: `vterm-send-delete' sends ESC [ 3 ~."
  (should (equal (vterm-test-keys--wire #'vterm-send-delete)
                 (vterm-test--hex "\e[3~"))))

(ert-deftest vterm-test-keys-wire-home ()
  "C84: <home> sends ESC [ H."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<home>")))
                 "1b 5b 48")))

(ert-deftest vterm-test-keys-wire-e-acute ()
  "C85: é is sent as UTF-8 c3 a9."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "é")))
                 "c3 a9")))

(ert-deftest vterm-test-keys-wire-next-key-ctrl-g ()
  "C88: `vterm-send-next-key' with next event C-g sends 07."
  (should (equal (vterm-test-keys--wire
                  (lambda ()
                    (let ((unread-command-events (list ?\C-g)))
                      (vterm-send-next-key))))
                 "07")))

(ert-deftest vterm-test-keys-wire-self-insert-meta ()
  "C89: `vterm--self-insert-meta' with a lower-case letter sends ESC letter."
  (should (equal (vterm-test-keys--wire
                  (lambda ()
                    (let ((last-command-event ?q))
                      (vterm--self-insert-meta))))
                 "1b 71")))

(ert-deftest vterm-test-keys-wire-bracketed-paste ()
  "C90: after ?2004h a paste is wrapped in ESC [ 200 ~ / ESC [ 201 ~."
  (should (equal (vterm-test-keys--wire
                  (lambda () (vterm-send-string "ab" t))
                  'raw "\\033[?2004h")
                 (vterm-test--hex "\e[200~ab\e[201~"))))

(ert-deftest vterm-test-keys-wire-plain-string ()
  "C90: without ?2004h a paste is the plain text; \"\\n\" goes as LF."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-string "ab" t)))
                 "61 62"))
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-string "a\nb")))
                 "61 0a 62")))

(ert-deftest vterm-test-keys-wire-decckm-up ()
  "C91: with DECCKM (?1h) <up> sends ESC O A."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-send-key "<up>"))
                                        'raw "\\033[?1h")
                 "1b 4f 41")))

(ert-deftest vterm-test-keys-wire-return-cooked ()
  "C92: in a cooked tty `vterm-send-return' sends LF."
  (let ((sent nil))
    (should (equal (vterm-test-keys--wire
                    (lambda ()
                      (let ((orig (symbol-function 'process-send-string)))
                        (cl-letf (((symbol-function 'process-send-string)
                                   (lambda (proc string)
                                     (push string sent)
                                     (funcall orig proc string))))
                          (vterm-send-return))))
                    'cooked)
                   "0a"))
    (should (equal sent '("\n")))))

(ert-deftest vterm-test-keys-icrnl ()
  "C92 / C93: `vterm--get-icrnl' follows the tty's ICRNL flag."
  (vterm-test--with-term ()
    (should (eq (vterm--get-icrnl vterm--term) t))
    (run "stty -icrnl; echo ICRNL-\"\"OFF")
    (wait-for "^ICRNL-OFF$")
    (wait-for (lambda () (null (vterm--get-icrnl vterm--term))))))

(ert-deftest vterm-test-keys-wire-self-insert-ctrl-c ()
  "§2.3: C-c C-c (`vterm--self-insert' on the last event) sends 03."
  (should (equal (vterm-test-keys--wire
                  (lambda ()
                    (let ((last-command-event ?\C-c))
                      (vterm--self-insert))))
                 "03")))

(ert-deftest vterm-test-keys-wire-self-insert-non-ascii ()
  "§2.3: a non-ASCII self-inserting char goes as UTF-8."
  (should (equal (vterm-test-keys--wire
                  (lambda ()
                    (let ((last-command-event ?日))
                      (vterm--self-insert))))
                 "e6 97 a5")))

(ert-deftest vterm-test-keys-wire-insert-chars ()
  "§2.5: `vterm-insert' accepts strings and characters."
  (should (equal (vterm-test-keys--wire (lambda () (vterm-insert "ab" ?c)))
                 "61 62 63")))

(ert-deftest vterm-test-keys-wire-send-space ()
  "§2.3: `vterm-send-space' sends a plain space."
  (should (equal (vterm-test-keys--wire #'vterm-send-space) "20")))

(ert-deftest vterm-test-keys-wire-escape ()
  "§2.1: `vterm-send-escape' sends ESC."
  (should (equal (vterm-test-keys--wire #'vterm-send-escape) "1b")))

;;;; The §2.6 table

(eval-and-compile
  (defconst vterm-test-keys--table
    '((ctrl-a ("a" nil nil t) "\x01")
      (meta-x ("x" nil t) "\ex")
      (shift-capital-a ("A" t) "A")
      (up ("<up>") "\e[A")
      (up-decckm ("<up>") "\eOA" "\e[?1h")
      (down ("<down>") "\e[B")
      (right ("<right>") "\e[C")
      (left ("<left>") "\e[D")
      (shift-up ("<up>" t) "\e[1;2A")
      (ctrl-left ("<left>" nil nil t) "\e[1;5D")
      (meta-right ("<right>" nil t) "\e[1;3C")
      (f1 ("<f1>") "\eOP")
      (f2 ("<f2>") "\eOQ")
      (f3 ("<f3>") "\eOR")
      (f4 ("<f4>") "\eOS")
      (f5 ("<f5>") "\e[15~")
      (f6 ("<f6>") "\e[17~")
      (f7 ("<f7>") "\e[18~")
      (f8 ("<f8>") "\e[19~")
      (f9 ("<f9>") "\e[20~")
      (f10 ("<f10>") "\e[21~")
      (f11 ("<f11>") "\e[23~")
      (f12 ("<f12>") "\e[24~")
      (backspace ("<backspace>") "\x7f")
      (meta-backspace ("<backspace>" nil t) "\e\x7f")
      (tab ("<tab>") "\t")
      (backtab ("<backtab>") "\e[Z")
      (iso-lefttab ("<iso-lefttab>") "\e[Z")
      (ctrl-space ("SPC" nil nil t) "\0")
      (space ("SPC") " ")
      (ctrl-m ("m" nil nil t) "\e[109;5u")
      (ctrl-i ("i" nil nil t) "\e[105;5u")
      (ctrl-bracket ("[" nil nil t) "\e[91;5u")
      (ctrl-j ("j" nil nil t) "\n")
      (ctrl-underscore ("_" nil nil t) "\x1f")
      (delete ("<delete>") "\e[3~")
      (insert ("<insert>") "\e[2~")
      (home ("<home>") "\e[H")
      (end ("<end>") "\e[F")
      (prior ("<prior>") "\e[5~")
      (next ("<next>") "\e[6~")
      (escape ("<escape>") "\e")
      (kp-5 ("<kp-5>") "5")
      (kp-enter ("<kp-enter>") "\n")
      (e-acute ("é") "\303\251")
      (cjk ("日") "\346\227\245")
      (paste-markers-off ("<start_paste>") "")
      (paste-start ("<start_paste>") "\e[200~" "\e[?2004h")
      (paste-end ("<end_paste>") "\e[201~" "\e[?2004h"))
    "Rows of spec §2.6: (NAME (KEY SHIFT META CTRL) BYTES [PROLOGUE]).
PROLOGUE is fed to the terminal before the key."))

(defun vterm-test-keys--module-bytes (args prologue)
  "Return what `vterm--update' with key ARGS flushes after PROLOGUE."
  (let (result)
    (vterm-test--with-term (:free t)
      (when prologue (vterm-test--feed prologue))
      (vterm-test--flushed)
      (let ((inhibit-read-only t))
        (apply #'vterm--update vterm--term args))
      (setq result (vterm-test--flushed)))
    result))

(defmacro vterm-test-keys--define-module-tests ()
  "Define one `vterm-test-keys-module-NAME' test per table row."
  `(progn
     ,@(mapcar
        (lambda (row)
          (let ((name (nth 0 row)) (args (nth 1 row))
                (bytes (nth 2 row)) (prologue (nth 3 row)))
            `(ert-deftest ,(intern (format "vterm-test-keys-module-%s" name)) ()
               ,(format "§2.6: key %S%s encodes as %s."
                        args
                        (if prologue (format " after %S" prologue) "")
                        (if (equal bytes "") "nothing"
                          (vterm-test--hex bytes)))
               (should (equal (vterm-test--hex
                               (vterm-test-keys--module-bytes ',args ,prologue))
                              ,(vterm-test--hex bytes))))))
        vterm-test-keys--table)))

(vterm-test-keys--define-module-tests)

(ert-deftest vterm-test-keys-module-unknown-ignored ()
  "§2.6: unknown names and multi-character strings are silently ignored."
  (dolist (key '("<UP>" "<no-such-key>" "ab" ""))
    (should (equal (vterm-test-keys--module-bytes (list key) nil) ""))))

(defmacro vterm-test-keys--define-wire-tests (&rest names)
  "Define `vterm-test-keys-wire-table-NAME' for table rows NAMES."
  `(progn
     ,@(mapcar
        (lambda (name)
          (let* ((row (assq name vterm-test-keys--table))
                 (args (nth 1 row)) (bytes (nth 2 row)) (prologue (nth 3 row)))
            `(ert-deftest ,(intern (format "vterm-test-keys-wire-table-%s" name)) ()
               ,(format "§2.6 on the wire: key %S sends %s." args
                        (vterm-test--hex bytes))
               (should (equal (vterm-test-keys--wire
                               (lambda () (apply #'vterm-send-key ',args))
                               'raw
                               ,(and prologue
                                     (replace-regexp-in-string
                                      "\e" "\\\\033" prologue)))
                              ,(vterm-test--hex bytes))))))
        names)))

(vterm-test-keys--define-wire-tests
 meta-right f12 ctrl-i ctrl-bracket insert end prior next escape kp-enter
 shift-capital-a)

;;; vterm-test-keys.el ends here

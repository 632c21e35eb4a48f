;;; vterm-test-startup-env.el --- ERT: terminal start-up and child environment  -*- lexical-binding: t; -*-

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
;;   vterm-test-startup-env-vterm-command             C01
;;   vterm-test-startup-env-buffer-locals             C02
;;   vterm-test-startup-env-process-command           C03
;;   vterm-test-startup-env-process-plumbing          C04
;;   vterm-test-startup-env-mode-hook-sees-process    C05
;;   vterm-test-startup-env-child-environment         C06
;;   vterm-test-startup-env-term-variable             C06 (TERM option)
;;   vterm-test-startup-env-dir-locals-environment    C06 (dir-locals)
;;   vterm-test-startup-env-stty-size                 C07
;;   vterm-test-startup-env-min-width                 C07 (COLS >= 80)
;;   vterm-test-startup-env-stty-modes                C07
;;   vterm-test-startup-env-no-major-mode-change      C08
;;   vterm-test-startup-env-next-error-and-bookmark   C09
;;   vterm-test-startup-env-truncation-glyph          C10
;;   vterm-test-startup-env-query-on-exit             119
;;   vterm-test-startup-env-initial-buffer            C12 (fresh terminal)

;;; Code:

(require 'vterm-test-helpers)

(ert-deftest vterm-test-startup-env-vterm-command ()
  "C01: `vterm' makes buffer \"*vterm*\" in `vterm-mode', mode name \"VTerm\"."
  (vterm-test--skip-unless-posix)
  (let ((vterm-shell "/bin/sh")
        (vterm-buffer-name "*vterm*")
        (buffer nil))
    (when (get-buffer "*vterm*") (vterm-test--kill (get-buffer "*vterm*")))
    (save-window-excursion
      (unwind-protect
          (progn
            (setq buffer (vterm))
            (should (bufferp buffer))
            (should (equal (buffer-name buffer) "*vterm*"))
            (with-current-buffer buffer
              (should (eq major-mode 'vterm-mode))
              (should (equal mode-name "VTerm"))
              (should (process-live-p vterm--process))))
        (vterm-test--kill buffer)))))

(ert-deftest vterm-test-startup-env-buffer-locals ()
  "C02: the terminal buffer is read-only and set up for terminal display."
  (vterm-test--with-term ()
    (should buffer-read-only)
    (should (eq truncate-lines t))
    (should (equal scroll-conservatively 101))
    (should (equal scroll-margin 0))
    (should (equal hscroll-margin 0))
    (should (equal hscroll-step 1))
    (should (eq buffer-undo-list t))
    (should (equal font-lock-defaults '(nil t)))
    (dolist (var '(truncate-lines scroll-conservatively scroll-margin
                   hscroll-margin hscroll-step font-lock-defaults))
      (should (local-variable-p var)))))

(ert-deftest vterm-test-startup-env-process-command ()
  "C03: the child is /bin/sh running stty with the size, then exec SHELL."
  (vterm-test--with-term (:rows 10 :cols 80)
    (should (equal (process-command vterm--process)
                   '("/bin/sh" "-c"
                     "stty -nl sane iutf8 erase ^? rows 10 columns 80 >/dev/null && exec /bin/sh")))
    (should (string-prefix-p "vterm" (process-name vterm--process)))
    (should (process-tty-name vterm--process))
    (should (eq (get-buffer-process (current-buffer)) vterm--process))))

(ert-deftest vterm-test-startup-env-process-plumbing ()
  "C04: filter, sentinel, binary read coding and the resize function."
  (let ((vterm-kill-buffer-on-exit t))
    (vterm-test--with-term ()
      (should (eq (process-filter vterm--process) #'vterm--filter))
      (should (eq (process-sentinel vterm--process) #'vterm--sentinel))
      (should (eq (car (process-coding-system vterm--process)) 'binary))
      (should (eq (process-get vterm--process 'adjust-window-size-function)
                  #'vterm--window-adjust-process-window-size)))))

(ert-deftest vterm-test-startup-env-mode-hook-sees-process ()
  "C05: `vterm-mode-hook' runs after the process exists."
  (let* ((seen 'not-run)
         (hook (lambda () (setq seen (and (processp vterm--process)
                                         (process-live-p vterm--process)
                                         t))))
         (vterm-mode-hook (list hook)))
    (vterm-test--with-term ()
      (should (eq seen t)))))

(ert-deftest vterm-test-startup-env-child-environment ()
  "C06: the child gets TERM, INSIDE_EMACS, EMACS_VTERM_PATH and extras.
The extras come from `vterm-environment'; LINES and COLUMNS are removed."
  (let ((process-environment (append '("LINES=99" "COLUMNS=98")
                                     process-environment))
        (vterm-environment '("VT_TEST_FOO=bar baz")))
    (vterm-test--with-term (:cols 200)
      (run (concat "echo \"T=$TERM I=$INSIDE_EMACS F=$VT_TEST_FOO"
                   " L=${LINES-unset} C=${COLUMNS-unset} P=$EMACS_VTERM_PATH\""))
      (let ((line (wait-for "^\\(T=.*\\)$")))
        (should (string-match-p "T=xterm-256color " line))
        (should (string-match-p "I=vterm " line))
        (should (string-match-p "F=bar baz " line))
        (should (string-match-p "L=unset C=unset " line))
        (should (string-match "P=\\(.*\\)$" line))
        (let ((path (match-string 1 line)))
          (should (string-suffix-p "/" path))
          (should (file-equal-p path (file-name-directory
                                      (locate-library "vterm")))))))))

(ert-deftest vterm-test-startup-env-term-variable ()
  "C06: `vterm-term-environment-variable' sets TERM for the child."
  (let ((vterm-term-environment-variable "vt100"))
    (vterm-test--with-term ()
      (run "echo \"TERM-IS-$TERM\"")
      (should (equal (wait-for "^TERM-IS-\\(.*\\)$") "vt100")))))

(ert-deftest vterm-test-startup-env-dir-locals-environment ()
  "C06: `vterm-environment' is also taken from .dir-locals.el."
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-dirlocal-" t)))
         (default-directory dir)
         (enable-local-variables :all))
    (unwind-protect
        (progn
          (with-temp-file (expand-file-name ".dir-locals.el" dir)
            (insert "((nil . ((vterm-environment . (\"VT_DIRLOCAL=yes\")))))\n"))
          (vterm-test--with-term ()
            (run "echo \"DL-$VT_DIRLOCAL\"")
            (should (equal (wait-for "^DL-\\(.*\\)$") "yes"))))
      (delete-directory dir t))))

(ert-deftest vterm-test-startup-env-stty-size ()
  "C07: the pty size equals the buffer's rows and columns."
  (vterm-test--with-term (:rows 12 :cols 90)
    (run "stty size")
    (should (equal (wait-for "^\\([0-9]+ [0-9]+\\)$") "12 90"))))

(ert-deftest vterm-test-startup-env-min-width ()
  "C07: the terminal is never narrower than `vterm-min-window-width'."
  (vterm-test--skip-unless-posix)
  (let ((vterm-shell "/bin/sh")
        (process-environment (cons "PS1=$ " process-environment))
        (vterm-min-window-width 80)
        (buffer (generate-new-buffer " *vterm-test-min*")))
    (unwind-protect
        (with-current-buffer buffer
          (cl-letf (((symbol-function 'window-body-height) (lambda (&rest _) 8))
                    ((symbol-function 'window-body-width) (lambda (&rest _) 30))
                    ((symbol-function 'window-max-chars-per-line)
                     (lambda (&rest _) 30)))
            (vterm-mode))
          (setq vterm-test--rows 8)
          (vterm-test--wait-for "\\$ ")
          (vterm-test--run "stty size")
          (should (equal (vterm-test--wait-for "^\\([0-9]+ [0-9]+\\)$")
                         "8 80")))
      (vterm-test--kill buffer))))

(ert-deftest vterm-test-startup-env-stty-modes ()
  "C07: the tty has iutf8 and erase = ^?."
  (vterm-test--with-term (:cols 200 :rows 30)
    (run "stty -a | tr ';' '\\n' | grep -e erase -e iutf8 | tr '\\n' ' '; echo END-\"\"STTY")
    (let ((out (wait-for "^\\(.*\\)END-STTY$")))
      (should (string-match-p "erase = \\^\\?" out))
      (should (string-match-p "\\(^\\| \\)iutf8" out))
      (should-not (string-match-p "-iutf8" out)))))

(ert-deftest vterm-test-startup-env-no-major-mode-change ()
  "C08: changing the major mode signals `user-error' and keeps `vterm-mode'."
  (vterm-test--with-term ()
    (should-error (fundamental-mode) :type 'user-error)
    (should (eq major-mode 'vterm-mode))
    (should (process-live-p vterm--process))))

(ert-deftest vterm-test-startup-env-next-error-and-bookmark ()
  "C09: `next-error-function' and `bookmark-make-record-function' are vterm's."
  (vterm-test--with-term ()
    (should (eq next-error-function 'vterm-next-error-function))
    (should (eq bookmark-make-record-function 'vterm--bookmark-make-record))))

(ert-deftest vterm-test-startup-env-truncation-glyph ()
  "C10: the buffer display table shows a space instead of `$' for truncation."
  (vterm-test--with-term ()
    (should (char-table-p buffer-display-table))
    (should (equal (display-table-slot buffer-display-table 'truncation) 32))))

(ert-deftest vterm-test-startup-env-query-on-exit ()
  "119: a live terminal asks before it is killed (query flag t)."
  (vterm-test--skip-unless-posix)
  (let ((vterm-shell "/bin/sh")
        (buffer (generate-new-buffer " *vterm-test-query*")))
    (unwind-protect
        (with-current-buffer buffer
          (vterm-mode)
          (should (process-query-on-exit-flag vterm--process)))
      (vterm-test--kill buffer))))

(ert-deftest vterm-test-startup-env-initial-buffer ()
  "C12: a fresh terminal buffer is ROWS empty lines."
  (vterm-test--with-term (:rows 7 :wait nil)
    ;; Before the shell prints anything the buffer is seven empty rows;
    ;; after the prompt it still has seven lines.
    (vterm-test--wait-for "\\$ ")
    (should (= (vterm-test--line-count) 7))
    (should (string-suffix-p "\n" (buffer-string)))))

;;; vterm-test-startup-env.el ends here

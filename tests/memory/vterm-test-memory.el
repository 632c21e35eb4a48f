;;; vterm-test-memory.el --- Memory and allocator tests for vterm  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors

;; This program is free software: you can redistribute it and/or modify it
;; under the terms of the GNU General Public License as published by the Free
;; Software Foundation, either version 3 of the License, or (at your option)
;; any later version.

;; This program is distributed in the hope that it will be useful, but
;; WITHOUT ANY WARRANTY; without even the implied warranty of
;; MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General
;; Public License for more details.

;; You should have received a copy of the GNU General Public License along
;; with this program.  If not, see <https://www.gnu.org/licenses/>.

;;; Commentary:

;; Process-free tests of the module's memory: large scrollback, rapid
;; resizes, directory tracking over long streams, terminals created and
;; killed, the arena's malloc fallback, and the bound on memory over long
;; runs.  They run with whatever allocator the module was built with; the
;; arena-only checks skip themselves when `vterm--arena-stats' returns nil.

;;; Code:

(require 'ert)
(require 'vterm)

(defmacro vterm-test-memory--with-term (spec &rest body)
  "Run BODY with TERM bound to a process-free terminal.
SPEC is (TERM ROWS COLS SCROLLBACK).  The terminal lives in a temporary
buffer that is current during BODY."
  (declare (indent 1))
  (let ((term (nth 0 spec)))
    `(with-temp-buffer
       (let* ((inhibit-read-only t)
              (,term (vterm--new ,(nth 1 spec) ,(nth 2 spec) ,(nth 3 spec)
                                 nil nil nil t nil)))
         ,@body))))

(defun vterm-test-memory--feed (term text)
  "Feed TEXT to TERM in 4 KiB chunks, redrawing after each, as a process would."
  (let ((len (length text)) (pos 0))
    (while (< pos len)
      (let ((end (min len (+ pos 4096))))
        (vterm--write-input term (substring text pos end))
        (vterm--redraw term)
        (setq pos end)))))

(defun vterm-test-memory--lines (from to &optional prefix)
  "Return lines FROM..TO-1 as one string, each \"PREFIX N\" and CRLF."
  (mapconcat (lambda (n) (format "%s %d\r\n" (or prefix "line") n))
             (number-sequence from (1- to)) ""))

(defun vterm-test-memory--rss-kib ()
  "Resident set size of this Emacs in KiB, after a garbage collection."
  (garbage-collect)
  (with-temp-buffer
    (insert-file-contents "/proc/self/status")
    (re-search-forward "^VmRSS:[ \t]+\\([0-9]+\\) kB")
    (string-to-number (match-string 1))))

(ert-deftest vterm-test-memory-scrollback-100k-filled ()
  "A scrollback of 100000 lines fills completely and stops there."
  :tags '(:expensive-test)
  (vterm-test-memory--with-term (term 24 80 100000)
    (dotimes (block 11)
      (vterm-test-memory--feed
       term (vterm-test-memory--lines (* block 10000) (* (1+ block) 10000))))
    (should (= (count-lines (point-min) (point-max)) (+ 100000 24)))
    (goto-char (point-max))
    (should (re-search-backward "^line 109999$" nil t))
    (goto-char (point-min))
    (should (looking-at "line 9977$"))))

(ert-deftest vterm-test-memory-huge-single-write ()
  "A single write of several megabytes is handled (no stack overflow).
libvterm 0.1.4 puts a write's code points in a stack array as long as
the write; the module cuts writes into pieces at character boundaries."
  (vterm-test-memory--with-term (term 24 80 1000)
    (let* ((prefix (apply #'concat (make-list 10 "\u65e5\u672c")))
           (text (concat (vterm-test-memory--lines 0 100000 prefix)
                         "\e[31mend\e[0m\r\n")))
      ;; libvterm 0.1.4 needs 4 bytes of stack per byte: far past 8 MiB.
      (should (> (string-bytes text) 4000000))
      (vterm--write-input term text)
      (vterm--redraw term)
      (should (string-match-p (concat "^" prefix " 99999$") (buffer-string)))
      (should (string-match-p "^end$" (buffer-string)))
      (should-not (string-match-p "\ufffd" (buffer-string))))))

(ert-deftest vterm-test-memory-rapid-resizes ()
  "1000 resizes with content in between keep the buffer consistent."
  (vterm-test-memory--with-term (term 24 80 500)
    (let ((sizes '((24 . 80) (5 . 20) (40 . 132) (1 . 1) (12 . 200)
                   (3 . 80) (60 . 30) (24 . 81))))
      (dotimes (i 1000)
        (let ((size (nth (% i (length sizes)) sizes)))
          (if (< (cdr size) 2)
              ;; Below 2 columns a wide character cannot fit: refused.
              (should-error (vterm--set-size term (car size) (cdr size))
                            :type 'args-out-of-range)
            (vterm--set-size term (car size) (cdr size)))
          (vterm--write-input term (format "resize %d\r\n" i))
          (when (= (% i 10) 0)
            (vterm--write-input term "\e]51;A/tmp\e\\"))
          (vterm--redraw term)
          ;; Every row ends in a newline: scrollback + rows lines.
          (should (eq (char-before (point-max)) ?\n))))
      (vterm--set-size term 10 40)
      (vterm--write-input term "final\r\n")
      (vterm--redraw term)
      (should (string-match-p "^final$" (buffer-string)))
      (should (<= (count-lines (point-min) (point-max)) (+ 500 10))))))

(ert-deftest vterm-test-memory-directory-stream ()
  "Each line keeps the directory that was current when it was printed."
  (vterm-test-memory--with-term (term 10 80 1000)
    (dotimes (d 50)
      (vterm-test-memory--feed
       term (concat (format "\e]51;A/dir-%d\e\\" d)
                    (vterm-test-memory--lines 0 10 (format "in-%d" d)))))
    (goto-char (point-min))
    (let ((checked 0))
      (while (re-search-forward "^in-\\([0-9]+\\) 5$" nil t)
        (should (equal (vterm--get-pwd-raw term (line-number-at-pos))
                       (format "/dir-%s" (match-string 1))))
        (setq checked (1+ checked)))
      (should (> checked 40)))))

(ert-deftest vterm-test-memory-kill-many-terminals ()
  "Terminals full of scrollback are created and dropped without trouble."
  (dotimes (_ 200)
    (vterm-test-memory--with-term (term 24 80 1000)
      (vterm-test-memory--feed
       term (concat "\e]51;A/srv\e\\" (vterm-test-memory--lines 0 300)))))
  (garbage-collect)
  (should t))

(ert-deftest vterm-test-memory-arena-fallback ()
  "When the arenas cannot be created the terminal falls back to malloc."
  (skip-unless (fboundp 'vterm--arena-fail-next-blocks))
  (vterm--arena-fail-next-blocks 2)
  (vterm-test-memory--with-term (term 5 20 100)
    (should-not (vterm--arena-stats term))
    (vterm-test-memory--feed term (vterm-test-memory--lines 0 200))
    (should (string-match-p "^line 199$" (buffer-string))))
  (vterm-test-memory--with-term (term 5 20 100)
    (should (vterm--arena-stats term))))

(ert-deftest vterm-test-memory-bounded-over-cycles ()
  "Ten cycles of 200000 lines at scrollback 10000 do not grow memory.
Between cycles the directory changes (OSC 51;A) and the stream carries
OSC 51;E commands.  RSS grows by at most 2 MiB from cycle 1 to cycle 10,
and with arenas the persistent arena stops growing after cycle 1."
  :tags '(:expensive-test)
  ;; ASan keeps freed memory in quarantine: RSS says nothing there.
  (skip-unless (not (plist-get (vterm--module-info) :sanitized)))
  (let ((vterm-eval-cmds '(("ignore" ignore)))
        rss arena)
    (vterm-test-memory--with-term (term 24 80 10000)
      (dotimes (cycle 10)
        (vterm-test-memory--feed
         term (format "\e]51;A/home/user/cycle-%d\e\\" cycle))
        (let ((pos 0))
          (while (< pos 200000)
            (vterm-test-memory--feed
             term (concat (vterm-test-memory--lines pos (+ pos 1000) "cycle")
                          "\e]51;Eignore \"x\"\e\\"))
            (setq pos (+ pos 1000))))
        (push (vterm-test-memory--rss-kib) rss)
        (push (plist-get (vterm--arena-stats term) :persistent-reserved) arena))
      (setq rss (nreverse rss) arena (nreverse arena))
      (message "RSS per cycle (KiB): %S" rss)
      (message "persistent arena reserved per cycle: %S" arena)
      (should (<= (- (car (last rss)) (car rss)) 2048))
      (when (car arena)
        ;; Stated bound: 2 x live + one 64 KiB block; live here is 10000
        ;; records in slots of at most 256 bytes plus a few short strings.
        (should (<= (car (last arena)) (+ (* 2 10000 256) 65536 65536)))
        (should (<= (car (last arena)) (+ (car arena) 65536)))))))

(provide 'vterm-test-memory)
;;; vterm-test-memory.el ends here

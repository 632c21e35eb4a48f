;;; module-bench.el --- vterm-module with and without arenas  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The emacs-libvterm-win contributors
;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:

;; Run by module-bench.sh in a fresh `emacs --batch' per measurement, with
;; the module under test first on `load-path'.  BENCH selects one of:
;;   teardown   fill 100000 scrollback lines, then time the finalizer
;;              (kill the buffer, drop the terminal, garbage-collect)
;;   rss        RSS growth for 100000 scrollback lines of 40 bytes
;;   redraw     process-free throughput: feed BENCH_MB MB of ascii or sgr
;;              (BENCH_KIND) in 4 KiB chunks, redrawing every 4 chunks
;; Prints one line "RESULT <name> <value>".

;;; Code:

(require 'vterm)

(defun bench-rss-kib ()
  "Resident set size of this Emacs in KiB, after a garbage collection."
  (garbage-collect)
  (with-temp-buffer
    (insert-file-contents "/proc/self/status")
    (re-search-forward "^VmRSS:[ \t]+\\([0-9]+\\) kB")
    (string-to-number (match-string 1))))

(defun bench-lines (n)
  "N lines of 40 bytes (with CRLF)."
  (mapconcat (lambda (i) (format "%-37d\r\n" i)) (number-sequence 1 n) ""))

(defun bench-sgr-lines (n)
  "N lines with colour changes."
  (mapconcat (lambda (i)
               (format "\e[3%dm%-10d\e[4%d;1m%-10d\e[38;5;%dm%-10d\e[0m\r\n"
                       (% i 8) i (% (/ i 8) 8) i (% i 256) i))
             (number-sequence 1 n) ""))

(defun bench-feed (term text every)
  "Feed TEXT to TERM in 4 KiB chunks, redrawing every EVERY chunks."
  (let ((pos 0) (k 0) (len (length text)))
    (while (< pos len)
      (vterm--write-input term (substring text pos (min len (+ pos 4096))))
      (setq pos (+ pos 4096) k (1+ k))
      (when (= 0 (% k every))
        (vterm--redraw term)))
    (vterm--redraw term)))

(defun bench-new-term (scrollback)
  "A process-free terminal in a fresh buffer with SCROLLBACK lines."
  (let ((inhibit-read-only t))
    (vterm--new 24 80 scrollback nil nil nil t nil)))

(let ((bench (getenv "BENCH"))
      (text100k (bench-lines 100000))
      (inhibit-read-only t)
      (gc-cons-threshold (* 64 1024 1024)))
  (pcase bench
    ("teardown"
     (let ((buf (generate-new-buffer "bench")) term)
       (with-current-buffer buf
         (setq term (bench-new-term 100000))
         (bench-feed term text100k 16))
       (setq term nil)
       (kill-buffer buf)
       (garbage-collect)                ; the buffer's own garbage
       (let ((t0 (float-time)))
         (garbage-collect)              ; runs the finalizer
         (princ (format "RESULT teardown-ms %.3f\n" (* 1000 (- (float-time) t0)))))))
    ("rss"
     (let ((before (bench-rss-kib)))
       (with-temp-buffer
         (let ((term (bench-new-term 100000)))
           (bench-feed term text100k 16)
           (princ (format "RESULT rss-kib %d\n" (- (bench-rss-kib) before)))))))
    ("redraw"
     (let* ((mb (string-to-number (or (getenv "BENCH_MB") "8")))
            (unit (if (equal (getenv "BENCH_KIND") "sgr")
                      (bench-sgr-lines 2000) (bench-lines 2000)))
            (copies (max 1 (/ (* mb 1000000) (length unit))))
            (text (apply #'concat (make-list copies unit))))
       (with-temp-buffer
         (let ((term (bench-new-term 1000))
               (t0 (float-time)))
           (bench-feed term text 4)
           (princ (format "RESULT redraw-mbps %.2f\n"
                          (/ (length text) 1e6 (- (float-time) t0))))))))
    (_ (error "Unknown BENCH %S" bench))))

;;; module-bench.el ends here

;;; bench-throughput.el --- Time `cat FILE' in one vterm  -*- lexical-binding: t; -*-

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

;; emacs -Q --batch -l bench-lib.el -l bench-throughput.el
;;
;; One measurement: load the system (see bench-lib.el), start /bin/sh in a
;; terminal of BENCH_ROWS x BENCH_COLS (24x80) with `vterm-max-scrollback'
;; BENCH_SCROLLBACK ("default" keeps the package default), time
;; `cat BENCH_FILE' (BENCH_TIMEOUT seconds at most, default 300) and print
;; one BENCH line.  Other keys of that line (system, rep, order) are copied
;; from BENCH_TAG, a string of key=value pairs separated by spaces.  If
;; BENCH_DUMP names a file, the last 4 KB of the buffer text (after the
;; run) is written there, to check by eye that both systems show the
;; same screen.

;;; Code:

(require 'bench-lib)

(bench-main
  (let* ((system (bench-load-system))
         (file (expand-file-name (or (bench-getenv "BENCH_FILE")
                                     (error "BENCH_FILE is not set"))))
         (size (file-attribute-size (file-attributes file)))
         (rows (bench-getenv-number "BENCH_ROWS" 24))
         (cols (bench-getenv-number "BENCH_COLS" 80))
         (sb-setting (bench-getenv "BENCH_SCROLLBACK" "default"))
         (scrollback (unless (string= sb-setting "default")
                       (string-to-number sb-setting)))
         (timeout (bench-getenv-number "BENCH_TIMEOUT" 300))
         (buffer (bench-start-terminal rows cols scrollback
                                       (file-name-directory file)))
         (result (bench-run-command
                  buffer (concat "cat " (file-name-nondirectory file))
                  timeout))
         (secs (plist-get result :secs)))
    (apply #'bench-emit
           (append
            (bench-tags)
            (list :status (if (plist-get result :ok) "ok" "timeout")
                  :file (file-name-base file)
                  :bytes size
                  :scrollback sb-setting
                  :scrollback-value (buffer-local-value 'vterm-max-scrollback
                                                        buffer)
                  :rows rows :cols cols
                  :secs secs
                  :mbps (/ size secs 1e6)
                  :gc-secs (plist-get result :gc-secs)
                  :gc-pct (* 100 (/ (plist-get result :gc-secs) secs))
                  :gcs (plist-get result :gcs)
                  :cpu-secs (plist-get result :cpu-secs)
                  :buffer-lines (with-current-buffer buffer
                                  (count-lines (point-min) (point-max)))
                  :lisp-dir (plist-get system :lisp)
                  :module (plist-get system :module)
                  :libvterm (plist-get system :libvterm))))
    (let ((dump (bench-getenv "BENCH_DUMP")))
      (when dump
        (let ((text (bench-tail-text buffer 4096)))
          (with-temp-file dump
            (set-buffer-file-coding-system 'utf-8-unix)
            (insert text)))))
    (bench-finish buffer)))

;;; bench-throughput.el ends here

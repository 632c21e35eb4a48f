;;; bench-memory.el --- Memory of one vterm while streaming lines  -*- lexical-binding: t; -*-

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

;; emacs -Q --batch -L ../throughput -l bench-lib -l bench-memory.el
;;
;; One measurement in a fresh Emacs, for the system chosen as in
;; bench-lib.el, in a BENCH_ROWS x BENCH_COLS terminal with
;; `vterm-max-scrollback' BENCH_SCROLLBACK:
;;
;; BENCH_MEM_TEST=stream  snapshot, `cat BENCH_FILE', snapshot.
;; BENCH_MEM_TEST=cycles  snapshot, then BENCH_CYCLES times
;;                        `head -n BENCH_CYCLE_LINES BENCH_FILE' and a
;;                        snapshot after each.
;;
;; A snapshot (see `bench-snapshot') is taken after `garbage-collect'.
;; Each snapshot is one BENCH line; its `phase' is "before", "after" or
;; the cycle number.  The stream's "after" line also carries the
;; `memory-use-counts' deltas (Lisp allocated while streaming), prefixed
;; with "alloc-".

;;; Code:

(require 'bench-lib)

(defun bench-memory-emit (tags phase snapshot &rest more)
  "Print one BENCH line: TAGS, PHASE, SNAPSHOT and MORE (plists)."
  (apply #'bench-emit
         (append tags (list :phase phase) snapshot (apply #'append more))))

(defun bench-memory-prefixed (prefix plist)
  "Return PLIST with PREFIX added to every key name."
  (cl-loop for (key value) on plist by #'cddr
           append (list (intern (concat ":" prefix
                                        (substring (symbol-name key) 1)))
                        value)))

(bench-main
  (let* ((system (bench-load-system))
         (test (bench-getenv "BENCH_MEM_TEST" "stream"))
         (file (expand-file-name (or (bench-getenv "BENCH_FILE")
                                     (error "BENCH_FILE is not set"))))
         (rows (bench-getenv-number "BENCH_ROWS" 24))
         (cols (bench-getenv-number "BENCH_COLS" 80))
         (sb-setting (bench-getenv "BENCH_SCROLLBACK" "10000"))
         (scrollback (unless (string= sb-setting "default")
                       (string-to-number sb-setting)))
         (timeout (bench-getenv-number "BENCH_TIMEOUT" 600))
         (buffer (bench-start-terminal rows cols scrollback
                                       (file-name-directory file)))
         (name (file-name-nondirectory file))
         (tags (append (bench-tags)
                       (list :test test
                             :scrollback sb-setting
                             :scrollback-value (buffer-local-value
                                                'vterm-max-scrollback buffer)
                             :rows rows :cols cols
                             :libvterm (plist-get system :libvterm)))))
    (bench-memory-emit tags "before" (bench-snapshot buffer) '(:status "ok"))
    (pcase test
      ("stream"
       (let* ((counts0 (bench-memory-use-counts))
              (result (bench-run-command buffer (concat "cat " name) timeout))
              (counts (bench-counts-delta counts0 (bench-memory-use-counts))))
         (bench-memory-emit
          tags "after" (bench-snapshot buffer)
          (list :status (if (plist-get result :ok) "ok" "timeout")
                :input-bytes (file-attribute-size (file-attributes file))
                :secs (plist-get result :secs)
                :gc-secs (plist-get result :gc-secs)
                :cpu-secs (plist-get result :cpu-secs))
          (bench-memory-prefixed "alloc-" counts))))
      ("cycles"
       (let ((cycles (bench-getenv-number "BENCH_CYCLES" 10))
             (lines (bench-getenv-number "BENCH_CYCLE_LINES" 200000)))
         (dotimes (i cycles)
           (let ((result (bench-run-command
                          buffer (format "head -n %d %s" lines name) timeout)))
             (bench-memory-emit
              tags (number-to-string (1+ i)) (bench-snapshot buffer)
              (list :status (if (plist-get result :ok) "ok" "timeout")
                    :cycle-lines lines
                    :secs (plist-get result :secs)))))))
      (_ (error "Unknown BENCH_MEM_TEST %S (want stream or cycles)" test)))
    (bench-finish buffer)))

;;; bench-memory.el ends here

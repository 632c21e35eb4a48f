;;; bench-latency.el --- How long late output waits to be drawn  -*- lexical-binding: t; -*-

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

;; Run by bench/latency/run.sh, once per system (BENCH_LISP_DIR,
;; BENCH_MODULE_DIR, BENCH_EXTRA_EVAL as for bench/throughput).  The
;; shell prints BENCH_LINES lines, one every BENCH_GAP seconds, as a
;; program that reports progress or a command that answers after a
;; while does; with BENCH_BURST N, each line ends a burst of N lines
;; (`seq 1 N'), as a command that prints a lot and stops does.  For
;; each numbered line: the time from the process filter receiving it
;; to the line being in the buffer.  Emits one BENCH line with the
;; median and the maximum in milliseconds.

;;; Code:

(require 'bench-lib)

(defvar bench-latency--arrived nil
  "Alist (N . TIME): line N reached the filter at TIME, not drawn yet.")

(defvar bench-latency--waits nil
  "Seconds each drawn line waited between the filter and the buffer.")

(defun bench-latency--note-arrivals (_process output)
  "Record the arrival of every numbered line in OUTPUT."
  (let ((start 0))
    (while (string-match "LAT-\\([0-9]+\\)\\." output start)
      (push (cons (string-to-number (match-string 1 output)) (float-time))
            bench-latency--arrived)
      (setq start (match-end 0)))))

(defun bench-latency--note-drawn (&rest _)
  "Move every arrived line that the buffer now shows to the waits."
  (dolist (entry bench-latency--arrived)
    (when (save-excursion
            (goto-char (point-min))
            (search-forward (format "LAT-%d." (car entry)) nil t))
      (push (- (float-time) (cdr entry)) bench-latency--waits)
      (setq bench-latency--arrived (delq entry bench-latency--arrived)))))

(defun bench-latency--median (values)
  "The median of VALUES."
  (let ((sorted (sort (copy-sequence values) #'<)))
    (nth (/ (length sorted) 2) sorted)))

(bench-main
  (let* ((system (bench-load-system))
         (lines (bench-getenv-number "BENCH_LINES" 20))
         (gap (bench-getenv-number "BENCH_GAP" 0.25))
         (burst (bench-getenv-number "BENCH_BURST" 0))
         (buffer (bench-start-terminal 24 80 nil temporary-file-directory)))
    (advice-add 'vterm--filter :before #'bench-latency--note-arrivals)
    (advice-add 'vterm--filter :after
                (lambda (process &rest _)
                  (with-current-buffer (process-buffer process)
                    (bench-latency--note-drawn))))
    (advice-add 'vterm--delayed-redraw :after
                (lambda (buffer)
                  (when (buffer-live-p buffer)
                    (with-current-buffer buffer
                      (bench-latency--note-drawn)))))
    ;; A script, so the typed command stays short (one terminal row);
    ;; its line numbers are built by the shell, so the command's echo
    ;; never matches "LAT-N.".
    (let ((script (make-temp-file "bench-latency" nil ".sh")))
      (with-temp-file script
        (insert (format "i=0\nwhile [ $i -lt %d ]; do sleep %s; %secho LAT-$i.; i=$((i+1)); done\n"
                        lines gap
                        (if (> burst 0) (format "seq 1 %d; " burst) ""))))
      (unwind-protect
          (bench-run-command buffer (concat "sh " script)
                             (+ 30 (* lines gap 2)))
        (delete-file script)))
    (unless (= (length bench-latency--waits) lines)
      (error "%d of %d lines were drawn" (length bench-latency--waits) lines))
    (apply #'bench-emit
           (append (bench-tags)
                   (list :status "ok"
                         :libvterm (plist-get system :libvterm)
                         :lines lines
                         :burst burst
                         :median_ms (* 1000 (bench-latency--median
                                             bench-latency--waits))
                         :max_ms (* 1000 (apply #'max bench-latency--waits)))))))

;;; bench-latency.el ends here

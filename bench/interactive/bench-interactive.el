;;; bench-interactive.el --- vterm under a real redisplay, driven by run.sh  -*- lexical-binding: t; -*-

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

;; Loaded by `emacs -nw -Q' inside tmux (see run.sh).  It loads the vterm
;; named by BENCH_LISP_DIR / BENCH_MODULE_DIR (as bench-lib.el does),
;; opens one terminal filling the frame with /bin/sh, and starts a
;; server named $BENCH_SERVER so that run.sh can ask for the scrolling
;; measurement with emacsclient.  The `cat' measurement is taken from
;; outside: run.sh types the command and polls the tmux pane until the
;; end marker is on screen.

;;; Code:

(require 'server)

(defun bench-interactive--load ()
  "Load the vterm selected by the environment, never compiling it."
  (let* ((lisp-dir (getenv "BENCH_LISP_DIR"))
         (module-dir (or (getenv "BENCH_MODULE_DIR") lisp-dir)))
    (setq vterm-always-compile-module nil)
    (setq load-path (cons lisp-dir (cons module-dir load-path)))
    (load (expand-file-name (concat "vterm-module" module-file-suffix)
                            module-dir)
          nil t)
    (require 'vterm)
    (let ((extra (getenv "BENCH_EXTRA_EVAL")))
      (when (and extra (not (string= extra "")))
        (eval (car (read-from-string extra)) t)))))

(defun bench-interactive-scroll (pages)
  "Time `beginning-of-buffer', PAGES pages down, and `end-of-buffer'.
Each step is followed by a forced redisplay of the vterm window,
which is what the user waits for.  Return a string of key=value
pairs: the seconds to the top, for the pages, back to the end, and
the buffer's line count."
  (let* ((buffer (get-buffer "*vterm*"))
         (window (get-buffer-window buffer))
         (lines (with-current-buffer buffer
                  (count-lines (point-min) (point-max))))
         t0 t1 t2 t3)
    (with-selected-window window
      (when (fboundp 'vterm-copy-mode)
        (vterm-copy-mode 1))
      (garbage-collect)
      (setq t0 (float-time))
      (goto-char (point-min))
      (redisplay t)
      (setq t1 (float-time))
      (dotimes (_ pages)
        (ignore-errors (scroll-up-command))
        (redisplay t))
      (setq t2 (float-time))
      (goto-char (point-max))
      (redisplay t)
      (setq t3 (float-time))
      (when (fboundp 'vterm-copy-mode)
        (vterm-copy-mode -1)))
    (format "top=%.4f pages=%.4f end=%.4f lines=%d"
            (- t1 t0) (- t2 t1) (- t3 t2) lines)))

(bench-interactive--load)
(menu-bar-mode -1)
(setq inhibit-startup-screen t)
(let ((sb (getenv "BENCH_SCROLLBACK")))
  (when (and sb (not (string= sb "default")))
    (setq vterm-max-scrollback (string-to-number sb))))
(setq vterm-shell "/bin/sh")
(setenv "PS1" "$ ")
(setq default-directory (file-name-as-directory (getenv "BENCH_DATA_DIR")))
(setq server-name (getenv "BENCH_SERVER"))
(server-start)
(vterm)
(delete-other-windows)

;;; bench-interactive.el ends here

;;; bench-lib.el --- Shared helpers for the vterm benchmarks  -*- lexical-binding: t; -*-

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

;; Loaded by bench-throughput.el and ../memory/bench-memory.el, each run in
;; its own `emacs -Q --batch'.  One Emacs measures one system: upstream
;; vterm and ours both provide the features `vterm' and `vterm-module', so
;; they cannot share a process.
;;
;; The system comes from the environment:
;;   BENCH_LISP_DIR    directory holding the system's vterm.el
;;   BENCH_MODULE_DIR  directory holding its vterm-module.so
;;   BENCH_EXTRA_EVAL  optional Lisp evaluated after loading the system
;; The module is loaded from BENCH_MODULE_DIR by file name before vterm.el
;; is required, so neither system ever looks for, or compiles, a module.
;;
;; Results are printed to stdout as one line per measurement:
;;   BENCH<TAB>key=value<TAB>key=value...
;; Values never contain tabs or newlines.

;;; Code:

(require 'cl-lib)

(defvar vterm-always-compile-module)
(defvar vterm-max-scrollback)
(defvar vterm-shell)
(defvar vterm-kill-buffer-on-exit)
(defvar vterm--term)
(defvar vterm--process)
(declare-function vterm "ext:vterm")
(declare-function vterm-send-string "ext:vterm")
(declare-function vterm-send-return "ext:vterm")
(declare-function vterm--set-size "ext:vterm-module")

(defconst bench-prompt "vbench$ "
  "The shell prompt (PS1) of every benchmark terminal.")

(defun bench-getenv (name &optional default)
  "Return environment variable NAME, or DEFAULT when unset or empty."
  (let ((value (getenv name)))
    (if (and value (not (string= value ""))) value default)))

(defun bench-getenv-number (name default)
  "Return environment variable NAME as a number, or DEFAULT."
  (let ((value (bench-getenv name)))
    (if value (string-to-number value) default)))

(defun bench-tags ()
  "Return BENCH_TAG (space-separated key=value pairs) as a plist.
run.sh passes the run label, system name, repetition and order this
way, and they are copied into the result lines."
  (cl-loop for pair in (split-string (bench-getenv "BENCH_TAG" "") " " t)
           for (key value) = (split-string pair "=")
           append (list (intern (concat ":" key)) (or value ""))))

(defun bench-field (value)
  "Format VALUE for a result line: no tabs, no newlines."
  (replace-regexp-in-string
   "[\t\n\r]" " "
   (cond ((stringp value) value)
         ((floatp value) (format "%.6g" value))
         (t (format "%S" value)))))

(defun bench-emit (&rest plist)
  "Print PLIST (keyword value ...) as one BENCH result line on stdout."
  (let ((fields nil))
    (while plist
      (push (format "%s=%s" (substring (symbol-name (car plist)) 1)
                    (bench-field (cadr plist)))
            fields)
      (setq plist (cddr plist)))
    (princ (concat "BENCH\t" (mapconcat #'identity (nreverse fields) "\t")
                   "\n"))))

(defun bench-load-system ()
  "Load the vterm selected by BENCH_LISP_DIR and BENCH_MODULE_DIR.
Return a plist describing what was loaded."
  (let* ((lisp-dir (expand-file-name (or (bench-getenv "BENCH_LISP_DIR")
                                         (error "BENCH_LISP_DIR is not set"))))
         (module-dir (expand-file-name
                      (or (bench-getenv "BENCH_MODULE_DIR") lisp-dir)))
         (module (expand-file-name (concat "vterm-module" module-file-suffix)
                                   module-dir)))
    (unless (file-exists-p (expand-file-name "vterm.el" lisp-dir))
      (error "No vterm.el in %s" lisp-dir))
    (unless (file-exists-p module)
      (error "No module %s (build it first; the benchmark never compiles)"
             module))
    (setq vterm-always-compile-module nil)
    (setq load-path (cons lisp-dir (cons module-dir load-path)))
    ;; Loading the .so by file name provides `vterm-module', so vterm.el's
    ;; own `require' is satisfied and its compile path is never taken.
    (load module nil t)
    (unless (featurep 'vterm-module)
      (error "%s did not provide `vterm-module'" module))
    (require 'vterm)
    (let ((loaded (file-name-directory (symbol-file 'vterm-mode 'defun))))
      (unless (file-equal-p loaded lisp-dir)
        (error "vterm was loaded from %s, not %s" loaded lisp-dir)))
    (let ((extra (bench-getenv "BENCH_EXTRA_EVAL")))
      (when extra
        (eval (car (read-from-string extra)) t)))
    (list :lisp lisp-dir :module module
          :libvterm (if (fboundp 'vterm--module-info)
                        (plist-get (funcall 'vterm--module-info) :libvterm)
                      "shared"))))

(defun bench-start-terminal (rows cols scrollback directory)
  "Start a vterm running /bin/sh in DIRECTORY, sized ROWS x COLS.
SCROLLBACK is `vterm-max-scrollback' (nil keeps the default).
Wait for the first prompt and return the buffer.  Signal an error
if the prompt does not appear."
  (let* ((vterm-shell "/bin/sh")
         (vterm-max-scrollback (or scrollback vterm-max-scrollback))
         (default-directory (file-name-as-directory directory))
         (process-environment (append (list (concat "PS1=" bench-prompt)
                                            "ENV=" "HISTFILE=")
                                      process-environment))
         (buffer (vterm (format "*bench-%d*" (emacs-pid)))))
    (with-current-buffer buffer
      (set-process-query-on-exit-flag vterm--process nil)
      (let ((inhibit-read-only t))
        (vterm--set-size vterm--term rows cols))
      (set-process-window-size vterm--process rows cols))
    (unless (bench-wait-tail buffer bench-prompt 20)
      (error "No prompt %S within 20 s; buffer tail: %S" bench-prompt
             (bench-tail-text buffer 300)))
    buffer))

(defun bench-tail-text (buffer n)
  "Return the last N characters of BUFFER."
  (with-current-buffer buffer
    (buffer-substring-no-properties (max (point-min) (- (point-max) n))
                                    (point-max))))

(defun bench-tail-has (buffer string)
  "Non-nil if STRING occurs in the last 8 KB of BUFFER."
  (with-current-buffer buffer
    (save-excursion
      (goto-char (max (point-min) (- (point-max) 8192)))
      (search-forward string nil t))))

(defun bench-wait-tail (buffer string timeout)
  "Poll until STRING is in the last 8 KB of BUFFER, at most TIMEOUT s.
Polling is (accept-process-output nil 0.01), so process filters and
timers (the terminal's redraw timer) run in between.  Return non-nil
if STRING appeared."
  (let ((deadline (+ (float-time) timeout))
        (found nil))
    (while (and (not (setq found (bench-tail-has buffer string)))
                (< (float-time) deadline))
      (accept-process-output nil 0.01))
    found))

(defun bench-type-command (buffer command timeout)
  "Type COMMAND (without RET) into BUFFER's terminal and wait for its echo."
  (with-current-buffer buffer
    (vterm-send-string command))
  (unless (bench-wait-tail buffer command timeout)
    (error "The typed command was not echoed within %s s; tail: %S"
           timeout (bench-tail-text buffer 300))))

(defun bench-run-command (buffer command timeout)
  "Run COMMAND in BUFFER's terminal and time it until it has finished.
The command line is typed first and its echo awaited (not timed).
COMMAND is followed by `; echo MARK-$((K+1))', and the clock runs from
sending RET until MARK-<K+1> shows in the last 8 KB of the buffer.
Return a plist: :secs :gc-secs :gcs :cpu-secs :ok."
  (let* ((k (+ 100000 (random 800000)))
         (typed (format "%s; echo BDONE-$((%d+1))" command k))
         (done (format "BDONE-%d" (1+ k))))
    (bench-type-command buffer typed 20)
    (let ((gc0 gc-elapsed)
          (gcs0 gcs-done)
          (cpu0 (float-time (get-internal-run-time)))
          (t0 (float-time))
          ok t1)
      (with-current-buffer buffer
        (vterm-send-return))
      (setq ok (bench-wait-tail buffer done timeout))
      (setq t1 (float-time))
      (list :secs (- t1 t0)
            :gc-secs (- gc-elapsed gc0)
            :gcs (- gcs-done gcs0)
            :cpu-secs (- (float-time (get-internal-run-time)) cpu0)
            :ok ok))))

(defun bench-proc-status ()
  "Return (VMRSS-KB . VMHWM-KB) from /proc/self/status."
  (with-temp-buffer
    (insert-file-contents "/proc/self/status")
    (let (rss hwm)
      (goto-char (point-min))
      (when (re-search-forward "^VmRSS:[ \t]+\\([0-9]+\\)" nil t)
        (setq rss (string-to-number (match-string 1))))
      (goto-char (point-min))
      (when (re-search-forward "^VmHWM:[ \t]+\\([0-9]+\\)" nil t)
        (setq hwm (string-to-number (match-string 1))))
      (cons rss hwm))))

(defun bench-snapshot (buffer)
  "Collect garbage, then return a memory plist for this Emacs and BUFFER.
:rss-kb and :hwm-kb come from /proc/self/status; :lisp-bytes is the
sum of size x used over `garbage-collect' (live Lisp objects, which
excludes buffer text); :chars, :bytes and :lines describe BUFFER."
  (let* ((stats (garbage-collect))
         (lisp-bytes (cl-loop for entry in stats
                              for size = (nth 1 entry)
                              for used = (nth 2 entry)
                              when (and (numberp size) (numberp used))
                              sum (* size used)))
         (status (bench-proc-status)))
    (with-current-buffer buffer
      (list :rss-kb (car status)
            :hwm-kb (cdr status)
            :lisp-bytes lisp-bytes
            :chars (- (point-max) (point-min))
            :bytes (- (position-bytes (point-max)) (position-bytes (point-min)))
            :lines (count-lines (point-min) (point-max))))))

(defun bench-memory-use-counts ()
  "Return `memory-use-counts' as a plist."
  (cl-mapcan #'list
             '(:conses :floats :vector-cells :symbols :string-chars
                       :intervals :strings)
             (memory-use-counts)))

(defun bench-counts-delta (before after)
  "Return the plist AFTER minus BEFORE, key by key."
  (cl-loop for (key value) on after by #'cddr
           append (list key (- value (plist-get before key)))))

(defun bench-finish (buffer)
  "Stop BUFFER's terminal process quietly."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (when (and (boundp 'vterm--process) (process-live-p vterm--process))
        (delete-process vterm--process)))))

(defmacro bench-main (&rest body)
  "Run BODY; on error print a BENCH line with status=error and exit 1."
  (declare (indent 0))
  `(condition-case err
       (progn ,@body (kill-emacs 0))
     (error
      (apply #'bench-emit (append (bench-tags)
                                  (list :status "error"
                                        :error (error-message-string err))))
      (kill-emacs 1))))

(provide 'bench-lib)

;;; bench-lib.el ends here

;;; proxy-emacs.el --- Drive conpty-proxy.exe (under Wine) from Emacs  -*- lexical-binding: t -*-

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

;; Checks the Emacs side of doc/windows-proxy.md §6 with real Emacs
;; processes: a pipe connection with binary coding, status frames in band
;; on stdout (stderr, on a pipe of its own here, must stay empty), the
;; input encoder, resize frames and the exit status.
;; Linux Emacs runs the Windows proxy through Wine, so this is the same
;; protocol vterm.el will speak on Windows.  Run by run-tests.py:
;;
;;   WINE=... PROXY_EXE=... TEST_DIR=... emacs --batch -Q -l proxy-emacs.el
;;
;; Prints "PASS name" / "FAIL name | detail" lines.

;;; Code:

(require 'cl-lib)
(require 'seq)

(defvar proxy-test-wine (getenv "WINE"))
(defvar proxy-test-exe (getenv "PROXY_EXE"))
(defvar proxy-test-dir (getenv "TEST_DIR"))
(defvar proxy-test-timeout 30)

;; The encoders as documented for vterm.el.

(defun proxy-test-frame-input (string)
  "STRING as conpty-proxy stdin bytes: UTF-8 with each 0xFF doubled."
  (let ((bytes (if (multibyte-string-p string)
                   (encode-coding-string string 'utf-8-unix t)
                 string)))
    (if (string-match-p "\377" bytes)
        (replace-regexp-in-string "\377" "\377\377" bytes t t)
      bytes)))

(defun proxy-test-frame-resize (cols rows)
  (unibyte-string #xff ?R 4 (ash cols -8) (logand cols #xff)
                  (ash rows -8) (logand rows #xff)))

(defun proxy-test-hex (string)
  (mapconcat (lambda (byte) (format "%02x" byte))
             (encode-coding-string string 'utf-8-unix t) ""))

(defun proxy-test-report (name ok &optional detail)
  (princ (if ok (format "PASS %s\n" name)
           (format "FAIL %s | %S\n" name detail))))

(cl-defstruct (proxy-test-run (:constructor proxy-test-run--make))
  proc stderr (output "") (errors "") (pending "") lines event)

(defun proxy-test-take (run out)
  "Split stdout bytes OUT of RUN into console output and status lines.
Status frames are 0xFF ?S LEN TEXT, 0xFF 0xFF is one 0xFF; a frame
cut at the end waits in the run's pending bytes."
  (let ((s (concat (proxy-test-run-pending run) out))
        (i 0) data)
    (setf (proxy-test-run-pending run) "")
    (while (< i (length s))
      (let ((b (aref s i)))
        (cond
         ((/= b #xff) (push b data) (setq i (1+ i)))
         ((and (< (1+ i) (length s)) (= (aref s (1+ i)) #xff))
          (push #xff data) (setq i (+ i 2)))
         ((and (< (+ i 2) (length s))
               (<= (+ i 3 (aref s (+ i 2))) (length s)))
          (let ((next (+ i 3 (aref s (+ i 2)))))
            (setf (proxy-test-run-lines run)
                  (append (proxy-test-run-lines run)
                          (list (decode-coding-string
                                 (substring s (+ i 3) next) 'utf-8))))
            (setq i next)))
         (t (setf (proxy-test-run-pending run) (substring s i))
            (setq i (length s))))))
    (setf (proxy-test-run-output run)
          (concat (proxy-test-run-output run)
                  (apply #'unibyte-string (nreverse data))))))

(defun proxy-test-start (&rest args)
  "Start the proxy with ARGS the way doc/windows-proxy.md §6 says."
  (let* ((run (proxy-test-run--make))
         (stderr (make-pipe-process
                  :name "proxy-stderr" :noquery t :coding 'binary
                  :filter (lambda (_p text)
                            (setf (proxy-test-run-errors run)
                                  (concat (proxy-test-run-errors run) text)))))
         (proc (make-process
                :name "proxy" :noquery t
                :command (append (list proxy-test-wine proxy-test-exe) args)
                :connection-type 'pipe
                :coding 'binary
                :stderr stderr
                :filter (lambda (_p out) (proxy-test-take run out))
                :sentinel (lambda (_p event)
                            (setf (proxy-test-run-event run) event)))))
    (setf (proxy-test-run-proc run) proc
          (proxy-test-run-stderr run) stderr)
    run))

(defun proxy-test-wait (pred)
  "Wait until PRED returns non-nil (or the timeout); return its value."
  (let ((deadline (+ (float-time) proxy-test-timeout))
        value)
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun proxy-test-status-line (run regexp)
  (proxy-test-wait
   (lambda ()
     (seq-find (lambda (line) (string-match-p regexp line))
               (proxy-test-run-lines run)))))

(defun proxy-test-output-has (run needle)
  (proxy-test-wait
   (lambda () (string-search needle (proxy-test-run-output run)))))

(defun proxy-test-finish (run)
  (when (process-live-p (proxy-test-run-proc run))
    (delete-process (proxy-test-run-proc run)))
  (delete-process (proxy-test-run-stderr run)))

(defun proxy-test-interactive ()
  (let ((run (proxy-test-start "--hex" "--cols" "80" "--rows" "25"
                               "--wine-shim" "--cmdline"
                               (proxy-test-hex "cmd.exe"))))
    (unwind-protect
        (let ((proc (proxy-test-run-proc run)))
          (proxy-test-report
           "emacs: ready status frame arrives in band on stdout"
           (proxy-test-status-line run "^ready pid=[0-9]+")
           (proxy-test-run-lines run))
          (proxy-test-output-has run ">")
          (process-send-string proc (proxy-test-frame-input
                                     "set /a 1234+4321\r"))
          (proxy-test-report "emacs: keystrokes reach cmd.exe, output returns"
                             (proxy-test-output-has run "5555"))
          (process-send-string proc (proxy-test-frame-input "echo [é日本]\r"))
          (proxy-test-report "emacs: multibyte text is sent as UTF-8"
                             (proxy-test-output-has
                              run (encode-coding-string "[é日本]" 'utf-8)))
          (process-send-string proc (proxy-test-frame-resize 132 43))
          (let ((line (proxy-test-status-line
                       run "^resize cols=132 rows=43 hr=")))
            (proxy-test-report
             "emacs: resize frame answered with its HRESULT (Wine: E_NOTIMPL)"
             (and line (string-match "hr=0x\\([0-9A-F]\\{8\\}\\)$" line)
                  (= (string-to-number (match-string 1 line) 16) #x80004001))
             line))
          (process-send-string proc (proxy-test-frame-input "exit 7\r"))
          (proxy-test-wait (lambda () (proxy-test-run-event run)))
          (proxy-test-report
           "emacs: the sentinel sees the shell's exit code; stderr is empty"
           (and (eq (process-status proc) 'exit)
                (= (process-exit-status proc) 7)
                (equal (proxy-test-run-errors run) ""))
           (list (proxy-test-run-event run) (process-exit-status proc)
                 (proxy-test-run-errors run))))
      (proxy-test-finish run))))

(defun proxy-test-all-bytes ()
  (let* ((file (expand-file-name "emacs-input.bin" proxy-test-dir))
         (winfile (concat "Z:" (subst-char-in-string ?/ ?\\ file)))
         (run (proxy-test-start "--input-log" winfile "--wine-shim"
                                "--" "cmd.exe"))
         (unibyte (apply #'unibyte-string (number-sequence 0 255)))
         ;; A multibyte string with raw bytes (eight-bit chars) and text.
         (multibyte (concat "é日本" (string #x3fffff #x3fff80) "z")))
    (unwind-protect
        (let ((proc (proxy-test-run-proc run)))
          (proxy-test-status-line run "^ready")
          (process-send-string proc (proxy-test-frame-input unibyte))
          (process-send-string proc (proxy-test-frame-resize 90 30))
          (process-send-string proc (proxy-test-frame-input multibyte))
          (proxy-test-status-line run "^resize cols=90")
          (process-send-eof proc)
          (proxy-test-wait (lambda () (proxy-test-run-event run)))
          (proxy-test-report "emacs: closing stdin is a hangup (exit 129)"
                             (= (process-exit-status proc) 129)
                             (process-exit-status proc))
          (let ((got (with-temp-buffer
                       (set-buffer-multibyte nil)
                       (insert-file-contents-literally file)
                       (buffer-string)))
                (want (concat unibyte
                              (encode-coding-string "é日本" 'utf-8)
                              (unibyte-string #xff #x80 ?z))))
            (proxy-test-report
             "emacs: every byte 0-255 and raw bytes in multibyte text arrive"
             (equal got want) (list (length got) (length want)))))
      (proxy-test-finish run))))

(proxy-test-interactive)
(proxy-test-all-bytes)

;;; proxy-emacs.el ends here

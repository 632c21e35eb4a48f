;;; vterm-test-reentry.el --- ERT: Lisp called during a redraw may switch buffers or feed output  -*- lexical-binding: t; -*-

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

;; Issue 13: `vterm--redraw' calls Lisp: `vterm--set-title',
;; `vterm--set-directory', `vterm--eval' (and through it the functions
;; of `vterm-eval-cmds'), `vterm--set-selection' while it delivers
;; events, and `vterm--get-color' while it renders.  That Lisp may
;;
;;   switch  make another buffer current (`set-buffer', `find-file');
;;   feed    give the same terminal more output (`vterm--write-input');
;;   both    do the two;
;;   kill    kill the terminal's buffer.
;;
;; Whatever it does, the redraw must not signal or crash, must not
;; touch any other buffer (a live one, a read-only one, one visiting a
;; file), and after one more redraw the terminal's buffer must show
;; what a terminal fed the same bytes in one go and drawn once shows:
;; the same text (blanks ending lines aside), wrap marks and point.
;;
;; Tests: vterm-test-reentry-<callback>-<action>[-<victim>] for the
;; callbacks title, directory, eval, selection and color.

;;; Code:

(require 'vterm-test-helpers)

;;;; Vocabulary

(defconst vterm-test-reentry--rows 3 "Rows of the terminals.")
(defconst vterm-test-reentry--cols 20 "Columns of the terminals.")

(defconst vterm-test-reentry--prologue "one\r\ntwo\r\n$ "
  "Output before the sequence that makes the redraw call Lisp.")

(defconst vterm-test-reentry--more "\r\nnext prompt$ "
  "Output a callback feeds mid-redraw; it scrolls the screen by one.")

(defconst vterm-test-reentry--triggers
  `((vterm--set-title . "\e]2;new title\e\\")
    (vterm--set-directory . "\e]51;A/\e\\")
    (vterm--eval . "\e]51;Evterm-test-reentry-act\e\\")
    (vterm--set-selection . ,(concat "\e]52;c;" (base64-encode-string "sel")
                                     "\a"))
    (vterm--get-color . "\e[31mred\e[m"))
  "For each callback, output whose redraw calls it.")

(defvar vterm-test-reentry--action nil
  "Function the callback under test calls once, mid-redraw.")

(defun vterm-test-reentry-act ()
  "Run `vterm-test-reentry--action' once; the OSC 51;E test command."
  (let ((action vterm-test-reentry--action))
    (setq vterm-test-reentry--action nil)
    (when action (funcall action))))

(defun vterm-test-reentry--trimmed-text ()
  "Return the buffer text without blanks at the ends of lines."
  (replace-regexp-in-string
   " +$" "" (buffer-substring-no-properties (point-min) (point-max))))

(defun vterm-test-reentry--place (pos)
  "Return (LINE . COLUMN) of POS."
  (save-excursion
    (goto-char pos)
    (cons (line-number-at-pos) (current-column))))

(defun vterm-test-reentry--snapshot ()
  "Return the current buffer's :text, :wraps and :point as a plist."
  (let ((wraps nil) (pos (point-min)))
    (while (setq pos (text-property-not-all pos (point-max) 'vterm-line-wrap nil))
      (push (line-number-at-pos pos) wraps)
      (setq pos (1+ pos)))
    (list :text (vterm-test-reentry--trimmed-text)
          :wraps (nreverse wraps)
          :point (vterm-test-reentry--place (point)))))

(defmacro vterm-test-reentry--with-quiet-events (&rest body)
  "Run BODY with the event callbacks doing nothing."
  (declare (indent 0) (debug (body)))
  `(cl-letf (((symbol-function 'vterm--set-title) #'ignore)
             ((symbol-function 'vterm--set-directory) #'ignore)
             ((symbol-function 'vterm--eval) #'ignore)
             ((symbol-function 'vterm--set-selection) #'ignore))
     ,@body))

(defun vterm-test-reentry--reference (bytes)
  "Return the snapshot of a fresh terminal fed BYTES and drawn once."
  (vterm-test--with-term (:free t :rows vterm-test-reentry--rows
                          :cols vterm-test-reentry--cols :scrollback 10)
    (vterm-test-reentry--with-quiet-events
      (vterm--write-input vterm--term bytes)
      (redraw)
      (vterm-test-reentry--snapshot))))

;;;; Victims

(defun vterm-test-reentry--file ()
  "Return the name of the file the `file' victim visits."
  (expand-file-name "reentry-victim.txt" (vterm-test--tmpdir)))

(defun vterm-test-reentry--find-file (&rest more)
  "Return OSC 51;E `find-file' of the victim's file, then the sequences MORE."
  (apply #'concat
         (format "\e]51;Efind-file %s\e\\"
                 (shell-quote-argument (vterm-test-reentry--file)))
         more))

(defun vterm-test-reentry--victim (kind)
  "Return a fresh unmodified victim buffer of KIND.
KIND is `plain', `read-only' or `file' (a buffer visiting a file)."
  (pcase kind
    ('file
     (let ((file (vterm-test-reentry--file)))
       (when (get-file-buffer file)
         (kill-buffer (get-file-buffer file)))
       (vterm-test--write-script (file-name-nondirectory file) "file victim\n")
       (find-file-noselect file)))
    (_
     (let ((buffer (generate-new-buffer " *vterm-test-victim*")))
       (with-current-buffer buffer
         (insert "victim text\n")
         (goto-char (point-min))
         (set-buffer-modified-p nil)
         (setq buffer-read-only (eq kind 'read-only)))
       buffer))))

(defun vterm-test-reentry--buffer-states ()
  "Return (BUFFER TICK MODIFIED) for every live buffer.
The tick moves with any change of text or text properties."
  (mapcar (lambda (b)
            (list b (buffer-modified-tick b) (buffer-modified-p b)))
          (buffer-list)))

(defun vterm-test-reentry--changed (states)
  "Return the buffers of STATES (see above) that are live and changed.
Each is (NAME TEXT-NOW), the text cut to its last 200 characters."
  (cl-loop for (buffer tick modified) in states
           when (and (buffer-live-p buffer)
                     (not (and (= (buffer-modified-tick buffer) tick)
                               (eq (buffer-modified-p buffer) modified))))
           collect (with-current-buffer buffer
                     (list (buffer-name)
                           (buffer-substring-no-properties
                            (max (point-min) (- (point-max) 200))
                            (point-max))))))

;;;; The check

(defun vterm-test-reentry--actions (plan terminal victim term)
  "Return a function to carry out PLAN for TERM in buffer TERMINAL.
PLAN lists steps: `switch' (to buffer VICTIM), `feed' (more output for
TERM) and `kill' (TERMINAL), in the order given."
  (lambda ()
    (dolist (step plan)
      (pcase step
        ('switch (set-buffer victim))
        ('feed (vterm--write-input term vterm-test-reentry--more))
        ('kill (let ((kill-buffer-query-functions nil))
                 (kill-buffer terminal)))))))

(defun vterm-test-reentry--hook (callback)
  "Return CALLBACK's function wrapped to run `vterm-test-reentry-act' after it."
  (let ((original (symbol-function callback)))
    (lambda (&rest args)
      (prog1 (apply original args)
        (vterm-test-reentry-act)))))

(defun vterm-test-reentry--check (callback plan &optional victim-kind trigger)
  "Assert that no harm comes from CALLBACK carrying out PLAN mid-redraw.
The symbol CALLBACK names the Lisp function the module calls.  For
PLAN see `vterm-test-reentry--actions', for VICTIM-KIND
`vterm-test-reentry--victim' (default `plain').  TRIGGER, when
non-nil, replaces the output that makes the redraw call CALLBACK.
All problems are collected and reported together."
  (let* ((victim (vterm-test-reentry--victim (or victim-kind 'plain)))
         (trigger (or trigger (alist-get callback vterm-test-reentry--triggers)))
         (vterm-enable-manipulate-selection-data-by-osc52 t)
         (vterm-eval-cmds (cons '("vterm-test-reentry-act" vterm-test-reentry-act)
                                vterm-eval-cmds))
         (kill-ring nil) (kill-ring-yank-pointer nil)
         (interprogram-cut-function nil) (interprogram-paste-function nil)
         (problems nil))
    (unwind-protect
        (vterm-test--with-term (:free t :rows vterm-test-reentry--rows
                                :cols vterm-test-reentry--cols :scrollback 10)
          (let ((terminal (current-buffer))
                (term vterm--term)
                (vterm-test-reentry--action nil)
                (states nil))
            (vterm--write-input term vterm-test-reentry--prologue)
            (redraw)
            (vterm--write-input term trigger)
            (setq vterm-test-reentry--action
                  (and plan
                       (vterm-test-reentry--actions plan terminal victim term)))
            (setq states (cl-remove terminal (vterm-test-reentry--buffer-states)
                                    :key #'car))
            (condition-case err
                (cl-letf (((symbol-function callback)
                           (if (eq callback 'vterm--eval)
                               (symbol-function 'vterm--eval)
                             (vterm-test-reentry--hook callback))))
                  ;; Nothing may reach *Messages* either.
                  (let ((inhibit-read-only t) (message-log-max nil))
                    (vterm--redraw term)))
              (error (push (list :signalled err) problems)))
            (when vterm-test-reentry--action
              (push '(:callback-not-called) problems))
            ;; The stock find-file shows the file: proof that it ran.
            (when (and (eq victim-kind 'file)
                       (not (eq (window-buffer (selected-window)) victim)))
              (push '(:find-file-not-run) problems))
            (let ((changed (vterm-test-reentry--changed states)))
              (when changed
                (push (cons :other-buffers-changed changed) problems)))
            (when (buffer-live-p terminal)
              (with-current-buffer terminal
                (redraw)
                (let ((got (vterm-test-reentry--snapshot))
                      (want (vterm-test-reentry--reference
                             (concat vterm-test-reentry--prologue trigger
                                     (if (memq 'feed plan)
                                         vterm-test-reentry--more
                                       "")))))
                  (unless (equal got want)
                    (push (list :terminal got :reference want) problems)))))))
      (when (buffer-live-p victim)
        (with-current-buffer victim (set-buffer-modified-p nil))
        (kill-buffer victim)))
    (should-not problems)))

;;;; Title

(ert-deftest vterm-test-reentry-title-switch ()
  "Issue 13: `vterm--set-title' switching buffers leaves the other buffer alone."
  (vterm-test-reentry--check 'vterm--set-title '(switch)))

(ert-deftest vterm-test-reentry-title-switch-read-only ()
  "Issue 13: `vterm--set-title' switching to a read-only buffer leaves it alone."
  (vterm-test-reentry--check 'vterm--set-title '(switch) 'read-only))

(ert-deftest vterm-test-reentry-title-feed ()
  "Issue 13: output fed from `vterm--set-title' mid-redraw is drawn."
  (vterm-test-reentry--check 'vterm--set-title '(feed)))

(ert-deftest vterm-test-reentry-title-both ()
  "Issue 13: `vterm--set-title' feeding output and switching loses nothing.
The later pass of the redraw must not draw into the buffer the
callback made current."
  (vterm-test-reentry--check 'vterm--set-title '(feed switch)))

(ert-deftest vterm-test-reentry-title-both-read-only ()
  "Issue 13: `vterm--set-title' feeding and switching to a read-only buffer."
  (vterm-test-reentry--check 'vterm--set-title '(feed switch) 'read-only))

(ert-deftest vterm-test-reentry-title-kill ()
  "Issue 13: `vterm--set-title' killing the terminal buffer: no error, no crash."
  (vterm-test-reentry--check 'vterm--set-title '(feed kill)))

;;;; Directory

(ert-deftest vterm-test-reentry-directory-switch ()
  "Issue 13: `vterm--set-directory' switching buffers leaves the other alone."
  (vterm-test-reentry--check 'vterm--set-directory '(switch)))

(ert-deftest vterm-test-reentry-directory-feed ()
  "Issue 13: output fed from `vterm--set-directory' mid-redraw is drawn."
  (vterm-test-reentry--check 'vterm--set-directory '(feed)))

(ert-deftest vterm-test-reentry-directory-both ()
  "Issue 13: `vterm--set-directory' feeding output and switching loses nothing."
  (vterm-test-reentry--check 'vterm--set-directory '(feed switch)))

(ert-deftest vterm-test-reentry-directory-both-read-only ()
  "Issue 13: `vterm--set-directory' feeding and switching to a read-only buffer."
  (vterm-test-reentry--check 'vterm--set-directory '(feed switch) 'read-only))

(ert-deftest vterm-test-reentry-directory-kill ()
  "Issue 13: `vterm--set-directory' killing the terminal buffer is safe."
  (vterm-test-reentry--check 'vterm--set-directory '(feed kill)))

;;;; Eval (through `vterm-eval-cmds')

(ert-deftest vterm-test-reentry-eval-switch ()
  "Issue 13: a command from `vterm-eval-cmds' switching buffers is harmless."
  (vterm-test-reentry--check 'vterm--eval '(switch)))

(ert-deftest vterm-test-reentry-eval-find-file ()
  "Issue 13: the stock \"find-file\" command leaves the visited buffer alone.
OSC 51;E find-file makes the file's buffer current mid-redraw."
  (vterm-test-reentry--check 'vterm--eval '() 'file
                             (vterm-test-reentry--find-file)))

(ert-deftest vterm-test-reentry-eval-find-file-feed ()
  "Issue 13: \"find-file\" then a command feeding output loses nothing.
The second pass of the redraw must not draw into the file's buffer."
  (vterm-test-reentry--check 'vterm--eval '(feed) 'file
                             (vterm-test-reentry--find-file
                              "\e]51;Evterm-test-reentry-act\e\\")))

(ert-deftest vterm-test-reentry-eval-feed ()
  "Issue 13: output fed by a command from `vterm-eval-cmds' is drawn."
  (vterm-test-reentry--check 'vterm--eval '(feed)))

(ert-deftest vterm-test-reentry-eval-both ()
  "Issue 13: a command feeding output and switching buffers loses nothing."
  (vterm-test-reentry--check 'vterm--eval '(feed switch)))

(ert-deftest vterm-test-reentry-eval-both-read-only ()
  "Issue 13: a command feeding and switching to a read-only buffer."
  (vterm-test-reentry--check 'vterm--eval '(feed switch) 'read-only))

(ert-deftest vterm-test-reentry-eval-kill ()
  "Issue 13: a command killing the terminal buffer: no error, no crash."
  (vterm-test-reentry--check 'vterm--eval '(feed kill)))

;;;; Selection (OSC 52)

(ert-deftest vterm-test-reentry-selection-switch ()
  "Issue 13: `vterm--set-selection' switching buffers leaves the other alone."
  (vterm-test-reentry--check 'vterm--set-selection '(switch)))

(ert-deftest vterm-test-reentry-selection-feed ()
  "Issue 13: output fed from `vterm--set-selection' mid-redraw is drawn."
  (vterm-test-reentry--check 'vterm--set-selection '(feed)))

(ert-deftest vterm-test-reentry-selection-both ()
  "Issue 13: `vterm--set-selection' feeding output and switching loses nothing."
  (vterm-test-reentry--check 'vterm--set-selection '(feed switch)))

(ert-deftest vterm-test-reentry-selection-both-read-only ()
  "Issue 13: `vterm--set-selection' feeding, switching to a read-only buffer."
  (vterm-test-reentry--check 'vterm--set-selection '(feed switch) 'read-only))

(ert-deftest vterm-test-reentry-selection-kill ()
  "Issue 13: `vterm--set-selection' killing the terminal buffer is safe."
  (vterm-test-reentry--check 'vterm--set-selection '(feed kill)))

;;;; Colour lookup (called while rows are rendered)

(ert-deftest vterm-test-reentry-color-switch ()
  "Issue 13: `vterm--get-color' switching buffers mid-render is harmless.
The rows being rendered must still go into the terminal's buffer."
  (vterm-test-reentry--check 'vterm--get-color '(switch)))

(ert-deftest vterm-test-reentry-color-switch-read-only ()
  "Issue 13: `vterm--get-color' switching to a read-only buffer mid-render."
  (vterm-test-reentry--check 'vterm--get-color '(switch) 'read-only))

(ert-deftest vterm-test-reentry-color-feed ()
  "Issue 13: output fed from `vterm--get-color' mid-render is drawn."
  (vterm-test-reentry--check 'vterm--get-color '(feed)))

(ert-deftest vterm-test-reentry-color-both ()
  "Issue 13: `vterm--get-color' feeding output and switching loses nothing."
  (vterm-test-reentry--check 'vterm--get-color '(feed switch)))

(ert-deftest vterm-test-reentry-color-kill ()
  "Issue 13: `vterm--get-color' killing the terminal buffer mid-render is safe."
  (vterm-test-reentry--check 'vterm--get-color '(feed kill)))

;;;; The check itself

(ert-deftest vterm-test-reentry-check-detects ()
  "The re-entry check fails when a callback writes into the victim.
A callback that inserts into the buffer it switched to must be
reported, so the tests above can fail."
  (let ((failed nil))
    (cl-letf (((symbol-function 'vterm-test-reentry--actions)
               (lambda (_plan _terminal victim _term)
                 (lambda ()
                   (set-buffer victim)
                   (let ((inhibit-read-only t))
                     (insert "intruder"))))))
      (condition-case err
          (vterm-test-reentry--check 'vterm--set-title '(switch))
        (ert-test-failed (setq failed err))))
    ;; FAILED is (ert-test-failed ((should-not problems) :form .. :value ..)).
    (should (assq :other-buffers-changed
                  (plist-get (cdr (cadr failed)) :value)))))

;;; vterm-test-reentry.el ends here

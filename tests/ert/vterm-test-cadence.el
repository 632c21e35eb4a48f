;;; vterm-test-cadence.el --- ERT: the buffer does not depend on when redraws happen  -*- lexical-binding: t; -*-

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

;; Issue 13: a cadence differential.  A random stream of pieces (text,
;; wide and combining characters, line ends, scroll regions, SU/SD,
;; IL/DL, ICH/DCH, cursor moves, DECSC/DECRC, the alternate screen, REP,
;; origin mode, OSC 51;A, titles, erases) with resizes and scrollback
;; clears between them is drawn three ways, each in its own process-free
;; terminal:
;;
;;   every   a redraw after every piece;
;;   end     one redraw at the end (resizes still redraw, as
;;           `vterm--set-size' does);
;;   bytes   the pieces as UTF-8 fed one byte at a time (unibyte
;;           strings), a redraw after every STRIDE bytes (1 to 3).
;;
;; Resizes and clears happen at the same place in all three.  After a
;; final redraw the three buffers must agree on the text, the positions
;; of `vterm-line-wrap' and `vterm-prompt', point, `vterm--get-pwd-raw'
;; of every line and the last title and directory delivered.  Text and
;; marks are first compared without the blanks that end lines; a
;; difference only in those blanks (the spaces point is padded with) is
;; reported as the field :padding.  A disagreement is shrunk (pieces
;; removed while the same field still differs) and reported with the
;; seed, the sizes and the piece list.
;;
;; The streams run in a child Emacs: when it dies (a crash in the
;; module or libvterm), the last seeds it started are replayed one per
;; child to find one that kills Emacs alone, and its pieces are shrunk
;; the same way, one child per try.
;;
;; Streams are seeded 1..N, so a run is reproducible; the scrollback
;; size cycles through 0, 1, 3 and 50 with the seed.
;;
;; Environment:
;;   VTERM_CADENCE_STREAMS  streams per run (default
;;                          `vterm-test-cadence-default-streams')
;;   VTERM_CADENCE_SEED     replay just this seed (an integer)
;;   VTERM_CADENCE_FAILURES distinct failing fields to report before
;;                          stopping (default 3)
;;
;; Tests:
;;   vterm-test-cadence-random-streams    the differential
;;   vterm-test-cadence-harness-detects   the comparison can fail
;;   vterm-test-cadence-regression-*      fixed minimal streams (issue 13)

;;; Code:

(require 'vterm-test-helpers)

;;;; Configuration

(defconst vterm-test-cadence-default-streams 10000
  "Streams per run when VTERM_CADENCE_STREAMS is not set.
Measured with -module-assertions on two shared cores: 160 to 340
streams a second (each drawn three ways), depending on the load.")

(defconst vterm-test-cadence-scrollbacks '(0 1 3 50)
  "Scrollback sizes the streams cycle through.")

(defun vterm-test-cadence--env-int (name default)
  "Return the integer in environment variable NAME, else DEFAULT."
  (let ((value (getenv name)))
    (if (and value (string-match-p "\\`-?[0-9]+\\'" value))
        (string-to-number value)
      default)))

;;;; Pieces

;; A stream is a plist (:seed :rows :cols :scrollback :stride :pieces).
;; A piece is a string (bytes from the process), (resize ROWS COLS) or
;; (clear) (`vterm-clear-scrollback's key).

(defun vterm-test-cadence--pick (state list)
  "Return a random element of LIST using random STATE."
  (nth (cl-random (length list) state) list))

(defun vterm-test-cadence--between (state low high)
  "Return a random integer from LOW to HIGH inclusive, using STATE."
  (+ low (cl-random (1+ (- high low)) state)))

(defun vterm-test-cadence--text (state n)
  "Return N random letters and spaces, using STATE."
  (let ((s (make-string n ?a)))
    (dotimes (i n)
      (aset s i (aref "abcdefghijklmnopqrstuvwxyz     " (cl-random 31 state))))
    s))

(defun vterm-test-cadence--piece (state rows cols)
  "Return one random piece for a ROWS x COLS terminal, using STATE."
  (let ((r (lambda (lo hi) (vterm-test-cadence--between state lo hi)))
        (kind (cl-random 100 state)))
    (cond
     ((< kind 14) (vterm-test-cadence--text state (funcall r 1 (+ cols 3))))
     ((< kind 17) (vterm-test-cadence--text state (funcall r cols (* 2 cols))))
     ((< kind 21) (vterm-test-cadence--pick
                   state '("日" "한" "日本" "a日" "한b")))
     ((< kind 24) (vterm-test-cadence--pick
                   state '("e\u0301" "\u0301" "a\u0301\u0302" "日\u0301")))
     ((< kind 33) (vterm-test-cadence--pick state '("\r\n" "\r\n" "\n" "\r")))
     ((< kind 38) (let ((top (funcall r 1 rows)))
                    (format "\e[%d;%dr" top (funcall r top (1+ rows)))))
     ((< kind 40) (format "\e[1;%dr" (funcall r 2 rows)))
     ((< kind 42) "\e[r")
     ((< kind 46) (format "\e[%d%c" (funcall r 1 3)
                          (vterm-test-cadence--pick state '(?S ?T))))
     ((< kind 51) (format "\e[%d%c" (funcall r 1 3)
                          (vterm-test-cadence--pick state '(?L ?M))))
     ((< kind 55) (format "\e[%d%c" (funcall r 1 4)
                          (vterm-test-cadence--pick state '(?@ ?P))))
     ((< kind 62) (format "\e[%d;%dH" (funcall r 1 (1+ rows))
                          (funcall r 1 (1+ cols))))
     ((< kind 66) (vterm-test-cadence--pick state '("\e7" "\e8")))
     ((< kind 69) (vterm-test-cadence--pick state '("\e[?1049h" "\e[?1049l")))
     ((< kind 72) (format "\e[%db" (funcall r 1 (+ cols 2))))
     ((< kind 75) (vterm-test-cadence--pick state '("\e[?6h" "\e[?6l")))
     ((< kind 81) (format "\e]51;Auser@host:/dir/%d\e\\" (funcall r 1 99)))
     ((< kind 83) (format "\e]2;title%d\e\\" (funcall r 1 99)))
     ((< kind 88) (vterm-test-cadence--pick
                   state '("\e[J" "\e[1J" "\e[2J" "\e[K" "\e[1K" "\e[2K")))
     ((< kind 89) "\e[3J")
     ((< kind 95) (list 'resize (funcall r 2 8) (funcall r 3 12)))
     (t (list 'clear)))))

(defun vterm-test-cadence--stream (seed)
  "Return the random stream for SEED (an integer)."
  (let* ((state (cl-make-random-state seed))
         (rows0 (vterm-test-cadence--between state 3 8))
         (cols0 (vterm-test-cadence--between state 4 12))
         (rows rows0)
         (cols cols0)
         (pieces nil))
    (dotimes (_ (vterm-test-cadence--between state 4 30))
      (let ((piece (vterm-test-cadence--piece state rows cols)))
        (when (eq (car-safe piece) 'resize)
          (setq rows (nth 1 piece) cols (nth 2 piece)))
        (push piece pieces)))
    (list :seed seed :rows rows0 :cols cols0
          :scrollback (nth (mod seed (length vterm-test-cadence-scrollbacks))
                           vterm-test-cadence-scrollbacks)
          :stride (1+ (mod (/ seed 4) 3))
          :pieces (nreverse pieces))))

;;;; Drawing one stream

(defvar vterm-test-cadence--title nil "Last title delivered.")
(defvar vterm-test-cadence--directory nil "Last directory delivered.")

(defun vterm-test-cadence--bytes (piece)
  "Return PIECE's UTF-8 bytes as a list of one-byte unibyte strings."
  (mapcar #'unibyte-string (string-to-list (encode-coding-string
                                            piece 'utf-8-unix))))

(defun vterm-test-cadence--redraw (term)
  "Flush and redraw TERM into the current buffer."
  (let ((inhibit-read-only t))
    (vterm--update term)
    (vterm--redraw term)))

(defun vterm-test-cadence--action (term piece redraw)
  "Apply the resize or clear PIECE to TERM; REDRAW non-nil: redraw after."
  (let ((inhibit-read-only t))
    (pcase piece
      (`(resize ,rows ,cols) (vterm--set-size term rows cols))
      (`(clear) (vterm--update term "<clear_scrollback>"))))
  (when redraw (vterm-test-cadence--redraw term)))

(defun vterm-test-cadence--draw (stream mode)
  "Draw STREAM in a fresh buffer in MODE; return the buffer's snapshot.
MODE is `every', `end' or `bytes' (see the Commentary).  An error
becomes the snapshot (:error ERR)."
  (with-temp-buffer
    (let ((vterm-test-cadence--title nil)
          (vterm-test-cadence--directory nil)
          (stride (plist-get stream :stride))
          (count 0)
          (term nil))
      (condition-case err
          (progn
            (let ((inhibit-read-only t))
              (setq term (vterm--new (plist-get stream :rows)
                                     (plist-get stream :cols)
                                     (plist-get stream :scrollback))))
            (dolist (piece (plist-get stream :pieces))
              (cond
               ((consp piece)
                (vterm-test-cadence--action term piece (not (eq mode 'end))))
               ((eq mode 'bytes)
                (dolist (byte (vterm-test-cadence--bytes piece))
                  (vterm--write-input term byte)
                  (when (zerop (% (cl-incf count) stride))
                    (vterm-test-cadence--redraw term))))
               (t
                (vterm--write-input term piece)
                (when (eq mode 'every)
                  (vterm-test-cadence--redraw term)))))
            (vterm-test-cadence--redraw term)
            (vterm-test-cadence--snapshot term))
        (error (list :error err))))))

(defun vterm-test-cadence--place (pos)
  "Return (LINE . COLUMN) of POS: 1-based line, characters into it."
  (save-excursion
    (goto-char pos)
    (cons (line-number-at-pos pos) (- pos (line-beginning-position)))))

(defun vterm-test-cadence--marks (prop)
  "Return the places of the characters whose PROP is non-nil.
Places are (LINE . COLUMN), so that padding on other lines does not
move them."
  (let ((pos (point-min)) (marks nil))
    (while (< pos (point-max))
      (let ((next (next-single-property-change pos prop nil (point-max))))
        (when (get-text-property pos prop)
          (while (< pos next)
            (push (vterm-test-cadence--place pos) marks)
            (setq pos (1+ pos))))
        (setq pos next)))
    (nreverse marks)))

(defun vterm-test-cadence--trim-lines (text)
  "Return TEXT without blanks at the ends of its lines."
  (replace-regexp-in-string " +$" "" text))

(defun vterm-test-cadence--unpadded (places lines)
  "Return PLACES with columns past the blanks ending their line clamped.
LINES are the buffer's lines with trailing blanks removed, so a mark
on a newline that padding pushed right compares equal to the same
mark without padding."
  (mapcar (lambda (place)
            (cons (car place)
                  (min (cdr place)
                       (length (or (nth (1- (car place)) lines) "")))))
          places))

(defun vterm-test-cadence--snapshot (term)
  "Return the state of the current buffer, drawn from TERM, as a plist.
:text, :wraps and :prompts ignore blanks at the ends of lines (the
spaces point is padded with); :padding holds the exact text and
mark places, so a difference only there is reported apart."
  (let* ((lines (count-lines (point-min) (point-max)))
         (text (buffer-substring-no-properties (point-min) (point-max)))
         (trimmed (vterm-test-cadence--trim-lines text))
         (trimmed-lines (split-string trimmed "\n"))
         (wraps (vterm-test-cadence--marks 'vterm-line-wrap))
         (prompts (vterm-test-cadence--marks 'vterm-prompt)))
    (list :text trimmed
          :wraps (vterm-test-cadence--unpadded wraps trimmed-lines)
          :prompts (vterm-test-cadence--unpadded prompts trimmed-lines)
          :point (vterm-test-cadence--place (point))
          :pwd (mapcar (lambda (n) (vterm--get-pwd-raw term n))
                       (number-sequence 1 (1+ lines)))
          :title vterm-test-cadence--title
          :directory vterm-test-cadence--directory
          :padding (list text wraps prompts))))

(defmacro vterm-test-cadence--quietly (&rest body)
  "Run BODY with the module's Lisp hooks recording instead of acting."
  (declare (indent 0) (debug (body)))
  `(cl-letf (((symbol-function 'vterm--flush-output) #'ignore)
             ((symbol-function 'vterm--invalidate) #'ignore)
             ((symbol-function 'vterm--set-title)
              (lambda (title) (setq vterm-test-cadence--title title)))
             ((symbol-function 'vterm--set-directory)
              (lambda (dir) (setq vterm-test-cadence--directory dir))))
     ,@body))

;;;; Comparing the three drawings

(defconst vterm-test-cadence--fields
  '(:error :text :wraps :prompts :point :pwd :title :directory :padding)
  "Snapshot fields, in the order a difference is reported.")

(defun vterm-test-cadence--difference (stream)
  "Return nil if the three drawings of STREAM agree, else a description.
The description is (FIELD MODE-1 VALUE-1 MODE-2 VALUE-2) for the
first field that differs."
  (vterm-test-cadence--quietly
    (let* ((every (vterm-test-cadence--draw stream 'every))
           (end (vterm-test-cadence--draw stream 'end))
           (bytes (vterm-test-cadence--draw stream 'bytes)))
      (cl-loop for field in vterm-test-cadence--fields
               thereis
               (cl-loop for (m1 s1 m2 s2) in `((every ,every end ,end)
                                               (every ,every bytes ,bytes)
                                               (end ,end bytes ,bytes))
                        for v1 = (plist-get s1 field)
                        for v2 = (plist-get s2 field)
                        unless (equal v1 v2)
                        return (list field m1 v1 m2 v2))))))

(defun vterm-test-cadence--without (list i)
  "Return LIST without its element I."
  (append (cl-subseq list 0 i) (nthcdr (1+ i) list)))

(defun vterm-test-cadence--shrink (stream field)
  "Return STREAM made smaller while FIELD still differs.
Greedy: drop each piece in turn and keep the drop if FIELD still
differs; then drop single characters from pieces of plain text;
repeat until nothing more can go."
  (let ((pieces (plist-get stream :pieces))
        (progress t))
    (cl-flet ((fails (ps)
                (let ((d (vterm-test-cadence--difference
                          (plist-put (copy-sequence stream) :pieces ps))))
                  (and d (eq (car d) field)))))
      (while progress
        (setq progress nil)
        (let ((i (1- (length pieces))))
          (while (>= i 0)
            (let ((shorter (vterm-test-cadence--without pieces i)))
              (when (fails shorter)
                (setq pieces shorter progress t)))
            (setq i (1- i))))
        (dotimes (i (length pieces))
          (let ((piece (nth i pieces)))
            (when (and (stringp piece) (not (string-match-p "\e" piece)))
              (let ((k (1- (length piece))))
                (while (and (>= k 0) (> (length piece) 1))
                  (let* ((chars (vterm-test-cadence--without
                                 (string-to-list piece) k))
                         (candidate (append (cl-subseq pieces 0 i)
                                            (list (apply #'string chars))
                                            (nthcdr (1+ i) pieces))))
                    (when (fails candidate)
                      (setq pieces candidate
                            piece (nth i pieces)
                            progress t)))
                  (setq k (1- k)))))))))
    (plist-put (copy-sequence stream) :pieces pieces)))

;;;; Reports

(defun vterm-test-cadence--show-string (s)
  "Return S as a Lisp string literal with control and combining chars escaped."
  (concat "\""
          (mapconcat
           (lambda (c)
             (cond ((eq c ?\e) "\\e")
                   ((eq c ?\r) "\\r")
                   ((eq c ?\n) "\\n")
                   ((eq c ?\\) "\\\\")
                   ((eq c ?\") "\\\"")
                   ((< c 32) (format "\\x%02x" c))
                   ((<= #x300 c #x36f) (format "\\u%04X" c))
                   (t (string c))))
           s "")
          "\""))

(defun vterm-test-cadence--show-pieces (pieces)
  "Return PIECES as readable Lisp text."
  (concat "("
          (mapconcat (lambda (p)
                       (if (stringp p)
                           (vterm-test-cadence--show-string p)
                         (format "%S" p)))
                     pieces " ")
          ")"))

(defun vterm-test-cadence--show-text-diff (a b)
  "Return the first lines where texts A and B differ, numbered from 1."
  (let ((la (split-string a "\n")) (lb (split-string b "\n"))
        (n 1) (out nil))
    (while (and (or la lb) (< (length out) 4))
      (unless (equal (car la) (car lb))
        (push (format "line %d: %s | %s" n
                      (vterm-test-cadence--show-string (or (car la) "<none>"))
                      (vterm-test-cadence--show-string (or (car lb) "<none>")))
              out))
      (setq la (cdr la) lb (cdr lb) n (1+ n)))
    (string-join (nreverse out) "; ")))

(defun vterm-test-cadence--show-difference (difference)
  "Return a short text for DIFFERENCE from `vterm-test-cadence--difference'."
  (pcase-let ((`(,field ,m1 ,v1 ,m2 ,v2) difference))
    (format "%s differs, %s vs %s: %s" field m1 m2
            (pcase field
              (:text (vterm-test-cadence--show-text-diff v1 v2))
              (:padding
               (if (equal (car v1) (car v2))
                   (format "marks %S | %S" (cdr v1) (cdr v2))
                 (vterm-test-cadence--show-text-diff (car v1) (car v2))))
              (_ (format "%S | %S"
                         (if (stringp v1) (vterm-test-cadence--show-string v1) v1)
                         (if (stringp v2) (vterm-test-cadence--show-string v2) v2)))))))

(defun vterm-test-cadence--report (stream difference)
  "Return the failure report for STREAM whose drawings show DIFFERENCE."
  (let* ((small (vterm-test-cadence--shrink stream (car difference)))
         (small-difference (or (vterm-test-cadence--difference small)
                               difference)))
    (format (concat "seed %d (VTERM_CADENCE_SEED=%d), %dx%d, scrollback %d, "
                    "stride %d\n  %s\n  pieces: %s\n  minimal: %s\n  %s")
            (plist-get stream :seed) (plist-get stream :seed)
            (plist-get stream :rows) (plist-get stream :cols)
            (plist-get stream :scrollback) (plist-get stream :stride)
            (vterm-test-cadence--show-difference difference)
            (vterm-test-cadence--show-pieces (plist-get stream :pieces))
            (vterm-test-cadence--show-pieces (plist-get small :pieces))
            (vterm-test-cadence--show-difference small-difference))))

;;;; The differential

(defun vterm-test-cadence--seeds ()
  "Return the seeds to run: VTERM_CADENCE_SEED alone, else N from FIRST.
N is VTERM_CADENCE_STREAMS and FIRST VTERM_CADENCE_FIRST (default 1);
scan more seeds in several runs, the list goes on a command line."
  (let ((one (vterm-test-cadence--env-int "VTERM_CADENCE_SEED" nil))
        (first (vterm-test-cadence--env-int "VTERM_CADENCE_FIRST" 1)))
    (if one
        (list one)
      (number-sequence first (+ first -1 (vterm-test-cadence--env-int
                                          "VTERM_CADENCE_STREAMS"
                                          vterm-test-cadence-default-streams))))))

(defun vterm-test-cadence--say (format-string &rest args)
  "Print FORMAT-STRING with ARGS as one line on standard error.
Standard error is not buffered, so the lines printed before a crash
reach the parent."
  (message "%s" (apply #'format format-string args)))

(defun vterm-test-cadence--run (seeds max-failures)
  "Check the streams of SEEDS; report up to MAX-FAILURES failures.
Prints \"@seed N\" before each stream and \"@report TEXT\" for each
failure (the first one seen in each field, shrunk), then \"@done\"
with counts.  Other failures are counted, not shrunk."
  (let ((reports 0) (seen nil) (failed nil) (checked 0) (start (float-time))
        (print-escape-newlines t) (print-escape-control-characters t)
        (print-escape-multibyte t) (print-escape-nonascii t))
    (catch 'done
      (dolist (seed seeds)
        (vterm-test-cadence--say "@seed %d" seed)
        (cl-incf checked)
        (let* ((stream (vterm-test-cadence--stream seed))
               (difference (vterm-test-cadence--difference stream)))
          (when difference
            (cl-incf (alist-get (car difference) failed 0))
            (unless (memq (car difference) seen)
              (push (car difference) seen)
              (vterm-test-cadence--say
               "@report %S" (vterm-test-cadence--report stream difference))
              (when (>= (cl-incf reports) max-failures)
                (throw 'done nil)))))))
    (vterm-test-cadence--say "@done %d of %d stream(s) in %.1f s, failing: %S"
                             checked (length seeds) (- (float-time) start)
                             (or failed 'none))))

;;;; Running the differential in a child Emacs

;; The streams are drawn in a child Emacs so that a crash (heap
;; corruption in the module or libvterm) becomes a test failure naming
;; the stream instead of killing the test run.

(defconst vterm-test-cadence--file
  (or load-file-name buffer-file-name)
  "This file, loaded again by the child Emacs.")

(defun vterm-test-cadence--child-args (form)
  "Return the command line for a child Emacs to evaluate FORM."
  (let ((print-escape-newlines t) (print-escape-control-characters t)
        (print-escape-multibyte t) (print-escape-nonascii t))
    (append (list "--batch" "-Q" "-module-assertions")
            (cl-mapcan (lambda (lib)
                         (list "-L" (file-name-directory (locate-library lib))))
                       '("vterm-module" "vterm" "vterm-test-helpers"))
            (list "-l" vterm-test-cadence--file
                  "--eval" (prin1-to-string form)))))

(defun vterm-test-cadence--child (form)
  "Evaluate FORM in a child Emacs; return (STATUS . OUTPUT)."
  (with-temp-buffer
    (let* ((preload (and (vterm-test--feature :sanitized)
                         (getenv-internal "LD_PRELOAD" initial-environment)))
           ;; A sanitized module loads only with its runtime preloaded;
           ;; the suite's own Emacs dropped it for the shells it starts.
           (process-environment (if preload
                                    (cons (concat "LD_PRELOAD=" preload)
                                          process-environment)
                                  process-environment))
           (status (apply #'call-process
                         (expand-file-name invocation-name invocation-directory)
                         nil t nil (vterm-test-cadence--child-args form))))
      (cons status (buffer-string)))))

(defun vterm-test-cadence--lines (output tag)
  "Return the rest of each line of OUTPUT that begins with TAG."
  (let ((lines nil) (start 0)
        (re (concat "^" (regexp-quote tag) " \\(.*\\)$")))
    (while (string-match re output start)
      (push (match-string 1 output) lines)
      (setq start (match-end 0)))
    (nreverse lines)))

(defun vterm-test-cadence--last-words (output)
  "Return the last lines of OUTPUT that are neither protocol nor backtrace."
  (let ((lines (seq-remove
                (lambda (l)
                  (string-match-p
                   "\\`\\(@\\|Backtrace:\\|\\.\\.\\.\\'\\|.*\\[0x\\|\\'\\)" l))
                (split-string output "\n"))))
    (if lines (string-join (last lines 3) " / ") "no message")))

(defun vterm-test-cadence--death (stream)
  "Return nil if a fresh child Emacs draws STREAM and collects garbage.
Otherwise return how the child ended.  The garbage collection runs
the terminals' finalizers, which is where a corrupted heap is
usually noticed."
  (let ((result (vterm-test-cadence--child
                 `(progn (vterm-test-cadence--difference ',stream)
                         (garbage-collect)
                         (vterm-test-cadence--say "@alive ok")))))
    (unless (and (eq (car result) 0)
                 (vterm-test-cadence--lines (cdr result) "@alive"))
      (format "%s: %s" (car result)
              (vterm-test-cadence--last-words (cdr result))))))

(defun vterm-test-cadence--crash-report (seeds status output)
  "Describe a child that died with STATUS and OUTPUT while running SEEDS.
Replays the last seeds started, newest first, each in a fresh child,
to find one that kills Emacs on its own, and shrinks its pieces."
  (let* ((started (mapcar #'string-to-number
                          (vterm-test-cadence--lines output "@seed")))
         (last-seed (car (last started)))
         (culprit (cl-loop for seed in (reverse (last started 20))
                           for stream = (vterm-test-cadence--stream seed)
                           when (vterm-test-cadence--death stream)
                           return stream)))
    (concat
     (format "Emacs died (%s: %s) during seed %s of %d-%d"
             status (vterm-test-cadence--last-words output) last-seed
             (car seeds) (car (last seeds)))
     (if (not culprit)
         "; no single seed reproduces it (replay with VTERM_CADENCE_SEED)"
       (let ((pieces (plist-get culprit :pieces)) (budget 60))
         ;; Greedy shrink, one child per try, within BUDGET tries.
         (let ((i (1- (length pieces))))
           (while (and (>= i 0) (> budget 0))
             (let ((shorter (vterm-test-cadence--without pieces i)))
               (cl-decf budget)
               (when (vterm-test-cadence--death
                      (plist-put (copy-sequence culprit) :pieces shorter))
                 (setq pieces shorter)))
             (setq i (1- i))))
         (format (concat "\n  seed %d alone kills Emacs (VTERM_CADENCE_SEED=%d),"
                         " %dx%d, scrollback %d\n  pieces: %s\n  minimal: %s")
                 (plist-get culprit :seed) (plist-get culprit :seed)
                 (plist-get culprit :rows) (plist-get culprit :cols)
                 (plist-get culprit :scrollback)
                 (vterm-test-cadence--show-pieces (plist-get culprit :pieces))
                 (vterm-test-cadence--show-pieces pieces)))))))

(ert-deftest vterm-test-cadence-random-streams ()
  "Issue 13: every cadence of redraws gives the same buffer.
Random streams drawn with a redraw per piece, one redraw at the
end, and byte by byte must agree on text, wrap and prompt marks,
point, directories per line and the last title and directory.
The streams run in a child Emacs, so a crash fails this test with
the stream that caused it."
  (let* ((seeds (vterm-test-cadence--seeds))
         (max-failures (vterm-test-cadence--env-int "VTERM_CADENCE_FAILURES" 3))
         (result (vterm-test-cadence--child
                  `(vterm-test-cadence--run ',seeds ,max-failures)))
         (output (cdr result))
         (reports (mapcar #'read (vterm-test-cadence--lines output "@report")))
         (done (car (vterm-test-cadence--lines output "@done"))))
    (message "vterm-test-cadence: %s" (or done "child died"))
    (dolist (report reports)
      (message "vterm-test-cadence: %s" report))
    (should (> (length seeds) 0))
    (unless done
      (push (vterm-test-cadence--crash-report seeds (car result) output)
            reports))
    (when reports
      (ert-fail (cons (format "%d cadence failure(s); %s" (length reports)
                              (or done "the child Emacs died"))
                      reports)))))

;;;; The harness itself

(ert-deftest vterm-test-cadence-harness-detects ()
  "The cadence comparison reports a difference when one drawing differs.
A drawing that loses a byte (as a broken redraw would) must be
caught, so the differential can fail."
  (let ((stream (list :seed 0 :rows 3 :cols 6 :scrollback 3 :stride 1
                      :pieces '("abc" "\r\n" "\e]51;Auser@host:/d\e\\"
                                "de"))))
    (should-not (vterm-test-cadence--difference stream))
    (let ((real (symbol-function 'vterm--write-input)))
      (cl-letf (((symbol-function 'vterm--write-input)
                 (lambda (term bytes)
                   ;; Drop the letter "e" when it comes alone (byte mode).
                   (unless (equal bytes "e")
                     (funcall real term bytes)))))
        (let ((difference (vterm-test-cadence--difference stream)))
          (should (eq (car difference) :text))
          (should (equal (plist-get (vterm-test-cadence--shrink
                                     stream :text)
                                    :pieces)
                         '("de"))))))))

;;;; Regressions (minimal streams found by the differential)

(defun vterm-test-cadence--should-agree (rows cols scrollback pieces
                                              &optional stride)
  "Assert that PIECES on a ROWS x COLS terminal draw the same every way.
SCROLLBACK is the scrollback size, STRIDE the bytes between
redraws in byte mode (default 1)."
  (let* ((stream (list :seed 0 :rows rows :cols cols :scrollback scrollback
                       :stride (or stride 1) :pieces pieces))
         (difference (vterm-test-cadence--difference stream)))
    (should-not (and difference
                     (vterm-test-cadence--show-difference difference)))))

(ert-deftest vterm-test-cadence-regression-shrink-below-scroll-region ()
  "Issue 13: shrinking the terminal below its scroll region is safe.
A scroll region set for 60 rows survives a resize to 2 rows in
libvterm, and the next line feeds scrolled memory past the end of
its arrays.  Run in a child Emacs, which must survive and collect
garbage."
  (should-not (vterm-test-cadence--death
               (list :seed 0 :rows 60 :cols 20 :scrollback 50 :stride 64
                     :pieces (list "\e[30;60r" '(resize 2 10)
                                   (apply #'concat (make-list 200 "x\r\n")))))))

(ert-deftest vterm-test-cadence-regression-restore-then-grow ()
  "Issue 13: restoring a cursor saved on a taller screen, then resizing, is safe.
The cursor saved at row 4 or 5 (DECSC, or entering the alternate
screen) is restored on a shorter screen; the next resize made
libvterm 0.3.3 abort (\"screen_resize failed to update cursor
position\").  Run in a child Emacs."
  (should-not (vterm-test-cadence--death
               (list :seed 0 :rows 7 :cols 5 :scrollback 1 :stride 1
                     :pieces '("\e[5;3H" "\e7" (resize 4 3) "\e8"
                               (resize 4 10)))))
  (should-not (vterm-test-cadence--death
               (list :seed 0 :rows 6 :cols 5 :scrollback 0 :stride 1
                     :pieces '("\e[4;5H\e[?1049h" (resize 2 11) "\e8"
                               (resize 5 11))))))

(ert-deftest vterm-test-cadence-regression-padding-repeats ()
  "Issue 13: a redraw that changes nothing adds no second padding.
With the cursor past the end of its row, each redraw (here one for
a title) padded the row again: 10 spaces instead of 5."
  (vterm-test-cadence--should-agree 8 11 0 '("\e[6;6H" "\e]2;title\e\\")))

(ert-deftest vterm-test-cadence-regression-padding-left-behind ()
  "Issue 13: padding for the cursor goes when the cursor leaves the row.
A redraw with the cursor past the text of row 2 padded the row;
after CR LF the padding stayed, so the text depends on when
redraws happened."
  (vterm-test-cadence--should-agree 5 8 1 '("\e[2;6H" "\r\n")))

(ert-deftest vterm-test-cadence-regression-combining-at-last-column ()
  "Issue 13: a combining mark joins a last-column character across writes.
Fed byte by byte, the U+0301 after \"abcd\" on a 4-column terminal
landed alone on the next row."
  (vterm-test-cadence--should-agree 3 4 0 '("abcd\u0301"))
  (vterm-test-cadence--should-agree 6 5 0 '("日本" "e\u0301")))

(ert-deftest vterm-test-cadence-regression-combining-after-stuck-wrap ()
  "Issue 13: a split combining mark joins a wide character that wrapped in place.
On the bottom row below a scroll region a line feed cannot scroll,
so \"日\" after \"thu\" wraps onto the same row and overwrites
\"th\".  A U+0301 arriving in the next write went onto the \"u\"
after it instead of onto \"日\"."
  (vterm-test-cadence--should-agree 3 3 0 '("\e[1;2r\e[3;1Hthu" "日\u0301")))

(ert-deftest vterm-test-cadence-regression-combining-after-resize-in-region ()
  "Issue 13: a split combining mark after a resize in origin mode.
Found by the differential (seed 3395): with origin mode and a
scroll region from before a resize to 3 columns, the U+0301 after
an \"e\" in the last column, fed in a later write, was drawn with a
second \"e\" on the next row."
  (vterm-test-cadence--should-agree
   7 6 50 '("\e[7;3H" "p" "\e[?6h" "\e[4;8r" "e clhrq" "e" (resize 5 3)
            "e\u0301")
   3))

(ert-deftest vterm-test-cadence-regression-wrap-mark-of-drawn-row ()
  "Issue 13: a row drawn before its line wrapped still gets the wrap mark.
With libvterm's continuation flag (0.2 and later) the mark of row 1
depends on row 2; row 1 was not redrawn when row 2 continued it."
  (vterm-test-cadence--should-agree 3 4 0 '("abcd" "e"))
  (vterm-test-cadence--should-agree 7 4 50 '("\e[1;4H" "kb")))

(ert-deftest vterm-test-cadence-regression-cursor-after-restore ()
  "Issue 13: point follows the cursor restored in origin mode.
On libvterm 0.1.4 leaving the alternate screen restored a cursor
that origin mode then moved without telling the module; point
stayed a row too high until a write moved the cursor again."
  (vterm-test-cadence--should-agree
   3 3 0 '("\e[?6h" "한" "\e7" "\e[2;2r" "\e[2;3H" "\e[?1049l" "qzgn")))

(ert-deftest vterm-test-cadence-regression-region-at-top-cadence ()
  "Issue 13: a scroll region at the top keeps prompt marks in place.
Scrolling rows 1-2 pushed a line to the scrollback and moved the
directory and prompt of every row, so rows drawn before and after
the scroll disagreed."
  (vterm-test-cadence--should-agree
   4 4 0 '("\n" "p zpf" "\e]51;Auser@host:/dir/47\e\\" "\e[1;2r" "\n"
           "idiri  g")
   2))

(ert-deftest vterm-test-cadence-regression-region-at-top-row-info ()
  "Issue 13: rows below a scroll region keep their directory and prompt.
Scrolling rows 1-2 of a 4-row screen moves only those rows; the
prompt on row 4 and its directory must stay on row 4."
  (vterm-test-cadence--quietly
    (with-temp-buffer
      (let* ((inhibit-read-only t)
             (term (vterm--new 4 10 3)))
        (vterm--write-input term (concat "\e[4;1H$ \e]51;Auser@host:/d\e\\"
                                         "\e[1;2r\e[2;1H\n"))
        (vterm--redraw term)
        (let ((last (1- (line-number-at-pos (point-max)))))
          ;; One line went to the scrollback: 1 + 4 lines.
          (should (= last 5))
          (should (equal (vterm-test-cadence--trim-lines
                          (buffer-substring-no-properties (point-min)
                                                          (point-max)))
                         "\n\n\n\n$\n"))
          (should (equal (vterm--get-pwd-raw term last) "user@host:/d"))
          (should-not (vterm--get-pwd-raw term (1- last)))
          (should (equal (mapcar #'car (vterm-test-cadence--marks 'vterm-prompt))
                         (list last))))))))

(provide (quote vterm-test-cadence))

;;; vterm-test-cadence.el ends here

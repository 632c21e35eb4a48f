;;; vterm-test-mouse.el --- ERT: mouse reporting, modified keys, focus events  -*- lexical-binding: t; -*-

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

;; The input the terminal reports beyond plain keys (vterm.el, section
;; "Mouse, modified keys and focus events"; keys.c), checked on the wire:
;; the key reader of vterm-test-helpers.el runs on a real pty, its
;; prologue turns the modes on (DECSET 1000/1002/1006/1004 ...), and the
;; bytes it reads are compared.
;;
;; Mouse events are synthesized as Emacs builds them: a posn for the
;; window showing the terminal (batch Emacs has no real pixel geometry,
;; so x is the column plus the line-number width, as on a text
;; terminal), an event list, and the command the keymap binds to it,
;; found with `key-binding' so that the keymap's filters (mouse wanted,
;; copy mode, shift) are part of the test.
;;
;;   vterm-test-mouse-sgr-*, -x10-*, -urxvt-*, -utf8-*   encodings
;;   vterm-test-mouse-drag-*, -wheel-*, -modifiers-*      event kinds
;;   vterm-test-mouse-*-line-numbers, -scrollback         coordinates
;;   vterm-test-mouse-not-*                               Emacs keeps it
;;   vterm-test-mouse-keys-*                              modified keys
;;   vterm-test-mouse-focus-*                             DECSET 1004

;;; Code:

(require 'vterm-test-helpers)

;;;; Helpers

(defun vterm-test-mouse--posn (row col)
  "Return a posn for screen ROW, cell COL of the terminal in this buffer.
The selected window is made to show the buffer."
  (let* ((window (selected-window))
         (x0 (if (bound-and-true-p display-line-numbers)
                 (with-selected-window window (line-number-display-width t))
               0))
         (pos (save-excursion
                (goto-char (vterm-test--screen-start))
                (forward-line row)
                (min (+ (point) col) (line-end-position)))))
    (list window pos (cons (+ x0 col) row) 0 nil pos (cons col row)
          nil '(0 . 0) '(1 . 1))))

(defun vterm-test-mouse--show ()
  "Show the current buffer in the selected window and redraw it."
  (set-window-buffer (selected-window) (current-buffer))
  (vterm-test--redraw))

(defun vterm-test-mouse--dispatch (event)
  "Run the command the keymaps bind to EVENT, as the command loop would.
Return that command."
  (let ((cmd (key-binding (vector (car event)) nil nil (event-start event))))
    (when (eq cmd 'vterm-mouse-report)
      (call-interactively cmd nil (vector event)))
    cmd))

(defun vterm-test-mouse--click (row col &optional prefix)
  "Click button 1 at ROW, COL: the press, then the release.
PREFIX is a modifier prefix such as \"C-\"."
  (let ((posn (vterm-test-mouse--posn row col))
        (prefix (or prefix "")))
    (vterm-test-mouse--dispatch
     (list (intern (concat prefix "down-mouse-1")) posn))
    (vterm-test-mouse--dispatch
     (list (intern (concat prefix "mouse-1")) posn))))

(defmacro vterm-test-mouse--with-reader (prologue &rest body)
  "Run BODY in a key-reader terminal whose program printed PROLOGUE.
BODY can use (wire FORM...) and the helpers of
`vterm-test--with-key-reader'."
  (declare (indent 1) (debug (form body)))
  `(save-window-excursion
     (vterm-test--with-key-reader (:prologue ,prologue)
       (vterm-test--wait-for "READY1\r?$")
       (cl-letf (((symbol-function 'frame-focus-state) (lambda (&rest _) t)))
         ,@body))))

(defun vterm-test-mouse--hex (&rest strings)
  "Return the hex of STRINGS concatenated."
  (vterm-test--hex (apply #'concat strings)))

;;;; Encodings

(ert-deftest vterm-test-mouse-sgr-press-release ()
  "DECSET 1000 + 1006: a click is CSI < 0 ; x ; y M then m, 1-based."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 2 5))
                   (vterm-test-mouse--hex "\e[<0;6;3M" "\e[<0;6;3m")))))

(ert-deftest vterm-test-mouse-x10-press-release ()
  "DECSET 1000 alone: the X10 encoding CSI M Cb Cx Cy, release code 3."
  (vterm-test-mouse--with-reader "\\033[?1000h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 2 5))
                   (vterm-test-mouse--hex "\e[M &#" "\e[M#&#")))))

(ert-deftest vterm-test-mouse-x10-mode-9 ()
  "DECSET 9 (X10 compatibility): presses only, without modifiers."
  (vterm-test-mouse--with-reader "\\033[?9h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 2 5)
                         (vterm-test-mouse--click 2 5 "C-"))
                   (vterm-test-mouse--hex "\e[M &#" "\e[M &#")))))

(ert-deftest vterm-test-mouse-urxvt-press-release ()
  "DECSET 1000 + 1015: the urxvt encoding CSI Cb ; x ; y M."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1015h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 2 5))
                   ;; libvterm's 1015 leaves out urxvt's offset of 32.
                   (vterm-test-mouse--hex "\e[0;6;3M" "\e[3;6;3M")))))

(ert-deftest vterm-test-mouse-utf8-wide-column ()
  "DECSET 1000 + 1005: a column past 94 is sent UTF-8 encoded."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1005h"
    (vterm-test-mouse--show)
    ;; Column 100: 100 + 33 = U+0085, c2 85.
    (should (equal (wire (vterm-test-mouse--dispatch
                          (list 'down-mouse-1 (vterm-test-mouse--posn 0 100))))
                   "1b 5b 4d 20 c2 85 21"))))

;;;; Event kinds

(ert-deftest vterm-test-mouse-decset-list ()
  "CSI ? 1006 ; 1000 h, as ncurses (htop) sends it, sets both modes.
libvterm 0.1.4 applies only the first mode of a list; feed.c splits it."
  (vterm-test-mouse--with-reader "\\033[?1006;1000h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 2 5))
                   (vterm-test-mouse--hex "\e[<0;6;3M" "\e[<0;6;3m")))))

(ert-deftest vterm-test-mouse-decrst-list ()
  "CSI ? 1000 ; 1006 l turns the mouse off again."
  (vterm-test-mouse--with-reader "\\033[?1006;1000h\\033[?1000;1006l"
    (vterm-test-mouse--show)
    (should (eql (vterm--mouse-mode vterm--term) 0))))

(ert-deftest vterm-test-mouse-drag-motion ()
  "DECSET 1002: motions while the button is held are reported, then the release."
  (vterm-test-mouse--with-reader "\\033[?1002h\\033[?1006h"
    (vterm-test-mouse--show)
    (let* ((start (vterm-test-mouse--posn 1 1))
           (mid (vterm-test-mouse--posn 1 3))
           (end (vterm-test-mouse--posn 1 4)))
      (should
       (equal (wire
               (setq unread-command-events
                     (list (list 'mouse-movement mid)
                           (list 'mouse-movement end)
                           (list 'drag-mouse-1 start end)))
               (vterm-test-mouse--dispatch (list 'down-mouse-1 start)))
              (vterm-test-mouse--hex "\e[<0;2;2M" "\e[<32;4;2M"
                                     "\e[<32;5;2M" "\e[<0;5;2m")))
      (should-not unread-command-events))))

(ert-deftest vterm-test-mouse-click-mode-no-motion ()
  "DECSET 1000: a drag reports the press and the release, no motion."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((start (vterm-test-mouse--posn 1 1))
          (end (vterm-test-mouse--posn 1 4)))
      (should (equal (wire
                      (vterm-test-mouse--dispatch (list 'down-mouse-1 start))
                      (vterm-test-mouse--dispatch (list 'drag-mouse-1 start end)))
                     (vterm-test-mouse--hex "\e[<0;2;2M" "\e[<0;5;2m"))))))

(ert-deftest vterm-test-mouse-wheel ()
  "The wheel is buttons 64 (up) and 65 (down), a press only."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 2 5)))
      (should (equal (wire (vterm-test-mouse--dispatch (list 'wheel-up posn))
                           (vterm-test-mouse--dispatch (list 'wheel-down posn))
                           (vterm-test-mouse--dispatch (list 'mouse-4 posn))
                           (vterm-test-mouse--dispatch (list 'mouse-5 posn)))
                     (vterm-test-mouse--hex "\e[<64;6;3M" "\e[<65;6;3M"
                                            "\e[<64;6;3M" "\e[<65;6;3M"))))))

(ert-deftest vterm-test-mouse-modifiers ()
  "Control and meta clicks carry their bits (16 and 8)."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm-test-mouse--click 0 0 "C-")
                         (vterm-test-mouse--click 0 0 "M-"))
                   (vterm-test-mouse--hex "\e[<16;1;1M" "\e[<16;1;1m"
                                          "\e[<8;1;1M" "\e[<8;1;1m")))))

(ert-deftest vterm-test-mouse-button-3 ()
  "The right button is code 2."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 2)))
      (should (equal (wire (vterm-test-mouse--dispatch (list 'down-mouse-3 posn))
                           (vterm-test-mouse--dispatch (list 'mouse-3 posn)))
                     (vterm-test-mouse--hex "\e[<2;3;1M" "\e[<2;3;1m"))))))

;;;; Coordinates

(ert-deftest vterm-test-mouse-coordinates-line-numbers ()
  "With line numbers and a left margin the column is still the cell's."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (display-line-numbers-mode 1)
    (set-window-margins (selected-window) 3 0)
    (redisplay t)
    (should (> (line-number-display-width t) 0))
    (should (equal (wire (vterm-test-mouse--click 2 5))
                   (vterm-test-mouse--hex "\e[<0;6;3M" "\e[<0;6;3m")))))

(ert-deftest vterm-test-mouse-coordinates-scrollback ()
  "Row 0 is the first screen line, below the scrollback in the buffer."
  (vterm-test-mouse--with-reader
      (concat (apply #'concat (make-list 25 "x\\r\\n"))
              "\\033[?1000h\\033[?1006h")
    (vterm-test-mouse--show)
    (should (> (line-number-at-pos (vterm-test--screen-start)) 10))
    (should (equal (wire (vterm-test-mouse--click 3 7))
                   (vterm-test-mouse--hex "\e[<0;8;4M" "\e[<0;8;4m")))))

;;;; Emacs keeps the mouse

(ert-deftest vterm-test-mouse-not-without-request ()
  "Without a mouse mode, clicks keep upstream's bindings and send nothing."
  (vterm-test-mouse--with-reader nil
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0)))
      (should (eq (key-binding [mouse-1] nil nil posn) 'vterm-mouse-set-point))
      (should-not (eq (key-binding [down-mouse-1] nil nil posn)
                      'vterm-mouse-report))
      (should-not (eq (key-binding [wheel-up] nil nil posn)
                      'vterm-mouse-report))
      (should (equal (wire (vterm-mouse-report (list 'down-mouse-1 posn))
                           (vterm-mouse-report (list 'wheel-up posn)))
                     "")))))

(ert-deftest vterm-test-mouse-not-shift-click ()
  "Shift-clicks always go to Emacs."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0)))
      (should (eq (key-binding [down-mouse-1] nil nil posn) 'vterm-mouse-report))
      (should-not (eq (key-binding [S-down-mouse-1] nil nil posn)
                      'vterm-mouse-report))
      (should-not (eq (key-binding [S-mouse-1] nil nil posn)
                      'vterm-mouse-report)))))

(ert-deftest vterm-test-mouse-not-in-copy-mode ()
  "In copy mode Emacs keeps the mouse even when the program wants it."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0)))
      (vterm-copy-mode 1)               ; no local map: Emacs' bindings
      (should (eq (key-binding [mouse-1] nil nil posn) 'mouse-set-point))
      (should-not (vterm--mouse-wanted-p))
      (should-not (eq (key-binding [down-mouse-1] nil nil posn)
                      'vterm-mouse-report))
      (vterm-copy-mode -1)
      (should (eq (key-binding [down-mouse-1] nil nil posn)
                  'vterm-mouse-report)))))

(ert-deftest vterm-test-mouse-not-after-disable ()
  "After DECRST 1000 nothing is sent and Emacs has the mouse back."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h\\033[?1000l"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0)))
      (should-not (eq (key-binding [down-mouse-1] nil nil posn)
                      'vterm-mouse-report))
      (should (equal (wire (vterm-mouse-report (list 'down-mouse-1 posn))
                           (vterm-mouse-report (list 'mouse-1 posn)))
                     "")))))

(ert-deftest vterm-test-mouse-not-when-option-off ()
  "With `vterm-enable-mouse' nil Emacs keeps the mouse."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0))
          (vterm-enable-mouse nil))
      (should (eq (key-binding [mouse-1] nil nil posn) 'vterm-mouse-set-point))
      (should-not (eq (key-binding [down-mouse-1] nil nil posn)
                      'vterm-mouse-report)))))

(ert-deftest vterm-test-mouse-press-after-release-while-off ()
  "A release lost while the mouse was off does not swallow the next press."
  (vterm-test-mouse--with-reader "\\033[?1000h\\033[?1006h"
    (vterm-test-mouse--show)
    (let ((posn (vterm-test-mouse--posn 0 0)))
      (should (equal (wire (vterm-mouse-report (list 'down-mouse-1 posn)))
                     (vterm-test-mouse--hex "\e[<0;1;1M")))
      ;; The program turns the mouse off before the release.
      (vterm--write-input vterm--term "\e[?1000l")
      (should (equal (wire (vterm-mouse-report (list 'mouse-1 posn))) ""))
      (vterm--write-input vterm--term "\e[?1000h")
      (should (equal (wire (vterm-mouse-report (list 'down-mouse-1 posn)))
                     (vterm-test-mouse--hex "\e[<0;1;1M"))))))

;;;; Modified keys

(defun vterm-test-mouse--key (event)
  "Run the command `vterm-mode-map' binds to EVENT, with EVENT as the key."
  (let ((cmd (lookup-key vterm-mode-map (vector event)))
        (last-command-event event))
    (should (commandp cmd))
    (call-interactively cmd)))

(defmacro vterm-test-mouse--deftest-keys (name doc &rest pairs)
  "Define test NAME (docstring DOC) checking each (EVENT BYTES) of PAIRS."
  (declare (indent 1))
  `(ert-deftest ,name ()
     ,doc
     (vterm-test--with-key-reader ()
       ,@(mapcar (lambda (pair)
                   `(should (equal (cons ',(car pair)
                                         (wire (vterm-test-mouse--key
                                                ',(car pair))))
                                   (cons ',(car pair)
                                         (vterm-test--hex ,(cadr pair))))))
                 pairs))))

(vterm-test-mouse--deftest-keys vterm-test-mouse-keys-return
  "S-RET, C-RET, M-RET and friends reach the program distinctly."
  (S-return "\e[13;2u")
  (C-return "\e[13;5u")
  (C-S-return "\e[13;6u")
  (M-return "\e\r")
  (?\M-\r "\e\r")
  (M-S-return "\e[13;4u")
  (return "\r"))

(vterm-test-mouse--deftest-keys vterm-test-mouse-keys-tab-backspace-escape
  "Modified TAB, backspace and escape use libvterm's encoding."
  (C-tab "\e[9;5u")
  (C-S-iso-lefttab "\e[1;6Z")
  (?\M-\t "\e\t")
  (S-backspace "\e[127;2u")
  (C-escape "\e[27;5u"))

(vterm-test-mouse--deftest-keys vterm-test-mouse-keys-arrows-function
  "Shifted arrows and modified function keys carry their modifiers."
  (S-up "\e[1;2A")
  (C-S-left "\e[1;6D")
  (S-home "\e[1;2H")
  (C-delete "\e[3;5~")
  (S-f5 "\e[15;2~")
  (C-f1 "\e[1;5P")
  (M-f12 "\e[24;3~"))

(ert-deftest vterm-test-mouse-keys-upstream-kept ()
  "The modified keys do not replace upstream's bindings."
  (dolist (pair '(("<S-prior>" . scroll-down-command)
                  ("<C-backspace>" . vterm-send-meta-backspace)
                  ("<M-backspace>" . vterm-send-meta-backspace)
                  ("<C-up>" . vterm--self-insert)
                  ("<backtab>" . vterm--self-insert)
                  ("RET" . vterm-send-return)
                  ("<mouse-1>" . vterm-mouse-set-point)))
    (let ((binding (lookup-key vterm-mode-map (kbd (car pair)))))
      (when (eq (car-safe binding) 'menu-item)
        (setq binding (funcall (plist-get (nthcdr 3 binding) :filter) nil)))
      (should (equal (cons (car pair) binding) pair)))))

(ert-deftest vterm-test-mouse-keys-option-off ()
  "With `vterm-send-modified-keys' nil the map has upstream's bindings only."
  (let ((map (let ((vterm-send-modified-keys nil))
                (vterm--make-mode-map vterm-keymap-exceptions))))
    (should-not (lookup-key map [S-return]))
    (should-not (lookup-key map [C-f5]))
    (should (eq (lookup-key map (kbd "M-RET")) 'vterm--self-insert-meta)))
  (should (eq (lookup-key vterm-mode-map [S-return]) 'vterm-send-modified-key)))

;;;; Focus events

(defun vterm-test-mouse--other-window ()
  "Return a second window of the selected frame, showing *scratch*."
  (let ((window (or (cl-find-if-not (lambda (w) (eq w (selected-window)))
                                    (window-list))
                    (split-window))))
    (set-window-buffer window (get-buffer-create "*scratch*"))
    window))

(ert-deftest vterm-test-mouse-focus-window ()
  "With DECSET 1004, selecting and leaving the window sends CSI I and CSI O."
  (vterm-test-mouse--with-reader "\\033[?1004h"
    (vterm-test-mouse--show)
    (let ((buffer (current-buffer))
          (here (selected-window))
          (other (vterm-test-mouse--other-window)))
      (should (memq #'vterm--focus-update window-selection-change-functions))
      (should (equal (wire (vterm--focus-update)) "1b 5b 49"))
      (should (equal (wire (vterm--focus-update)) "")) ; no change, nothing
      (should (equal (wire (select-window other) (vterm--focus-update)
                           (select-window here) (set-buffer buffer))
                     "1b 5b 4f"))
      (should (equal (wire (vterm--focus-update)) "1b 5b 49")))))

(ert-deftest vterm-test-mouse-focus-frame ()
  "Frame focus changes are reported through `after-focus-change-function'."
  (vterm-test-mouse--with-reader "\\033[?1004h"
    (vterm-test-mouse--show)
    (should (equal (wire (vterm--focus-update)) "1b 5b 49"))
    (should (equal (wire (cl-letf (((symbol-function 'frame-focus-state)
                                    (lambda (&rest _) nil)))
                           (funcall after-focus-change-function)))
                   "1b 5b 4f"))))

(ert-deftest vterm-test-mouse-focus-not-without-request ()
  "Without DECSET 1004 focus changes send nothing."
  (vterm-test-mouse--with-reader "\\033[?1004h\\033[?1004l"
    (vterm-test-mouse--show)
    (let ((here (selected-window))
          (other (vterm-test-mouse--other-window)))
      (should (equal (wire (vterm--focus-update)
                           (select-window other) (vterm--focus-update)
                           (select-window here) (vterm--focus-update))
                     "")))))

(ert-deftest vterm-test-mouse-focus-option-off ()
  "With `vterm-enable-focus-events' nil nothing is sent."
  (vterm-test-mouse--with-reader "\\033[?1004h"
    (vterm-test-mouse--show)
    (let ((vterm-enable-focus-events nil))
      (should (equal (wire (vterm--focus-update)) "")))))

;;;; Module contract

(ert-deftest vterm-test-mouse-module-arguments ()
  "`vterm--mouse' checks its arguments and clamps coordinates."
  (vterm-test--with-term (:free t :rows 5 :cols 20)
    (should (eql (vterm--mouse-mode vterm--term) 0))
    (should-not (vterm--mouse vterm--term 1 1 1 t))
    (feed "\e[?1002h\e[?1006h")
    (should (eql (vterm--mouse-mode vterm--term) 2))
    (should-error (vterm--mouse vterm--term 1 1 8 t) :type 'args-out-of-range)
    (should-error (vterm--mouse vterm--term 1 1 -1 t) :type 'args-out-of-range)
    (should-error (vterm--mouse vterm--term "1" 1 1 t)
                  :type 'wrong-type-argument)
    (should-error (vterm--mouse 'x 1 1 1 t) :type 'wrong-type-argument)
    (should (vterm--mouse vterm--term most-positive-fixnum
                          most-negative-fixnum 1 t))
    (should (vterm--mouse vterm--term -5 1000 1 nil))
    (should (equal (flushed)
                   "\e[<0;1;5M\e[<32;20;1M\e[<0;20;1m"))
    (feed "\e[?1003h")
    (should (eql (vterm--mouse-mode vterm--term) 3))
    (feed "\ec")
    (should (eql (vterm--mouse-mode vterm--term) 0))
    (should-not (vterm--mouse vterm--term 1 1 1 t))
    (feed "\e[?1000h")
    (should (eql (vterm--mouse-mode vterm--term) 1))
    (feed "\e[!p")
    (should (eql (vterm--mouse-mode vterm--term) 0))))

(provide 'vterm-test-mouse)

;;; vterm-test-mouse.el ends here

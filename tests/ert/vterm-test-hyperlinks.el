;;; vterm-test-hyperlinks.el --- ERT: OSC 8 hyperlinks  -*- lexical-binding: t; -*-

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

;; OSC 8 hyperlinks (ESC ] 8 ; PARAMS ; URI ST ... ESC ] 8 ; ; ST): the
;; linked text is a button (properties `vterm-hyperlink', `help-echo',
;; `mouse-face', `keymap' and the `vterm-hyperlink' face) on the screen
;; and in the scrollback; RET and mouse-1 open it; id= joins pieces; the
;; link table stays bounded under hostile streams.  Through real shells
;; (printf, GNU ls --hyperlink=always) and process-free for exact bytes.

;;; Code:

(require 'vterm-test-helpers)

(defun vterm-test-hyperlinks--links ()
  "Return the links of the buffer as (TEXT URI ID) lists, in order.
Each piece of contiguous text with one `vterm-hyperlink' value is
one entry; a newline ends a piece."
  (vterm-test--redraw)
  (let ((pos (point-min)) links)
    (while (< pos (point-max))
      (let* ((uri (get-text-property pos 'vterm-hyperlink))
             (next (or (next-single-property-change
                        pos 'vterm-hyperlink nil (point-max))
                       (point-max))))
        (when uri
          (dolist (piece (split-string (buffer-substring-no-properties
                                        pos next)
                                       "\n" t))
            (push (list piece uri (get-text-property pos 'vterm-hyperlink-id))
                  links)))
        (setq pos next)))
    (nreverse links)))

(defun vterm-test-hyperlinks--props ()
  "Return every text property run of the buffer, for exact comparisons."
  (vterm-test--redraw)
  (let ((s (buffer-string)))
    (list (substring-no-properties s)
          (let ((pos 0) runs)
            (while (< pos (length s))
              (let ((next (or (next-property-change pos s) (length s))))
                (push (list pos next
                            (get-text-property pos 'vterm-hyperlink s)
                            (get-text-property pos 'vterm-hyperlink-id s)
                            (get-text-property pos 'font-lock-face s))
                      runs)
                (setq pos next)))
            (nreverse runs)))))

(defun vterm-test-hyperlinks--char-props ()
  "Return (CHAR URI ID FACE) for each character but newlines.
Newlines are left out: whether one carries the face of the text around
it depends on how the runs were cut, not on what is shown."
  (vterm-test--redraw)
  (let (chars)
    (dotimes (i (1- (point-max)))
      (let ((pos (1+ i)))
        (unless (eq (char-after pos) ?\n)
          (push (list (char-after pos)
                      (get-text-property pos 'vterm-hyperlink)
                      (get-text-property pos 'vterm-hyperlink-id)
                      (get-text-property pos 'font-lock-face))
                chars))))
    (nreverse chars)))

(defun vterm-test-hyperlinks--pos (text)
  "Return the position of the first occurrence of TEXT."
  (vterm-test--redraw)
  (save-excursion
    (goto-char (point-min))
    (should (search-forward text nil t))
    (match-beginning 0)))

(defmacro vterm-test-hyperlinks--recording (&rest body)
  "Run BODY with `browse-url' and `find-file' recording their calls.
Return the calls as a list of (FUNCTION ARG), oldest first."
  (declare (indent 0))
  `(let (calls)
     (cl-letf (((symbol-function 'browse-url)
                (lambda (url &rest _) (push (list 'browse-url url) calls)))
               ((symbol-function 'find-file)
                (lambda (file &rest _) (push (list 'find-file file) calls))))
       ,@body)
     (nreverse calls)))

(defun vterm-test-hyperlinks--click (pos)
  "Return a mouse-1 event at POS in the selected window."
  (list 'mouse-1 (list (selected-window) pos '(0 . 0) 0)))

(defconst vterm-test-hyperlinks--printf
  "printf 'see \\033]8;;https://example.com/a\\033\\\\the-link\\033]8;;\\033\\\\ end\\n'"
  "A shell command printing one link between plain text.")

;;;; Through a real shell

(ert-deftest vterm-test-hyperlinks-printf ()
  "A link printed by printf through a shell is a button with its URI."
  (vterm-test--with-term ()
    (run vterm-test-hyperlinks--printf)
    (wait-for "^see the-link end$")
    (should (equal (vterm-test-hyperlinks--links)
                   '(("the-link" "https://example.com/a" nil))))
    (let ((pos (+ 4 (vterm-test-hyperlinks--pos "see the-link end"))))
      (should (equal (get-text-property pos 'help-echo) "https://example.com/a"))
      (should (eq (get-text-property pos 'mouse-face) 'highlight))
      (should (eq (get-text-property pos 'keymap) 'vterm-hyperlink-map))
      (should (memq 'vterm-hyperlink
                    (ensure-list (get-text-property pos 'font-lock-face))))
      ;; The text's own face stays, after the link face.
      (should (plist-get (cadr (get-text-property pos 'font-lock-face))
                         :foreground))
      (should-not (get-text-property (+ pos 8) 'vterm-hyperlink))
      (should-not (get-text-property (1- pos) 'vterm-hyperlink)))))

(ert-deftest vterm-test-hyperlinks-disabled ()
  "With `vterm-enable-hyperlinks' nil the linked text is plain."
  (let ((vterm-enable-hyperlinks nil))
    (vterm-test--with-term ()
      (run vterm-test-hyperlinks--printf)
      (wait-for "^see the-link end$")
      (should-not (vterm-test-hyperlinks--links))
      (let ((pos (+ 4 (vterm-test-hyperlinks--pos "see the-link end"))))
        (should-not (get-text-property pos 'keymap))
        (should-not (get-text-property pos 'mouse-face))))))

(ert-deftest vterm-test-hyperlinks-ls ()
  "GNU ls --hyperlink=always links files to file:// URIs that open them."
  (vterm-test--skip-unless-program "ls")
  (skip-unless (zerop (call-process "ls" nil nil nil "--hyperlink=always"
                                    "/")))
  (let ((dir (file-name-as-directory (make-temp-file "vterm-links" t))))
    (unwind-protect
        (progn
          (dolist (name '("alpha.txt" "beta gamma.txt"))
            (write-region "x" nil (expand-file-name name dir)))
          (vterm-test--with-term (:cols 100)
            (run (format "cd %s && ls -1 -N --hyperlink=always"
                         (shell-quote-argument dir)))
            (wait-for "^beta gamma.txt$")
            (let ((links (vterm-test-hyperlinks--links)))
              (should (equal (mapcar #'car links)
                             '("alpha.txt" "beta gamma.txt")))
              (dolist (link links)
                (should (string-prefix-p "file://" (nth 1 link)))))
            (let ((calls (vterm-test-hyperlinks--recording
                           (vterm-hyperlink-open
                            (vterm-test-hyperlinks--pos "beta gamma")))))
              (should (equal calls
                             `((find-file ,(expand-file-name "beta gamma.txt"
                                                             dir))))))))
      (delete-directory dir t))))

;;;; Opening

(ert-deftest vterm-test-hyperlinks-ret-and-mouse ()
  "RET and mouse-1 on a link call `browse-url' with its URI."
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (feed "go \e]8;;https://example.org/x?y=1\e\\here\e]8;;\e\\ now\r\n")
    (set-window-buffer (selected-window) (current-buffer))
    (let ((pos (vterm-test-hyperlinks--pos "here")))
      (goto-char (1+ pos))
      (should (eq (key-binding (kbd "RET")) 'vterm-hyperlink-open))
      (should (equal (vterm-test-hyperlinks--recording
                       (call-interactively (key-binding (kbd "RET"))))
                     '((browse-url "https://example.org/x?y=1"))))
      (should (eq (key-binding (vector (vterm-test-hyperlinks--click (+ pos 2))))
                  'vterm-hyperlink-open-mouse))
      (should (equal (vterm-test-hyperlinks--recording
                       (vterm-hyperlink-open-mouse
                        (vterm-test-hyperlinks--click (+ pos 2))))
                     '((browse-url "https://example.org/x?y=1")))))))

(ert-deftest vterm-test-hyperlinks-ret-at-cursor ()
  "RET with the terminal cursor on a link is a return for the program."
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (feed "\e]8;;https://example.org/\e\\link\e]8;;\e\\\e[1;2H")
    (vterm-reset-cursor-point)
    (should (get-text-property (point) 'vterm-hyperlink))
    (let (sent)
      (should-not (vterm-test-hyperlinks--recording
                    (cl-letf (((symbol-function 'vterm-send-return)
                               (lambda () (setq sent t))))
                      (vterm-hyperlink-open))))
      (should sent))))

(ert-deftest vterm-test-hyperlinks-ret-copy-region ()
  "RET on a link in copy mode with an active region copies, as usual."
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (feed "\e]8;;https://example.org/\e\\link\e]8;;\e\\ text\r\n")
    (let (done transient-mark-mode)
      (setq transient-mark-mode t)
      (setq-local vterm-copy-mode t)
      (goto-char (point-min))
      (push-mark (point) t t)
      (forward-char 2)
      (should-not (vterm-test-hyperlinks--recording
                    (cl-letf (((symbol-function 'vterm-copy-mode-done)
                               (lambda (&rest _) (interactive) (setq done t))))
                      (vterm-hyperlink-open))))
      (should done))))

(ert-deftest vterm-test-hyperlinks-file-uris ()
  "file:// URIs open with `find-file': local ones as paths, others by TRAMP."
  (should (equal (vterm--hyperlink-file-name "file:///tmp/a%20b.txt")
                 "/tmp/a b.txt"))
  (should (equal (vterm--hyperlink-file-name
                  (concat "file://" (system-name) "/etc/hosts"))
                 "/etc/hosts"))
  (should (equal (vterm--hyperlink-file-name "file://localhost/x")
                 "/x"))
  (should (equal (vterm--hyperlink-file-name "file://far.example/srv/f%C3%A9")
                 "/-:far.example:/srv/f\u00e9"))
  (should-not (vterm--hyperlink-file-name "https://example.com/"))
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (feed "\e]8;;file://far.example/etc/motd\e\\motd\e]8;;\e\\\r\n")
    (should (equal (vterm-test-hyperlinks--recording
                     (vterm-hyperlink-open (vterm-test-hyperlinks--pos "motd")))
                   '((find-file "/-:far.example:/etc/motd"))))))

;;;; Sequences

(ert-deftest vterm-test-hyperlinks-terminators ()
  "BEL and ST both end OSC 8; a new OSC 8 replaces the active link."
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (feed "\e]8;;http://a/\aAA\e]8;;\a-"
          "\e]8;;http://b/\e\\BB\e]8;;http://c/\e\\CC\e]8;;\e\\-DD")
    (should (equal (vterm-test-hyperlinks--links)
                   '(("AA" "http://a/" nil) ("BB" "http://b/" nil)
                     ("CC" "http://c/" nil))))))

(ert-deftest vterm-test-hyperlinks-id-across-lines ()
  "id= joins the pieces of a wrapped link: same URI and id on each."
  (vterm-test--with-term (:free t :rows 5 :cols 10)
    (feed "\e]8;id=one;http://x/\e\\0123456789abcde\e]8;;\e\\\r\n"
          "\e]8;id=two;http://x/\e\\zz\e]8;;\e\\")
    (should (equal (vterm-test-hyperlinks--links)
                   '(("0123456789" "http://x/" "one")
                     ("abcde" "http://x/" "one")
                     ("zz" "http://x/" "two"))))
    (should (equal (vterm-test-hyperlinks--recording
                     (vterm-hyperlink-open (vterm-test-hyperlinks--pos "abc")))
                   '((browse-url "http://x/"))))))

(ert-deftest vterm-test-hyperlinks-malformed ()
  "Malformed OSC 8 sequences make no link and break nothing."
  (vterm-test--with-term (:free t :rows 6 :cols 40)
    (feed "\e]8\aA1\e]8;;\a "             ; no fields
          "\e]8;id=\a\aA2\e]8;;\a "       ; no URI separator
          "\e]8;;http://x/\ty\aA3\e]8;;\a " ; control byte (the guard drops it)
          "\e]8;;http://\xc3\xa9/\aA4\e]8;;\a " ; non-ASCII URI
          "\e]8;:::id:=;http://ok/\aA5\e]8;;\a " ; odd params, good URI
          "\e]8;id=" (make-string 300 ?i) ";http://long-id/\aA6\e]8;;\a")
    (should (equal (vterm-test-hyperlinks--links)
                   '(("A3" "http://x/y" nil) ("A5" "http://ok/" nil)
                     ("A6" "http://long-id/" nil))))
    ;; The guard executes the TAB and keeps the rest of the OSC.
    (should-screen "A1 A2   A3 A4 A5 A6")))

(ert-deftest vterm-test-hyperlinks-overwritten ()
  "Text written or erased over a link removes the link from those cells."
  (vterm-test--with-term (:free t :rows 4 :cols 20)
    (feed "\e]8;;http://a/\e\\abcdefgh\e]8;;\e\\\r\n"
          "\e]8;;http://b/\e\\ijklmnop\e]8;;\e\\\r\n"
          "\e]8;;http://c/\e\\qrstuvwx\e]8;;\e\\")
    (feed "\e[1;3HXY"       ; plain text over the middle of the first
          "\e[2;1H\e[K"     ; the second line erased
          "\e[3;1H\e[2P")   ; two cells deleted from the third
    (should (equal (vterm-test-hyperlinks--links)
                   '(("ab" "http://a/" nil) ("efgh" "http://a/" nil))))))

;;;; Scrolling and resizing

(ert-deftest vterm-test-hyperlinks-scrollback ()
  "A link scrolled into the scrollback is still a button there."
  (vterm-test--with-term (:free t :rows 3 :cols 20)
    (feed "\e]8;;http://old/\e\\old-link\e]8;;\e\\ tail\r\n")
    (dotimes (i 10) (feed (format "line %d\r\n" i)))
    (should (equal (vterm-test--line 1) "old-link tail"))
    (should (equal (vterm-test-hyperlinks--links)
                   '(("old-link" "http://old/" nil))))
    (should (equal (vterm-test-hyperlinks--recording
                     (vterm-hyperlink-open (vterm-test-hyperlinks--pos "old")))
                   '((browse-url "http://old/"))))))

(ert-deftest vterm-test-hyperlinks-lazy-scrollback-faces ()
  "A link in lazily fontified scrollback gets the faces it gets eagerly.
Lazy scrollback lines are drawn without faces and fontified when shown;
the link's face must come back with the text's own."
  (let* ((bytes (concat "\e]8;;http://old/\e\\\e[31mold\e[0m-link\e]8;;\e\\"
                        " tail\r\n"
                        (mapconcat (lambda (i) (format "line %d" i))
                                   (number-sequence 0 9) "\r\n")))
         (eager (vterm-test--with-term (:free t :rows 3 :cols 20)
                  (let ((vterm-lazy-scrollback-faces nil))
                    (feed bytes)
                    (vterm-test-hyperlinks--char-props)))))
    (should (memq 'vterm-hyperlink (ensure-list (nth 3 (car eager)))))
    (vterm-test--with-term (:free t :rows 3 :cols 20)
      (let ((vterm-lazy-scrollback-faces t))
        (setq-local font-lock-defaults '(nil t))
        (vterm--lazy-faces-setup))
      (feed bytes)
      (should-not (equal (vterm-test-hyperlinks--char-props) eager))
      (font-lock-ensure)
      (should (equal (vterm-test-hyperlinks--char-props) eager)))))

(ert-deftest vterm-test-hyperlinks-resize ()
  "Links stay on their text through resizes, and come back from scrollback."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "\e]8;;http://r/\e\\resized\e]8;;\e\\ text\r\n1\r\n2\r\n3")
    (let ((inhibit-read-only t))
      (vterm--set-size vterm--term 2 30))
    (should (equal (vterm-test-hyperlinks--links) '(("resized" "http://r/" nil))))
    (let ((inhibit-read-only t))
      (vterm--set-size vterm--term 8 12))
    (should (equal (vterm-test-hyperlinks--links) '(("resized" "http://r/" nil))))
    (let ((inhibit-read-only t))
      (vterm--set-size vterm--term 8 4))
    (should (equal (vterm-test-hyperlinks--links) '(("resi" "http://r/" nil))))))

(ert-deftest vterm-test-hyperlinks-altscreen ()
  "Links on the primary screen survive a full-screen program."
  (vterm-test--with-term (:free t :rows 4 :cols 30)
    (feed "\e]8;;http://p/\e\\primary\e]8;;\e\\\r\n")
    (feed "\e[?1049h\e[2J\e[Hfull screen text\e]8;;http://alt/\e\\alt\e]8;;\e\\")
    (feed "\e[?1049l")
    (should (equal (vterm-test-hyperlinks--links) '(("primary" "http://p/" nil))))))

;;;; Chunking

(defconst vterm-test-hyperlinks--stream
  (concat "a \e]8;id=w;http://w/\e\\wrapped link across rows\e]8;;\e\\ b\r\n"
          "\e]8;;http://\u00e9t\u00e9/\aignored\e]8;;\a "
          "\e]8;;http://wide/\a\u4e16\u754c\u00e9\u0301 cafe\u0301\e]8;;\a\r\n"
          "\e]8;;http://edge/\e\\0123456789012345678e\u0301\e]8;;\e\\\r\n"
          "\e]8;;http://x/\e\\plain over\e]8;;\e\\\rPL\e[5Ctail\r\n"
          "\e]8;;http://t/\e\\0123456789\e]8;;\e\\\rA\tX\bY\r\n")
  "Output with links that wrap, wide and combining text, edges, overwrites.")

(ert-deftest vterm-test-hyperlinks-chunking ()
  "Feeding the bytes one at a time gives the same links as one write."
  (let* ((bytes (encode-coding-string vterm-test-hyperlinks--stream 'utf-8))
         (whole (vterm-test--with-term (:free t :rows 6 :cols 20)
                  (feed bytes)
                  (vterm-test-hyperlinks--props)))
         (split (vterm-test--with-term (:free t :rows 6 :cols 20)
                  (dotimes (i (length bytes))
                    (vterm--write-input vterm--term (substring bytes i (1+ i))))
                  (feed "")
                  (vterm-test-hyperlinks--props))))
    (should (equal (car split) (car whole)))
    (should (equal (cadr split) (cadr whole)))
    (should (cl-some (lambda (run) (equal (nth 2 run) "http://edge/"))
                     (cadr whole)))
    ;; Only the cells written over lose their link: A, then X over 8.
    (should (member '("1234567" "http://t/" nil)
                    (with-temp-buffer
                      (insert (car whole))
                      (dolist (run (cadr whole))
                        (when (nth 2 run)
                          (put-text-property (1+ (nth 0 run)) (1+ (nth 1 run))
                                             'vterm-hyperlink (nth 2 run))))
                      (vterm-test-hyperlinks--links))))))

;;;; Hostile streams

(ert-deftest vterm-test-hyperlinks-huge-uri ()
  "A 1 MiB URI makes no link; an 8 KiB one does; memory is not kept."
  (vterm-test--with-term (:free t :rows 4 :cols 40)
    (let ((start (float-time)))
      ;; An active link, then an OSC 8 too big to read: it ends the link.
      (feed "\e]8;;http://before/\e\\before\e]8;;http://"
            (make-string (* 1024 1024) ?a) "\e\\big\e]8;;\e\\ ")
      (feed "\e]8;;http://" (make-string (- 8192 7) ?b) "\e\\ok\e]8;;\e\\ ")
      (feed "\e]8;;http://" (make-string (- 8193 7) ?c) "\e\\no\e]8;;\e\\")
      (should (< (- (float-time) start) 10)))
    (should (equal (mapcar #'car (vterm-test-hyperlinks--links))
                   '("before" "ok")))
    (should (equal (length (nth 1 (assoc "ok" (vterm-test-hyperlinks--links))))
                   8192))
    (let ((stats (vterm--hyperlink-stats vterm--term)))
      (should (<= (plist-get stats :bytes) (+ 8192 (length "http://before/"))))
      (should (>= (plist-get stats :dropped) 1)))))

(ert-deftest vterm-test-hyperlinks-many-links ()
  "100,000 distinct links: the table stays bounded and new links work."
  :tags '(:expensive-test)
  (vterm-test--with-term (:free t :rows 10 :cols 40 :scrollback 1000)
    (let ((start (float-time)))
      (dotimes (batch 100)
        (vterm--write-input
         vterm--term
         (mapconcat (lambda (i)
                      (format "\e]8;;http://h/%d\e\\L%d\e]8;;\e\\\r\n" i i))
                    (number-sequence (* batch 1000) (+ (* batch 1000) 999))
                    "")))
      (feed "\e]8;;http://last/\e\\LAST\e]8;;\e\\")
      (should (< (- (float-time) start) 60)))
    (let ((stats (vterm--hyperlink-stats vterm--term)))
      (should (<= (plist-get stats :count) 16384))
      (should (<= (plist-get stats :entries) 16384))
      (should (<= (plist-get stats :bytes) (* 4 1024 1024))))
    (let ((links (vterm-test-hyperlinks--links)))
      (should (equal (car (last links)) '("LAST" "http://last/" nil)))
      (should (member '("L99999" "http://h/99999" nil) links))
      ;; Everything the buffer shows is still linked.
      (should (> (length links) 1000)))))

(provide 'vterm-test-hyperlinks)

;;; vterm-test-hyperlinks.el ends here

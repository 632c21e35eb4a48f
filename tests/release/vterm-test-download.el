;;; vterm-test-download.el --- The prebuilt-module download, good and bad  -*- lexical-binding: t; -*-

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

;; Run by tests/release/run.sh, after tools/release.sh built the archive,
;; with this environment:
;;   VTERM_RELEASE_ZIP   the archive built by tools/release.sh
;;   VTERM_SERVE_DIR     the directory serve.py serves (good/, tampered/,
;;                       short/ copies of the archive are made there)
;;   VTERM_TEST_URL      http://127.0.0.1:PORT, serve.py's address
;; and the native module and vterm.el on `load-path'.  Each test installs
;; into a fresh directory that already holds an "old" installation, and
;; checks that a refused archive leaves it byte-identical and no staging
;; directory behind.  The archive's hash is bound to the one of the
;; archive under test, so these tests do not depend on the recorded one
;; (run.sh checks that with tools/release.sh --check).
;;
;; As root, the read-only test is skipped (root writes everywhere);
;; run.sh runs it again as the user nobody.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)

(defvar vterm-test-dl--zip (getenv "VTERM_RELEASE_ZIP"))
(defvar vterm-test-dl--serve (getenv "VTERM_SERVE_DIR"))
(defvar vterm-test-dl--url (getenv "VTERM_TEST_URL"))

(defun vterm-test-dl--bytes (file)
  "Return the contents of FILE as a unibyte string."
  (with-temp-buffer
    (set-buffer-multibyte nil)
    (insert-file-contents-literally file)
    (buffer-string)))

(defun vterm-test-dl--sha256 (file)
  "Return the SHA-256 of FILE."
  (secure-hash 'sha256 (vterm-test-dl--bytes file)))

(defun vterm-test-dl--snapshot (dir)
  "Return the names and hashes of all files under DIR, sorted."
  (sort (mapcar (lambda (f) (cons (file-relative-name f dir)
                                  (if (file-directory-p f) 'dir
                                    (vterm-test-dl--sha256 f))))
                (directory-files-recursively dir "" t))
        (lambda (a b) (string< (car a) (car b)))))

(defun vterm-test-dl--put (dir name bytes)
  "Write BYTES to DIR/NAME, making DIR if needed; return the file name."
  (make-directory dir t)
  (let ((file (expand-file-name name dir))
        (coding-system-for-write 'no-conversion))
    (with-temp-file file
      (set-buffer-multibyte nil)
      (insert bytes))
    file))

(defun vterm-test-dl--serve (sub bytes)
  "Serve BYTES as the archive under SUB/; return the URL template for it."
  (vterm-test-dl--put (expand-file-name sub vterm-test-dl--serve)
                      (vterm--module-archive-name vterm-version) bytes)
  (format "%s/%s/%%f" vterm-test-dl--url sub))

(defun vterm-test-dl--manifest-hashes (file)
  "Return the alist (NAME . SHA-256) of the files section of manifest FILE."
  (with-temp-buffer
    (insert-file-contents file)
    (goto-char (point-min))
    (search-forward "\nfiles:\n")
    (let (hashes)
      (while (looking-at "  \\([0-9a-f]\\{64\\}\\)  \\(\\S-+\\)\n")
        (push (cons (match-string 2) (match-string 1)) hashes)
        (goto-char (match-end 0)))
      hashes)))

(defmacro vterm-test-dl--with-install (url &rest body)
  "Run BODY with `dir', an old installation, and downloads from URL.
The archive under test is the recorded one for `vterm-version'.
BODY may use (install), which downloads and installs into `dir'
\(signalling `vterm-module-download-error' on failure), and (old),
the snapshot taken before."
  (declare (indent 1) (debug t))
  `(let* ((dir (make-temp-file "vterm-dl-" t))
          (vterm--directory (file-name-as-directory dir))
          (vterm-module-download-url ,url)
          (vterm--module-downloaded nil)
          (vterm--module-archive-sha256
           (list (list vterm-version (vterm-test-dl--sha256 vterm-test-dl--zip)
                       (nth 7 (file-attributes vterm-test-dl--zip)))))
          (before nil))
     (ignore vterm--directory vterm-module-download-url vterm--module-downloaded
             vterm--module-archive-sha256)
     (unwind-protect
         (progn
           (vterm-test-dl--put dir "vterm-module.dll" "old module\n")
           (vterm-test-dl--put dir "conpty-proxy.exe" "old proxy\n")
           (vterm-test-dl--put dir "vterm.el" ";; old vterm.el\n")
           (setq before (vterm-test-dl--snapshot dir))
           (cl-flet ((install () (vterm--module-download-install
                                   vterm--directory vterm-version))
                     (old () before))
             ,@body))
       (set-file-modes dir #o755)
       (delete-directory dir t))))

(defun vterm-test-dl--refused (dir before pattern thunk)
  "Check that THUNK signals a download error matching PATTERN.
DIR must be left as in the snapshot BEFORE."
  (let ((err (should-error (funcall thunk) :type 'vterm-module-download-error)))
    (should (string-match-p pattern (cadr err)))
    (should (equal (vterm-test-dl--snapshot dir) before))))

(defun vterm-test-dl--installed-p (dir)
  "Check that DIR holds the archive's files, as its manifest lists them."
  (let ((hashes (vterm-test-dl--manifest-hashes
                 (expand-file-name "vterm-module-manifest.txt" dir))))
    (should (= (length hashes) 2))
    (dolist (pair hashes)
      (should (equal (vterm-test-dl--sha256 (expand-file-name (car pair) dir))
                     (cdr pair))))
    (should (file-regular-p (expand-file-name "LICENSE-libvterm.txt" dir)))
    (should (equal (vterm-test-dl--bytes (expand-file-name "vterm.el" dir))
                   ";; old vterm.el\n"))
    (should-not (directory-files dir nil "\\`\\.vterm-download-"))))

;;;; Good archives

(ert-deftest vterm-test-download-http-installs ()
  "The archive served over HTTP on 127.0.0.1 is verified and installed."
  (vterm-test-dl--with-install
      (vterm-test-dl--serve "good" (vterm-test-dl--bytes vterm-test-dl--zip))
    (install)
    (vterm-test-dl--installed-p dir)
    (should (equal vterm--module-downloaded vterm-version))))

(ert-deftest vterm-test-download-file-url-installs ()
  "A file: URL works as well, e.g. for an archive downloaded by hand."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (install)
    (vterm-test-dl--installed-p dir)))

(ert-deftest vterm-test-download-command ()
  "`vterm-module-download' installs, and reports a failure as a sentence."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (vterm-module-download)
    (vterm-test-dl--installed-p dir)
    (should (equal vterm--module-downloaded vterm-version))
    (setq before (vterm-test-dl--snapshot dir))
    (setq vterm--module-downloaded nil)
    (let* ((vterm-module-download-url "file:///nonexistent/%f")
           (err (should-error (vterm-module-download) :type 'user-error)))
      (should (equal (error-message-string err)
                     (concat "Cannot install the prebuilt vterm module: "
                             "/nonexistent/vterm-windows-x86_64-"
                             vterm-version ".zip: no such file"))))
    (should (equal (vterm-test-dl--snapshot dir) before))))

(ert-deftest vterm-test-download-twice-replaces ()
  "Installing over an earlier installation replaces it in place."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (install)
    (install)
    (vterm-test-dl--installed-p dir)))

;;;; Refused archives: nothing changes

(ert-deftest vterm-test-download-tampered-refused ()
  "One changed byte: the SHA-256 differs and nothing is unpacked."
  (let ((bytes (vterm-test-dl--bytes vterm-test-dl--zip)))
    (aset bytes (/ (length bytes) 2) (logxor (aref bytes (/ (length bytes) 2)) 1))
    (vterm-test-dl--with-install (vterm-test-dl--serve "tampered" bytes)
      (vterm-test-dl--refused dir (old) "SHA-256 .* modified or damaged"
                              #'install))))

(ert-deftest vterm-test-download-truncated-refused ()
  "A short file on the server: truncated, named as such."
  (let ((bytes (vterm-test-dl--bytes vterm-test-dl--zip)))
    (vterm-test-dl--with-install
        (vterm-test-dl--serve "short" (substring bytes 0 (- (length bytes) 100)))
      (vterm-test-dl--refused dir (old) "truncated: [0-9]+ of [0-9]+ bytes"
                              #'install))))

(ert-deftest vterm-test-download-cut-connection-refused ()
  "The server closes the connection half way through the body."
  (vterm-test-dl--serve "good" (vterm-test-dl--bytes vterm-test-dl--zip))
  (vterm-test-dl--with-install (format "%s/cut/good/%%f" vterm-test-dl--url)
    (vterm-test-dl--refused dir (old) "truncated: [0-9]+ of [0-9]+ bytes" #'install)))

(ert-deftest vterm-test-download-http-404-refused ()
  "An HTTP error names the status."
  (vterm-test-dl--with-install (format "%s/missing/%%f" vterm-test-dl--url)
    (vterm-test-dl--refused dir (old) "HTTP status 404" #'install)))

(ert-deftest vterm-test-download-no-server-refused ()
  "Nothing listening: the download fails with the reason."
  (vterm-test-dl--with-install "http://127.0.0.1:9/%f"
    (vterm-test-dl--refused dir (old) "downloading .* failed" #'install)))

(ert-deftest vterm-test-download-missing-file-url-refused ()
  "A file: URL naming no file."
  (vterm-test-dl--with-install "file:///nonexistent/%f"
    (vterm-test-dl--refused dir (old) "/nonexistent/.*: no such file" #'install)))

(ert-deftest vterm-test-download-no-unpacker-refused ()
  "Neither unzip nor tar: said so, after the hash was checked."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (let ((exec-path (list (make-temp-file "vterm-empty-path-" t))))
      (unwind-protect
          (vterm-test-dl--refused dir (old) "none of unzip or tar is installed"
                                  #'install)
        (delete-directory (car exec-path))))))

(ert-deftest vterm-test-download-unpacker-fails-refused ()
  "An unpacker that cannot read zip files (GNU tar) fails cleanly."
  (skip-unless (executable-find "tar"))
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (let ((vterm--module-unpack-commands
           '(("tar" "-xf" archive "-C" directory))))
      (vterm-test-dl--refused dir (old) "cannot unpack .*tar exited with"
                              #'install))))

(ert-deftest vterm-test-download-unknown-version-refused ()
  "No recorded hash for this version: nothing is fetched."
  (vterm-test-dl--with-install "file:///nonexistent/%f"
    (let ((vterm--module-archive-sha256 nil))
      (vterm-test-dl--refused dir (old) "records no prebuilt archive"
                              #'install))))

(ert-deftest vterm-test-download-install-failure-rolls-back ()
  "A failure while moving files in puts the old installation back."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (let ((real (symbol-function 'rename-file)))
      (cl-letf (((symbol-function 'rename-file)
                 (lambda (from to &optional ok)
                   (if (string-match-p "/unpack-[0-9]+/vterm-module\\.dll\\'" from)
                       (signal 'file-error (list "Renaming" "disk full" from))
                     (funcall real from to ok)))))
        (vterm-test-dl--refused dir (old) "cannot install into .*disk full"
                                #'install)))))

(ert-deftest vterm-test-download-read-only-refused ()
  "A directory the user cannot write to is named as such."
  (skip-unless (not (zerop (user-uid))))
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (set-file-modes dir #o555)
    (vterm-test-dl--refused dir (old) "is not a writable directory" #'install)))

;;;; When the download is offered

(ert-deftest vterm-test-download-offer-policy ()
  "Only on Windows, with a recorded archive, as the policy says."
  (vterm-test-dl--with-install
      (concat "file://" (file-name-directory vterm-test-dl--zip) "%f")
    (let ((vterm--system-type-override 'gnu/linux)
          (vterm-module-download-policy 'always))
      (should-not (vterm--module-download-offer))
      (should (equal (vterm-test-dl--snapshot dir) (old))))
    (let ((vterm--system-type-override 'windows-nt))
      (let ((vterm-module-download-policy 'never))
        (should-not (vterm--module-download-offer)))
      (let ((vterm-module-download-policy 'ask)) ; batch: never asks
        (should-not (vterm--module-download-offer)))
      (let ((vterm-module-download-policy 'ask)
            (noninteractive nil)
            (asked nil))
        (cl-letf (((symbol-function 'y-or-n-p)
                   (lambda (prompt) (setq asked prompt) nil)))
          (should-not (vterm--module-download-offer))
          (should (string-match-p "download .* vterm [0-9.]+ from /" asked))))
      (should (equal (vterm-test-dl--snapshot dir) (old)))
      (let ((vterm-module-download-policy 'always))
        (should (vterm--module-download-offer))
        (vterm-test-dl--installed-p dir))
      (let ((vterm-module-download-policy 'always)
            (vterm-module-download-url "file:///nonexistent/%f"))
        (should-error (vterm--module-download-offer) :type 'user-error)))))

(ert-deftest vterm-test-download-url-template ()
  "%v and %f are filled in; the default points at the release page."
  (let ((vterm-module-download-url "https://example.invalid/v%v/%f?x=%%"))
    (should (equal (vterm--module-archive-url "1.2.3")
                   "https://example.invalid/v1.2.3/vterm-windows-x86_64-1.2.3.zip?x=%")))
  (should (string-match-p "/releases/download/v%v/%f\\'"
                          (default-value 'vterm-module-download-url)))
  (should (equal (vterm--module-file-url-name "file:///C:/Users/me/x%20y.zip")
                 "C:/Users/me/x y.zip"))
  (should (equal (vterm--module-file-url-name "file:///tmp/a.zip") "/tmp/a.zip")))

(ert-deftest vterm-test-download-version-matches-header ()
  "`vterm-version' is the Version header of vterm.el."
  (with-temp-buffer
    (insert-file-contents (locate-library "vterm.el" t))
    (should (re-search-forward "^;; Version: *\\(\\S-+\\)" nil t))
    (should (equal (match-string 1) vterm-version))))

;;; vterm-test-download.el ends here

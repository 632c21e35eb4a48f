;;; vterm-package-test.el --- Install vterm from its package file, as a user would  -*- lexical-binding: t; -*-

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

;; Run by tests/package/run.sh, in a fresh Emacs that knows nothing of
;; the checkout:
;;
;;   `emacs -Q --batch -l tests/package/vterm-package-test.el \
;;     -f vterm-package-test-run'
;;
;; with VTERM_PACKAGE_TAR naming the package file in the environment.
;;
;; The tests run in the order of `vterm-package-test-order': the package
;; is installed with `package-install-file' into a temporary
;; `package-user-dir', the first `(vterm)' compiles the module and runs a
;; command in a shell, and then the build is repeated in copies of the
;; installed package with CMake, the C compiler or libvterm's headers
;; out of reach; each failure must name what to install.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'package)

(defvar vterm-always-compile-module)
(defvar vterm-module-cmake-args)
(defvar vterm--directory)
(defvar vterm-install-buffer-name)
(declare-function vterm "vterm" (&optional arg))
(declare-function vterm-module-compile "vterm" ())
(declare-function vterm-send-string "vterm" (string &optional paste-p))
(declare-function vterm-send-return "vterm" ())

(defconst vterm-package-test-order
  '(vterm-package-test-install
    vterm-package-test-first-use
    vterm-package-test-no-cmake
    vterm-package-test-no-compiler
    vterm-package-test-no-libvterm-headers
    vterm-package-test-no-libvterm-download)
  "The tests, in the order they must run.")

(defconst vterm-package-test-timeout 120
  "Seconds to wait for the first module build or a shell's output.")

(defvar vterm-package-test--tar (getenv "VTERM_PACKAGE_TAR")
  "The package file under test.")

(defvar vterm-package-test--scratch (make-temp-file "vterm-package-test" t)
  "Scratch directory of this run: package directory, copies, PATHs.")

(defvar vterm-package-test--calls nil
  "Processes started with `call-process' so far: (DIRECTORY PROGRAM ARGS).")

(defun vterm-package-test--record-call (program &optional infile buffer
                                               display &rest args)
  "Note PROGRAM, ARGS and the directory of a `call-process' call.
INFILE, BUFFER and DISPLAY are not needed."
  (ignore infile buffer display)
  (push (list default-directory program args) vterm-package-test--calls))

(advice-add 'call-process :before #'vterm-package-test--record-call)

(defun vterm-package-test--package-dir ()
  "Return the directory of the installed vterm package."
  (let ((desc (cadr (assq 'vterm package-alist))))
    (should desc)
    (file-name-as-directory (package-desc-dir desc))))

(defun vterm-package-test--module-file (dir)
  "Return the module file in DIR, or nil."
  (car (directory-files dir t (concat "\\`vterm-module"
                                      (regexp-quote module-file-suffix)
                                      "\\'"))))

;;;; Installing and first use

(ert-deftest vterm-package-test-install ()
  "The package file installs with `package-install-file'.
It gets exactly the files of the recipe, byte-compiled, with autoloads
for the entry points, and nothing is loaded or built yet."
  (should (and vterm-package-test--tar
               (file-readable-p vterm-package-test--tar)))
  (setq package-user-dir (expand-file-name "elpa" vterm-package-test--scratch)
        package-archives nil)
  (package-initialize)
  (should-not (package-installed-p 'vterm))
  (package-install-file vterm-package-test--tar)
  (should (package-installed-p 'vterm))
  (let ((dir (vterm-package-test--package-dir)))
    (should (string-prefix-p (file-name-as-directory package-user-dir) dir))
    (dolist (file '("vterm.el" "vterm.elc" "vterm-autoloads.el" "vterm-pkg.el"
                    "CMakeLists.txt" "cmake/libvterm.cmake" "vterm-module.c"
                    "elisp.c" "utf8.c" "stream.c" "term-alloc.c"
                    "conpty-proxy/conpty-proxy.c" "etc/emacs-vterm-bash.sh"
                    "LICENSE"))
      (should (file-exists-p (expand-file-name file dir))))
    (dolist (file '("tests" "bench" ".github" ".ci" "build"))
      (should-not (file-exists-p (expand-file-name file dir))))
    (should-not (vterm-package-test--module-file dir)))
  (should-not (featurep 'vterm))
  (should (autoloadp (symbol-function 'vterm)))
  (should (autoloadp (symbol-function 'vterm-module-compile))))

(ert-deftest vterm-package-test-first-use ()
  "The first `(vterm)' compiles the module, then a shell runs a command.
The compile buffer shows the directory and the exact command that
ran, and the module is built against this Emacs's emacs-module.h
when the Emacs has one next to its executable."
  (let ((dir (vterm-package-test--package-dir))
        (include (expand-file-name "../include" invocation-directory))
        buffer)
    (should-not (vterm-package-test--module-file dir))
    (setq vterm-package-test--calls nil)
    (setq vterm-always-compile-module t)
    (unwind-protect
        (progn
          (setq buffer (vterm))
          (should (featurep 'vterm-module))
          (should (vterm-package-test--module-file dir))
          ;; The build: CMake's configure and build steps, each shown in
          ;; the compile buffer exactly as it ran.
          (let ((steps (reverse (cl-remove "cmake" vterm-package-test--calls
                                           :key #'cadr :test-not #'equal))))
            (should (= (length steps) 2))
            (should (equal (nth 2 (car steps))
                           (append
                            (list "-S" dir "-B" (expand-file-name "build" dir))
                            (and (file-exists-p
                                  (expand-file-name "emacs-module.h" include))
                                 (list (concat "-DEMACS_MODULE_INCLUDE_DIR="
                                               include))))))
            (should (equal (nth 2 (cadr steps))
                           (list "--build" (expand-file-name "build" dir))))
            (with-current-buffer vterm-install-buffer-name
              (let ((text (buffer-substring-no-properties (point-min)
                                                          (point-max))))
                (dolist (step steps)
                  (should (string-match-p
                           (concat "^" (regexp-quote
                                        (concat "$ " (mapconcat #'shell-quote-argument
                                                                (cons "cmake" (nth 2 step))
                                                                " ")))
                                   "$")
                           text))))))
          (when (file-exists-p (expand-file-name "emacs-module.h" include))
            (with-temp-buffer
              (insert-file-contents (expand-file-name "build/CMakeCache.txt" dir))
              (should (re-search-forward
                       (concat "^EMACS_MODULE_INCLUDE_DIR:[A-Z]+="
                               (regexp-quote include) "$")
                       nil t))))
          ;; A shell, and a command in it.
          (should (buffer-live-p buffer))
          (with-current-buffer buffer
            (should (derived-mode-p 'vterm-mode))
            (should (process-live-p (get-buffer-process buffer)))
            (vterm-send-string "echo vterm-package-$((6 * 7))")
            (vterm-send-return)
            (let ((deadline (+ (float-time) vterm-package-test-timeout)))
              (while (and (< (float-time) deadline)
                          (not (save-excursion
                                 (goto-char (point-min))
                                 (search-forward "vterm-package-42" nil t))))
                (accept-process-output nil 0.1)))
            (should (save-excursion
                      (goto-char (point-min))
                      (search-forward "vterm-package-42" nil t)))))
      (when (buffer-live-p buffer)
        (let ((process (get-buffer-process buffer)))
          (when process
            (set-process-query-on-exit-flag process nil)))
        (kill-buffer buffer)))))

;;;; What is missing, named

(defun vterm-package-test--copy ()
  "Return a copy of the installed package without its build and module."
  (let ((copy (make-temp-file
               (expand-file-name "copy-" vterm-package-test--scratch) t)))
    (copy-directory (vterm-package-test--package-dir) copy nil t t)
    (delete-directory (expand-file-name "build" copy) t)
    (let ((module (vterm-package-test--module-file copy)))
      (when module
        (delete-file module)))
    (file-name-as-directory copy)))

(defun vterm-package-test--path-without (hidden)
  "Return a directory of links to the programs of the variable `exec-path'.
Programs whose name matches the regexp HIDDEN are left out."
  (let ((bin (make-temp-file
              (expand-file-name "bin-" vterm-package-test--scratch) t)))
    (dolist (dir exec-path)
      (when (file-directory-p dir)
        (dolist (file (directory-files dir t "\\`[^.]"))
          (let ((name (file-name-nondirectory file))
                (link (expand-file-name (file-name-nondirectory file) bin)))
            (unless (or (string-match-p hidden name)
                        (file-directory-p file)
                        (not (file-executable-p file))
                        (file-exists-p link)
                        (file-symlink-p link))
              (make-symbolic-link file link))))))
    bin))

(defun vterm-package-test--compile-error (hidden cmake-args)
  "Compile the module in a fresh copy of the package; return the error.
Programs matching the regexp HIDDEN, if non-nil, are out of reach,
and CMAKE-ARGS are given to CMake.  The build must fail."
  (let* ((vterm--directory (vterm-package-test--copy))
         (bin (and hidden (vterm-package-test--path-without hidden)))
         (exec-path (if bin (list bin exec-directory) exec-path))
         (process-environment (if bin
                                  (cons (concat "PATH=" bin)
                                        process-environment)
                                process-environment))
         (vterm-module-cmake-args cmake-args)
         (err (should-error (vterm-module-compile))))
    (should-not (vterm-package-test--module-file vterm--directory))
    (error-message-string err)))

(defconst vterm-package-test--compilers
  (concat "\\`\\(?:cc\\|c89\\|c99\\|gcc\\|clang\\|tcc\\|icx\\|xlc\\|bcc\\|cl\\)"
          "\\(?:-[0-9.]+\\)?\\'\\|-\\(?:gcc\\|cc\\|clang\\)\\(?:-[0-9.]+\\)?\\'")
  "Names of C compilers CMake could find.")

(ert-deftest vterm-package-test-no-cmake ()
  "Without CMake the error says to install it."
  (let ((message (vterm-package-test--compile-error "\\`cmake\\'" "")))
    (should (string-match-p "needs CMake" message))
    (should (string-match-p "apt-get install cmake" message))))

(ert-deftest vterm-package-test-no-compiler ()
  "Without a C compiler the error says to install one."
  (let ((message (vterm-package-test--compile-error
                  vterm-package-test--compilers "")))
    (should (string-match-p "no C compiler" message))
    (should (string-match-p "apt-get install gcc" message))))

(ert-deftest vterm-package-test-no-libvterm-headers ()
  "Asked for the system libvterm, without its headers: install them.
CMake is told to ignore /usr/include, where Debian keeps vterm.h."
  (let ((message (vterm-package-test--compile-error
                  nil
                  "-DUSE_SYSTEM_LIBVTERM=ON -DCMAKE_IGNORE_PATH=/usr/include")))
    (should (string-match-p "headers of libvterm" message))
    (should (string-match-p "apt-get install libvterm-dev" message))))

(ert-deftest vterm-package-test-no-libvterm-download ()
  "Without libvterm, and its download failing: install it.
The download comes from a file that does not exist, so nothing goes
to the network."
  (let ((message (vterm-package-test--compile-error
                  nil
                  (concat "-DCMAKE_IGNORE_PATH=/usr/include"
                          " -DLIBVTERM_URL=file:///nonexistent/libvterm-0.3.3.tar.gz"))))
    (should (string-match-p "downloading its sources failed" message))
    (should (string-match-p "apt-get install libvterm-dev" message))))

;;;; Running

(defun vterm-package-test-run ()
  "Run each test of `vterm-package-test-order', in that order, and exit.
The exit status is 0 when every test passed."
  (let ((stats nil))
    (unwind-protect
        (setq stats (ert-run-tests-batch
                     `(member ,@vterm-package-test-order)))
      (delete-directory vterm-package-test--scratch t))
    (kill-emacs (if (and stats (zerop (ert-stats-completed-unexpected stats))
                         (= (ert-stats-completed stats)
                            (length vterm-package-test-order)))
                    0
                  1))))

(provide 'vterm-package-test)

;;; vterm-package-test.el ends here

;;; e2e-init.el --- A fresh Emacs on the Windows path, vterm without module  -*- lexical-binding: t; -*-

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

;; `emacs -nw -Q -l e2e-init.el', run by tests/release/run.sh in tmux:
;; vterm.el is installed in $VTERM_E2E_DIR with no module next to it, and
;; known only through an autoload, as a package manager leaves it.  Then
;; M-x vterm must offer the download, and after `y' show a cmd prompt.
;;
;; What is overridden to run the Windows path on Linux, as
;; tests/windows/vterm-e2e.el does: the system check, the proxy command
;; (Wine running the conpty-proxy.exe that the download installed, with the
;; test-only shim) and the path translation.  One more stand-in: Linux
;; Emacs cannot load the PE vterm-module.dll that was just installed, so
;; once the download has installed it, the native module built from the
;; same sources ($VTERM_NATIVE_MODULE_DIR) is put on `load-path' for the
;; `require' that follows.

;;; Code:

(let ((dir (getenv "VTERM_E2E_DIR")))
  (add-to-list 'load-path dir)
  (autoload 'vterm "vterm" nil t)
  (setq vterm--system-type-override 'windows-nt
        vterm-module-download-url (getenv "VTERM_E2E_URL")
        vterm--conpty-proxy-command
        (list (getenv "WINE") (expand-file-name "conpty-proxy.exe" dir)
              "--wine-shim")
        vterm--conpty-directory-function
        (lambda (d)
          (concat "Z:" (subst-char-in-string
                        ?/ ?\\ (directory-file-name (expand-file-name d)))))
        vterm-shell "cmd.exe"
        vterm-timer-delay nil
        default-directory "/tmp/")
  (advice-add 'vterm--module-download-install :after
              (lambda (&rest _)
                (add-to-list 'load-path (getenv "VTERM_NATIVE_MODULE_DIR")))))

;;; e2e-init.el ends here

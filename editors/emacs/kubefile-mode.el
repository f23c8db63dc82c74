;;; kubefile-mode.el --- Major mode for Kubefiles, with kfls through eglot -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "26.1"))
;; Keywords: languages

;;; Commentary:

;; Font-lock for Kubefiles (ClusterImage build files: Kubefile, Kubefile.*,
;; *.kubefile) and an eglot entry for the kfls language server:
;;   (require 'kubefile-mode)
;;   (add-hook 'kubefile-mode-hook #'eglot-ensure)

;;; Code:

(defgroup kubefile nil "Kubefile editing." :group 'languages)

(defcustom kubefile-kfls-command '("kfls")
  "The kfls command line."
  :type '(repeat string))

(defconst kubefile--instructions
  '("FROM" "ARG" "ENV" "LABEL" "MAINTAINER" "COPY" "ADD" "RUN" "CMD" "ENTRYPOINT" "SHELL"
    "WORKDIR" "USER" "EXPOSE" "VOLUME" "ONBUILD" "STOPSIGNAL" "HEALTHCHECK" "KUBEVERSION"
    "PLUGINS" "IMAGES" "LAUNCH" "CMDS"))

(defconst kubefile-font-lock-keywords
  `((,(concat "^[ \t]*\\(" (regexp-opt '("APP" "CNI" "CSI" "APPCMDS" "APPENV")) "\\)[ \t]+\\([^][ \t\"\\\\]+\\)")
     (1 font-lock-keyword-face) (2 font-lock-type-face))
    (,(concat "^[ \t]*" (regexp-opt kubefile--instructions 'words)) . font-lock-keyword-face)
    ("[ \t]\\(--[A-Za-z][A-Za-z0-9-]*\\)" 1 font-lock-builtin-face)
    ("\\$\\(?:{[A-Za-z_][A-Za-z0-9_]*[^}]*}\\|[A-Za-z_][A-Za-z0-9_]*\\)" . font-lock-variable-name-face)
    ("\\<\\(?:local\\|https?\\)://[^ \t\",]*" . font-lock-constant-face)))

(defvar kubefile-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?# "<" st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?' "\"" st)
    st)
  "Syntax table for `kubefile-mode'.")

;;;###autoload
(define-derived-mode kubefile-mode prog-mode "Kubefile"
  "Major mode for Kubefiles."
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local font-lock-defaults '(kubefile-font-lock-keywords nil t)))

;;;###autoload
(add-to-list 'auto-mode-alist '("/Kubefile\\(?:\\.[^/]*\\)?\\'" . kubefile-mode))
;;;###autoload
(add-to-list 'auto-mode-alist '("\\.kubefile\\'" . kubefile-mode))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs `(kubefile-mode . ,kubefile-kfls-command)))

(provide 'kubefile-mode)
;;; kubefile-mode.el ends here

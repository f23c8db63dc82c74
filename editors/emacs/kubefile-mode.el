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

(defvar eglot-server-programs)

(defgroup kubefile nil "Kubefile editing." :group 'languages)

(defcustom kubefile-kfls-command '("kfls")
  "The kfls command line."
  :type '(repeat string))

(defconst kubefile--instructions
  '("FROM" "ARG" "ENV" "LABEL" "MAINTAINER" "COPY" "ADD" "RUN" "CMD" "ENTRYPOINT" "SHELL"
    "WORKDIR" "USER" "EXPOSE" "VOLUME" "ONBUILD" "STOPSIGNAL" "HEALTHCHECK" "KUBEVERSION"
    "PLUGINS" "IMAGES" "LAUNCH" "CMDS"))

(defconst kubefile-font-lock-keywords
  `((,(concat "^[ \t]*\\(" (regexp-opt '("APP" "CNI" "CSI" "APPCMDS" "APPENV")) "\\)[ \t]+\\([^][ \t\n\"\\\\]+\\)")
     (1 font-lock-keyword-face) (2 font-lock-type-face))
    (,(concat "^[ \t]*" (regexp-opt kubefile--instructions 'words)) . font-lock-keyword-face)
    ("[ \t]\\(--[A-Za-z][A-Za-z0-9-]*\\)" 1 font-lock-builtin-face)
    ("\\$\\(?:{[A-Za-z_][A-Za-z0-9_]*\\(?::?[-+][^}\n]*\\)?}\\|[A-Za-z_][A-Za-z0-9_]*\\)" . font-lock-variable-name-face)
    ("\\<\\(?:local\\|https?\\)://[^] \t\n\",]*" . font-lock-constant-face))
  "Font-lock keywords for `kubefile-mode'.
No pattern goes past the end of a line: a match that reached into the
next line's instruction would be left unfontified.")

(defvar kubefile-mode-syntax-table
  (let ((st (make-syntax-table)))
    ;; `#' starts a comment only as the first non-blank character of a line
    ;; (`kubefile--syntax-propertize'); anywhere else it is text.
    (modify-syntax-entry ?# "." st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?' "\"" st)
    st)
  "Syntax table for `kubefile-mode'.")

(defun kubefile--syntax-propertize (start end)
  "Give comment and string syntax between START and END (whole lines).
A `#' that is the first non-blank character of a line starts a comment.
A quote that is not closed on its line opens a string that ends with the
line (as in the Vim syntax and the TextMate grammar), instead of one that
runs on over the lines after it."
  (goto-char start)
  (while (< (point) end)
    (if (looking-at "[ \t]*\\(#\\)")
        (put-text-property (match-beginning 1) (match-end 1)
                           'syntax-table (string-to-syntax "<"))
      (let ((eol (line-end-position)) open open-pos last)
        (while (re-search-forward "[\"'\\]" eol t)
          (let ((c (char-before)))
            (cond ((eq c ?\\)
                   (if (< (point) eol) (forward-char) (setq last (1- (point)))))
                  ((null open) (setq open c open-pos (1- (point))))
                  ((eq c open) (setq open nil)))))
        (when open
          ;; Both ends become string fences: the quote, and the newline (or
          ;; a backslash before it, which would escape the newline).
          (put-text-property open-pos (1+ open-pos)
                             'syntax-table (string-to-syntax "|"))
          (let ((close (or last (and (< eol (point-max)) eol))))
            (when close
              (put-text-property close (1+ close)
                                 'syntax-table (string-to-syntax "|")))))))
    (forward-line 1)))

;;;###autoload
(define-derived-mode kubefile-mode prog-mode "Kubefile"
  "Major mode for Kubefiles."
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local syntax-propertize-function #'kubefile--syntax-propertize)
  (setq-local font-lock-defaults '(kubefile-font-lock-keywords nil t)))

;;;###autoload
(add-to-list 'auto-mode-alist '("/Kubefile\\(?:\\.[^/]*\\)?\\'" . kubefile-mode))
;;;###autoload
(add-to-list 'auto-mode-alist '("\\.kubefile\\'" . kubefile-mode))

(defun kubefile--kfls-contact (&optional _interactive)
  "Return `kubefile-kfls-command', the eglot contact for kfls.
It is read when the server starts, so setting it after eglot has loaded
takes effect."
  kubefile-kfls-command)

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(kubefile-mode . kubefile--kfls-contact)))

(provide 'kubefile-mode)
;;; kubefile-mode.el ends here

;;; emacs-test.el --- run by tests/emacs.sh in `emacs --batch -Q'  -*- lexical-binding: t; -*-

;; Loads only editors/emacs/kubefile-mode.el (from $KF_SRCDIR) and eglot as
;; Debian's elpa-eglot installs it, then writes to $KF_EMACS_OUT:
;;  - the major mode of the files named in $KF_EMACS_NAMES in $KF_EMACS_DIR;
;;  - each run of one face in $KF_EMACS_DIR/x.kubefile after `font-lock-ensure';
;;  - with `eglot-ensure' on `kubefile-mode-hook' and `kubefile-kfls-command'
;;    set to $KFLS: the Flymake diagnostics of $KF_EMACS_FILE, the buffer
;;    after `eglot-format-buffer', and the diagnostics again after a change
;;    of `eglot-workspace-configuration'.
;; An error ends Emacs with status 3 after writing what came before it.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defvar kf-test-lines nil "The lines written so far, last first.")

(defun kf-test-say (fmt &rest args)
  "Add the line (format FMT ARGS) to the output."
  (push (apply #'format fmt args) kf-test-lines))

(defun kf-test-done (status)
  "Write the output and end Emacs with STATUS."
  (with-temp-file (getenv "KF_EMACS_OUT")
    (dolist (l (reverse kf-test-lines)) (insert l "\n")))
  (kill-emacs status))

(defun kf-test-wait (pred seconds)
  "Read process output until PRED is true, for at most SECONDS."
  (let ((end (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun kf-test-modes (dir names)
  "The major mode each file of NAMES in DIR opens in."
  (dolist (name names)
    (let ((buf (find-file-noselect (expand-file-name name dir))))
      (kf-test-say "%s %s" name (buffer-local-value 'major-mode buf))
      (kill-buffer buf))))

(defun kf-test-faces (file)
  "Each run of characters with one face in FILE, after `font-lock-ensure'."
  (with-current-buffer (find-file-noselect file)
    (font-lock-ensure)
    (kf-test-say "-- font-lock %s" major-mode)
    (let ((pos (point-min)))
      (while (< pos (point-max))
        (let ((face (get-text-property pos 'face))
              (next (next-single-property-change pos 'face nil (point-max))))
          (when face
            (kf-test-say "%d:%d %s %s" (line-number-at-pos pos)
                         (save-excursion (goto-char pos) (1+ (current-column)))
                         (let ((print-escape-newlines t))
                           (prin1-to-string (buffer-substring-no-properties pos next)))
                         face))
          (setq pos next))))
    (kill-buffer)))

(defun kf-test-diagnostics ()
  "The Flymake diagnostics of the current buffer, as \"LINE:COL TYPE TEXT\"."
  (mapcar (lambda (d)
            (let ((beg (flymake-diagnostic-beg d)))
              (format "%d:%d %s %s" (line-number-at-pos beg)
                      (save-excursion (goto-char beg) (1+ (current-column)))
                      (flymake-diagnostic-type d) (flymake-diagnostic-text d))))
          (sort (flymake-diagnostics)
                (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))

(defun kf-test-wait-diagnostics (what pred)
  "Wait until PRED is true of a diagnostic line, then write them under WHAT."
  (unless (kf-test-wait (lambda () (cl-some pred (kf-test-diagnostics))) 10)
    (kf-test-say "(waited 10 s for %s)" what))
  (kf-test-say "-- diagnostics, %s" what)
  (mapc (lambda (l) (kf-test-say "%s" l)) (kf-test-diagnostics)))

(defun kf-test-eglot (file)
  "Diagnostics and formatting of FILE through eglot and kfls."
  (add-hook 'kubefile-mode-hook #'eglot-ensure)
  (find-file file)
  ;; `eglot-ensure' connects after the command that opened the file, from
  ;; `post-command-hook', which the command loop runs: batch Emacs has none.
  (run-hooks 'post-command-hook)
  (unless (kf-test-wait #'eglot-current-server 10)
    (error "eglot did not start kfls"))
  (kf-test-say "-- eglot %s %s" major-mode
               (plist-get (eglot--server-info (eglot-current-server)) :name))
  (kf-test-wait-diagnostics "opened" #'identity)
  (eglot-format-buffer)
  (kf-test-say "-- formatted")
  (kf-test-say "%s" (string-remove-suffix "\n" (buffer-string)))
  ;; eglot sends the change when Emacs is idle, which batch Emacs never is,
  ;; and before didSave: save, and wait for kfls's diagnostics of the new
  ;; text ('ghost' is now at 3:12).
  (save-buffer)
  (kf-test-wait-diagnostics "saved" (lambda (l) (string-prefix-p "3:12 " l)))
  ;; Settings: kfls re-lints on workspace/didChangeConfiguration.
  (setq-default eglot-workspace-configuration '(:kubefile (:severity (:KF107 "warning"))))
  (eglot-signal-didChangeConfiguration (eglot-current-server))
  (kf-test-wait-diagnostics (format "settings %S" (default-value 'eglot-workspace-configuration))
                            (lambda (l) (string-match-p "\\`3:12 eglot-warning " l)))
  (ignore-errors (eglot-shutdown (eglot-current-server) nil 5)))

(condition-case err
    (let ((dir (getenv "KF_EMACS_DIR")))
      (add-to-list 'load-path (expand-file-name "editors/emacs" (getenv "KF_SRCDIR")))
      (require 'kubefile-mode)
      ;; Debian's elpa packages: its site-start.el sets this, which -Q skips.
      (require 'package)
      (setq package-directory-list (list (getenv "KF_EMACS_ELPA")))
      (package-initialize)
      (require 'eglot)
      (setq kubefile-kfls-command (list (getenv "KFLS")))
      (kf-test-modes dir (split-string (getenv "KF_EMACS_NAMES")))
      (kf-test-faces (expand-file-name "x.kubefile" dir))
      (kf-test-eglot (getenv "KF_EMACS_FILE"))
      (kf-test-done 0))
  (error
   (kf-test-say "error: %S" err)
   (kf-test-done 3)))

;;; emacs-test.el ends here

/* files.h - finding the Kubefiles a command is given. */
#ifndef KF_FILES_H
#define KF_FILES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kf_paths {
	char **v; /* malloc'd strings */
	size_t n, cap;
} kf_paths;

/* Is base (a file name without directories) a Kubefile's name: Kubefile,
 * Kubefile.*, or *.kubefile? */
bool kf_is_kubefile_name(const char *base);

/* Adds path to out if it is a file (or "-"), or every Kubefile under it, in
 * sorted order, if it is a directory (hidden directories are skipped). On
 * failure returns false and sets *err to a malloc'd message. */
bool kf_collect_kubefiles(const char *path, kf_paths *out, char **err);
void kf_paths_release(kf_paths *p);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* mirrors.h - registries.yaml: mirrors and per-host settings, in the
 * shape Kubernetes users know from k3s and RKE2:
 *
 *   mirrors:
 *     docker.io:
 *       endpoint:
 *         - "https://mirror.example.com:5000"
 *         - "http://10.0.0.1:5000"
 *   configs:
 *     "mirror.example.com:5000":
 *       auth: {username: u, password: p}
 *       tls: {ca_file: /path/ca.crt, cert_file: c.crt, key_file: c.key, insecure_skip_verify: false}
 *
 * The file is the first of $KFC_REGISTRIES, ~/.config/kfc/registries.yaml,
 * /etc/kfc/registries.yaml that exists; read through the project's YAML
 * loader (syntax/yamlload.h); a shape kfc does not know is an error at
 * FILE:LINE:COL.
 */
#ifndef KF_MIRRORS_H
#define KF_MIRRORS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* A place to reach a registry at: its scheme and host[:port]. */
typedef struct kf_endpoint {
	char *scheme; /* "https" or "http" */
	char *host;
} kf_endpoint;

typedef struct kf_mirror {
	char *registry; /* docker.io, quay.io, … ("*": every registry) */
	kf_endpoint *endpoints;
	size_t n;
} kf_mirror;

typedef struct kf_host_config {
	char *host;
	char *username, *password;
	char *ca_file, *cert_file, *key_file;
	bool insecure_skip_verify;
} kf_host_config;

typedef struct kf_registries {
	char *path; /* the file read, or NULL when there was none */
	kf_mirror *mirrors;
	size_t nmirrors;
	kf_host_config *configs;
	size_t nconfigs;
} kf_registries;

/* Reads the first file that exists (none: an empty configuration). */
bool kf_registries_load(kf_registries *r, kf_err *err);
/* Reads path. */
bool kf_registries_load_file(kf_registries *r, const char *path, kf_err *err);
/* Reads text[0, len), as the file path (for messages). */
bool kf_registries_load_text(kf_registries *r, const char *path, const char *text, size_t len, kf_err *err);
void kf_registries_release(kf_registries *r);

/* The mirrors of registry (its own entry, else "*"), or NULL. */
const kf_mirror *kf_registries_mirror(const kf_registries *r, const char *registry);
/* The settings of host[:port], or NULL. */
const kf_host_config *kf_registries_config(const kf_registries *r, const char *host);

/* sealer's --image-list-with-auth file (imageListWithAuth.yaml):
 *
 *   - registry: registry.example.com:5000
 *     username: u
 *     password: p
 *     images: [app/web:v1, nginx:1.25]
 *
 * Each section's images are normalised with its registry as the registry
 * of a name that has none (as sealer reads them), and its credentials
 * become r's settings for that registry (over registries.yaml's); a
 * section with images needs both. Errors at FILE:LINE:COL. */
typedef struct kf_auth_images {
	char **names;
	size_t n;
} kf_auth_images;

bool kf_auth_images_load(const char *path, kf_registries *r, kf_auth_images *out, kf_err *err);
void kf_auth_images_release(kf_auth_images *a);

#endif

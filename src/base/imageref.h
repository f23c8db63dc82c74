/* SPDX-License-Identifier: Apache-2.0 */
/* imageref.h - container image references: Docker's grammar and its
 * normalisation (distribution/reference, ParseNormalizedNamed).
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component ( "/" path-component )*
 *   domain    := host [ ":" port ]      (a first component with "." or ":",
 *                                         or "localhost", is a domain)
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest    := "sha256:" 64 lower-case hex digits
 *
 * The name (domain and path) is at most 255 characters. A kf_imageref
 * points into the text it was parsed from and owns nothing.
 */
#ifndef KF_IMAGEREF_H
#define KF_IMAGEREF_H

#include <stdbool.h>

#include "base/buf.h"

/* Longest name (domain and path) Docker accepts. */
#define KF_IMAGEREF_NAME_MAX 255

typedef struct kf_imageref {
	kf_str domain; /* as written; empty when the reference names none */
	kf_str path;   /* the repository path after the domain */
	kf_str tag;    /* without ":"; empty when none */
	kf_str digest; /* "sha256:…" without "@"; empty when none */
} kf_imageref;

/* Parses text. Returns NULL on success, or a static lower-case message that
 * says why text is not a reference (ref is then unspecified). Variables
 * ("$VAR") are not expanded here: "$" is simply invalid. */
const char *kf_imageref_parse(kf_str text, kf_imageref *ref);

/* Parses and normalises text into a malloc'd string. Returns NULL (and
 * sets *why to the static reason) when text is not a reference. */
char *kf_imageref_normalise_str(kf_str text, const char **why);

/* The familiar form of a normalised name, as docker shows it: without
 * "docker.io/", and without "library/" for a one-component path
 * (docker.io/library/nginx:latest -> nginx:latest). malloc'd. */
char *kf_imageref_familiar(const char *name);

/* Whether text names a fixed version of an image: NULL when it has a tag
 * other than "latest", or a digest; else a static phrase for a message,
 * "has no tag" or "uses :latest". Lenient: text need not be a valid
 * reference (the tag is what follows a ':' after the last '/'), so that
 * it judges a FROM word as well as a checked IMAGES word. */
const char *kf_imageref_unpinned(kf_str text);

/* The message about an image named by a moving tag, shared by kflint's
 * KF125 (IMAGES) and discovery's KF310 (image lists); its arguments are
 * the length and text of the reference, and kf_imageref_unpinned's phrase. */
#define KF_IMAGEREF_UNPINNED_FMT                                                               \
	"image '%.*s' %s: pin a version or a digest; :latest moves, so the build is not reproducible " \
	"and an offline rebuild (--pull=never) may resolve it to another image"

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* images.h - the names of the images in the local store, read without the
 * store's library (no lock, no digest): what an editor offers after FROM.
 * The store's index.json is replaced whole by rename, so a reader never
 * sees half of one.
 */
#ifndef KF_IMAGES_H
#define KF_IMAGES_H

#include <stddef.h>

/* The ref names of the store's index.json in its order, in their familiar
 * form (labring/x:v1, not docker.io/labring/x:v1), malloc'd (each and
 * the array; free with kf_local_images_free); none when there is no store. */
char **kf_local_images(size_t *n);
void kf_local_images_free(char **names, size_t n);

#endif

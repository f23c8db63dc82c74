/* SPDX-License-Identifier: Apache-2.0 */
/* sprig.h - the sprig functions helm charts use (Masterminds/sprig v3, as
 * helm v3.8.1 links it), for the template engine (tmpl.h).
 *
 * Faithful to sprig's Go code in results and in errors, with two decided
 * differences (docs/imagelist.md): time is fixed (now is
 * 1970-01-01T00:00:00Z, or SOURCE_DATE_EPOCH when set) and the random
 * and key-making functions (randAlphaNum, uuidv4, genPrivateKey,
 * genCA, ...) return fixed values of the right shape, so that discovery
 * is deterministic.
 *
 * The table is ordered by name and ended by {NULL}.
 */
#ifndef KF_TMPL_SPRIG_H
#define KF_TMPL_SPRIG_H

#include "tmpl/tmpl.h"

extern const kf_tmpl_func kf_tmpl_sprig_funcs[];

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* err.c - see err.h */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

bool kf_err_set(kf_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return false;
}

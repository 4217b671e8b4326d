// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"

static __thread char error_buf[512];
static __thread enum error_kind error_cur;

int error_set(enum error_kind kind, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_buf, sizeof(error_buf), fmt, ap);
	va_end(ap);
	error_cur = kind;
	return code;
}

int error_prefix(enum error_kind kind, int code, const char *fmt, ...)
{
	char old[sizeof(error_buf)];
	size_t n;
	va_list ap;

	snprintf(old, sizeof(old), "%s", error_msg());
	va_start(ap, fmt);
	n = (size_t)vsnprintf(error_buf, sizeof(error_buf), fmt, ap);
	va_end(ap);
	if (n + 2 < sizeof(error_buf)) {
		size_t k = MIN(strlen(old), sizeof(error_buf) - n - 3);

		memcpy(error_buf + n, ": ", 2);
		memcpy(error_buf + n + 2, old, k);
		error_buf[n + 2 + k] = '\0';
	}
	error_cur = kind;
	return code;
}

const char *error_msg(void)
{
	return error_buf[0] ? error_buf : "unknown error";
}

enum error_kind error_kind(void)
{
	return error_cur;
}

void error_clear(void)
{
	error_buf[0] = '\0';
	error_cur = ERROR_NONE;
}

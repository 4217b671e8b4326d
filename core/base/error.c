// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdatomic.h>
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

static _Atomic(error_warn_fn) error_warn_handler;

void error_set_warn_handler(error_warn_fn fn)
{
	atomic_store(&error_warn_handler, fn);
}

void error_warn(const char *fmt, ...)
{
	error_warn_fn fn = atomic_load(&error_warn_handler);
	char msg[sizeof(error_buf) + 128]; /* room for an error_msg() and words around it */
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(msg);
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

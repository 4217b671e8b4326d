// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

static __thread char error_buf[512];
static __thread enum error_kind error_cur;

int error_set(enum error_kind kind, int code, const char *fmt, ...)
{
	char msg[sizeof(error_buf)];
	va_list ap;

	/* Through a copy: a caller may wrap the previous message (error_msg()) in the new one. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(error_buf, msg, sizeof(error_buf));
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

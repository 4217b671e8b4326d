// SPDX-License-Identifier: GPL-2.0
/* Safe dump file names from hostile input (dumpname.h). */
#include <errno.h>

#include "core/debug/dumpname.h"

/*
 * The POSIX portable filename character set (POSIX.1-2017 XBD 3.282,
 * "Portable Filename Character Set"): nothing a shell, a path or a
 * terminal gives meaning to, and ASCII only, so no byte of the result can
 * be part of a multibyte sequence. Spelled out rather than isalnum(),
 * whose answer depends on the locale.
 */
static bool dumpname_portable(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int dumpname_sanitize(char *out, size_t size, const char *in, size_t in_len)
{
	size_t cap, n;

	if (!size)
		return -EINVAL;
	out[0] = '\0';
	if (size < 2)
		return -EINVAL;

	cap = MIN(size - 1, (size_t)DUMPNAME_MAX);
	n = MIN(in_len, cap);
	for (size_t i = 0; i < n; i++)
		out[i] = dumpname_portable((unsigned char)in[i]) ? in[i] : '_';
	if (!n)
		out[n++] = '_';
	/* "." and ".." name directories; any leading '.' hides the file. */
	if (out[0] == '.')
		out[0] = '_';
	out[n] = '\0';
	return (int)n;
}

// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/base/safetext.h"
#include "core/base/types.h"

/*
 * How many bytes at s[i..len) form one character to pass as it is, 0 if
 * s[i] is to be escaped: ASCII controls and DEL, the backslash (so that
 * the guest's own "\x0a" reads as \x5cx0a, not as an escape of ours),
 * the C1 controls (U+0080 to U+009F, which some terminals act on as they
 * do on ESC), and any byte that does not start a whole UTF-8 sequence
 * (RFC 3629; a terminal in an 8-bit mode would take a stray 0x9b for CSI).
 */
static size_t safetext_char(const unsigned char *s, size_t i, size_t len)
{
	unsigned char c = s[i];
	size_t n, k;
	u32 cp;

	if (c < 0x80)
		return c < 0x20 || c == 0x7f || c == '\\' ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len - i < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i + k] & 0x3f);
	}
	return cp >= 0x80 && cp <= 0x9f ? 0 : n;
}

const char *safetext_line(char *buf, size_t n, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0;

	len = strnlen(s, len);
	while (i < len) {
		size_t c = safetext_char(u, i, len);

		if (!c) {
			if (o + 4 >= n)
				break;
			snprintf(buf + o, n - o, "\\x%02x", u[i]);
			o += 4;
			i++;
			continue;
		}
		if (o + c >= n)
			break;
		memcpy(buf + o, s + i, c);
		o += c;
		i += c;
	}
	buf[o] = '\0';
	return buf;
}

void safetext_write(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0, i = 0;

	while (i < len) {
		size_t c = safetext_char(u, i, len);

		if (c || u[i] == '\n' || u[i] == '\t') {
			i += c ? c : 1;
			continue;
		}
		fwrite(s + run, 1, i - run, f);
		if (u[i] != '\r')
			fprintf(f, "\\x%02x", u[i]);
		run = ++i;
	}
	fwrite(s + run, 1, len - run, f);
}

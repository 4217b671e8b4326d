// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/base/safetext.h"

static int safetext_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *safetext_line(char *buf, size_t n, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (safetext_control(c)) {
			if (o + 4 >= n)
				break;
			snprintf(buf + o, n - o, "\\x%02x", c);
			o += 4;
		} else {
			if (o + 1 >= n)
				break;
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

void safetext_write(FILE *f, const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!safetext_control(c) || c == '\n' || c == '\t')
			continue;
		fwrite(s + run, 1, i - run, f);
		if (c != '\r')
			fprintf(f, "\\x%02x", c);
		run = i + 1;
	}
	fwrite(s + run, 1, len - run, f);
}

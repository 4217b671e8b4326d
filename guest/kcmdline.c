// SPDX-License-Identifier: GPL-2.0
/* The kernel command line's ktvm keys (kcmdline.h). */
#include <errno.h>
#include <string.h>

#include "guest/kcmdline.h"

static bool kcmdline_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool kcmdline_key_eq(const char *a, size_t alen, const char *key)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = key[i] == '-' ? '_' : key[i];

		if (!key[i] || x != y)
			return false;
	}
	return key[i] == '\0';
}

/* Copy s[0..n) without its '"' characters; the length, or -ENAMETOOLONG. */
static ssize_t kcmdline_copy(const char *s, size_t n, char *val, size_t size)
{
	size_t len = 0;
	bool trunc = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			continue;
		if (len + 1 < size)
			val[len] = s[i];
		else
			trunc = true;
		len++;
	}
	if (size)
		val[MIN(len, size - 1)] = '\0';
	return trunc ? -ENAMETOOLONG : (ssize_t)len;
}

ssize_t kcmdline_get(const char *line, const char *key, char *val, size_t size)
{
	ssize_t found = -ENOENT;
	const char *p = line;

	while (*p) {
		const char *param, *eq = NULL;
		bool in_quote = false;
		size_t klen;

		while (kcmdline_space(*p))
			p++;
		if (!*p)
			break;
		param = p;
		for (; *p && (in_quote || !kcmdline_space(*p)); p++) {
			if (*p == '"')
				in_quote = !in_quote;
			else if (*p == '=' && !eq)
				eq = p;
		}
		/* param .. p is one parameter, quotes still in it */
		if (p - param == 2 && param[0] == '-' && param[1] == '-')
			break;
		klen = (eq ? eq : p) - param;
		if (param[0] == '"') {
			param++;
			klen--;
		}
		if (klen && param[klen - 1] == '"' && !eq)
			klen--;
		if (!kcmdline_key_eq(param, klen, key))
			continue;
		if (eq)
			found = kcmdline_copy(eq + 1, p - eq - 1, val, size);
		else
			found = kcmdline_copy("", 0, val, size);
	}
	return found;
}

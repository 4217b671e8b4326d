// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "core/vm/cmdline.h"
#include "core/base/error.h"

void cmdline_init(struct cmdline *cl)
{
	cl->buf[0] = '\0';
	cl->len = 0;
	cl->overflow = false;
	cl->wanted = 0;
}

static void cmdline_append(struct cmdline *cl, const char *s, size_t n)
{
	if (!n)
		return;
	/* Counted on past an overflow, so the error can say the true length. */
	cl->wanted += (cl->wanted ? 1 : 0) + n;
	if (cl->overflow || cl->len + (cl->len ? 1 : 0) + n >= sizeof(cl->buf)) {
		cl->overflow = true;
		return;
	}
	if (cl->len)
		cl->buf[cl->len++] = ' ';
	memcpy(cl->buf + cl->len, s, n);
	cl->len += n;
	cl->buf[cl->len] = '\0';
}

void cmdline_add(struct cmdline *cl, const char *params)
{
	const char *p = params;

	/* Split on whitespace so each parameter is one word; quoting is not needed by ktvm. */
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		n = strcspn(p, " \t\n");
		cmdline_append(cl, p, n);
		p += n;
	}
}

/* Length of a parameter's key: "console=ttyS0" -> 7, "quiet" -> 5. */
static size_t cmdline_keylen(const char *word, size_t n)
{
	const char *eq = memchr(word, '=', n);

	return eq ? (size_t)(eq - word) : n;
}

static bool cmdline_words_have(const char *s, const char *key, size_t keylen)
{
	while (*s) {
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		n = strcspn(s, " \t\n");
		if (n && cmdline_keylen(s, n) == keylen && !memcmp(s, key, keylen))
			return true;
		s += n;
	}
	return false;
}

bool cmdline_has(const struct cmdline *cl, const char *key)
{
	return cmdline_words_have(cl->buf, key, strlen(key));
}

int cmdline_build(struct cmdline *out, const struct cmdline *defaults, const char *user, size_t max)
{
	const char *s = defaults->buf;

	cmdline_init(out);
	while (*s) {
		size_t n;

		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n && !(user && cmdline_words_have(user, s, cmdline_keylen(s, n))))
			cmdline_append(out, s, n);
		s += n;
	}
	if (user)
		cmdline_add(out, user);
	if (out->overflow || out->len > max)
		return error_input(-E2BIG, "kernel command line is %zu bytes; the limit is %zu",
				   out->wanted, max);
	return 0;
}

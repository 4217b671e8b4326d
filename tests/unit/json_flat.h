/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only JSON reader: checks that text is one JSON value (RFC 8259,
 * strictly: no trailing commas, no leading zeros, no raw control characters,
 * strings well-formed UTF-8, no lone surrogates, no duplicate keys, nothing
 * after the value) and flattens it into path/value pairs, the way
 * tests/integration/lib.sh's json_flat does: "a.b" for a member, "a.0" for an
 * element; strings decoded, other scalars as written. Each object or array
 * also gets a pair of its own, "{N}" or "[N]" with its member count, so an
 * empty one and a missing one differ. Written from the grammar, not from
 * core/base/json.c.
 */
#ifndef KTVM_TESTS_UNIT_JSON_FLAT_H
#define KTVM_TESTS_UNIT_JSON_FLAT_H

#include <stdlib.h>

#include "core/base/types.h"

#define JF_MAX_DEPTH 32

struct jf_pair {
	char *path;
	char *val; /* decoded; a \u0000 ends it early */
};

struct jf {
	struct jf_pair *v;
	size_t n, cap;
	const char *err; /* NULL when the text parsed */
	size_t err_off;
	/* parser state */
	const char *s;
	size_t len, pos;
};

static inline void jf_free(struct jf *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->v[i].path);
		free(j->v[i].val);
	}
	free(j->v);
	j->v = NULL;
	j->n = j->cap = 0;
}

static inline bool jf_fail(struct jf *j, const char *why)
{
	if (!j->err) {
		j->err = why;
		j->err_off = j->pos;
	}
	return false;
}

static inline const char *jf_get(const struct jf *j, const char *path)
{
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->v[i].path, path))
			return j->v[i].val;
	return NULL;
}

/* Takes ownership of val. */
static inline bool jf_add(struct jf *j, const char *path, char *val)
{
	if (jf_get(j, path)) {
		free(val);
		return jf_fail(j, "duplicate key");
	}
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct jf_pair *v = realloc(j->v, cap * sizeof(*v));

		if (!v) {
			free(val);
			return jf_fail(j, "out of memory");
		}
		j->v = v;
		j->cap = cap;
	}
	j->v[j->n].path = strdup(path);
	j->v[j->n].val = val;
	j->n++;
	return true;
}

static inline void jf_ws(struct jf *j)
{
	while (j->pos < j->len && strchr(" \t\n\r", j->s[j->pos]) && j->s[j->pos])
		j->pos++;
}

static inline int jf_hex4(struct jf *j)
{
	int v = 0;

	if (j->len - j->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = j->s[j->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left), 0 if none. */
static inline size_t jf_utf8(const u8 *p, size_t n)
{
	u32 cp, min;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static inline void jf_put_utf8(char *out, size_t *o, u32 cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | cp >> 6);
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xe0 | cp >> 12);
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | cp >> 18);
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* A string at pos (the opening quote); NULL on error. Decoding never grows it. */
static inline char *jf_string(struct jf *j)
{
	char *out = malloc(j->len - j->pos + 1);
	size_t o = 0;

	if (!out)
		return jf_fail(j, "out of memory"), NULL;
	j->pos++;
	while (j->pos < j->len) {
		u8 c = (u8)j->s[j->pos];
		size_t n;

		if (c == '"') {
			j->pos++;
			out[o] = '\0';
			return out;
		}
		if (c < 0x20) {
			jf_fail(j, "control character in a string");
			break;
		}
		if (c != '\\') {
			n = jf_utf8((const u8 *)j->s + j->pos, j->len - j->pos);
			if (!n) {
				jf_fail(j, "string is not well-formed UTF-8");
				break;
			}
			memcpy(out + o, j->s + j->pos, n);
			o += n;
			j->pos += n;
			continue;
		}
		if (++j->pos == j->len)
			break;
		c = (u8)j->s[j->pos++];
		if (c == 'u') {
			int hi = jf_hex4(j), lo;
			u32 cp = (u32)hi;

			if (hi < 0) {
				jf_fail(j, "bad \\u escape");
				break;
			}
			if (hi >= 0xdc00 && hi <= 0xdfff) {
				jf_fail(j, "lone low surrogate");
				break;
			}
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (j->len - j->pos < 2 || j->s[j->pos] != '\\' ||
				    j->s[j->pos + 1] != 'u') {
					jf_fail(j, "lone high surrogate");
					break;
				}
				j->pos += 2;
				lo = jf_hex4(j);
				if (lo < 0xdc00 || lo > 0xdfff) {
					jf_fail(j, "bad surrogate pair");
					break;
				}
				cp = 0x10000 + (((u32)hi - 0xd800) << 10) + ((u32)lo - 0xdc00);
			}
			jf_put_utf8(out, &o, cp);
			continue;
		}
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[o++] = (char)c;
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		default:
			jf_fail(j, "bad escape");
			free(out);
			return NULL;
		}
	}
	jf_fail(j, "unterminated string");
	free(out);
	return NULL;
}

static inline bool jf_digits(struct jf *j)
{
	size_t start = j->pos;

	while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
		j->pos++;
	return j->pos > start;
}

static inline char *jf_number(struct jf *j)
{
	size_t start = j->pos;
	char *out;

	if (j->s[j->pos] == '-')
		j->pos++;
	if (j->pos < j->len && j->s[j->pos] == '0')
		j->pos++;
	else if (!jf_digits(j))
		return jf_fail(j, "bad number"), NULL;
	if (j->pos < j->len && j->s[j->pos] == '.') {
		j->pos++;
		if (!jf_digits(j))
			return jf_fail(j, "bad fraction"), NULL;
	}
	if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!jf_digits(j))
			return jf_fail(j, "bad exponent"), NULL;
	}
	out = strndup(j->s + start, j->pos - start);
	return out ? out : (jf_fail(j, "out of memory"), NULL);
}

static inline bool jf_value(struct jf *j, const char *path, int depth);

static inline bool jf_container(struct jf *j, const char *path, int depth)
{
	char close = j->s[j->pos] == '{' ? '}' : ']', count[32];
	size_t plen = strlen(path), at;
	u32 n = 0;
	bool ok = true;

	if (depth >= JF_MAX_DEPTH)
		return jf_fail(j, "nested too deep");
	/* The container's own pair first; its count is filled in at the end. */
	if (!jf_add(j, path, strdup("")))
		return false;
	at = j->n - 1;
	j->pos++;
	jf_ws(j);
	if (j->pos < j->len && j->s[j->pos] == close) {
		j->pos++;
		goto done;
	}
	for (;;) {
		char *key = NULL, *sub;

		jf_ws(j);
		if (close == '}') {
			if (j->pos >= j->len || j->s[j->pos] != '"')
				return jf_fail(j, "expected a key");
			key = jf_string(j);
			if (!key)
				return false;
			if (strchr(key, '.')) {
				free(key);
				return jf_fail(j, "key with a '.' (cannot flatten)");
			}
			jf_ws(j);
			if (j->pos >= j->len || j->s[j->pos++] != ':') {
				free(key);
				return jf_fail(j, "expected ':'");
			}
		} else {
			key = malloc(16);
			if (key)
				snprintf(key, 16, "%u", n);
		}
		sub = key ? malloc(plen + strlen(key) + 2) : NULL;
		if (!sub) {
			free(key);
			return jf_fail(j, "out of memory");
		}
		sprintf(sub, "%s%s%s", path, plen ? "." : "", key);
		free(key);
		ok = jf_value(j, sub, depth + 1);
		free(sub);
		if (!ok)
			return false;
		n++;
		jf_ws(j);
		if (j->pos < j->len && j->s[j->pos] == ',') {
			j->pos++;
			continue;
		}
		if (j->pos < j->len && j->s[j->pos] == close) {
			j->pos++;
			break;
		}
		return jf_fail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
done:
	snprintf(count, sizeof(count), "%c%u%c", close == '}' ? '{' : '[', n, close);
	free(j->v[at].val);
	j->v[at].val = strdup(count);
	return true;
}

static inline bool jf_value(struct jf *j, const char *path, int depth)
{
	static const char *const words[] = {"true", "false", "null"};
	char c;

	jf_ws(j);
	if (j->pos >= j->len)
		return jf_fail(j, "expected a value");
	c = j->s[j->pos];
	if (c == '{' || c == '[')
		return jf_container(j, path, depth);
	if (c == '"') {
		char *v = jf_string(j);

		return v && jf_add(j, path, v);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		char *v = jf_number(j);

		return v && jf_add(j, path, v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i]);

		if (j->len - j->pos >= wl && !memcmp(j->s + j->pos, words[i], wl)) {
			j->pos += wl;
			return jf_add(j, path, strdup(words[i]));
		}
	}
	return jf_fail(j, "expected a value");
}

/* 0 if s[0..len) is exactly one JSON value; else -1 with j->err set. */
static inline int jf_parse(struct jf *j, const char *s, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->s = s;
	j->len = len;
	if (!jf_value(j, "", 0))
		return -1;
	jf_ws(j);
	if (j->pos != j->len) {
		jf_fail(j, "text after the value");
		return -1;
	}
	return 0;
}

#endif

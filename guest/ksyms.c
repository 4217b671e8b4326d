// SPDX-License-Identifier: GPL-2.0
/* Watched kernel symbols: the request and their kallsyms addresses (ksyms.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/kaddr.h"
#include "guest/ksyms.h"

int ksyms_parse_request(const char *arg, struct wire_ksym *k, u32 max)
{
	const char *p = arg;
	u32 n = 0;

	max = MIN(max, (u32)WIRE_KSYMS_MAX);
	for (;;) {
		size_t len = strcspn(p, ",");

		if (n == max || !wire_ksym_name_valid(p, len))
			return -EINVAL;
		k[n].addr = 0;
		memcpy(k[n].name, p, len);
		k[n].name[len] = '\0';
		n++;
		if (!p[len])
			return n;
		p += len + 1;
	}
}

/*
 * Read one line into buf. A line that does not fit is consumed to its end
 * and reported as 0: were its tail read as a line of its own, a name inside
 * it could match. 1 for a line, -1 at the end of the file.
 */
static int ksyms_read_line(FILE *f, char *buf, int size)
{
	size_t len;
	int c;

	if (!fgets(buf, size, f))
		return -1;
	len = strlen(buf);
	if ((len && buf[len - 1] == '\n') || feof(f))
		return 1;
	while ((c = getc(f)) != EOF && c != '\n')
		;
	return 0;
}

int ksyms_lookup(const char *kallsyms_path, struct wire_ksym *k, u32 n)
{
	char line[KSYMS_LINE_MAX], name[WIRE_KSYM_NAME_MAX + 1];
	bool seen[WIRE_KSYMS_MAX] = {false};
	u32 left = n, resolved = 0;
	FILE *f;
	int r = 0;
	u64 addr;

	if (n > WIRE_KSYMS_MAX)
		return -EINVAL;
	for (u32 i = 0; i < n; i++) {
		if (!wire_ksym_name_valid(k[i].name, strnlen(k[i].name, sizeof(k[i].name))))
			return -EINVAL;
		k[i].addr = 0;
	}
	if (!n)
		return 0;
	f = fopen(kallsyms_path, "re");
	if (!f)
		return -errno;
	while (left && (r = ksyms_read_line(f, line, sizeof(line))) >= 0) {
		/* other shapes, module symbols and names too long to be wanted */
		if (!r || kaddr_parse_line(line, &addr, name, sizeof(name)))
			continue;
		for (u32 i = 0; i < n; i++) {
			if (seen[i] || strcmp(name, k[i].name))
				continue;
			seen[i] = true;
			k[i].addr = addr;
			left--;
		}
	}
	r = ferror(f) ? -EIO : 0;
	fclose(f);
	if (r)
		return r;
	for (u32 i = 0; i < n; i++)
		resolved += k[i].addr != 0;
	return resolved;
}

// SPDX-License-Identifier: GPL-2.0
/* Loading the modules in /ktvm/modules.order (modules.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/log.h"
#include "guest/modules.h"

/* include/uapi/linux/module.h; older libc headers lack it */
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define MODULES_LINE_MAX 4096

static const char *const modules_compressed[] = {".ko.xz", ".ko.zst", ".ko.gz"};

static bool modules_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int modules_flags(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(modules_compressed); i++)
		if (modules_ends_with(path, modules_compressed[i]))
			return MODULE_INIT_COMPRESSED_FILE;
	return 0;
}

void modules_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	const char *ko;
	size_t len;

	base = base ? base + 1 : path;
	ko = strstr(base, ".ko");
	len = ko ? (size_t)(ko - base) : strlen(base);
	snprintf(name, size, "%.*s", (int)MIN(len, size), base);
}

static void modules_note_failure(struct modules_result *res, const char *path, int err)
{
	size_t used = strlen(res->failures);
	char name[64];

	res->failed++;
	modules_name(path, name, sizeof(name));
	log_msg("module %s: %s", path, strerror(err));
	if (used < sizeof(res->failures) - 1)
		snprintf(res->failures + used, sizeof(res->failures) - used, "%s%s: %s",
			 used ? ", " : "", name, strerror(err));
}

static void modules_load_one(const char *path, struct modules_result *res)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0) {
		modules_note_failure(res, path, errno);
		return;
	}
	if (syscall(SYS_finit_module, fd, "", modules_flags(path)))
		err = errno;
	close(fd);
	if (err && err != EEXIST)
		modules_note_failure(res, path, err);
	else
		res->loaded++;
}

int modules_load_order(const char *order, struct modules_result *res)
{
	char line[MODULES_LINE_MAX];
	FILE *f;

	memset(res, 0, sizeof(*res));
	f = fopen(order, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		char *p = line;

		if (line[len] == '\0' && !feof(f)) {
			/* longer than PATH_MAX: not a path; skip the rest of it */
			int c;

			do {
				c = fgetc(f);
			} while (c != EOF && c != '\n');
			log_msg("%s: line too long, skipped", order);
			continue;
		}
		line[len] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			p[--len] = '\0';
		if (!*p || *p == '#')
			continue;
		modules_load_one(p, res);
	}
	fclose(f);
	return 0;
}

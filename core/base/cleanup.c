// SPDX-License-Identifier: GPL-2.0
/* Paths removed on an abrupt exit (cleanup.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"

enum { CLEANUP_FREE, CLEANUP_BUSY, CLEANUP_SET };

static struct {
	atomic_int state;
	bool dir;
	char path[PATH_MAX];
} cleanup_tab[CLEANUP_MAX];

int cleanup_add(const char *path, bool dir)
{
	size_t len = strlen(path);

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	for (int i = 0; i < CLEANUP_MAX; i++) {
		int expect = CLEANUP_FREE;

		if (!atomic_compare_exchange_strong(&cleanup_tab[i].state, &expect, CLEANUP_BUSY))
			continue;
		memcpy(cleanup_tab[i].path, path, len + 1);
		cleanup_tab[i].dir = dir;
		atomic_store(&cleanup_tab[i].state, CLEANUP_SET);
		return 0;
	}
	return -ENOSPC;
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < CLEANUP_MAX; i++) {
		int expect = CLEANUP_SET;

		if (atomic_load(&cleanup_tab[i].state) != CLEANUP_SET ||
		    strcmp(cleanup_tab[i].path, path))
			continue;
		if (atomic_compare_exchange_strong(&cleanup_tab[i].state, &expect, CLEANUP_BUSY)) {
			cleanup_tab[i].path[0] = '\0';
			atomic_store(&cleanup_tab[i].state, CLEANUP_FREE);
			return;
		}
	}
}

/* The layout getdents64(2) fills in (glibc declares no struct for it). */
struct cleanup_dirent {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Unlink the files directly in dir; async-signal-safe (no opendir()). */
static void cleanup_dir_files(const char *dir)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct cleanup_dirent *e = (struct cleanup_dirent *)(buf + off);

			if (e->reclen == 0)
				break;
			if (strcmp(e->name, ".") && strcmp(e->name, ".."))
				unlinkat(fd, e->name, 0);
			off += e->reclen;
		}
	}
	close(fd);
}

void cleanup_now(void)
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = CLEANUP_MAX - 1; i >= 0; i--) {
			if (atomic_load(&cleanup_tab[i].state) != CLEANUP_SET ||
			    cleanup_tab[i].dir != (pass == 1))
				continue;
			if (cleanup_tab[i].dir) {
				/* A file system may skip entries removed while it is read: again. */
				for (int k = 0; k < 3; k++) {
					cleanup_dir_files(cleanup_tab[i].path);
					if (rmdir(cleanup_tab[i].path) == 0 || errno != ENOTEMPTY)
						break;
				}
			} else {
				unlink(cleanup_tab[i].path);
			}
		}
}

unsigned int cleanup_count(void)
{
	unsigned int n = 0;

	for (int i = 0; i < CLEANUP_MAX; i++)
		n += atomic_load(&cleanup_tab[i].state) == CLEANUP_SET;
	return n;
}

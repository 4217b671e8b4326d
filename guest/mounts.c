// SPDX-License-Identifier: GPL-2.0
/* File systems for the payload (mounts.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/log.h"
#include "guest/mounts.h"
#include "guest/readfile.h"

#define MOUNTS_NOSUID_NODEV (MS_NOSUID | MS_NODEV)
#define MOUNTS_KERNEL_FS    (MS_NOSUID | MS_NODEV | MS_NOEXEC)

struct mounts_spec {
	const char *dir;
	const char *type;
	unsigned long flags;
	const char *data;
	bool optional; /* only if /proc/filesystems lists type; a failure is logged */
};

/* In order: each mount point is inside an earlier mount. */
static const struct mounts_spec mounts_table[] = {
    {"/proc", "proc", MOUNTS_KERNEL_FS, NULL, false},
    {"/sys", "sysfs", MOUNTS_KERNEL_FS, NULL, false},
    {"/dev", "devtmpfs", MS_NOSUID, "mode=0755", false},
    {"/tmp", "tmpfs", MOUNTS_NOSUID_NODEV, "mode=1777", false},
    {"/run", "tmpfs", MOUNTS_NOSUID_NODEV, "mode=0755", false},
    {"/sys/fs/cgroup", "cgroup2", MOUNTS_KERNEL_FS, NULL, false},
    {"/dev/shm", "tmpfs", MOUNTS_NOSUID_NODEV, "mode=1777", true},
    {"/sys/kernel/debug", "debugfs", MOUNTS_KERNEL_FS, NULL, true},
    {"/sys/kernel/tracing", "tracefs", MOUNTS_KERNEL_FS, NULL, true},
    {"/sys/fs/bpf", "bpf", MOUNTS_KERNEL_FS, "mode=0700", true},
};

bool mounts_fs_listed(const char *filesystems, const char *fs)
{
	size_t fslen = strlen(fs);
	const char *p = filesystems;

	/* Lines are "nodev\tNAME" or "\tNAME" (fs/filesystems.c). */
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		const char *tab = memchr(p, '\t', eol ? (size_t)(eol - p) : strlen(p));
		const char *name = tab ? tab + 1 : p;
		size_t len = (eol ? eol : name + strlen(name)) - name;

		if (len == fslen && !memcmp(name, fs, fslen))
			return true;
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

int mounts_dev_links(const char *dir)
{
	static const char *const links[][2] = {
	    {"fd", "/proc/self/fd"},
	    {"stdin", "/proc/self/fd/0"},
	    {"stdout", "/proc/self/fd/1"},
	    {"stderr", "/proc/self/fd/2"},
	};
	char path[256];
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, links[i][0]);
		if (symlink(links[i][1], path) && errno != EEXIST) {
			log_msg("symlink %s -> %s: %s", path, links[i][1], strerror(errno));
			failed++;
		}
	}
	return failed;
}

int mounts_setup(char *err, size_t size)
{
	/* /proc/filesystems is about 400 bytes; anything cut off reads as absent */
	char filesystems[4096];
	int first = 0;

	err[0] = '\0';
	filesystems[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(mounts_table); i++) {
		const struct mounts_spec *m = &mounts_table[i];

		if (m->optional && !mounts_fs_listed(filesystems, m->type)) {
			log_msg("%s: not in /proc/filesystems, not mounted", m->type);
			continue;
		}
		if (mkdir(m->dir, 0755) && errno != EEXIST)
			log_msg("mkdir %s: %s", m->dir, strerror(errno));
		/* EBUSY: already mounted there (devtmpfs with CONFIG_DEVTMPFS_MOUNT) */
		if (mount(m->type, m->dir, m->type, m->flags, m->data) && errno != EBUSY) {
			int e = errno;

			log_msg("mount %s on %s: %s", m->type, m->dir, strerror(e));
			if (!m->optional && !first) {
				first = -e;
				snprintf(err, size, "mount %s on %s: %s", m->type, m->dir,
					 strerror(e));
			}
		}
		if (!strcmp(m->dir, "/proc"))
			readfile("/proc/filesystems", filesystems, sizeof(filesystems));
	}
	mounts_dev_links("/dev");
	return first;
}

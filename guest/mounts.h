/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file systems a payload expects to find: proc, sysfs, devtmpfs, tmpfs
 * on /tmp and /run, cgroup2; and, where the kernel has them, debugfs,
 * tracefs and bpf (scheduler tests read tracing and pin BPF objects), plus
 * tmpfs on /dev/shm for POSIX shared memory.
 */
#ifndef KTVM_GUEST_MOUNTS_H
#define KTVM_GUEST_MOUNTS_H

#include "core/base/types.h"

/*
 * Mount everything, creating mount points. An optional file system that
 * /proc/filesystems does not list, or that fails to mount, is only logged.
 * Returns 0, or the -errno of the first required mount that failed, with
 * err (size bytes) saying which: "mount cgroup2 on /sys/fs/cgroup: ...".
 * Every mount is attempted either way.
 */
int mounts_setup(char *err, size_t size);

/* Whether a /proc/filesystems text ("nodev\tbpf\n\text4\n") lists fs. */
bool mounts_fs_listed(const char *filesystems, const char *fs);

/*
 * The links devtmpfs does not make but programs expect in dir (/dev):
 * fd -> /proc/self/fd, stdin, stdout, stderr -> /proc/self/fd/0, 1, 2.
 * An existing entry is left alone. Returns how many could not be made.
 */
int mounts_dev_links(const char *dir);

#endif

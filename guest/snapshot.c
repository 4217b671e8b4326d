// SPDX-License-Identifier: GPL-2.0
/* Guest-requested snapshots (snapshot.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/snapshot.h"
#include "wire/wire.h"

int snapshot_request(struct chan *ch, u32 id, const char *tag, size_t len, int timeout_ms)
{
	u8 buf[WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX], reply[32];
	u64 deadline = clock_now_ns() + (u64)MAX(timeout_ms, 0) * 1000000ULL;
	ssize_t n;
	int r;

	if (len > WIRE_SNAPSHOT_TAG_MAX)
		len = WIRE_SNAPSHOT_TAG_MAX;
	n = wire_snapshot_request_build(buf, sizeof(buf), id, tag, len);
	if (n < 0)
		return (int)n;
	r = chan_send(ch, WIRE_SNAPSHOT_REQUEST, buf, (size_t)n);
	if (r)
		return r;
	for (;;) {
		struct wire_snapshot_reply rp;
		u64 now = clock_now_ns();

		if (now >= deadline)
			return -ETIMEDOUT;
		n = chan_recv(ch, WIRE_SNAPSHOT_REPLY, reply, sizeof(reply),
			      (int)((deadline - now + 999999) / 1000000));
		if (n == -EMSGSIZE)
			continue; /* not a reply the host would send: skipped */
		if (n < 0)
			return (int)n;
		if (wire_snapshot_reply_parse(&rp, reply, (size_t)n) == 0 && rp.id == id)
			return rp.status;
	}
}

int snapshot_fifo_open(const char *path, int *keep)
{
	char dir[256];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkfifo(path, 0622) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*keep = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (*keep < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

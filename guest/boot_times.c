// SPDX-License-Identifier: GPL-2.0
/* The guest kernel's printk clock for BOOT_TIMES (boot_times.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/boot_times.h"

#define BOOT_TIMES_RUN	"Run "
#define BOOT_TIMES_INIT " as init process"

/* printk clock - CLOCK_MONOTONIC, from the marker; 0 until it is had. */
static s64 boot_times_offset;

bool boot_times_kmsg_record(const char *rec, size_t len, u64 *ns, const char **msg, size_t *msg_len)
{
	const char *semi = memchr(rec, ';', len), *end, *p;
	size_t field = 0;
	u64 us = 0;
	bool digits = false;

	if (!semi)
		return false;
	/* the prefix: the third comma-separated field is the time in µs */
	for (p = rec; p < semi && field <= 2; p++) {
		u64 d;

		if (*p == ',') {
			field++;
			continue;
		}
		if (field != 2)
			continue;
		if (*p < '0' || *p > '9')
			return false;
		d = (u64)(*p - '0');
		if (us > (~0ULL / 1000 - d) / 10)
			return false; /* the time in ns must fit in 64 bits */
		us = us * 10 + d;
		digits = true;
	}
	if (!digits || field < 2)
		return false;
	*msg = semi + 1;
	end = memchr(*msg, '\n', len - (size_t)(*msg - rec));
	*msg_len = end ? (size_t)(end - *msg) : len - (size_t)(*msg - rec);
	*ns = us * 1000;
	return true;
}

static bool boot_times_is(const char *msg, size_t n, const char *head, size_t head_len,
			  const char *tail, size_t tail_len)
{
	return n >= head_len + tail_len && !memcmp(msg, head, head_len) &&
	       !memcmp(msg + n - tail_len, tail, tail_len);
}

void boot_times_kmsg_scan(int fd, struct boot_times_kmsg *k)
{
	static char rec[8192]; /* more than a record can be (printk's PRINTKRB_RECORD_MAX) */
	size_t total = 0;

	for (u32 i = 0; i < BOOT_TIMES_KMSG_RECORDS && total < BOOT_TIMES_KMSG_MAX; i++) {
		ssize_t n = read(fd, rec, sizeof(rec));
		const char *msg;
		size_t len;
		u64 t;

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue; /* EPIPE: the record was overwritten, the next one follows */
		if (n <= 0)
			break; /* EAGAIN: no more records yet; another error: give up */
		total += (size_t)n;
		if (!boot_times_kmsg_record(rec, (size_t)n, &t, &msg, &len))
			continue;
		if (boot_times_is(msg, len, BOOT_TIMES_RUN, sizeof(BOOT_TIMES_RUN) - 1,
				  BOOT_TIMES_INIT, sizeof(BOOT_TIMES_INIT) - 1)) {
			k->have_init = true;
			k->init_ns = t;
		} else if (!k->have_mark && len == sizeof(BOOT_TIMES_MARK) - 1 &&
			   !memcmp(msg, BOOT_TIMES_MARK, len)) {
			k->have_mark = true;
			k->mark_ns = t;
		}
	}
}

int boot_times_kernel(const char *path, struct boot_times_kmsg *k)
{
	static const char mark[] = BOOT_TIMES_MARK_LEVEL BOOT_TIMES_MARK "\n";
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	u64 t0, t1;
	ssize_t n;
	int err = 0;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	boot_times_kmsg_scan(fd, k);
	k->have_mark = false;
	/* the marker is stored before write() returns (devkmsg_write()): it is there to read */
	t0 = clock_now_ns();
	n = write(fd, mark, sizeof(mark) - 1);
	t1 = clock_now_ns();
	if (n != (ssize_t)sizeof(mark) - 1)
		err = n < 0 ? -errno : -EIO;
	else
		boot_times_kmsg_scan(fd, k);
	close(fd);
	if (err)
		return err;
	if (k->have_mark)
		boot_times_offset = (s64)(k->mark_ns - (t0 + (t1 - t0) / 2));
	return k->have_init && k->have_mark ? 0 : -ENOENT;
}

u64 boot_times_clock(u64 monotonic_ns)
{
	return monotonic_ns + (u64)boot_times_offset;
}

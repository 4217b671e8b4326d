// SPDX-License-Identifier: GPL-2.0
/* The kernel's "Run /init" timestamp from /dev/kmsg (boot_times.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "guest/boot_times.h"

#define BOOT_TIMES_RUN	"Run "
#define BOOT_TIMES_INIT " as init process"

bool boot_times_kmsg_record(const char *rec, size_t len, u64 *ns)
{
	const char *semi = memchr(rec, ';', len), *msg, *end, *p;
	size_t n, field = 0;
	u64 us = 0;
	bool digits = false;

	if (!semi)
		return false;
	/* the prefix: the third comma-separated field is the time in µs */
	for (p = rec; p < semi && field <= 2; p++) {
		if (*p == ',') {
			field++;
			continue;
		}
		if (field != 2)
			continue;
		if (*p < '0' || *p > '9')
			return false;
		/* the time in ns must fit in 64 bits */
		if (us > (~0ULL / 1000 - (u64)(*p - '0')) / 10)
			return false;
		us = us * 10 + (u64)(*p - '0');
		digits = true;
	}
	if (!digits || field < 2)
		return false;
	msg = semi + 1;
	end = memchr(msg, '\n', len - (size_t)(msg - rec));
	n = end ? (size_t)(end - msg) : len - (size_t)(msg - rec);
	if (n < sizeof(BOOT_TIMES_RUN) - 1 + sizeof(BOOT_TIMES_INIT) - 1 ||
	    memcmp(msg, BOOT_TIMES_RUN, sizeof(BOOT_TIMES_RUN) - 1) ||
	    memcmp(msg + n - (sizeof(BOOT_TIMES_INIT) - 1), BOOT_TIMES_INIT,
		   sizeof(BOOT_TIMES_INIT) - 1))
		return false;
	*ns = us * 1000;
	return true;
}

int boot_times_kmsg_scan(int fd, u64 *ns)
{
	static char rec[8192]; /* more than a record can be (printk's PRINTKRB_RECORD_MAX) */
	size_t total = 0;
	bool found = false;

	for (u32 i = 0; i < BOOT_TIMES_KMSG_RECORDS && total < BOOT_TIMES_KMSG_MAX; i++) {
		ssize_t n = read(fd, rec, sizeof(rec));
		u64 t;

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue; /* EPIPE: the record was overwritten, the next one follows */
		if (n <= 0)
			break; /* EAGAIN: no more records yet; another error: give up */
		total += (size_t)n;
		if (boot_times_kmsg_record(rec, (size_t)n, &t)) {
			*ns = t;
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}

int boot_times_kernel_init(const char *path, u64 *ns)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = boot_times_kmsg_scan(fd, ns);
	close(fd);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/* The bulk port: finding it and writing frames to it (bulk.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/bulk.h"
#include "guest/readfile.h"

#define BULK_NAME_MAX 256
/* How long to sleep when poll() cannot wait for us (see bulk_wait_writable). */
#define BULK_RETRY_MS 10

static void bulk_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void bulk_appendf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

static void bulk_appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(buf, size);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/*
 * One pass over class_dir: 1 and path set if the named port and its node
 * exist, else 0 with why describing this pass.
 */
static int bulk_scan(const char *class_dir, const char *dev_dir, const char *name, char *path,
		     size_t size, char *why, size_t why_size)
{
	char file[512], got[BULK_NAME_MAX];
	unsigned int ports = 0;
	struct dirent *de;
	DIR *d;

	why[0] = '\0';
	d = opendir(class_dir);
	if (!d) {
		snprintf(why, why_size,
			 "%s: %s (no virtio-serial device, or virtio_console not loaded)",
			 class_dir, strerror(errno));
		return 0;
	}
	bulk_appendf(why, why_size, "no port named \"%s\" in %s (ports:", name, class_dir);
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		ports++;
		snprintf(file, sizeof(file), "%s/%s/name", class_dir, de->d_name);
		n = readfile(file, got, sizeof(got));
		/* the name attribute appears once the host has sent a name */
		if (n <= 0) {
			bulk_appendf(why, why_size, " %s unnamed", de->d_name);
			continue;
		}
		got[strcspn(got, "\n")] = '\0';
		bulk_appendf(why, why_size, " %s=\"%s\"", de->d_name, got);
		if (strcmp(got, name))
			continue;
		snprintf(path, size, "%s/%s", dev_dir, de->d_name);
		closedir(d);
		if (access(path, F_OK) == 0)
			return 1;
		snprintf(why, why_size, "port \"%s\" is %s/%s but %s does not exist", name,
			 class_dir, de->d_name, path);
		return 0;
	}
	closedir(d);
	bulk_appendf(why, why_size, "%s)", ports ? "" : " none");
	return 0;
}

int bulk_find(const char *class_dir, const char *dev_dir, const char *name, int timeout_ms,
	      char *path, size_t size, char *why, size_t why_size)
{
	u64 deadline = clock_now_ns() + (u64)MAX(timeout_ms, 0) * 1000000;

	for (;;) {
		if (bulk_scan(class_dir, dev_dir, name, path, size, why, why_size)) {
			why[0] = '\0';
			return 0;
		}
		if (clock_now_ns() >= deadline)
			return -ETIMEDOUT;
		bulk_sleep_ms(BULK_FIND_STEP_MS);
	}
}

int bulk_open(struct bulk *b, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	bulk_attach(b, fd, BULK_STALL_MS);
	return 0;
}

void bulk_attach(struct bulk *b, int fd, int stall_ms)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	b->fd = fd;
	b->stall_ms = stall_ms;
	b->err = 0;
	b->rx_len = 0;
	b->rx_skipped = 0;
}

void bulk_close(struct bulk *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

/*
 * Wait until fd may take bytes, at most ms. virtio_console's poll reports
 * POLLHUP without POLLOUT while the host has not opened the port, and
 * returns at once: then sleep a little instead of spinning.
 */
static void bulk_wait_writable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int r = poll(&pfd, 1, ms);

	if (r > 0 && !(pfd.revents & POLLOUT))
		bulk_sleep_ms(MIN(ms, BULK_RETRY_MS));
}

int bulk_write_all(struct bulk *b, const struct iovec *iov, int iovcnt)
{
	struct iovec v[4];
	u64 stall_ns = (u64)MAX(b->stall_ms, 0) * 1000000;
	u64 last = clock_now_ns();
	int i = 0;

	if (iovcnt < 0 || iovcnt > (int)ARRAY_SIZE(v))
		return -EINVAL;
	memcpy(v, iov, iovcnt * sizeof(*iov));
	while (i < iovcnt) {
		ssize_t n;
		u64 now;

		if (!v[i].iov_len) {
			i++;
			continue;
		}
		n = writev(b->fd, v + i, iovcnt - i);
		if (n > 0) {
			last = clock_now_ns();
			while (n > 0) {
				size_t k = MIN((size_t)n, v[i].iov_len);

				v[i].iov_base = (u8 *)v[i].iov_base + k;
				v[i].iov_len -= k;
				n -= k;
				if (!v[i].iov_len)
					i++;
			}
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		now = clock_now_ns();
		if (now - last >= stall_ns)
			return -ETIMEDOUT;
		bulk_wait_writable(b->fd, (int)MAX((stall_ns - (now - last)) / 1000000, 1));
	}
	return 0;
}

int bulk_send(struct bulk *b, u32 type, const void *payload, size_t len)
{
	u8 hdr[WIRE_HDR_SIZE];
	struct iovec iov[2] = {
	    {.iov_base = hdr, .iov_len = sizeof(hdr)},
	    {.iov_base = (void *)payload, .iov_len = len},
	};
	int r;

	static u8 whole[BULK_WRITE_ATOMIC];

	if (b->err)
		return b->err;
	r = wire_encode_hdr(hdr, type, payload, len);
	if (r)
		return r;
	if (sizeof(hdr) + len <= sizeof(whole)) {
		/* One write(), one buffer in the port (BULK_WRITE_ATOMIC). */
		memcpy(whole, hdr, sizeof(hdr));
		if (len)
			memcpy(whole + sizeof(hdr), payload, len);
		iov[0] = (struct iovec){.iov_base = whole, .iov_len = sizeof(hdr) + len};
		r = bulk_write_all(b, iov, 1);
	} else {
		r = bulk_write_all(b, iov, 2);
	}
	if (r)
		b->err = r;
	return r;
}

int bulk_phase(struct bulk *b, u32 phase)
{
	u8 buf[WIRE_LIFECYCLE_MIN];
	ssize_t n = wire_lifecycle_build(buf, sizeof(buf), phase, NULL, 0);

	return n < 0 ? (int)n : bulk_send(b, WIRE_LIFECYCLE, buf, n);
}

int bulk_lifecycle(struct bulk *b, u32 phase, const char *fmt, ...)
{
	char reason[WIRE_REASON_MAX + 1];
	u8 buf[WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX];
	va_list ap;
	ssize_t n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	n = wire_lifecycle_build(buf, sizeof(buf), phase, reason,
				 MIN((size_t)len, (size_t)WIRE_REASON_MAX));
	return n < 0 ? (int)n : bulk_send(b, WIRE_LIFECYCLE, buf, n);
}

int bulk_exit(struct bulk *b, s32 status)
{
	u8 buf[WIRE_EXIT_LEN];
	ssize_t n = wire_exit_build(buf, sizeof(buf), status);

	return n < 0 ? (int)n : bulk_send(b, WIRE_EXIT, buf, n);
}

int bulk_kern_addrs(struct bulk *b, const struct wire_kern_addrs *ka)
{
	u8 buf[WIRE_KERN_ADDRS_LEN];
	ssize_t n = wire_kern_addrs_build(buf, sizeof(buf), ka);

	return n < 0 ? (int)n : bulk_send(b, WIRE_KERN_ADDRS, buf, n);
}

/* One whole frame at the front of b->rx: its size, 0 for not yet, or skip bytes. */
static ssize_t bulk_rx_frame(struct bulk *b, struct wire_frame *f)
{
	for (;;) {
		ssize_t n = wire_decode(f, b->rx, b->rx_len, BULK_RX_MAX - WIRE_HDR_SIZE);

		if (n > 0 || n == -EAGAIN)
			return n > 0 ? n : 0;
		/* Not a frame here (garbage, too long, bad CRC): resynchronise a byte on. */
		memmove(b->rx, b->rx + 1, --b->rx_len);
		b->rx_skipped++;
		if (!b->rx_len)
			return 0;
	}
}

ssize_t bulk_recv(struct bulk *b, u32 type, void *buf, size_t size, int timeout_ms)
{
	u64 deadline = clock_now_ns() + (u64)MAX(timeout_ms, 0) * 1000000ULL;

	for (;;) {
		struct wire_frame f;
		ssize_t n = bulk_rx_frame(b, &f);
		struct pollfd pfd = {.fd = b->fd, .events = POLLIN};
		u64 now;

		if (n > 0) {
			ssize_t len = f.len;
			bool want = f.type == type;

			if (want && (size_t)len <= size)
				memcpy(buf, f.payload, (size_t)len);
			memmove(b->rx, b->rx + n, b->rx_len - (size_t)n);
			b->rx_len -= (size_t)n;
			if (!want) {
				b->rx_skipped += (u64)n;
				continue;
			}
			return (size_t)len <= size ? len : -EMSGSIZE;
		}
		now = clock_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000)) < 0 && errno != EINTR)
			return -errno;
		if (pfd.revents & POLLIN) {
			ssize_t r = read(b->fd, b->rx + b->rx_len, sizeof(b->rx) - b->rx_len);

			if (r < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (r > 0)
				b->rx_len += (size_t)r;
		} else if (pfd.revents & (POLLERR | POLLNVAL)) {
			return -EIO;
		} else if (pfd.revents & POLLHUP) {
			/* The host has not opened its end (yet): wait without spinning. */
			usleep(10000);
		}
	}
}

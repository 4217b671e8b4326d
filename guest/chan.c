// SPDX-License-Identifier: GPL-2.0
/* The guest end of the channel: finding its port, writing and reading frames (chan.h). */
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
#include "guest/chan.h"
#include "guest/readfile.h"

#define CHAN_NAME_MAX 256
/* How long to sleep when poll() cannot wait for us (see chan_wait_writable). */
#define CHAN_RETRY_MS 10

static void chan_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void chan_appendf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

static void chan_appendf(char *buf, size_t size, const char *fmt, ...)
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
static int chan_scan(const char *class_dir, const char *dev_dir, const char *name, char *path,
		     size_t size, char *why, size_t why_size)
{
	char file[512], got[CHAN_NAME_MAX];
	unsigned int ports = 0;
	struct dirent *de;
	int found;
	DIR *d;

	why[0] = '\0';
	d = opendir(class_dir);
	if (!d) {
		snprintf(why, why_size,
			 "%s: %s (no virtio-serial device, or virtio_console not loaded)",
			 class_dir, strerror(errno));
		return 0;
	}
	chan_appendf(why, why_size, "no port named \"%s\" in %s (ports:", name, class_dir);
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		ports++;
		snprintf(file, sizeof(file), "%s/%s/name", class_dir, de->d_name);
		n = readfile(file, got, sizeof(got));
		/* the name attribute appears once the host has sent a name */
		if (n <= 0) {
			chan_appendf(why, why_size, " %s unnamed", de->d_name);
			continue;
		}
		got[strcspn(got, "\n")] = '\0';
		chan_appendf(why, why_size, " %s=\"%s\"", de->d_name, got);
		if (strcmp(got, name))
			continue;
		snprintf(path, size, "%s/%s", dev_dir, de->d_name);
		found = access(path, F_OK) == 0;
		/* de points into d's buffer: done with it before closedir() */
		if (!found)
			snprintf(why, why_size, "port \"%s\" is %s/%s but %s does not exist", name,
				 class_dir, de->d_name, path);
		closedir(d);
		return found;
	}
	closedir(d);
	chan_appendf(why, why_size, "%s)", ports ? "" : " none");
	return 0;
}

int chan_find(const char *class_dir, const char *dev_dir, const char *name, int timeout_ms,
	      char *path, size_t size, char *why, size_t why_size)
{
	u64 deadline = clock_now_ns() + (u64)MAX(timeout_ms, 0) * 1000000;

	for (;;) {
		if (chan_scan(class_dir, dev_dir, name, path, size, why, why_size)) {
			why[0] = '\0';
			return 0;
		}
		if (clock_now_ns() >= deadline)
			return -ETIMEDOUT;
		chan_sleep_ms(CHAN_FIND_STEP_MS);
	}
}

int chan_open(struct chan *ch, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	chan_attach(ch, fd, CHAN_STALL_MS);
	return 0;
}

void chan_attach(struct chan *ch, int fd, int stall_ms)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ch->fd = fd;
	ch->stall_ms = stall_ms;
	ch->err = 0;
	ch->rx_len = 0;
	ch->rx_skipped = 0;
}

void chan_close(struct chan *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
}

/*
 * Wait until fd may take bytes, at most ms. virtio_console's poll reports
 * POLLHUP without POLLOUT while the host has not opened the port, and
 * returns at once: then sleep a little instead of spinning.
 */
static void chan_wait_writable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int r = poll(&pfd, 1, ms);

	if (r > 0 && !(pfd.revents & POLLOUT))
		chan_sleep_ms(MIN(ms, CHAN_RETRY_MS));
}

int chan_write_all(struct chan *ch, const struct iovec *iov, int iovcnt)
{
	struct iovec v[4];
	u64 stall_ns = (u64)MAX(ch->stall_ms, 0) * 1000000;
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
		n = writev(ch->fd, v + i, iovcnt - i);
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
		chan_wait_writable(ch->fd, (int)MAX((stall_ns - (now - last)) / 1000000, 1));
	}
	return 0;
}

int chan_send(struct chan *ch, u32 type, const void *payload, size_t len)
{
	u8 hdr[WIRE_HDR_SIZE];
	struct iovec iov[2] = {
	    {.iov_base = hdr, .iov_len = sizeof(hdr)},
	    {.iov_base = (void *)payload, .iov_len = len},
	};
	int r;

	static u8 whole[CHAN_WRITE_ATOMIC];

	if (ch->err)
		return ch->err;
	r = wire_encode_hdr(hdr, type, payload, len);
	if (r)
		return r;
	if (sizeof(hdr) + len <= sizeof(whole)) {
		/* One write(), one buffer in the port (CHAN_WRITE_ATOMIC). */
		memcpy(whole, hdr, sizeof(hdr));
		if (len)
			memcpy(whole + sizeof(hdr), payload, len);
		iov[0] = (struct iovec){.iov_base = whole, .iov_len = sizeof(hdr) + len};
		r = chan_write_all(ch, iov, 1);
	} else {
		r = chan_write_all(ch, iov, 2);
	}
	if (r)
		ch->err = r;
	return r;
}

int chan_phase(struct chan *ch, u32 phase)
{
	u8 buf[WIRE_LIFECYCLE_MIN];
	ssize_t n = wire_lifecycle_build(buf, sizeof(buf), phase, NULL, 0);

	return n < 0 ? (int)n : chan_send(ch, WIRE_LIFECYCLE, buf, n);
}

int chan_lifecycle(struct chan *ch, u32 phase, const char *fmt, ...)
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
	return n < 0 ? (int)n : chan_send(ch, WIRE_LIFECYCLE, buf, n);
}

int chan_exit(struct chan *ch, s32 status)
{
	u8 buf[WIRE_EXIT_LEN];
	ssize_t n = wire_exit_build(buf, sizeof(buf), status);

	return n < 0 ? (int)n : chan_send(ch, WIRE_EXIT, buf, n);
}

int chan_kern_addrs(struct chan *ch, const struct wire_kern_addrs *ka)
{
	u8 buf[WIRE_KERN_ADDRS_LEN];
	ssize_t n = wire_kern_addrs_build(buf, sizeof(buf), ka);

	return n < 0 ? (int)n : chan_send(ch, WIRE_KERN_ADDRS, buf, n);
}

int chan_boot_times(struct chan *ch, const struct wire_boot_time *t, u32 n)
{
	u8 buf[WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN];
	ssize_t len = wire_boot_times_build(buf, sizeof(buf), t, n);

	return len < 0 ? (int)len : chan_send(ch, WIRE_BOOT_TIMES, buf, (size_t)len);
}

/* One whole frame at the front of ch->rx: its size, 0 for not yet, or skip bytes. */
static ssize_t chan_rx_frame(struct chan *ch, struct wire_frame *f)
{
	for (;;) {
		ssize_t n = wire_decode(f, ch->rx, ch->rx_len, CHAN_RX_MAX - WIRE_HDR_SIZE);

		if (n > 0 || n == -EAGAIN)
			return n > 0 ? n : 0;
		/* Not a frame here (garbage, too long, bad CRC): resynchronise a byte on. */
		memmove(ch->rx, ch->rx + 1, --ch->rx_len);
		ch->rx_skipped++;
		if (!ch->rx_len)
			return 0;
	}
}

ssize_t chan_recv(struct chan *ch, u32 type, void *buf, size_t size, int timeout_ms)
{
	u64 deadline = clock_now_ns() + (u64)MAX(timeout_ms, 0) * 1000000ULL;

	for (;;) {
		struct wire_frame f;
		ssize_t n = chan_rx_frame(ch, &f);
		struct pollfd pfd = {.fd = ch->fd, .events = POLLIN};
		u64 now;

		if (n > 0) {
			ssize_t len = f.len;
			bool want = f.type == type;

			if (want && (size_t)len <= size)
				memcpy(buf, f.payload, (size_t)len);
			memmove(ch->rx, ch->rx + n, ch->rx_len - (size_t)n);
			ch->rx_len -= (size_t)n;
			if (!want) {
				ch->rx_skipped += (u64)n;
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
			ssize_t r = read(ch->fd, ch->rx + ch->rx_len, sizeof(ch->rx) - ch->rx_len);

			if (r < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (r > 0)
				ch->rx_len += (size_t)r;
		} else if (pfd.revents & (POLLERR | POLLNVAL)) {
			return -EIO;
		} else if (pfd.revents & POLLHUP) {
			/* The host has not opened its end (yet): wait without spinning. */
			usleep(10000);
		}
	}
}

// SPDX-License-Identifier: GPL-2.0
/* init's log device (log.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/log.h"

#define LOG_LINE_MAX	512
#define LOG_BACKLOG_MAX 4096

static const char log_kmsg[] = "/dev/kmsg";
static int log_dev = -1;
static bool log_opened, log_on_kmsg;
static char log_backlog[LOG_BACKLOG_MAX];
static size_t log_backlog_len;

static int log_open_kmsg(void)
{
	log_on_kmsg = true;
	return open(log_kmsg, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

/* One line, in one write() if it can: /dev/kmsg makes each write a record. */
static void log_write(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(log_dev, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * A serial node whose UART is absent opens fine and then
		 * fails every write with EIO: fall back to the kernel log.
		 * EAGAIN (a full tty) drops the rest of the line instead.
		 */
		if (n < 0 && errno != EAGAIN && !log_on_kmsg) {
			close(log_dev);
			log_dev = log_open_kmsg();
			if (log_dev < 0)
				return;
			continue;
		}
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

const char *log_open(const char *dev)
{
	int fd = -1;

	log_on_kmsg = false;
	if (dev && dev[0])
		fd = open(dev, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fd = log_open_kmsg();
	log_set_fd(fd);
	if (log_dev < 0)
		return NULL;
	return log_on_kmsg ? log_kmsg : dev;
}

void log_set_fd(int fd)
{
	const char *p = log_backlog, *end = log_backlog + log_backlog_len;

	if (log_dev >= 0 && log_dev != fd)
		close(log_dev);
	log_dev = fd;
	log_opened = true;
	while (log_dev >= 0 && p < end) {
		const char *eol = memchr(p, '\n', end - p);
		size_t len = eol ? (size_t)(eol + 1 - p) : (size_t)(end - p);

		log_write(p, len);
		p += len;
	}
	log_backlog_len = 0;
}

int log_fd(void)
{
	return log_dev;
}

void log_msg(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	size_t len = sizeof(LOG_PREFIX) - 1;
	va_list ap;
	int n;

	memcpy(line, LOG_PREFIX, len);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += MIN((size_t)n, sizeof(line) - len - 2);
	line[len++] = '\n';

	if (!log_opened) {
		if (len <= sizeof(log_backlog) - log_backlog_len) {
			memcpy(log_backlog + log_backlog_len, line, len);
			log_backlog_len += len;
		}
		return;
	}
	if (log_dev >= 0)
		log_write(line, len);
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/vm/conlog.h"
#include "core/base/error.h"

int conlog_init(struct conlog *c, size_t cap, int stream_fd, u64 t_origin_ns)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap;
	c->buf = malloc(cap + 1);
	if (!c->buf)
		return error_host(-ENOMEM, "console: cannot allocate %zu bytes", cap);
	c->buf[0] = '\0';
	c->stream_fd = stream_fd;
	c->t_origin_ns = t_origin_ns;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void conlog_destroy(struct conlog *c)
{
	if (!c->buf)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->buf);
	c->buf = NULL;
}

/*
 * Milestones the kernel prints itself: init/main.c "Run %s as init process"
 * and kernel/panic.c "Kernel panic - not syncing: ...".
 */
static void console_scan_line(struct conlog *c)
{
	c->line[c->line_len] = '\0';
	if (!c->init_ns && strstr(c->line, " as init process"))
		c->init_ns = clock_now_ns() - c->t_origin_ns;
	if (!atomic_load(&c->panic_seen) && strstr(c->line, "Kernel panic - not syncing")) {
		memcpy(c->panic_line, c->line, c->line_len + 1);
		atomic_store(&c->panic_seen, true);
	}
	c->line_len = 0;
}

void conlog_write(struct conlog *c, const u8 *data, size_t n)
{
	size_t i, keep;

	pthread_mutex_lock(&c->lock);
	keep = MIN(n, c->cap - c->len);
	memcpy(c->buf + c->len, data, keep);
	c->len += keep;
	c->buf[c->len] = '\0';
	c->dropped += n - keep;
	for (i = 0; i < n; i++) {
		char ch = (char)data[i];

		if (ch == '\n') {
			console_scan_line(c);
		} else if (ch != '\r') {
			/* An over-long line is scanned in pieces; bounded either way. */
			if (c->line_len == CONLOG_LINE_MAX - 1)
				console_scan_line(c);
			c->line[c->line_len++] = ch;
		}
	}
	if (c->stream_fd >= 0) {
		size_t off = 0;

		if (memchr(data, 0x1b, n))
			atomic_store(&c->escapes, true);
		while (off < n) {
			ssize_t w = write(c->stream_fd, data + off, n - off);

			if (w <= 0) {
				/* A kick interrupts a blocked write; retry unless the run is ending. */
				if (w < 0 && errno == EINTR && !atomic_load(&c->stop_stream))
					continue;
				c->stream_fd = -1; /* reader gone: stop copying, keep capturing */
				break;
			}
			off += (size_t)w;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

char *conlog_text(struct conlog *c, size_t *len)
{
	char *t;

	pthread_mutex_lock(&c->lock);
	t = malloc(c->len + 1);
	if (t) {
		memcpy(t, c->buf, c->len + 1);
		if (len)
			*len = c->len;
	}
	pthread_mutex_unlock(&c->lock);
	return t;
}

void conlog_sink(void *ctx, const u8 *data, size_t n)
{
	conlog_write(ctx, data, n);
}

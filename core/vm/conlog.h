/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console sink: collects what the guest prints on its console device.
 *
 * Keeps up to a cap of text (the rest is counted, not stored), optionally
 * copies it live to a file descriptor, and scans complete lines for the
 * kernel's own milestones ("Run /init as init process", "Kernel panic") so
 * the run result can say when userspace started and whether the guest
 * crashed. Everything written here is guest-controlled: bounded by the cap.
 */
#ifndef KTVM_CORE_CONSOLE_H
#define KTVM_CORE_CONSOLE_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/types.h"

#define CONSOLE_DEFAULT_CAP (8 * MiB)
#define CONSOLE_LINE_MAX    512

struct console {
	pthread_mutex_t lock;
	char *buf;
	size_t len, cap;
	u64 dropped;   /* bytes past the cap */
	int stream_fd; /* -1: no live copy */
	char line[CONSOLE_LINE_MAX];
	size_t line_len;
	u64 t_origin_ns;	 /* time base for the milestones below */
	u64 init_ns;		 /* when "as init process" appeared, 0 if never */
	atomic_bool panic_seen;	 /* "Kernel panic - not syncing" appeared; read without the lock */
	atomic_bool stop_stream; /* set when the run ends: a blocked live copy gives up */
	char panic_line[CONSOLE_LINE_MAX];
};

int console_init(struct console *c, size_t cap, int stream_fd, u64 t_origin_ns);
void console_destroy(struct console *c);
void console_write(struct console *c, const u8 *data, size_t n);
/* Copy of the captured text, NUL-terminated; caller frees. */
char *console_text(struct console *c, size_t *len);

#endif

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
#ifndef KTVM_CORE_VM_CONLOG_H
#define KTVM_CORE_VM_CONLOG_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/types.h"

#define CONLOG_DEFAULT_CAP (8 * MiB)
#define CONLOG_LINE_MAX	   512

struct conlog {
	pthread_mutex_t lock;
	char *buf;
	size_t len, cap;
	u64 dropped;   /* bytes past the cap */
	int stream_fd; /* -1: no live copy */
	char line[CONLOG_LINE_MAX];
	size_t line_len;
	u64 t_origin_ns;	 /* time base for the milestones below */
	u64 init_ns;		 /* when "as init process" appeared, 0 if never */
	atomic_bool panic_seen;	 /* "Kernel panic - not syncing" appeared; read without the lock */
	atomic_bool stop_stream; /* set when the run ends: a blocked live copy gives up */
	atomic_bool escapes;	 /* the live copy passed on an ESC: a terminal may need a reset */
	char panic_line[CONLOG_LINE_MAX];
};

int conlog_init(struct conlog *c, size_t cap, int stream_fd, u64 t_origin_ns);
void conlog_destroy(struct conlog *c);
void conlog_write(struct conlog *c, const u8 *data, size_t n);
/* conlog_write() for a byte sink that takes a void * (devices/serial.h): ctx is the conlog. */
void conlog_sink(void *ctx, const u8 *data, size_t n);
/* Copy of the captured text, NUL-terminated; caller frees. */
char *conlog_text(struct conlog *c, size_t *len);

#endif

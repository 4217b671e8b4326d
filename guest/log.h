/* SPDX-License-Identifier: GPL-2.0 */
/*
 * init's own messages, one line each, prefixed "ktvm-init: ". They go to the
 * log device named by ktvm.log= (kcmdline.h), which exists before the channel
 * port does and still works when the port is the thing that failed. Lines
 * logged before log_open() (the mounts that make /dev appear) are kept in a
 * small backlog and written when the device opens.
 *
 * Logging never blocks and never fails the caller: a serial port that
 * nobody drains would otherwise stall PID 1 in write().
 */
#ifndef KTVM_GUEST_LOG_H
#define KTVM_GUEST_LOG_H

#include "core/base/types.h"

#define LOG_PREFIX "ktvm-init: "

/*
 * Open dev (O_NOCTTY | O_NONBLOCK); if that fails, /dev/kmsg; if that
 * fails too, messages are dropped. A device that later fails a write (a
 * ttyS node without its UART: EIO) is replaced by /dev/kmsg the same way.
 * Flushes the backlog. Returns the path in use, or NULL.
 */
const char *log_open(const char *dev);
__printf(1, 2) void log_msg(const char *fmt, ...);
/* The log's fd, or -1; for tests and for closing before exec. */
int log_fd(void);
/* Send lines to fd instead (tests); -1 drops them. Flushes the backlog. */
void log_set_fd(int fd);

#endif

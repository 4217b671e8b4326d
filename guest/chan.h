/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest end of the channel: the virtio-serial port (virtio 1.2 5.3,
 * multiport) that carries init's wire frames (wire/wire.h) to the host,
 * whose end is core/run/channel.c. The host names the port
 * (VIRTIO_CONSOLE_PORT_NAME, CHAN_PORT_NAME unless ktvm.port= says
 * otherwise); Linux's virtio_console shows the name in
 * /sys/class/virtio-ports/vportNpM/name and devtmpfs makes /dev/vportNpM.
 *
 * chan_, not channel_: the unit tests link libguest.a with libktvm.a, and
 * struct channel, CHANNEL_* and channel_* there are the host end's.
 *
 * The port is written non-blocking with a stall bound. A blocking write()
 * waits for as long as the host has not opened its end
 * (VIRTIO_CONSOLE_PORT_OPEN) or leaves the queue full, and PID 1 stuck
 * there could never report why. Linux caps each write at 32 KiB
 * (port_fops_write), so every frame is written in a loop.
 */
#ifndef KTVM_GUEST_CHAN_H
#define KTVM_GUEST_CHAN_H

#include <sys/types.h>
#include <sys/uio.h>

#include "core/base/types.h"
#include "wire/wire.h"

/*
 * The port's name, part of the protocol: the host's CONSOLE_ATTACH_PORT_NAME
 * (devices/virtio/console_attach.h) is the same string.
 */
#define CHAN_PORT_NAME "ktvm-bulk"

#define CHAN_CLASS_DIR	     "/sys/class/virtio-ports"
#define CHAN_DEV_DIR	     "/dev"
#define CHAN_FIND_TIMEOUT_MS 10000
#define CHAN_FIND_STEP_MS    20
/* No byte taken for this long: the host is gone or not reading. */
#define CHAN_STALL_MS 30000

#define CHAN_RX_MAX 512 /* host -> guest frames are small replies */
/*
 * Linux's virtio_console turns one write() of up to 32 KiB into one buffer
 * (port_fops_write); the port has no write_iter, so writev() is split into
 * one write per segment. A frame up to this size is sent with one write()
 * and so never interleaves with another writer's (the payload's, fd 3).
 */
#define CHAN_WRITE_ATOMIC (32 * 1024)

struct chan {
	int fd;
	int stall_ms;
	int err;	    /* first failed write; the stream is out of step after it */
	u8 rx[CHAN_RX_MAX]; /* host bytes read but not yet a whole frame */
	size_t rx_len;
	u64 rx_skipped; /* bytes of garbage or of frames nobody waited for */
};

/*
 * Wait up to timeout_ms for a port called name under class_dir whose node
 * dev_dir/<port> exists; its path goes to path. Returns 0 or -ETIMEDOUT,
 * with why (why_size bytes) saying what was missing: no port class, which
 * ports had which names, or the device node.
 */
int chan_find(const char *class_dir, const char *dev_dir, const char *name, int timeout_ms,
	      char *path, size_t size, char *why, size_t why_size);

/* Open the port (O_RDWR | O_CLOEXEC | O_NONBLOCK). 0 or -errno. */
int chan_open(struct chan *ch, const char *path);
/* Use an fd that is already open; it is made non-blocking. */
void chan_attach(struct chan *ch, int fd, int stall_ms);
void chan_close(struct chan *ch);

/* Write all of iov. 0, -ETIMEDOUT (stalled stall_ms) or -errno. */
int chan_write_all(struct chan *ch, const struct iovec *iov, int iovcnt);
/* One frame; after a failure every later call returns the same error. */
int chan_send(struct chan *ch, u32 type, const void *payload, size_t len);
/* LIFECYCLE without a reason. */
int chan_phase(struct chan *ch, u32 phase);
/* LIFECYCLE with a printf reason, cut at WIRE_REASON_MAX bytes. */
__printf(3, 4) int chan_lifecycle(struct chan *ch, u32 phase, const char *fmt, ...);
int chan_exit(struct chan *ch, s32 status);
/*
 * Wait up to timeout_ms for a host frame of type type, skipping others and
 * bytes that are no frame. Its payload (at most size bytes) goes to buf.
 * Returns the payload length, -ETIMEDOUT, -EMSGSIZE (longer than size) or
 * -errno (the port failed).
 */
ssize_t chan_recv(struct chan *ch, u32 type, void *buf, size_t size, int timeout_ms);
int chan_kern_addrs(struct chan *ch, const struct wire_kern_addrs *ka);
/* BOOT_TIMES with t[0..n); -EINVAL for what wire_boot_times_build() refuses. */
int chan_boot_times(struct chan *ch, const struct wire_boot_time *t, u32 n);

#endif

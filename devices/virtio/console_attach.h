/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm's virtio console as an entry of the VM's device list
 * (core/vm/device.h): port 0 is hvc0, captured with the kernel console
 * (the VM's conlog); port 1, CONSOLE_ATTACH_PORT_NAME, is the guest channel
 * carrying wire frames (wire/wire.h): its bytes go to rx, on the I/O
 * thread, in order, and console_attach_send() queues bytes for the guest.
 */
#ifndef KTVM_DEVICES_VIRTIO_CONSOLE_ATTACH_H
#define KTVM_DEVICES_VIRTIO_CONSOLE_ATTACH_H

#include <stddef.h>

#include "core/base/types.h"
#include "core/vm/device.h"
#include "devices/virtio/attach.h"

/* The guest channel's port name, as the guest sees it in /sys/class/virtio-ports/ * /name. */
#define CONSOLE_ATTACH_PORT_NAME "ktvm-bulk"

struct virtio_console;

struct console_attach {
	void (*rx)(void *ctx, const u8 *data, size_t len); /* the channel's bytes */
	void *rx_ctx;
	struct virtio_attach va;
	struct virtio_console *con; /* from attach to detach */
};

/* Make dev the console c (rx and rx_ctx set by the caller). */
void console_attach_device(struct console_attach *c, struct vm_device *dev);
/*
 * Queue bytes for the guest on the channel port, from any thread but the
 * I/O thread's rx. 0, -EAGAIN (no room now), -ENODEV (not attached).
 */
int console_attach_send(struct console_attach *c, const void *data, size_t len);

#endif

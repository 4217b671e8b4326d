// SPDX-License-Identifier: GPL-2.0
/* ktvm's virtio console in the VM's device list (console_attach.h). */
#include <errno.h>

#include "core/vm/vm.h"
#include "devices/virtio/console.h"
#include "devices/virtio/console_attach.h"

static int console_attach_plan(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;

	return virtio_attach_plan(&c->va, vm, "virtio-console");
}

static void console_attach_rx(void *ctx, u32 port, const u8 *data, size_t len)
{
	struct console_attach *c = ctx;

	if (port == 0)
		conlog_write(&c->va.vm->console, data, len);
	else if (port == 1 && c->rx)
		c->rx(c->rx_ctx, data, len);
}

static void console_attach_detach(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;

	virtio_attach_unwire(&c->va);
	virtio_console_destroy(c->con);
	c->con = NULL;
}

static int console_attach_attach(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;
	struct virtio_console_config cfg = {
	    .nr_ports = 2,
	    .names = {NULL, CONSOLE_ATTACH_PORT_NAME},
	    .rx = console_attach_rx,
	    .rx_ctx = c,
	};
	int ret;

	ret =
	    virtio_console_create(&c->con, &cfg, c->va.base, &c->va.mem, virtio_attach_irq, &c->va);
	if (ret < 0)
		return ret;
	ret = virtio_attach_wire(&c->va, virtio_console_transport(c->con));
	if (ret < 0)
		console_attach_detach(vm, dev);
	return ret;
}

static void console_attach_drain(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;

	virtio_console_drain(c->con);
}

static void console_attach_pause(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;

	virtio_console_pause(c->con);
}

static void console_attach_resume(struct vm *vm, struct vm_device *dev)
{
	struct console_attach *c = dev->ctx;

	virtio_console_resume(c->con);
}

static const struct vm_device_ops console_attach_ops = {
    .name = "virtio-console",
    .plan = console_attach_plan,
    .attach = console_attach_attach,
    .drain = console_attach_drain,
    .detach = console_attach_detach,
    .pause = console_attach_pause,
    .resume = console_attach_resume,
};

void console_attach_device(struct console_attach *c, struct vm_device *dev)
{
	dev->ops = &console_attach_ops;
	dev->ctx = c;
}

int console_attach_send(struct console_attach *c, const void *data, size_t len)
{
	if (!c->con)
		return -ENODEV;
	return virtio_console_send(c->con, 1, data, len);
}

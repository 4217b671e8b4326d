// SPDX-License-Identifier: GPL-2.0
/* A virtio network device in the VM's device list (net_attach.h). */
#include <string.h>

#include "core/base/error.h"
#include "core/vm/vm.h"
#include "devices/virtio/net_attach.h"

static int net_attach_plan(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;

	return virtio_attach_plan(&a->va, vm, a->name);
}

static void net_attach_detach(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;

	virtio_attach_unwire(&a->va);
	if (a->net)
		virtio_net_stats(a->net, &a->last);
	virtio_net_destroy(a->net);
	a->net = NULL;
}

static void net_attach_tap_readable(void *ctx, int fd)
{
	struct net_attach *a = ctx;
	int ret = virtio_net_tap_readable(a->net);

	/* Gone for good (its interface deleted): reported readable forever, so not watched. */
	if (ret < 0) {
		ioloop_mute(&a->va.vm->io, fd);
		error_warn("%s: the TAP failed (%s): no more frames from the host", a->name,
			   strerror(-ret));
	}
}

static int net_attach_attach(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;
	int ret;

	ret =
	    virtio_net_create(&a->net, &a->cfg, a->va.base, &a->va.mem, virtio_attach_irq, &a->va);
	if (ret < 0)
		return ret;
	ret = virtio_attach_wire(&a->va, virtio_net_transport(a->net));
	if (ret >= 0 && a->cfg.mode == VIRTIO_NET_TAP)
		ret = ioloop_add(&vm->io, a->cfg.tap_fd, net_attach_tap_readable, a);
	if (ret < 0)
		net_attach_detach(vm, dev);
	return ret;
}

static void net_attach_drain(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;

	virtio_net_drain(a->net);
	virtio_net_stats(a->net, &a->last);
}

static void net_attach_pause(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;

	virtio_net_pause(a->net);
}

static void net_attach_resume(struct vm *vm, struct vm_device *dev)
{
	struct net_attach *a = dev->ctx;

	virtio_net_resume(a->net);
}

static const struct vm_device_ops net_attach_ops = {
    .name = "virtio-net",
    .plan = net_attach_plan,
    .attach = net_attach_attach,
    .drain = net_attach_drain,
    .pause = net_attach_pause,
    .resume = net_attach_resume,
    .detach = net_attach_detach,
};

void net_attach_device(struct net_attach *a, struct vm_device *dev)
{
	dev->ops = &net_attach_ops;
	dev->ctx = a;
}

void net_attach_stats(struct net_attach *a, struct virtio_net_stats *out)
{
	if (a->net)
		virtio_net_stats(a->net, out);
	else
		*out = a->last;
}

// SPDX-License-Identifier: GPL-2.0
/* A virtio block device in the VM's device list (blk_attach.h). */
#include "core/vm/vm.h"
#include "devices/virtio/blk_attach.h"

static int blk_attach_plan(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;

	return virtio_attach_plan(&a->va, vm, a->name);
}

static void blk_attach_detach(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;

	virtio_attach_unwire(&a->va);
	if (a->blk)
		virtio_blk_stats(a->blk, &a->last);
	virtio_blk_destroy(a->blk);
	a->blk = NULL;
}

static int blk_attach_attach(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;
	int ret;

	ret =
	    virtio_blk_create(&a->blk, &a->cfg, a->va.base, &a->va.mem, virtio_attach_irq, &a->va);
	if (ret < 0)
		return ret;
	ret = virtio_attach_wire(&a->va, virtio_blk_transport(a->blk));
	if (ret < 0)
		blk_attach_detach(vm, dev);
	return ret;
}

static void blk_attach_drain(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;

	virtio_blk_drain(a->blk);
	virtio_blk_stats(a->blk, &a->last);
}

static void blk_attach_pause(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;

	virtio_blk_pause(a->blk);
}

static void blk_attach_resume(struct vm *vm, struct vm_device *dev)
{
	struct blk_attach *a = dev->ctx;

	virtio_blk_resume(a->blk);
}

static const struct vm_device_ops blk_attach_ops = {
    .name = "virtio-blk",
    .plan = blk_attach_plan,
    .attach = blk_attach_attach,
    .drain = blk_attach_drain,
    .pause = blk_attach_pause,
    .resume = blk_attach_resume,
    .detach = blk_attach_detach,
};

void blk_attach_device(struct blk_attach *a, struct vm_device *dev)
{
	dev->ops = &blk_attach_ops;
	dev->ctx = a;
}

void blk_attach_stats(struct blk_attach *a, struct virtio_blk_stats *out)
{
	if (a->blk)
		virtio_blk_stats(a->blk, out);
	else
		*out = a->last;
}

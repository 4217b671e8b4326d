// SPDX-License-Identifier: GPL-2.0
/* A virtio-mmio device wired to KVM (attach.h). */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/vm/notify.h"
#include "core/vm/vm.h"
#include "devices/virtio/attach.h"

#define VIRTIO_ATTACH_WINDOW_ALIGN 0x1000 /* a page each, so the guest can map them apart */

static void *virtio_attach_gpa(void *ctx, u64 gpa, u64 len)
{
	return vm_gpa(ctx, gpa, len);
}

int virtio_attach_plan(struct virtio_attach *a, struct vm *vm, const char *name)
{
	struct resource_device d = {.name = name, .kind = RESOURCE_VIRTIO_MMIO};
	int ret;

	memset(a, 0, sizeof(*a));
	a->vm = vm;
	a->name = name;
	a->irqfd = -1;
	a->mem = (struct virtq_mem){.gpa = virtio_attach_gpa, .ctx = vm};
	ret = resources_alloc_mmio(&vm->res, name, VIRTIO_MMIO_REGION_SIZE,
				   VIRTIO_ATTACH_WINDOW_ALIGN, &a->base);
	if (ret >= 0)
		ret = resources_alloc_irq(&vm->res, name, &a->irq);
	if (ret < 0)
		return ret;
	d.base = a->base;
	d.size = VIRTIO_MMIO_REGION_SIZE;
	d.irq = a->irq;
	return resources_add_device(&vm->res, &d);
}

void virtio_attach_irq(struct virtio_mmio *t, bool level)
{
	struct virtio_attach *a = t->irq_ctx;
	u64 one = 1;

	/*
	 * A rising edge on an edge-triggered line: one irqfd write (KVM pulses
	 * the line). Falling edges need nothing. A full counter (EAGAIN) means
	 * an edge is already pending, which is as good.
	 */
	if (level && write(a->irqfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vm_stop(a->vm, VM_END_ERROR, "%s irqfd: %s", a->name, strerror(errno));
}

static void virtio_attach_notified(void *ctx, int fd)
{
	struct virtio_attach_notify *n = ctx;
	u64 count;

	/* The counter only says "at least once"; the queue holds the work. */
	if (read(fd, &count, sizeof(count)) == sizeof(count))
		virtio_mmio_queue_notify(n->t, n->q);
}

/* virtio_mmio_renotify(): the queue's ioeventfd, written by us instead of KVM. */
static void virtio_attach_renotify(void *ctx, u32 q)
{
	struct virtio_attach *a = ctx;
	u64 one = 1;

	/* A full counter (EAGAIN) is a notification already pending. */
	if (q < a->nr_notify && write(a->notify[q].fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vm_stop(a->vm, VM_END_ERROR, "%s renotify: %s", a->name, strerror(errno));
}

int virtio_attach_wire(struct virtio_attach *a, struct virtio_mmio *t)
{
	struct vm *vm = a->vm;
	int ret;

	a->t = t;
	a->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->irqfd < 0)
		return error_host(-errno, "%s: eventfd: %s", a->name, strerror(errno));
	ret = bus_register(&vm->mmio, &t->region);
	if (ret < 0)
		return ret;
	a->on_bus = true;
	ret = notify_irqfd(vm, a->irq, a->irqfd, true);
	if (ret < 0)
		return error_host(ret, "%s: KVM_IRQFD (line %u): %s", a->name, a->irq,
				  strerror(-ret));
	a->irqfd_assigned = true;
	for (u32 q = 0; q < t->ops->num_queues; q++) {
		struct virtio_attach_notify *n = &a->notify[a->nr_notify];

		n->t = t;
		n->q = q;
		n->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->fd < 0)
			return error_host(-errno, "%s: eventfd: %s", a->name, strerror(errno));
		a->nr_notify++;
		ret = notify_ioeventfd(vm, t->region.base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q, n->fd,
				       true);
		if (ret < 0)
			return error_host(ret, "%s: KVM_IOEVENTFD (queue %u): %s", a->name, q,
					  strerror(-ret));
		n->assigned = true;
		ret = ioloop_add(&vm->io, n->fd, virtio_attach_notified, n);
		if (ret < 0)
			return ret;
	}
	t->renotify_ctx = a;
	t->renotify = virtio_attach_renotify;
	return 0;
}

void virtio_attach_unwire(struct virtio_attach *a)
{
	struct vm *vm = a->vm;

	if (a->t)
		a->t->renotify = NULL;

	while (a->nr_notify > 0) {
		struct virtio_attach_notify *n = &a->notify[--a->nr_notify];

		if (n->assigned)
			notify_ioeventfd(vm, n->t->region.base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, n->q,
					 n->fd, false);
		close(n->fd);
	}
	if (a->irqfd_assigned)
		notify_irqfd(vm, a->irq, a->irqfd, false);
	a->irqfd_assigned = false;
	if (a->on_bus)
		bus_unregister(&vm->mmio, &a->t->region);
	a->on_bus = false;
	if (a->irqfd >= 0)
		close(a->irqfd);
	a->irqfd = -1;
}

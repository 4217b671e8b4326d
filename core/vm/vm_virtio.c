// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/ioloop.h"
#include "core/vm/vm.h"
#include "core/vm/vm_virtio.h"
#include "devices/virtio/console.h"

#define VM_VIRTIO_WINDOW_ALIGN 0x1000 /* a page each, so the guest can map them apart */
#define VM_VIRTIO_STOP_MS      5000

struct vm_virtio_notify {
	struct virtio_mmio *t;
	u32 q;
	int fd;	       /* eventfd bound to QueueNotify == q */
	bool assigned; /* KVM_IOEVENTFD done */
};

struct vm_virtio {
	struct vm *vm;
	struct virtq_mem mem;
	struct ioloop io;
	bool io_ready;
	/* The console: port 0 hvc0, port 1 the guest channel. */
	u64 con_base;
	u32 con_irq;
	struct virtio_console *con;
	bool con_on_bus;
	int con_irqfd;
	bool con_irqfd_assigned;
	struct vm_virtio_notify notify[VIRTIO_MMIO_MAX_QUEUES];
	u32 nr_notify;
};

static void *vm_virtio_gpa(void *ctx, u64 gpa, u64 len)
{
	return vm_gpa(ctx, gpa, len);
}

int vm_virtio_plan(struct vm *vm)
{
	struct vm_virtio *v;
	struct resource_device d = {.name = "virtio-console", .kind = RESOURCE_VIRTIO_MMIO};
	int ret;

	arch_resources_init(&vm->res);
	if (!vm->cfg.channel)
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return error_host(-ENOMEM, "cannot allocate the virtio devices");
	v->vm = vm;
	v->con_irqfd = -1;
	ret = resources_alloc_mmio(&vm->res, d.name, VIRTIO_MMIO_REGION_SIZE,
				   VM_VIRTIO_WINDOW_ALIGN, &v->con_base);
	if (ret >= 0)
		ret = resources_alloc_irq(&vm->res, d.name, &v->con_irq);
	if (ret >= 0) {
		d.base = v->con_base;
		d.size = VIRTIO_MMIO_REGION_SIZE;
		d.irq = v->con_irq;
		ret = resources_add_device(&vm->res, &d);
	}
	if (ret < 0) {
		free(v);
		return ret;
	}
	vm->virtio = v;
	return 0;
}

static void vm_virtio_irq(struct virtio_mmio *t, bool level)
{
	struct vm_virtio *v = t->irq_ctx;
	u64 one = 1;

	/*
	 * A rising edge on an edge-triggered line: one irqfd write (KVM pulses
	 * the GSI). Falling edges need nothing. A full counter (EAGAIN) means
	 * an edge is already pending, which is as good.
	 */
	if (level && write(v->con_irqfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vm_stop(v->vm, VM_END_ERROR, "virtio-console irqfd: %s", strerror(errno));
}

static void vm_virtio_console_rx(void *ctx, u32 port, const u8 *data, size_t len)
{
	struct vm *vm = ctx;

	if (port == 0)
		console_write(&vm->console, data, len);
	else if (port == 1 && vm->cfg.channel_rx)
		vm->cfg.channel_rx(vm->cfg.channel_ctx, data, len);
}

static void vm_virtio_notified(void *ctx, int fd)
{
	struct vm_virtio_notify *n = ctx;
	u64 count;

	/* The counter only says "at least once"; the queue holds the work. */
	if (read(fd, &count, sizeof(count)) == sizeof(count))
		virtio_mmio_queue_notify(n->t, n->q);
}

static int vm_virtio_ioeventfd(struct vm *vm, struct vm_virtio_notify *n, bool assign)
{
	struct kvm_ioeventfd ev;

	memset(&ev, 0, sizeof(ev));
	ev.addr = n->t->region.base + VIRTIO_MMIO_QUEUE_NOTIFY;
	ev.len = 4;
	ev.datamatch = n->q;
	ev.fd = n->fd;
	ev.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN);
	return ioctl(vm->fd, KVM_IOEVENTFD, &ev) < 0 ? -errno : 0;
}

static int vm_virtio_irqfd(struct vm *vm, int fd, u32 gsi, bool assign)
{
	struct kvm_irqfd irqfd;

	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = (u32)fd;
	irqfd.gsi = gsi;
	irqfd.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN;
	return ioctl(vm->fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

static int vm_virtio_console_init(struct vm *vm, struct vm_virtio *v)
{
	struct virtio_console_config cfg = {
	    .nr_ports = 2,
	    .names = {NULL, VM_CHANNEL_PORT_NAME},
	    .rx = vm_virtio_console_rx,
	    .rx_ctx = vm,
	};
	struct virtio_mmio *t;
	int ret;
	u32 q;

	v->con_irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->con_irqfd < 0)
		return error_host(-errno, "virtio-console: eventfd: %s", strerror(errno));
	ret = virtio_console_create(&v->con, &cfg, v->con_base, &v->mem, vm_virtio_irq, v);
	if (ret < 0)
		return ret;
	t = virtio_console_transport(v->con);
	ret = bus_register(&vm->mmio, &t->region);
	if (ret < 0)
		return ret;
	v->con_on_bus = true;
	ret = vm_virtio_irqfd(vm, v->con_irqfd, v->con_irq, true);
	if (ret < 0)
		return error_host(ret, "virtio-console: KVM_IRQFD (line %u): %s", v->con_irq,
				  strerror(-ret));
	v->con_irqfd_assigned = true;
	for (q = 0; q < t->ops->num_queues; q++) {
		struct vm_virtio_notify *n = &v->notify[v->nr_notify];

		n->t = t;
		n->q = q;
		n->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->fd < 0)
			return error_host(-errno, "virtio-console: eventfd: %s", strerror(errno));
		v->nr_notify++;
		ret = vm_virtio_ioeventfd(vm, n, true);
		if (ret < 0)
			return error_host(ret, "virtio-console: KVM_IOEVENTFD (queue %u): %s", q,
					  strerror(-ret));
		n->assigned = true;
		ret = ioloop_add(&v->io, n->fd, vm_virtio_notified, n);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vm_virtio_init(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;
	int ret;

	if (!v)
		return 0;
	v->mem = (struct virtq_mem){.gpa = vm_virtio_gpa, .ctx = vm};
	ret = ioloop_init(&v->io);
	if (ret < 0)
		return ret;
	v->io_ready = true;
	ret = vm_virtio_console_init(vm, v);
	if (ret < 0)
		vm_virtio_exit(vm);
	return ret;
}

void vm_virtio_exit(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;

	if (!v)
		return;
	if (v->io_ready && !ioloop_stop(&v->io, VM_VIRTIO_STOP_MS))
		return; /* a handler is stuck: leak rather than free under it */
	while (v->nr_notify > 0) {
		struct vm_virtio_notify *n = &v->notify[--v->nr_notify];

		if (n->assigned)
			vm_virtio_ioeventfd(vm, n, false);
		close(n->fd);
	}
	if (v->con_irqfd_assigned)
		vm_virtio_irqfd(vm, v->con_irqfd, v->con_irq, false);
	if (v->con_on_bus)
		bus_unregister(&vm->mmio, &virtio_console_transport(v->con)->region);
	virtio_console_destroy(v->con);
	if (v->con_irqfd >= 0)
		close(v->con_irqfd);
	if (v->io_ready)
		ioloop_destroy(&v->io);
	free(v);
	vm->virtio = NULL;
}

int vm_virtio_start(struct vm *vm)
{
	return vm->virtio ? ioloop_start(&vm->virtio->io) : 0;
}

void vm_virtio_drain(struct vm *vm)
{
	struct vm_virtio *v = vm->virtio;

	if (!v)
		return;
	if (!ioloop_stop(&v->io, VM_VIRTIO_STOP_MS))
		return;
	virtio_console_drain(v->con);
}

int vm_virtio_channel_send(struct vm *vm, const void *data, size_t len)
{
	struct vm_virtio *v = vm->virtio;

	if (!v || !v->con || !vm->cfg.channel)
		return -ENODEV;
	return virtio_console_send(v->con, 1, data, len);
}

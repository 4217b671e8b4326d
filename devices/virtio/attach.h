/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One virtio-mmio device wired to KVM, for any device model (the
 * counterpart of Firecracker's register_mmio_virtio()). This is the device
 * manager: the one part of devices/ that sees struct vm; the models
 * (console.c, later blk and net) see only their transport (mmio.h).
 *
 *   virtio_attach_plan()   in a vm_device's plan step (core/vm/device.h): a
 *                          page-aligned MMIO window and an interrupt line
 *                          from vm->res, recorded for the guest's firmware
 *                          description.
 *   virtio_attach_wire()   in its attach step, once the model exists at
 *                          a->base with virtio_attach_irq() as its interrupt
 *                          callback (irq_ctx = a): the transport on the MMIO
 *                          bus, the line bound to an irqfd (KVM_IRQFD; the
 *                          lines are edge-triggered, so one write per rising
 *                          edge is the whole protocol), and every queue's
 *                          QueueNotify bound to an ioeventfd (datamatch =
 *                          queue) served by the VM's I/O thread.
 *   virtio_attach_unwire() undo (also after a failed wire): the I/O thread
 *                          must be stopped first (the VM's attach phase
 *                          does so before detaching devices).
 */
#ifndef KTVM_DEVICES_VIRTIO_ATTACH_H
#define KTVM_DEVICES_VIRTIO_ATTACH_H

#include "core/base/types.h"
#include "devices/virtio/mmio.h"

struct vm;

struct virtio_attach_notify {
	struct virtio_mmio *t;
	u32 q;
	int fd;	       /* eventfd bound to QueueNotify == q */
	bool assigned; /* KVM_IOEVENTFD done */
};

struct virtio_attach {
	struct vm *vm;
	const char *name;     /* for messages and the resource registry */
	u64 base;	      /* the MMIO window (VIRTIO_MMIO_REGION_SIZE bytes) */
	u32 irq;	      /* its interrupt line */
	struct virtq_mem mem; /* guest RAM, for the model's queues */
	struct virtio_mmio *t;
	bool on_bus;
	int irqfd;
	bool irqfd_assigned;
	struct virtio_attach_notify notify[VIRTIO_MMIO_MAX_QUEUES];
	u32 nr_notify;
};

int virtio_attach_plan(struct virtio_attach *a, struct vm *vm, const char *name);
int virtio_attach_wire(struct virtio_attach *a, struct virtio_mmio *t);
void virtio_attach_unwire(struct virtio_attach *a);
/* The interrupt callback to create the model with (irq_ctx: the struct virtio_attach). */
void virtio_attach_irq(struct virtio_mmio *t, bool level);

#endif

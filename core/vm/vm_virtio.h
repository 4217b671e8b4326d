/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's virtio-mmio devices, wired to KVM: today the virtio console whose
 * port 0 is hvc0 (captured like the serial console) and whose port 1,
 * "ktvm-bulk", is the guest channel carrying wire frames (wire/wire.h).
 *
 * Two steps, because the guest must be told about a device before KVM
 * exists (the kernel command line is checked with the inputs):
 *   vm_virtio_plan()  takes each device's MMIO window and interrupt line
 *                     from the arch's allocator (vm->res); no KVM needed.
 *   vm_virtio_init()  creates the devices at those places, puts their
 *                     registers on the MMIO bus, binds every QueueNotify to
 *                     an ioeventfd (KVM_IOEVENTFD, datamatch = queue) served
 *                     by the I/O thread, and each interrupt line to an irqfd
 *                     (KVM_IRQFD; the lines are edge-triggered, so one
 *                     write per rising edge is the whole protocol).
 * After the vCPUs have stopped, vm_virtio_drain() stops the I/O thread and
 * hands over what the guest queued but nobody has read yet: Linux's port
 * write returns once the buffer is in the ring, so a guest that powers off
 * right after writing leaves data there.
 */
#ifndef KTVM_CORE_VM_VIRTIO_H
#define KTVM_CORE_VM_VIRTIO_H

#include <stddef.h>

#include "core/base/types.h"

struct vm;

/* The guest channel's port name, as the guest sees it in /sys/class/virtio-ports/ * /name. */
#define VM_CHANNEL_PORT_NAME "ktvm-bulk"

int vm_virtio_plan(struct vm *vm);
int vm_virtio_init(struct vm *vm);
void vm_virtio_exit(struct vm *vm);
/* Start the I/O thread; before the first KVM_RUN. */
int vm_virtio_start(struct vm *vm);
/* Stop the I/O thread and process what the guest left in the rings. */
void vm_virtio_drain(struct vm *vm);
/*
 * Queue bytes for the guest on the channel port (host -> guest), from any
 * thread but the I/O thread's channel sink. 0, -EAGAIN (no room now),
 * -ENODEV (no channel).
 */
int vm_virtio_channel_send(struct vm *vm, const void *data, size_t len);

#endif

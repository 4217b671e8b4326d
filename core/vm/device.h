/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices a VM is built from, beyond the arch's platform devices
 * (arch_devices_init()): a list in struct vm_config, each entry a const
 * ops table and the device's own state. The runtime calls the steps in
 * order and never knows what a device is (the model: Firecracker's
 * register_mmio_virtio() called from builder.rs for each device):
 *
 *   plan     the "resources" phase, before KVM exists: take an MMIO window
 *            and an interrupt line from vm->res and record the device there
 *            (resources_add_device()), so the arch describes it to the
 *            guest (x86: DSDT and command line; arm64: the device tree).
 *            Reserves only what lives in vm->res: nothing to undo.
 *   attach   the "attach" phase, after the vCPUs (arm64 KVM takes no irqfd
 *            before its GIC is initialised, which needs every vCPU): create
 *            the model, put it on the bus, bind its notifications
 *            (core/vm/notify.h) with their handlers on the I/O thread
 *            (vm->io). On failure it undoes what it did itself.
 *   drain    after the run: the vCPUs and the I/O thread have stopped;
 *            process what the guest left behind (data in rings).
 *   detach   undo attach, in reverse list order.
 *   pause    (optional, with resume) write no guest memory until resume:
 *   resume   hold the device lock, after waiting for requests in flight.
 *            A lease break (core/base/file.h) replaces guest pages with
 *            copies; the vCPUs are frozen first. Called on a thread that
 *            is neither a vCPU's nor the I/O thread, between attach and
 *            detach.
 */
#ifndef KTVM_CORE_VM_DEVICE_H
#define KTVM_CORE_VM_DEVICE_H

#include "core/base/types.h"

struct vm;
struct vm_device;

struct vm_device_ops {
	const char *name;
	int (*plan)(struct vm *vm, struct vm_device *dev);
	int (*attach)(struct vm *vm, struct vm_device *dev);
	void (*drain)(struct vm *vm, struct vm_device *dev);
	void (*detach)(struct vm *vm, struct vm_device *dev);
	void (*pause)(struct vm *vm, struct vm_device *dev);
	void (*resume)(struct vm *vm, struct vm_device *dev);
};

struct vm_device {
	const struct vm_device_ops *ops;
	void *ctx; /* the device's state, owned by whoever built the list */
};

#define VM_MAX_DEVICES 16

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Notifications between a device and the guest without a vCPU exit to
 * userspace, through eventfds KVM signals or reads:
 *
 *   notify_ioeventfd()  guest -> host: KVM signals fd when the guest writes
 *                       datamatch to the len-byte MMIO register at addr
 *                       (KVM_IOEVENTFD), e.g. a virtqueue's QueueNotify.
 *   notify_irqfd()      host -> guest: a write to fd raises interrupt line
 *                       (KVM_IRQFD: a GSI on x86, an SPI index on arm64).
 *
 * assign false undoes the binding. 0, or a negative errno (no message set:
 * the caller names the device).
 */
#ifndef KTVM_CORE_VM_NOTIFY_H
#define KTVM_CORE_VM_NOTIFY_H

#include "core/base/types.h"

struct vm;

int notify_ioeventfd(struct vm *vm, u64 addr, u32 len, u64 datamatch, int fd, bool assign);
int notify_irqfd(struct vm *vm, u32 line, int fd, bool assign);

#endif

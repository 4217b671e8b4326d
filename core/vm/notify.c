// SPDX-License-Identifier: GPL-2.0
/* Eventfd notifications bound with KVM (notify.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "core/vm/notify.h"
#include "core/vm/vm.h"

int notify_ioeventfd(struct vm *vm, u64 addr, u32 len, u64 datamatch, int fd, bool assign)
{
	struct kvm_ioeventfd ev;

	memset(&ev, 0, sizeof(ev));
	ev.addr = addr;
	ev.len = len;
	ev.datamatch = datamatch;
	ev.fd = fd;
	ev.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN);
	return ioctl(vm->fd, KVM_IOEVENTFD, &ev) < 0 ? -errno : 0;
}

int notify_irqfd(struct vm *vm, u32 line, int fd, bool assign)
{
	struct kvm_irqfd irqfd;

	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = (u32)fd;
	irqfd.gsi = line;
	irqfd.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN;
	return ioctl(vm->fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

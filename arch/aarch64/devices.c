// SPDX-License-Identifier: GPL-2.0
/*
 * The aarch64 platform devices every ktvm guest has: two 16550A UARTs on
 * MMIO, UART 0 the kernel console and UART 1 ktvm's guest init log, both
 * captured. Power off and reset go through PSCI, which KVM handles and
 * reports as KVM_EXIT_SYSTEM_EVENT.
 */
#include <errno.h>
#include <stdlib.h>

#include "arch/aarch64/kvm.h"
#include "arch/aarch64/layout.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/conlog.h"
#include "core/vm/vm.h"
#include "devices/serial.h"

struct a64_devices {
	struct serial uart[2];
	bool inited[2], registered[2];
};

static void a64_serial_irq(struct serial *s, bool level)
{
	a64_irq_line(s->irq_ctx, s->irq, level);
}

void arch_devices_exit(struct vm *vm)
{
	struct a64_devices *d = vm->arch.devs;

	if (!d)
		return;
	for (int i = 1; i >= 0; i--) {
		if (d->registered[i])
			bus_unregister(&vm->mmio, &d->uart[i].region);
		if (d->inited[i])
			serial_destroy(&d->uart[i]);
	}
	free(d);
	vm->arch.devs = NULL;
}

int arch_devices_init(struct vm *vm)
{
	static const u64 base[2] = {A64_UART0_BASE, A64_UART1_BASE};
	static const u32 spi[2] = {A64_UART0_SPI, A64_UART1_SPI};
	static const char *const name[2] = {"uart0", "uart1"};
	struct a64_devices *d = calloc(1, sizeof(*d));
	int ret = 0;

	if (!d)
		return error_host(-ENOMEM, "cannot allocate aarch64 devices");
	vm->arch.devs = d;
	for (int i = 0; i < 2 && ret >= 0; i++) {
		ret = serial_init(&d->uart[i], name[i], base[i], spi[i], conlog_sink, &vm->console,
				  a64_serial_irq, vm);
		d->inited[i] = ret >= 0;
		if (ret >= 0)
			ret = bus_register(&vm->mmio, &d->uart[i].region);
		if (ret >= 0)
			d->registered[i] = true;
	}
	if (ret < 0)
		arch_devices_exit(vm);
	return ret;
}

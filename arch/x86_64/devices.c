// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 platform devices every ktvm guest has: COM1 (kernel console,
 * captured) and COM2 (ktvm's guest init log, captured with it) on their legacy ports, the CMOS/RTC, the i8042 reset
 * line, and the ACPI power-management registers. Ports and IRQs are the
 * PC's fixed assignments (arch/x86_64/layout.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cmos.h"
#include "arch/x86_64/i8042.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/conlog.h"
#include "core/vm/vm.h"
#include "devices/serial.h"

struct x86_devices {
	struct serial com1, com2;
	struct cmos cmos;
	struct i8042 i8042;
	struct acpi_pm pm;
	struct bus_region *registered[16];
	u32 nr_registered;
};

static void x86_serial_irq(struct serial *s, bool level)
{
	x86_irq_line(s->irq_ctx, s->irq, level);
}

static void x86_i8042_reset(struct i8042 *k)
{
	vm_stop(k->ctx, VM_END_REBOOT, "i8042 reset");
}

static void x86_acpi_event(struct acpi_pm *pm, enum acpi_pm_event ev)
{
	if (ev == ACPI_PM_POWEROFF)
		vm_stop(pm->ctx, VM_END_POWEROFF, "ACPI power off (S5)");
	else
		vm_stop(pm->ctx, VM_END_REBOOT, "ACPI reset register");
}

static int x86_devices_add(struct vm *vm, struct x86_devices *d, struct bus_region *r)
{
	int ret;

	if (d->nr_registered == ARRAY_SIZE(d->registered))
		return error_host(-ENOSPC, "too many x86 platform regions");
	ret = bus_register(&vm->pio, r);
	if (ret < 0)
		return ret;
	d->registered[d->nr_registered++] = r;
	return 0;
}

void arch_devices_exit(struct vm *vm)
{
	struct x86_devices *d = vm->arch.devs;

	if (!d)
		return;
	while (d->nr_registered > 0)
		bus_unregister(&vm->pio, d->registered[--d->nr_registered]);
	serial_destroy(&d->com1);
	serial_destroy(&d->com2);
	cmos_destroy(&d->cmos);
	acpi_pm_destroy(&d->pm);
	free(d);
	vm->arch.devs = NULL;
}

int arch_devices_init(struct vm *vm)
{
	u64 below = x86_ram_below_4g(vm->cfg.mem_size);
	struct x86_devices *d;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return error_host(-ENOMEM, "cannot allocate x86 devices");
	vm->arch.devs = d;
	ret = serial_init(&d->com1, "com1", X86_COM1_PORT, X86_COM1_IRQ, conlog_sink, &vm->console,
			  x86_serial_irq, vm);
	if (ret >= 0)
		/* ktvm's guest init writes its own messages to COM2: keep them with the console. */
		ret = serial_init(&d->com2, "com2", X86_COM2_PORT, X86_COM2_IRQ, conlog_sink,
				  &vm->console, x86_serial_irq, vm);
	if (ret >= 0)
		ret = cmos_init(&d->cmos, below, vm->cfg.mem_size - below);
	if (ret >= 0)
		ret = i8042_init(&d->i8042, x86_i8042_reset, vm);
	if (ret >= 0)
		ret = acpi_pm_init(&d->pm, x86_acpi_event, vm);
	if (ret < 0)
		goto fail;

	struct bus_region *regions[] = {
	    &d->com1.region,   &d->com2.region, &d->cmos.region, &d->i8042.data,
	    &d->i8042.command, &d->pm.evt,	&d->pm.cnt,	 &d->pm.reset,
	};
	for (u32 i = 0; i < ARRAY_SIZE(regions); i++) {
		ret = x86_devices_add(vm, d, regions[i]);
		if (ret < 0)
			goto fail;
	}
	return 0;
fail:
	arch_devices_exit(vm);
	return ret;
}

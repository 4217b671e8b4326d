// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the emulated port devices a guest pokes with IN and
 * OUT: the 16550 UART (devices/serial.c), and on x86_64 the CMOS/RTC
 * (cmos.c), the i8042 (i8042.c) and the ACPI PM blocks (acpi_pm.c). Each
 * access is what KVM hands a vCPU's exit: a region, an offset, 1-8 bytes,
 * read or write.
 *
 * Input: accesses of 4 bytes: DEV(1) OFF(1) LEN|W(1) VAL(1) (the value
 * byte repeated). Checks: the UART's interrupt line changes only when its
 * level does, as serial.h promises; every access stays inside its device
 * (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cmos.h"
#include "arch/x86_64/i8042.h"
#include "core/base/types.h"
#include "devices/serial.h"
#include "tests/fuzz/fuzz.h"

static bool fz_level;
static u64 fz_out, fz_events;

static void fz_serial_out(void *ctx, const u8 *data, size_t len)
{
	(void)ctx;
	(void)data;
	fz_out += len;
}

static void fz_serial_irq(struct serial *s, bool level)
{
	(void)s;
	CHECK(level != fz_level);
	fz_level = level;
}

static void fz_reset(struct i8042 *k)
{
	(void)k;
	fz_events++;
}

static void fz_pm(struct acpi_pm *pm, enum acpi_pm_event ev)
{
	(void)pm;
	(void)ev;
	fz_events++;
}

static s64 fz_now(void)
{
	return 1700000000;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u32 lens[4] = {1, 2, 4, 8};
	struct serial s;
	struct cmos cm;
	struct i8042 kb;
	struct acpi_pm pm;
	struct bus_region *regions[6];

	fz_level = false;
	CHECK(serial_init(&s, "ttyS0", 0x3f8, 4, fz_serial_out, NULL, fz_serial_irq, NULL) == 0);
	CHECK(cmos_init(&cm, 256ULL << 20, 0) == 0);
	cm.now = fz_now;
	CHECK(i8042_init(&kb, fz_reset, NULL) == 0);
	CHECK(acpi_pm_init(&pm, fz_pm, NULL) == 0);
	regions[0] = &s.region;
	regions[1] = &cm.region;
	regions[2] = &kb.data;
	regions[3] = &kb.command;
	regions[4] = &pm.evt;
	regions[5] = &pm.cnt;
	for (size_t i = 0; i + 4 <= size; i += 4) {
		struct bus_region *r = data[i] % 7 == 6 ? &pm.reset : regions[data[i] % 7];
		u32 len = lens[data[i + 2] & 3];
		u8 b[8];
		bool write = data[i + 2] & 0x80;

		if (!r->len)
			continue;
		memset(b, data[i + 3], sizeof(b));
		r->access(r, NULL, data[i + 1] % r->len, b, len, write);
	}
	acpi_pm_destroy(&pm);
	cmos_destroy(&cm);
	serial_destroy(&s);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the i8042 keyboard controller for "reboot=k": the status
 * port reads as idle and a pulse of the reset line (command 0xfe to port
 * 0x64) resets the machine, which ends the run as a guest reboot.
 */
#ifndef KTVM_ARCH_X86_64_I8042_H
#define KTVM_ARCH_X86_64_I8042_H

#include "core/vm/bus.h"

struct i8042;
typedef void (*i8042_reset_fn)(struct i8042 *k);

struct i8042 {
	struct bus_region data;	   /* port 0x60 */
	struct bus_region command; /* port 0x64 */
	i8042_reset_fn reset;
	void *ctx; /* for reset's use (the owning VM) */
};

int i8042_init(struct i8042 *k, i8042_reset_fn reset, void *ctx);

#endif

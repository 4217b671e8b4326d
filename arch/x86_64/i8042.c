// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 keyboard controller, reduced to its reset line.
 *
 * Port 0x60 is the data port, 0x64 the status (read) and command (write)
 * port (IBM PC/AT Technical Reference, "Keyboard Controller"). With no
 * keyboard or mouse behind it the output buffer is always empty and the
 * input buffer always ready: status reads 0, so a guest waiting for bit 1
 * (input buffer full) to clear before sending a command proceeds at once.
 * Command 0xfe pulses the output port bit 0, which is wired to the CPU
 * reset line; that is how Linux's "reboot=k" resets the machine.
 */
#include <string.h>

#include "arch/x86_64/i8042.h"
#include "arch/x86_64/layout.h"

#define I8042_COMMAND_PORT  (X86_I8042_PORT + 4)
#define I8042_STATUS_IDLE   0x00
#define I8042_CMD_RESET_CPU 0xfe /* pulse output port bit 0 low */

static void i8042_data_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			      bool is_write)
{
	/* No data from a device, ever; bytes sent to a device go nowhere. */
	if (!is_write)
		memset(data, 0, len);
}

static void i8042_command_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data,
				 u32 len, bool is_write)
{
	struct i8042 *k = container_of(r, struct i8042, command);

	if (!is_write) {
		memset(data, I8042_STATUS_IDLE, len);
		return;
	}
	/* Other commands (self-test, port enables, output port writes) are ignored. */
	if (len == 1 && data[0] == I8042_CMD_RESET_CPU && k->reset)
		k->reset(k);
}

int i8042_init(struct i8042 *k, i8042_reset_fn reset, void *ctx)
{
	memset(k, 0, sizeof(*k));
	k->data.name = "i8042-data";
	k->data.base = X86_I8042_PORT;
	k->data.len = 1;
	k->data.access = i8042_data_access;
	k->command.name = "i8042-command";
	k->command.base = I8042_COMMAND_PORT;
	k->command.len = 1;
	k->command.access = i8042_command_access;
	k->reset = reset;
	k->ctx = ctx;
	return 0;
}

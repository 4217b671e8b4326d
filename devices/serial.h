/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART (shared by both arches; x86 reaches it by port I/O, aarch64 by
 * MMIO with 1-byte register stride). Transmit goes to a byte sink;
 * receive is not connected yet (reads see an empty FIFO).
 */
#ifndef KTVM_DEVICES_SERIAL_H
#define KTVM_DEVICES_SERIAL_H

#include <pthread.h>

#include "core/vm/bus.h"
#include "core/base/types.h"

struct serial;

/* Where transmitted bytes go (e.g. conlog_sink(), core/vm/conlog.h). */
typedef void (*serial_out_fn)(void *ctx, const u8 *data, size_t len);

/*
 * Drives the UART's interrupt line; level true = asserted. Called only when
 * the level changes, with s->lock held (so changes arrive in order); it must
 * not access the UART.
 */
typedef void (*serial_irq_fn)(struct serial *s, bool level);

struct serial {
	struct bus_region region; /* 8 registers */
	pthread_mutex_t lock;
	serial_out_fn out; /* NULL: output discarded */
	void *out_ctx;
	serial_irq_fn set_irq;
	void *irq_ctx; /* for set_irq's use (the owning VM) */
	u32 irq;
	/* registers (16550A, see the TI PC16550D data sheet) */
	u8 ier, iir, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thr_irq_pending; /* THRE interrupt armed and not yet read via IIR */
	bool irq_level;
	u64 tx_bytes;
};

int serial_init(struct serial *s, const char *name, u64 base, u32 irq, serial_out_fn out,
		void *out_ctx, serial_irq_fn set_irq, void *irq_ctx);
void serial_destroy(struct serial *s);

#endif

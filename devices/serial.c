// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART, transmit side only.
 *
 * Register layout and behaviour follow the National/TI PC16550D data sheet
 * ("PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs"); the
 * section names cited below are that data sheet's. The model is what the
 * Linux 8250 driver needs to detect a 16550A (autoconfig() in
 * drivers/tty/serial/8250/8250_port.c) and to transmit with interrupts:
 *
 *  - transmission is instant: THR and the transmitter shift register are
 *    always empty, so LSR always reads THRE|TEMT;
 *  - nothing is ever received: LSR.DR is 0 and RBR reads 0;
 *  - the modem inputs read as a connected null modem (CTS, DSR, DCD
 *    asserted), or as the MCR outputs in loopback mode.
 *
 * All register state is guest-controlled; every access is one byte at a
 * fixed offset below 8, anything else is ignored.
 */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "devices/serial.h"

/* Register offsets ("Register Summary" table); DLAB is LCR bit 7. */
#define UART_RBR     0 /* read, DLAB=0 */
#define UART_THR     0 /* write, DLAB=0 */
#define UART_DLL     0 /* DLAB=1 */
#define UART_IER     1 /* DLAB=0 */
#define UART_DLM     1 /* DLAB=1 */
#define UART_IIR     2 /* read */
#define UART_FCR     2 /* write */
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7
#define UART_NR_REGS 8

/* "Interrupt Enable Register": bits 7:4 are always 0. */
#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK  0x0f

/*
 * "Interrupt Identification Register": bit 0 = 0 when an interrupt is
 * pending, bits 3:1 identify the highest-priority source ("Interrupt Control
 * Functions" table), bits 5:4 are 0, bits 7:6 are set when FCR bit 0 is.
 * Priority, highest first: line status (0x06), received data (0x04) or
 * character timeout (0x0c), THR empty (0x02), modem status (0x00).
 */
#define IIR_NO_INT 0x01
#define IIR_THRI   0x02
#define IIR_MSI	   0x00
#define IIR_FIFO   0xc0

/*
 * "FIFO Control Register": bit 0 enables the FIFOs and must be set for the
 * other bits to be written; bits 1 and 2 clear the FIFOs and self-clear;
 * bit 3 is the DMA mode, bits 7:6 the receiver trigger level.
 */
#define FCR_ENABLE 0x01
#define FCR_KEEP   0xc9

#define LCR_DLAB 0x80

/* "Modem Control Register": bits 7:5 are always 0. */
#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

/* "Line Status Register". */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* "Modem Status Register": bits 3:0 are deltas, 7:4 the inputs. */
#define MSR_DCTS   0x01
#define MSR_DDSR   0x02
#define MSR_TERI   0x04
#define MSR_DDCD   0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS	   0x10
#define MSR_DSR	   0x20
#define MSR_RI	   0x40
#define MSR_DCD	   0x80
#define MSR_INPUTS 0xf0

/* What the modem inputs read when not in loopback: a null modem. */
#define MSR_IDLE_INPUTS (MSR_CTS | MSR_DSR | MSR_DCD)

static u8 serial_iir(const struct serial *s)
{
	u8 fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	/* Nothing is received, so the two highest priorities never occur. */
	if (s->thr_irq_pending && (s->ier & IER_ETBEI))
		return fifo | IIR_THRI;
	if ((s->ier & IER_EDSSI) && (s->msr & MSR_DELTAS))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/*
 * Recompute IIR and the interrupt line; tell the owner only when the line
 * changes. The PC wires the UART's INTRPT output to the ISA IRQ through a
 * buffer enabled by the OUT2 pin; in loopback mode the data sheet
 * ("Modem Control Register", bit 4) forces the OUT2 pin inactive, so the
 * IRQ is gated off there too. ISA IRQs are edge-triggered: each new event
 * must come as a fresh 0->1 change, which callers get by clearing the
 * event (and calling this) before raising the next one.
 */
static void serial_update_irq(struct serial *s)
{
	bool level;

	s->iir = serial_iir(s);
	level = !(s->iir & IIR_NO_INT) && (s->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->set_irq)
		s->set_irq(s, level);
}

/*
 * Modem inputs. In loopback mode ("Modem Control Register", bit 4) the
 * outputs are wired to the inputs: DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD. A change sets the delta bits: DCTS, DDSR and DDCD on any change,
 * TERI only when RI goes from asserted to deasserted ("Modem Status Register").
 */
static u8 serial_msr_inputs(u8 mcr)
{
	u8 in = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_IDLE_INPUTS;
	if (mcr & MCR_DTR)
		in |= MSR_DSR;
	if (mcr & MCR_RTS)
		in |= MSR_CTS;
	if (mcr & MCR_OUT1)
		in |= MSR_RI;
	if (mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

static void serial_set_msr_inputs(struct serial *s, u8 in)
{
	u8 old = s->msr & MSR_INPUTS, changed = old ^ in;
	u8 delta = 0;

	if (changed & MSR_CTS)
		delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		delta |= MSR_DDSR;
	if ((old & MSR_RI) && !(in & MSR_RI))
		delta |= MSR_TERI;
	if (changed & MSR_DCD)
		delta |= MSR_DDCD;
	s->msr = in | (s->msr & MSR_DELTAS) | delta;
}

static void serial_write_thr(struct serial *s, u8 val)
{
	/* Writing THR clears a pending THRE interrupt ("Interrupt Control Functions"). */
	s->thr_irq_pending = false;
	serial_update_irq(s);

	/*
	 * In loopback mode the transmitter output is held marking and the
	 * byte would go to the receiver; we have no receiver, so it is dropped.
	 * Linux's size_fifo() sends 256 bytes this way during autoconfig.
	 */
	if (!(s->mcr & MCR_LOOP)) {
		if (s->out)
			s->out(s->out_ctx, &val, 1);
		s->tx_bytes++;
	}

	/* Sent at once: THR is empty again, which is a new THRE event. */
	s->thr_irq_pending = true;
	serial_update_irq(s);
}

static void serial_write_ier(struct serial *s, u8 val)
{
	u8 old = s->ier;

	s->ier = val & IER_MASK;
	/*
	 * Enabling ETBEI while THR is empty (always, here) raises THRE at
	 * once; Linux relies on this (the UART_BUG_TXEN and UART_BUG_THRE
	 * tests in serial8250_do_startup()).
	 */
	if (!(old & IER_ETBEI) && (s->ier & IER_ETBEI))
		s->thr_irq_pending = true;
	serial_update_irq(s);
}

static void serial_write_fcr(struct serial *s, u8 val)
{
	/* Bits 1-7 are only written together with bit 0 ("FIFO Control Register"). */
	if (!(val & FCR_ENABLE))
		s->fcr = 0;
	else
		s->fcr = val & FCR_KEEP;
	/* FIFO clears need no action: the FIFOs are always empty. */
	serial_update_irq(s);
}

static void serial_write_mcr(struct serial *s, u8 val)
{
	s->mcr = val & MCR_MASK;
	serial_set_msr_inputs(s, serial_msr_inputs(s->mcr));
	serial_update_irq(s);
}

static void serial_write(struct serial *s, u64 off, u8 val)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (off) {
	case UART_THR: /* also UART_DLL */
		if (dlab)
			s->dll = val;
		else
			serial_write_thr(s, val);
		break;
	case UART_IER: /* also UART_DLM */
		if (dlab)
			s->dlm = val;
		else
			serial_write_ier(s, val);
		break;
	case UART_FCR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		/* Bit 6 (break) has no effect: there is no line. */
		s->lcr = val;
		break;
	case UART_MCR:
		serial_write_mcr(s, val);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only status (the data sheet reserves writes for factory test). */
		break;
	case UART_SCR:
		s->scr = val;
		break;
	}
}

static u8 serial_read(struct serial *s, u64 off)
{
	bool dlab = s->lcr & LCR_DLAB;
	u8 val = 0;

	switch (off) {
	case UART_RBR: /* also UART_DLL */
		/* The receive FIFO is always empty; RBR reads 0. */
		val = dlab ? s->dll : 0;
		break;
	case UART_IER: /* also UART_DLM */
		val = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR:
		/* IIR is visible whatever DLAB is; Linux's EFR probes depend on it. */
		val = serial_iir(s);
		/* Reading IIR clears THRE only when THRE is what it reports. */
		if ((val & 0x0f) == IIR_THRI) {
			s->thr_irq_pending = false;
			serial_update_irq(s);
		}
		break;
	case UART_LCR:
		val = s->lcr;
		break;
	case UART_MCR:
		val = s->mcr;
		break;
	case UART_LSR:
		val = s->lsr;
		break;
	case UART_MSR:
		/* Reading MSR clears the deltas and so the modem status interrupt. */
		val = s->msr;
		s->msr &= MSR_INPUTS;
		serial_update_irq(s);
		break;
	case UART_SCR:
		val = s->scr;
		break;
	}
	return val;
}

static void serial_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			  bool is_write)
{
	struct serial *s = container_of(r, struct serial, region);

	/* The registers are byte-wide; a wider access is not a 16550 access. */
	if (len != 1 || off >= UART_NR_REGS) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}

	pthread_mutex_lock(&s->lock);
	if (is_write)
		serial_write(s, off, data[0]);
	else
		data[0] = serial_read(s, off);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Registers at their reset values ("UART Reset Configuration" table): all
 * interrupts disabled, IIR 0x01, LSR THRE|TEMT. The divisor latch is not
 * reset by the chip; 0x0001 (115200 baud) is what firmware leaves behind.
 */
static void serial_reset(struct serial *s)
{
	s->ier = 0;
	s->fcr = 0;
	s->lcr = 0;
	s->mcr = 0;
	s->lsr = LSR_THRE | LSR_TEMT;
	s->msr = serial_msr_inputs(0);
	s->scr = 0;
	s->dll = 0x01;
	s->dlm = 0x00;
	s->thr_irq_pending = false;
	s->irq_level = false;
	s->iir = serial_iir(s);
}

int serial_init(struct serial *s, const char *name, u64 base, u32 irq, serial_out_fn out,
		void *out_ctx, serial_irq_fn set_irq, void *irq_ctx)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret)
		return error_host(-ret, "serial %s: cannot initialise lock: %s", name,
				  strerror(ret));
	s->region.name = name;
	s->region.base = base;
	s->region.len = UART_NR_REGS;
	s->region.access = serial_access;
	s->out = out;
	s->out_ctx = out_ctx;
	s->set_irq = set_irq;
	s->irq_ctx = irq_ctx;
	s->irq = irq;
	serial_reset(s);
	return 0;
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}

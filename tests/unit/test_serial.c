// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART model: what the Linux 8250 driver probes (autoconfig() in
 * drivers/tty/serial/8250/8250_port.c) and the transmit interrupt protocol,
 * driven through the bus callback with a fake interrupt line.
 */
#include <stdlib.h>

#include "core/vm/conlog.h"
#include "devices/serial.h"
#include "tests/test.h"

#define COM1 0x3f8

/* Offsets and bits as the Linux driver names them (include/uapi/linux/serial_reg.h). */
#define RX  0
#define TX  0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define EFR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

struct irq_log {
	unsigned int raises, lowers;
	bool level;
};

static void fake_set_irq(struct serial *s, bool level)
{
	struct irq_log *log = s->irq_ctx;

	/* The model promises to report changes only. */
	EXPECT_NE(level, log->level);
	log->level = level;
	if (level)
		log->raises++;
	else
		log->lowers++;
}

static void uart_out(struct serial *s, u64 off, u8 val)
{
	s->region.access(&s->region, NULL, off, &val, 1, true);
}

static u8 uart_in(struct serial *s, u64 off)
{
	u8 val = 0x5a;

	s->region.access(&s->region, NULL, off, &val, 1, false);
	return val;
}

static void uart_setup(struct serial *s, struct irq_log *log, struct conlog *c)
{
	memset(log, 0, sizeof(*log));
	ASSERT_EQ(serial_init(s, "ttyS0", COM1, 4, c ? conlog_sink : NULL, c, fake_set_irq, log),
		  0);
}

TEST(init_fills_region)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	EXPECT_EQ(s.region.base, COM1);
	EXPECT_EQ(s.region.len, 8);
	EXPECT_STREQ(s.region.name, "ttyS0");
	EXPECT_TRUE(s.region.access != NULL);
	EXPECT_EQ(s.irq, 4);
	EXPECT_EQ(uart_in(&s, IIR), 0x01);
	EXPECT_EQ(uart_in(&s, LSR), 0x60);
	EXPECT_EQ(log.raises, 0);
	serial_destroy(&s);
}

/* autoconfig(): IER bits 3:0 read back, bits 7:4 do not (no XScale UUE). */
TEST(autoconfig_ier_test)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, IER, 0);
	EXPECT_EQ(uart_in(&s, IER) & 0x0f, 0);
	uart_out(&s, IER, 0x0f);
	EXPECT_EQ(uart_in(&s, IER) & 0x0f, 0x0f);
	uart_out(&s, IER, 0xff);
	EXPECT_EQ(uart_in(&s, IER), 0x0f);
	uart_out(&s, IER, 0);
	serial_destroy(&s);
}

/* autoconfig(): MCR = LOOP | OUT2 | RTS must read back MSR & 0xf0 == 0x90. */
TEST(autoconfig_loopback_msr)
{
	struct serial s;
	struct irq_log log;
	u8 save_mcr;

	uart_setup(&s, &log, NULL);
	save_mcr = uart_in(&s, MCR);
	uart_out(&s, MCR, 0x10 | 0x0a);
	EXPECT_EQ(uart_in(&s, MSR) & 0xf0, 0x90);
	/* Each output maps to its input: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	uart_out(&s, MCR, 0x10 | 0x01);
	EXPECT_EQ(uart_in(&s, MSR) & 0xf0, 0x20);
	uart_out(&s, MCR, 0x10 | 0x04);
	EXPECT_EQ(uart_in(&s, MSR) & 0xf0, 0x40);
	uart_out(&s, MCR, save_mcr);
	/* Out of loopback: a connected null modem (DCD, DSR, CTS). */
	EXPECT_EQ(uart_in(&s, MSR) & 0xf0, 0xb0);
	/* MCR bits 7:5 do not exist. */
	uart_out(&s, MCR, 0xff);
	EXPECT_EQ(uart_in(&s, MCR), 0x1f);
	serial_destroy(&s);
}

/*
 * The whole of autoconfig() and autoconfig_16550a() for a PC COM port,
 * access by access, with the decision each probe makes; returns the type
 * Linux would pick.
 */
static const char *linux_autoconfig(struct serial *s)
{
	u8 scratch, scratch2, scratch3, status1, status2, save_mcr, save_lcr;
	int count;

	scratch = uart_in(s, IER);
	uart_out(s, IER, 0);
	scratch2 = uart_in(s, IER) & 0x0f;
	uart_out(s, IER, 0x0f);
	scratch3 = uart_in(s, IER) & 0x0f;
	uart_out(s, IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "none (IER test)";

	save_mcr = uart_in(s, MCR);
	save_lcr = uart_in(s, LCR);
	uart_out(s, MCR, 0x10 | 0x0a);
	status1 = uart_in(s, MSR) & 0xf0;
	uart_out(s, MCR, save_mcr);
	if (status1 != 0x90)
		return "none (LOOP test)";

	uart_out(s, LCR, 0xbf);
	uart_out(s, EFR, 0);
	uart_out(s, LCR, 0);
	uart_out(s, FCR, 0x01);
	switch (uart_in(s, IIR) >> 6) {
	case 0:
		return "8250/16450";
	case 1:
		return "unknown";
	case 2:
		return "16550";
	}

	/* autoconfig_16550a(): no EFR behind DLAB or LCR=0xbf. */
	uart_out(s, LCR, 0x80);
	if (uart_in(s, EFR) == 0)
		return "16650 (EFRv1)";
	uart_out(s, LCR, 0xbf);
	if (uart_in(s, EFR) == 0)
		return "16650V2 (EFRv2)";
	/* National SuperIO: MCR LOOP visible in EXCR1 (offset 2, LCR=0xe0). */
	uart_out(s, LCR, 0);
	status1 = uart_in(s, MCR);
	uart_out(s, LCR, 0xe0);
	status2 = uart_in(s, 2);
	if (!((status2 ^ status1) & 0x10)) {
		uart_out(s, LCR, 0);
		uart_out(s, MCR, status1 ^ 0x10);
		uart_out(s, LCR, 0xe0);
		status2 = uart_in(s, 2);
		uart_out(s, LCR, 0);
		uart_out(s, MCR, status1);
		if ((status2 ^ status1) & 0x10)
			return "NS16550A";
	}
	/* TI16750: IIR bit 5 follows FCR bit 5. */
	uart_out(s, LCR, 0);
	uart_out(s, FCR, 0x01 | 0x20);
	status1 = uart_in(s, IIR) >> 5;
	uart_out(s, FCR, 0x01);
	uart_out(s, LCR, 0x80);
	uart_out(s, FCR, 0x01 | 0x20);
	status2 = uart_in(s, IIR) >> 5;
	uart_out(s, FCR, 0x01);
	uart_out(s, LCR, 0);
	if (status1 == 6 && status2 == 7)
		return "16750";
	/* XScale: IER bit 6 (UUE) sticks. */
	scratch = uart_in(s, IER);
	uart_out(s, IER, scratch | 0x40);
	if (uart_in(s, IER) & 0x40)
		return "XScale";
	uart_out(s, IER, scratch);
	/* size_fifo(): counts what 256 bytes sent in loopback left in the RX FIFO. */
	uart_out(s, FCR, 0x01 | 0x02 | 0x04);
	uart_out(s, MCR, 0x10);
	uart_out(s, LCR, 0x80);
	uart_out(s, DLL, 0x01);
	uart_out(s, DLM, 0x00);
	uart_out(s, LCR, 0x03);
	for (int i = 0; i < 256; i++)
		uart_out(s, TX, (u8)i);
	count = 0;
	while ((uart_in(s, LSR) & 0x01) && count < 256) {
		uart_in(s, RX);
		count++;
	}
	if (count == 64)
		return "U6_16550A";

	uart_out(s, LCR, save_lcr);
	uart_out(s, MCR, save_mcr);
	uart_out(s, FCR, 0x01 | 0x02 | 0x04);
	uart_out(s, FCR, 0);
	uart_in(s, RX);
	uart_out(s, IER, 0);
	return "16550A";
}

TEST(autoconfig_detects_16550a)
{
	struct serial s;
	struct irq_log log;
	struct conlog c;
	char *text;
	size_t len;

	ASSERT_EQ(conlog_init(&c, 4096, -1, 0), 0);
	uart_setup(&s, &log, &c);
	EXPECT_STREQ(linux_autoconfig(&s), "16550A");
	/* Probing neither printed anything nor interrupted. */
	text = conlog_text(&c, &len);
	EXPECT_EQ(len, 0);
	free(text);
	EXPECT_EQ(log.raises, 0);
	serial_destroy(&s);
	conlog_destroy(&c);
}

TEST(fifo_bits_follow_fcr)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, FCR, 0x01);
	EXPECT_EQ(uart_in(&s, IIR), 0xc1);
	/* Clear bits self-clear; trigger level kept; IIR bits 5:4 stay 0. */
	uart_out(&s, FCR, 0xc7 | 0x20);
	EXPECT_EQ(uart_in(&s, IIR), 0xc1);
	/* Bits 1-7 need bit 0: FCR=0xc0 disables the FIFOs. */
	uart_out(&s, FCR, 0xc0);
	EXPECT_EQ(uart_in(&s, IIR), 0x01);
	serial_destroy(&s);
}

TEST(scratch_register)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, SCR, 0xa5);
	EXPECT_EQ(uart_in(&s, SCR), 0xa5);
	uart_out(&s, SCR, 0x5a);
	EXPECT_EQ(uart_in(&s, SCR), 0x5a);
	serial_destroy(&s);
}

TEST(dlab_selects_divisor_latch)
{
	struct serial s;
	struct irq_log log;
	struct conlog c;
	char *text;
	size_t len;

	ASSERT_EQ(conlog_init(&c, 4096, -1, 0), 0);
	uart_setup(&s, &log, &c);
	uart_out(&s, IER, 0x05);
	uart_out(&s, LCR, 0x83);
	EXPECT_EQ(uart_in(&s, LCR), 0x83);
	uart_out(&s, DLL, 0x34);
	uart_out(&s, DLM, 0x12);
	EXPECT_EQ(uart_in(&s, DLL), 0x34);
	EXPECT_EQ(uart_in(&s, DLM), 0x12);

	uart_out(&s, LCR, 0x03);
	EXPECT_EQ(uart_in(&s, IER), 0x05);
	EXPECT_EQ(uart_in(&s, RX), 0);

	uart_out(&s, LCR, 0x83);
	EXPECT_EQ(uart_in(&s, DLL), 0x34);
	EXPECT_EQ(uart_in(&s, DLM), 0x12);
	/* IIR and LSR do not depend on DLAB. */
	EXPECT_EQ(uart_in(&s, IIR), 0x01);
	EXPECT_EQ(uart_in(&s, LSR), 0x60);
	uart_out(&s, LCR, 0x03);

	/* Divisor writes are not transmitted. */
	text = conlog_text(&c, &len);
	EXPECT_EQ(len, 0);
	free(text);
	EXPECT_EQ(s.tx_bytes, 0);
	serial_destroy(&s);
	conlog_destroy(&c);
}

TEST(thr_bytes_reach_console)
{
	struct serial s;
	struct irq_log log;
	struct conlog c;
	const char *msg = "Linux version 6.1\r\n";
	char *text;
	size_t len;

	ASSERT_EQ(conlog_init(&c, 4096, -1, 0), 0);
	uart_setup(&s, &log, &c);
	uart_out(&s, LCR, 0x03);
	for (const char *p = msg; *p; p++) {
		EXPECT_EQ(uart_in(&s, LSR) & 0x60, 0x60);
		uart_out(&s, TX, (u8)*p);
	}
	/* Loopback output goes to the (absent) receiver, not the line. */
	uart_out(&s, MCR, 0x10);
	uart_out(&s, TX, 'X');
	uart_out(&s, MCR, 0);
	EXPECT_EQ(uart_in(&s, LSR), 0x60);
	EXPECT_EQ(uart_in(&s, RX), 0);

	text = conlog_text(&c, &len);
	EXPECT_STREQ(text, msg);
	free(text);
	EXPECT_EQ(s.tx_bytes, strlen(msg));
	serial_destroy(&s);
	conlog_destroy(&c);
}

TEST(thr_without_console)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, TX, 'a');
	EXPECT_EQ(s.tx_bytes, 1);
	serial_destroy(&s);
}

TEST(thre_irq_raise_ack_reraise)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, FCR, 0x01);
	uart_out(&s, MCR, 0x0b); /* DTR | RTS | OUT2, as Linux sets it */
	EXPECT_EQ(log.raises, 0);

	uart_out(&s, IER, 0x02);
	EXPECT_EQ(log.raises, 1);
	EXPECT_TRUE(log.level);

	/* Reading IIR reports and acknowledges THRE: the line drops. */
	EXPECT_EQ(uart_in(&s, IIR), 0xc2);
	EXPECT_FALSE(log.level);
	EXPECT_EQ(uart_in(&s, IIR), 0xc1);

	/* The next byte sent is a new THRE event: a fresh 0->1 edge. */
	uart_out(&s, TX, 'a');
	EXPECT_EQ(log.raises, 2);
	EXPECT_TRUE(log.level);
	EXPECT_EQ(uart_in(&s, IIR), 0xc2);
	EXPECT_EQ(log.lowers, 2);

	/* Disabling ETBEI drops a pending interrupt. */
	uart_out(&s, TX, 'b');
	EXPECT_TRUE(log.level);
	uart_out(&s, IER, 0);
	EXPECT_FALSE(log.level);
	EXPECT_EQ(uart_in(&s, IIR), 0xc1);
	serial_destroy(&s);
}

/* A THR write while the line is still high must still give the PIC an edge. */
TEST(thr_write_while_asserted_pulses)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, MCR, 0x08);
	uart_out(&s, IER, 0x02);
	ASSERT_TRUE(log.level);
	for (int i = 0; i < 16; i++)
		uart_out(&s, TX, 'x');
	EXPECT_EQ(log.raises, 17);
	EXPECT_EQ(log.lowers, 16);
	EXPECT_TRUE(log.level);
	serial_destroy(&s);
}

TEST(no_irq_without_out2)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, MCR, 0x03);
	uart_out(&s, IER, 0x02);
	uart_out(&s, TX, 'a');
	EXPECT_EQ(log.raises, 0);
	/* The UART itself still has THRE pending... */
	EXPECT_EQ(uart_in(&s, IIR), 0x02);
	uart_out(&s, TX, 'b');
	/* ...and raising OUT2 lets it through. */
	uart_out(&s, MCR, 0x0b);
	EXPECT_EQ(log.raises, 1);
	EXPECT_TRUE(log.level);
	/* Dropping OUT2 gates it off again. */
	uart_out(&s, MCR, 0x03);
	EXPECT_FALSE(log.level);
	serial_destroy(&s);
}

TEST(no_irq_in_loopback)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, MCR, 0x10 | 0x08);
	uart_out(&s, IER, 0x0f);
	uart_out(&s, TX, 'a');
	EXPECT_EQ(log.raises, 0);
	EXPECT_EQ(uart_in(&s, IIR) & 0x0f, 0x02);
	serial_destroy(&s);
}

/*
 * serial8250_do_startup(): enabling THRI must show THRE in IIR each time
 * (UART_BUG_THRE and UART_BUG_TXEN tests).
 */
TEST(thre_reasserted_on_each_enable)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, IER, 0x02);
	EXPECT_EQ(uart_in(&s, IIR) & 0x01, 0);
	uart_out(&s, IER, 0);
	uart_out(&s, IER, 0x02);
	EXPECT_EQ(uart_in(&s, IIR) & 0x01, 0);
	uart_out(&s, IER, 0);
	serial_destroy(&s);
}

TEST(modem_status_irq)
{
	struct serial s;
	struct irq_log log;

	uart_setup(&s, &log, NULL);
	uart_out(&s, IER, 0x08);
	EXPECT_EQ(uart_in(&s, IIR), 0x01);
	/* Entering loopback changes the inputs: a modem status interrupt. */
	uart_out(&s, MCR, 0x10);
	EXPECT_EQ(uart_in(&s, IIR), 0x00);
	EXPECT_EQ(uart_in(&s, MSR), 0x0b); /* DCTS | DDSR | DDCD, inputs low */
	EXPECT_EQ(uart_in(&s, IIR), 0x01);
	/* RI trailing edge sets TERI. */
	uart_out(&s, MCR, 0x10 | 0x04);
	EXPECT_EQ(uart_in(&s, MSR), 0x40);
	uart_out(&s, MCR, 0x10);
	EXPECT_EQ(uart_in(&s, MSR), 0x04);
	/* THRE outranks modem status. */
	uart_out(&s, MCR, 0x10 | 0x02);
	uart_out(&s, IER, 0x0a);
	EXPECT_EQ(uart_in(&s, IIR), 0x02);
	EXPECT_EQ(uart_in(&s, IIR), 0x00);
	serial_destroy(&s);
}

TEST(odd_accesses_ignored)
{
	struct serial s;
	struct irq_log log;
	u8 buf[8];

	uart_setup(&s, &log, NULL);
	uart_out(&s, SCR, 0x11);

	memset(buf, 0, sizeof(buf));
	s.region.access(&s.region, NULL, SCR, buf, 2, false);
	EXPECT_EQ(buf[0], 0xff);
	EXPECT_EQ(buf[1], 0xff);
	memset(buf, 0, sizeof(buf));
	s.region.access(&s.region, NULL, 0, buf, 8, false);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(buf[i], 0xff);
	EXPECT_EQ(uart_in(&s, 8), 0xff);
	EXPECT_EQ(uart_in(&s, ~0ULL), 0xff);

	memset(buf, 0x22, sizeof(buf));
	s.region.access(&s.region, NULL, SCR, buf, 4, true);
	uart_out(&s, 8, 0x33);
	EXPECT_EQ(uart_in(&s, SCR), 0x11);
	/* LSR and MSR are read-only. */
	uart_out(&s, LSR, 0x00);
	EXPECT_EQ(uart_in(&s, LSR), 0x60);
	uart_out(&s, MSR, 0x00);
	EXPECT_EQ(uart_in(&s, MSR), 0xb0);
	serial_destroy(&s);
}

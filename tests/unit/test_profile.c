// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm run --profile (tools/profile.c): the phases from the result's and
 * the channel's clocks, "-" for a phase whose end never came, the guest
 * clock's column and points, the exits by reason and the top exit sites.
 */
#include <stdlib.h>

#include "core/run/channel.h"
#include "core/vm/vm.h"
#include "tests/test.h"
#include "tools/profile.h"

static char *out;
static size_t out_len;

static const char *render(const struct vm_result *res, const struct channel *ch)
{
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &out_len);
	if (!f)
		return "";
	profile_print(f, res, ch);
	fclose(f);
	return out;
}

#define EXPECT_HAS(text, s)                                                                        \
	do {                                                                                       \
		if (!strstr(text, s))                                                              \
			test_fail_at(__FILE__, __LINE__, "no \"%s\" in:\n%s", s, text);            \
	} while (0)

TEST(phases_of_a_payload_run)
{
	static struct vm_result res;
	static struct channel ch;
	const char *t;

	res.setup_ns = 12000000;      /* first KVM_RUN at 12 ms */
	res.init_ns = 3000000000;     /* init at 3012 ms */
	res.duration_ns = 5000000000; /* the end at 5012 ms */
	res.exits[2] = 730;	      /* KVM_EXIT_IO */
	res.nr_sites = 2;
	res.sites[0] =
	    (struct vm_exit_site){.bus = "pio", .name = "serial0", .base = 0x3f8, .hits = 700};
	res.sites[1] = (struct vm_exit_site){
	    .bus = "mmio", .name = "virtio-blk", .base = 0xd0000000, .hits = 30};
	res.unclaimed_pio = 4;
	ch.sys_rdy = true;
	ch.sys_rdy_ns = 3412000000;
	ch.have_exit = true;
	ch.exit_ns = 4912000000;
	t = render(&res, &ch);
	EXPECT_HAS(t, "host setup           12 ms");
	EXPECT_HAS(t, "kernel to init     3000 ms");
	EXPECT_HAS(t, "init to payload     400 ms");
	EXPECT_HAS(t, "payload            1500 ms");
	EXPECT_HAS(t, "shutdown            100 ms");
	EXPECT_HAS(t, "total              5012 ms");
	EXPECT_HAS(t, "exits: io 730\n");
	EXPECT_HAS(t, "pio  serial0              0x3f8                 700 exits");
	EXPECT_HAS(t, "mmio virtio-blk           0xd0000000             30 exits");
	EXPECT_HAS(t, "unclaimed: pio 4, mmio 0");
}

TEST(phases_that_never_ended)
{
	static struct vm_result res;
	static struct channel ch;
	const char *t;

	res.setup_ns = 5000000;
	res.duration_ns = 1000000000; /* init never seen, no SYS_RDY, no exit */
	t = render(&res, &ch);
	EXPECT_HAS(t, "kernel to init           -");
	EXPECT_HAS(t, "init to payload          -");
	EXPECT_HAS(t, "payload                  -");
	EXPECT_HAS(t, "shutdown                 -");
	EXPECT_HAS(t, "total              1005 ms");
	EXPECT_HAS(t, "exits: none");
	/* Without PROG there is no channel: init to the end instead. */
	res.init_ns = 600000000;
	t = render(&res, NULL);
	EXPECT_HAS(t, "init to end         400 ms");
	EXPECT_TRUE(strstr(t, "payload") == NULL);
}

static void gclock_set(struct channel *ch, u32 point, u64 ns)
{
	ch->gclock.have |= 1u << point;
	ch->gclock.ns[point] = ns;
}

/* Under `quiet` the host never sees "Run /init": the guest clock's column has it. */
TEST(guest_clock_column_under_quiet)
{
	static struct vm_result res;
	static struct channel ch;
	const char *t;

	res.setup_ns = 10000000;
	res.duration_ns = 5000000000; /* init_ns 0: the console never said "Run /init" */
	ch.sys_rdy = true;
	ch.sys_rdy_ns = 3000000000;
	ch.have_exit = true;
	ch.exit_ns = 4900000000;
	t = render(&res, &ch);
	/* no BOOT_TIMES: no guest column values, no points line */
	EXPECT_HAS(t, "kernel to init           -            first KVM_RUN");
	EXPECT_TRUE(strstr(t, "guest clock") == NULL);
	gclock_set(&ch, WIRE_BOOT_KERNEL_INIT, 2500123000);
	gclock_set(&ch, WIRE_BOOT_INIT_START, 2501000000);
	gclock_set(&ch, WIRE_BOOT_INIT_READY, 2900000000);
	gclock_set(&ch, WIRE_BOOT_PAYLOAD_START, 2905000000);
	gclock_set(&ch, WIRE_BOOT_PAYLOAD_EXIT, 4700000000);
	t = render(&res, &ch);
	EXPECT_HAS(t, "kernel to init           -   2500 ms  first KVM_RUN");
	EXPECT_HAS(t, "init to payload          -    400 ms  to ktvm's init ready");
	EXPECT_HAS(t, "payload            1900 ms   1800 ms  SYS_RDY");
	EXPECT_HAS(t, "shutdown            110 ms            the payload's exit");
	EXPECT_HAS(t, "total              5010 ms\n");
	EXPECT_HAS(t, "guest clock (ms): \"Run /init\" 2500.1, init 2501.0, ready 2900.0, "
		      "exec 2905.0, exit 4700.0\n");
	/* a point that did not come: "-" where it is needed, left out of the list */
	ch.gclock.have &= ~(1u << WIRE_BOOT_KERNEL_INIT);
	t = render(&res, &ch);
	EXPECT_HAS(t, "kernel to init           -         -  first");
	EXPECT_HAS(t, "init to payload          -         -  to");
	EXPECT_HAS(t, "guest clock (ms): init 2501.0,");
	/* going backwards: "-" for the phase, and said so */
	gclock_set(&ch, WIRE_BOOT_PAYLOAD_EXIT, 2800000000);
	t = render(&res, &ch);
	EXPECT_HAS(t, "payload            1900 ms         -  SYS_RDY");
	EXPECT_HAS(t, "exit 2800.0 (out of order)\n");
}

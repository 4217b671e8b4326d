// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm run --profile (tools/profile.c): the phases from the result's and
 * the channel's clocks, "-" for a phase whose end never came, the exits by
 * reason and the top exit sites.
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

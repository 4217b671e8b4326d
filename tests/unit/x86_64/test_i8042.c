// SPDX-License-Identifier: GPL-2.0
/* i8042 model: idle status, and command 0xfe resets the machine. */
#include "arch/x86_64/i8042.h"
#include "tests/test.h"

static unsigned int resets;

static void fake_reset(struct i8042 *k)
{
	EXPECT_EQ(*(int *)k->ctx, 42);
	resets++;
}

static void port_out(struct bus_region *r, u8 val)
{
	r->access(r, NULL, 0, &val, 1, true);
}

static u8 port_in(struct bus_region *r)
{
	u8 val = 0x5a;

	r->access(r, NULL, 0, &val, 1, false);
	return val;
}

TEST(init_fills_regions)
{
	struct i8042 k;
	int ctx = 42;

	ASSERT_EQ(i8042_init(&k, fake_reset, &ctx), 0);
	EXPECT_EQ(k.data.base, 0x60);
	EXPECT_EQ(k.data.len, 1);
	EXPECT_EQ(k.command.base, 0x64);
	EXPECT_EQ(k.command.len, 1);
	EXPECT_TRUE(k.data.name != NULL);
	EXPECT_TRUE(k.command.name != NULL);
	EXPECT_TRUE(k.ctx == &ctx);
}

TEST(status_and_data_idle)
{
	struct i8042 k;
	int ctx = 42;

	ASSERT_EQ(i8042_init(&k, fake_reset, &ctx), 0);
	EXPECT_EQ(port_in(&k.command), 0x00);
	EXPECT_EQ(port_in(&k.data), 0x00);
	port_out(&k.data, 0xff);
	EXPECT_EQ(port_in(&k.data), 0x00);
	EXPECT_EQ(port_in(&k.command), 0x00);
}

TEST(pulse_reset_calls_reset_once)
{
	struct i8042 k;
	int ctx = 42;

	resets = 0;
	ASSERT_EQ(i8042_init(&k, fake_reset, &ctx), 0);
	port_out(&k.command, 0xfe);
	EXPECT_EQ(resets, 1);
}

TEST(other_commands_ignored)
{
	struct i8042 k;
	int ctx = 42;
	u8 wide[2] = {0xfe, 0xfe};

	resets = 0;
	ASSERT_EQ(i8042_init(&k, fake_reset, &ctx), 0);
	port_out(&k.command, 0xaa); /* self-test */
	port_out(&k.command, 0xd1); /* write output port */
	port_out(&k.command, 0xff);
	port_out(&k.data, 0xfe); /* 0xfe on the data port is a device byte */
	k.command.access(&k.command, NULL, 0, wide, 2, true);
	EXPECT_EQ(resets, 0);
	EXPECT_EQ(port_in(&k.command), 0x00);
}

TEST(no_reset_callback)
{
	struct i8042 k;

	ASSERT_EQ(i8042_init(&k, NULL, NULL), 0);
	port_out(&k.command, 0xfe);
	EXPECT_EQ(port_in(&k.command), 0x00);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * guest/ksyms.c: the ktvm.watch= list, and looking its names up in a
 * kallsyms file written here.
 */
#include <errno.h>
#include <stdlib.h>

#include "guest/ksyms.h"
#include "tests/test.h"

/* ---- ktvm.watch= --------------------------------------------------------- */

TEST(ksyms_request_one_and_many)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];

	memset(k, 0x55, sizeof(k));
	ASSERT_EQ(ksyms_parse_request("vm_swappiness", k, WIRE_KSYMS_MAX), 1);
	EXPECT_STREQ(k[0].name, "vm_swappiness");
	EXPECT_EQ(k[0].addr, 0);

	ASSERT_EQ(ksyms_parse_request("vm_swappiness,sysctl_sched_base_slice,x.llvm.7,$d", k,
				      WIRE_KSYMS_MAX),
		  4);
	EXPECT_STREQ(k[0].name, "vm_swappiness");
	EXPECT_STREQ(k[1].name, "sysctl_sched_base_slice");
	EXPECT_STREQ(k[2].name, "x.llvm.7");
	EXPECT_STREQ(k[3].name, "$d");
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(k[i].addr, 0);

	/* the same name twice is allowed; each gets its answer */
	ASSERT_EQ(ksyms_parse_request("a,a", k, WIRE_KSYMS_MAX), 2);
	EXPECT_STREQ(k[1].name, "a");
}

TEST(ksyms_request_limits)
{
	struct wire_ksym k[WIRE_KSYMS_MAX + 1];
	char arg[(WIRE_KSYM_NAME_MAX + 2) * (WIRE_KSYMS_MAX + 1)];
	size_t off = 0;

	/* the longest name */
	memset(arg, 'n', WIRE_KSYM_NAME_MAX);
	arg[WIRE_KSYM_NAME_MAX] = '\0';
	ASSERT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX), 1);
	EXPECT_EQ(strlen(k[0].name), WIRE_KSYM_NAME_MAX);
	arg[WIRE_KSYM_NAME_MAX] = 'n';
	arg[WIRE_KSYM_NAME_MAX + 1] = '\0';
	EXPECT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX), -EINVAL);

	/* 16 names fit, 17 do not, whatever max says */
	for (int i = 0; i < WIRE_KSYMS_MAX; i++)
		off += sprintf(arg + off, "%ss%d", i ? "," : "", i);
	ASSERT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX), WIRE_KSYMS_MAX);
	EXPECT_STREQ(k[WIRE_KSYMS_MAX - 1].name, "s15");
	EXPECT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX - 1), -EINVAL);
	sprintf(arg + off, ",s16");
	EXPECT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX + 1), -EINVAL);
	EXPECT_EQ(ksyms_parse_request("a", k, 0), -EINVAL);

	/* the longest valid value fills KSYMS_WATCH_ARG_MAX, NUL included */
	off = 0;
	for (int i = 0; i < WIRE_KSYMS_MAX; i++) {
		if (i)
			arg[off++] = ',';
		memset(arg + off, 'a' + i, WIRE_KSYM_NAME_MAX);
		off += WIRE_KSYM_NAME_MAX;
	}
	arg[off] = '\0';
	EXPECT_EQ(off + 1, KSYMS_WATCH_ARG_MAX);
	ASSERT_EQ(ksyms_parse_request(arg, k, WIRE_KSYMS_MAX), WIRE_KSYMS_MAX);
	EXPECT_EQ(strlen(k[WIRE_KSYMS_MAX - 1].name), WIRE_KSYM_NAME_MAX);
	EXPECT_EQ(k[WIRE_KSYMS_MAX - 1].name[0], 'a' + WIRE_KSYMS_MAX - 1);
}

TEST(ksyms_request_rejects)
{
	static const char *const bad[] = {
	    "",	   ",",	  "a,",	   ",a",  "a,,b", "a b",       "a,b c",	   "a\tb",	     "a\nb",
	    "a/b", "a-b", "\"a\"", "a=b", "a;b",  "a,\x1b[0m", "\xc3\xa9", "vm_swappiness,",
	};
	struct wire_ksym k[WIRE_KSYMS_MAX];

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = ksyms_parse_request(bad[i], k, WIRE_KSYMS_MAX);

		if (r != -EINVAL)
			test_fail_at(__FILE__, __LINE__,
				     "ksyms_parse_request(bad[%u]): actual %d, expected -EINVAL", i,
				     r);
	}
}

/* ---- /proc/kallsyms -------------------------------------------------------- */

static const char *kallsyms_write(const char *name, const char *text)
{
	const char *path = test_tmp_path(name);
	FILE *f = fopen(path, "w");

	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(fputs(text, f) >= 0, 1);
	ASSERT_EQ(fclose(f), 0);
	return path;
}

static u32 request(struct wire_ksym *k, const char *list)
{
	int n = ksyms_parse_request(list, k, WIRE_KSYMS_MAX);

	ASSERT_GT(n, 0);
	return n;
}

TEST(ksyms_lookup_finds_core_symbols)
{
	/*
	 * The module's vm_swappiness comes first and must not win; "twice"
	 * is listed twice and the first one counts.
	 */
	const char *path =
	    kallsyms_write("kallsyms", "ffffffff81000000 T _text\n"
				       "ffffffffc0a01000 d vm_swappiness\t[fake_mod]\n"
				       "ffffffff81234560 t twice\n"
				       "ffffffff82a1b2c0 D vm_swappiness\n"
				       "ffffffff82a1b2c8 D vm_swappiness_extra\n"
				       "ffffffff83000000 b twice\n"
				       "ffffffff8300a018 d foo.llvm.123\n"
				       "ffffffffc0a02000 t only_in_mod\t[fake_mod]\n");
	struct wire_ksym k[WIRE_KSYMS_MAX];
	u32 n = request(k, "vm_swappiness,twice,absent,foo.llvm.123,only_in_mod,_text");

	EXPECT_EQ(ksyms_lookup(path, k, n), 4);
	EXPECT_EQ(k[0].addr, 0xffffffff82a1b2c0ULL);
	EXPECT_EQ(k[1].addr, 0xffffffff81234560ULL);
	EXPECT_EQ(k[2].addr, 0);
	EXPECT_EQ(k[3].addr, 0xffffffff8300a018ULL);
	EXPECT_EQ(k[4].addr, 0);
	EXPECT_EQ(k[5].addr, 0xffffffff81000000ULL);
	/* the names are left as they were */
	EXPECT_STREQ(k[0].name, "vm_swappiness");
	EXPECT_STREQ(k[2].name, "absent");
}

TEST(ksyms_lookup_skips_overlong_lines)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];
	char *text = malloc(16 * KSYMS_LINE_MAX);
	size_t off = 0;
	const char *path;
	u32 n;

	ASSERT_TRUE(text != NULL);
	/*
	 * Lines that do not fit, built so that what follows the buffer's worth
	 * looks like a line of its own: a reader that resumed mid-line would
	 * take "hidden" at 0xbad.
	 */
	off += sprintf(text + off, "ffffffff81000000 T ");
	memset(text + off, 'a', KSYMS_LINE_MAX - 1 - off);
	off = KSYMS_LINE_MAX - 1;
	off += sprintf(text + off, "0000000000000bad D hidden\n");
	/* four buffers' worth, ending the same way */
	off += sprintf(text + off, "ffffffff81000000 T ");
	memset(text + off, 'b', 4 * (KSYMS_LINE_MAX - 1) - 19);
	off += 4 * (KSYMS_LINE_MAX - 1) - 19;
	off += sprintf(text + off, "0000000000000bad D hidden\n");
	/* a module symbol whose line is too long for the buffer */
	off += sprintf(text + off, "ffffffffc0000000 d modvar\t[");
	memset(text + off, 'm', 2 * KSYMS_LINE_MAX);
	off += 2 * KSYMS_LINE_MAX;
	off += sprintf(text + off, "]\n");
	/* a name over WIRE_KSYM_NAME_MAX that starts with a wanted one */
	off += sprintf(text + off, "ffffffff81000010 T after");
	memset(text + off, '_', WIRE_KSYM_NAME_MAX);
	off += WIRE_KSYM_NAME_MAX;
	off += sprintf(text + off, "\n");
	off += sprintf(text + off, "ffffffff82000000 D after\n");
	/* the last line has no newline */
	sprintf(text + off, "ffffffff82000008 D last");
	path = kallsyms_write("kallsyms-long", text);
	free(text);

	n = request(k, "hidden,after,modvar,last");
	EXPECT_EQ(ksyms_lookup(path, k, n), 2);
	EXPECT_EQ(k[0].addr, 0);
	EXPECT_EQ(k[1].addr, 0xffffffff82000000ULL);
	EXPECT_EQ(k[2].addr, 0);
	EXPECT_EQ(k[3].addr, 0xffffffff82000008ULL);
}

TEST(ksyms_lookup_longest_name)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];
	char text[2 * KSYMS_LINE_MAX];
	const char *path;
	size_t off;
	u32 n;

	/* "ADDR T " and a name of the longest length fit the line buffer */
	off = sprintf(text, "ffffffff81000020 D ");
	memset(text + off, 'z', WIRE_KSYM_NAME_MAX);
	off += WIRE_KSYM_NAME_MAX;
	sprintf(text + off, "\n");
	ASSERT_LT(strlen(text), KSYMS_LINE_MAX);
	path = kallsyms_write("kallsyms-fit", text);
	text[off] = '\0';
	n = request(k, text + 19);
	EXPECT_EQ(ksyms_lookup(path, k, n), 1);
	EXPECT_EQ(k[0].addr, 0xffffffff81000020ULL);
}

TEST(ksyms_lookup_hidden_addresses)
{
	/* what an unprivileged reader sees (kptr_restrict): found, but 0 */
	const char *path = kallsyms_write("kallsyms-hidden", "0000000000000000 T _text\n"
							     "0000000000000000 D vm_swappiness\n"
							     "ffffffff82a1b2c0 D vm_swappiness\n");
	struct wire_ksym k[WIRE_KSYMS_MAX];
	u32 n = request(k, "vm_swappiness,_text");

	EXPECT_EQ(ksyms_lookup(path, k, n), 0);
	EXPECT_EQ(k[0].addr, 0);
	EXPECT_EQ(k[1].addr, 0);
}

TEST(ksyms_lookup_errors)
{
	const char *path = kallsyms_write("kallsyms-small", "ffffffff82a1b2c0 D vm_swappiness\n"
							    "garbage\n"
							    "\n"
							    "ffffffff82a1b2c8 DD x\n");
	struct wire_ksym k[WIRE_KSYMS_MAX + 1];

	EXPECT_EQ(ksyms_lookup(test_tmp_path("no-such-file"), k, request(k, "a")), -ENOENT);
	/* resets the addresses it is asked for, even when nothing is found */
	k[0].addr = 0x1234;
	EXPECT_EQ(ksyms_lookup(path, k, 1), 0);
	EXPECT_EQ(k[0].addr, 0);
	EXPECT_EQ(ksyms_lookup(path, k, 0), 0);
	EXPECT_EQ(ksyms_lookup(path, k, WIRE_KSYMS_MAX + 1), -EINVAL);
	strcpy(k[0].name, "bad name");
	EXPECT_EQ(ksyms_lookup(path, k, 1), -EINVAL);
	strcpy(k[0].name, "");
	EXPECT_EQ(ksyms_lookup(path, k, 1), -EINVAL);
	memset(k[0].name, 'n', sizeof(k[0].name));
	EXPECT_EQ(ksyms_lookup(path, k, 1), -EINVAL);
	/* a directory cannot be read as lines */
	strcpy(k[0].name, "vm_swappiness");
	EXPECT_LT(ksyms_lookup(test_tmpdir(), k, 1), 0);
	EXPECT_EQ(ksyms_lookup(path, k, 1), 1);
	EXPECT_EQ(k[0].addr, 0xffffffff82a1b2c0ULL);
}

TEST(ksyms_lookup_answer_fits_the_frame)
{
	struct wire_ksym k[WIRE_KSYMS_MAX], back[WIRE_KSYMS_MAX];
	const char *path = kallsyms_write("kallsyms-frame", "ffffffff82a1b2c0 D vm_swappiness\n");
	u8 b[WIRE_KSYMS_LEN_MAX];
	ssize_t len;
	u32 n = request(k, "vm_swappiness,absent"), got;

	ASSERT_EQ(ksyms_lookup(path, k, n), 1);
	len = wire_ksyms_build(b, sizeof(b), k, n);
	ASSERT_GT(len, 0);
	ASSERT_EQ(wire_ksyms_parse(back, WIRE_KSYMS_MAX, &got, b, len), 0);
	ASSERT_EQ(got, 2);
	EXPECT_EQ(back[0].addr, 0xffffffff82a1b2c0ULL);
	EXPECT_STREQ(back[0].name, "vm_swappiness");
	EXPECT_EQ(back[1].addr, 0);
	EXPECT_STREQ(back[1].name, "absent");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture scheduler's loader, the part that runs without sched_ext:
 * its arguments, its output lines and its exit status
 * (tests/schedulers/ktvm_fifo_cli.c).
 */
#include <errno.h>

#include "tests/schedulers/ktvm_fifo_cli.h"
#include "tests/test.h"

#define ARGV(...) ((char *const[]){"ktvm_fifo", __VA_ARGS__})
#define ARGC(...) ((int)(sizeof(ARGV(__VA_ARGS__)) / sizeof(char *)))
#define PARSE(o, err, ...)                                                                         \
	ktvm_fifo_cli_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

TEST(fifo_cli_no_arguments_is_normal)
{
	char *const argv[] = {"ktvm_fifo"};
	struct ktvm_fifo_opts o;
	char err[256];

	ASSERT_EQ(ktvm_fifo_cli_parse(&o, 1, argv, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_NORMAL);
	EXPECT_EQ(o.timeout_ms, 0);
	EXPECT_FALSE(o.verbose);
	EXPECT_FALSE(o.help);
}

TEST(fifo_cli_modes)
{
	struct ktvm_fifo_opts o;
	char err[256];

	ASSERT_EQ(PARSE(&o, err, "normal"), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_NORMAL);
	ASSERT_EQ(PARSE(&o, err, "error-after=100"), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_ERROR_AFTER);
	EXPECT_EQ(o.error_after, 100);
	ASSERT_EQ(PARSE(&o, err, "stall-pid=4242", "timeout-ms=2000"), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_STALL_PID);
	EXPECT_EQ(o.stall_pid, 4242);
	EXPECT_EQ(o.timeout_ms, 2000);
	ASSERT_EQ(PARSE(&o, err, "timeout-ms=500", "stall-comm=spin"), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_STALL_COMM);
	EXPECT_STREQ(o.stall_comm, "spin");
	EXPECT_EQ(o.timeout_ms, 500);
	ASSERT_EQ(PARSE(&o, err, "reject", "-v"), 0);
	EXPECT_EQ(o.mode, KTVM_FIFO_REJECT);
	EXPECT_TRUE(o.verbose);
	ASSERT_EQ(PARSE(&o, err, "--help"), 0);
	EXPECT_TRUE(o.help);
}

TEST(fifo_cli_limits_accepted)
{
	struct ktvm_fifo_opts o;
	char err[256];

	ASSERT_EQ(PARSE(&o, err, "error-after=18446744073709551615"), 0);
	EXPECT_EQ(o.error_after, UINT64_MAX);
	ASSERT_EQ(PARSE(&o, err, "stall-pid=2147483647", "timeout-ms=30000"), 0);
	EXPECT_EQ(o.stall_pid, INT32_MAX);
	EXPECT_EQ(o.timeout_ms, 30000);
	/* 15 bytes: the longest task name. */
	ASSERT_EQ(PARSE(&o, err, "stall-comm=abcdefghijklmno"), 0);
	EXPECT_STREQ(o.stall_comm, "abcdefghijklmno");
}

/* Each bad argument: -EINVAL and one line naming it. */
static void expect_bad(int argc, char *const argv[], const char *line)
{
	struct ktvm_fifo_opts o;
	char err[256];

	EXPECT_EQ(ktvm_fifo_cli_parse(&o, argc, argv, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, line);
	EXPECT_TRUE(!strchr(err, '\n'));
}

#define EXPECT_BAD(line, ...) expect_bad(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), line)

TEST(fifo_cli_bad_numbers)
{
	static const char n_bad[] = "N must be a whole number of at least 1";
	char line[256];
	char *const bad[] = {"error-after=",	 "error-after=0",
			     "error-after=-1",	 "error-after=+5",
			     "error-after=1x",	 "error-after= 1",
			     "error-after=0x10", "error-after=18446744073709551616"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "ktvm_fifo: argument \"%s\": %s", bad[i], n_bad);
		expect_bad(2, ARGV(bad[i]), line);
	}
	EXPECT_BAD(
	    "ktvm_fifo: argument \"stall-pid=0\": P must be a thread id from 1 to 2147483647",
	    "stall-pid=0");
	EXPECT_BAD("ktvm_fifo: argument \"stall-pid=2147483648\": P must be a thread id from 1 to "
		   "2147483647",
		   "stall-pid=2147483648");
	EXPECT_BAD("ktvm_fifo: argument \"timeout-ms=0\": T must be milliseconds from 1 to 30000 "
		   "(the kernel's limit)",
		   "timeout-ms=0");
	EXPECT_BAD("ktvm_fifo: argument \"timeout-ms=30001\": T must be milliseconds from 1 to "
		   "30000 (the kernel's limit)",
		   "timeout-ms=30001");
}

TEST(fifo_cli_bad_names_and_words)
{
	EXPECT_BAD("ktvm_fifo: argument \"stall-comm=\": NAME must be 1 to 15 bytes (the kernel's "
		   "task name length)",
		   "stall-comm=");
	EXPECT_BAD("ktvm_fifo: argument \"stall-comm=abcdefghijklmnop\": NAME must be 1 to 15 "
		   "bytes (the kernel's task name length)",
		   "stall-comm=abcdefghijklmnop");
	EXPECT_BAD("ktvm_fifo: argument \"fast\": unknown (try ktvm_fifo --help)", "fast");
	EXPECT_BAD("ktvm_fifo: argument \"normal=1\": unknown (try ktvm_fifo --help)", "normal=1");
	EXPECT_BAD("ktvm_fifo: argument \"--stall-pid=1\": unknown (try ktvm_fifo --help)",
		   "--stall-pid=1");
}

TEST(fifo_cli_one_mode_only)
{
	EXPECT_BAD("ktvm_fifo: argument \"reject\": a mode was already given (one mode only)",
		   "normal", "reject");
	EXPECT_BAD("ktvm_fifo: argument \"stall-comm=a\": a mode was already given (one mode "
		   "only)",
		   "stall-pid=5", "stall-comm=a");
	EXPECT_BAD("ktvm_fifo: argument \"timeout-ms=2\": given twice", "timeout-ms=1",
		   "timeout-ms=2");
}

TEST(fifo_cli_describe_round_trips)
{
	const char *const cases[] = {"normal", "error-after=100", "stall-pid=7 timeout-ms=1500",
				     "stall-comm=spin timeout-ms=1", "reject"};
	char *argv[4], words[64], out[64], *save;
	struct ktvm_fifo_opts o;
	char err[256];
	size_t i;
	int argc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(words, sizeof(words), "%s", cases[i]);
		argv[0] = "ktvm_fifo";
		argc = 1;
		for (char *w = strtok_r(words, " ", &save); w && argc < 4;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		ASSERT_EQ(ktvm_fifo_cli_parse(&o, argc, argv, err, sizeof(err)), 0);
		ktvm_fifo_cli_describe(&o, out, sizeof(out));
		EXPECT_STREQ(out, cases[i]);
	}
}

TEST(fifo_cli_quote)
{
	char out[64];

	EXPECT_EQ(ktvm_fifo_cli_quote(out, sizeof(out), "plain", 128), 7);
	EXPECT_STREQ(out, "\"plain\"");
	ktvm_fifo_cli_quote(out, sizeof(out), "a \"b\" \\c", 128);
	EXPECT_STREQ(out, "\"a \\\"b\\\" \\\\c\"");
	ktvm_fifo_cli_quote(out, sizeof(out), "line1\nline2\t\x01\xff", 128);
	EXPECT_STREQ(out, "\"line1\\nline2\\t\\x01\\xff\"");
	ktvm_fifo_cli_quote(out, sizeof(out), "", 128);
	EXPECT_STREQ(out, "\"\"");
	/* inlen bounds a string without its NUL. */
	ktvm_fifo_cli_quote(out, sizeof(out), "abcdef", 3);
	EXPECT_STREQ(out, "\"abc\"");
}

TEST(fifo_cli_quote_cut_between_escapes)
{
	char out[8];

	/* 8 bytes: quote, 5 characters, quote, NUL. */
	EXPECT_EQ(ktvm_fifo_cli_quote(out, sizeof(out), "abcdefgh", 64), 7);
	EXPECT_STREQ(out, "\"abcde\"");
	/* "abcd" fills it; the \n escape would not fit: cut before it. */
	ktvm_fifo_cli_quote(out, sizeof(out), "abcd\nx", 64);
	EXPECT_STREQ(out, "\"abcd\"");
	ktvm_fifo_cli_quote(out, 3, "abc", 64);
	EXPECT_STREQ(out, "\"\"");
	EXPECT_EQ(ktvm_fifo_cli_quote(out, 2, "abc", 64), 0);
	EXPECT_STREQ(out, "");
}

TEST(fifo_cli_exit_line)
{
	char line[512];

	ktvm_fifo_cli_exit_line(line, sizeof(line), 1026, "runnable task stall", 128,
				"spin[97] failed to run for 2.004s", 1024);
	EXPECT_STREQ(line,
		     "ktvm_fifo: exit kind 1026 reason \"runnable task stall\" msg \"spin[97] "
		     "failed to run for 2.004s\"");
	ktvm_fifo_cli_exit_line(line, sizeof(line), 64, "unregistered from user space", 128, "",
				1024);
	EXPECT_STREQ(line,
		     "ktvm_fifo: exit kind 64 reason \"unregistered from user space\" msg \"\"");
}

TEST(fifo_cli_status)
{
	/* A detach we asked for. */
	EXPECT_EQ(ktvm_fifo_cli_status(true, KTVM_FIFO_EXIT_UNREG), KTVM_FIFO_OK);
	/* Errors win, asked to stop or not: scx_bpf_error (1025), a stall (1026). */
	EXPECT_EQ(ktvm_fifo_cli_status(false, 1025), KTVM_FIFO_SCHED_ERROR);
	EXPECT_EQ(ktvm_fifo_cli_status(true, 1026), KTVM_FIFO_SCHED_ERROR);
	EXPECT_EQ(ktvm_fifo_cli_status(false, KTVM_FIFO_EXIT_ERROR), KTVM_FIFO_SCHED_ERROR);
	/* Ended without our asking: sysrq-S (67), unregistered by the kernel (66). */
	EXPECT_EQ(ktvm_fifo_cli_status(false, 67), KTVM_FIFO_SCHED_ENDED);
	EXPECT_EQ(ktvm_fifo_cli_status(true, 66), KTVM_FIFO_SCHED_ENDED);
	/* No exit record at all is not a clean detach. */
	EXPECT_EQ(ktvm_fifo_cli_status(true, 0), KTVM_FIFO_SCHED_ENDED);
	/* Each outcome its own status. */
	EXPECT_EQ(KTVM_FIFO_OK, 0);
	EXPECT_EQ(KTVM_FIFO_SETUP_FAILED, 1);
	EXPECT_EQ(KTVM_FIFO_BAD_ARGS, 2);
	EXPECT_EQ(KTVM_FIFO_LOAD_FAILED, 3);
	EXPECT_EQ(KTVM_FIFO_ATTACH_FAILED, 4);
	EXPECT_EQ(KTVM_FIFO_SCHED_ERROR, 5);
	EXPECT_EQ(KTVM_FIFO_SCHED_ENDED, 6);
}

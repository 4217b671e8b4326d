/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal unit-test framework. Each test binary defines cases with TEST();
 * they register themselves, run in definition order, print one line each and
 * the binary ends with "N passed, N failed, N skipped". No hand-counted plans.
 *
 *   TEST(zero_page_fields) { EXPECT_EQ(bp->hdr.type_of_loader, 0xff); }
 *
 * EXPECT_* record a failure and continue; ASSERT_* stop the case; SKIP(fmt)
 * stops it as skipped with a reason. Messages print the expression,
 * file:line, and the expected and actual values.
 */
#ifndef KTVM_TESTS_TEST_H
#define KTVM_TESTS_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void test_stop(void) __attribute__((noreturn));
void test_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Scratch directory unique to this test binary run; removed at exit. */
const char *test_tmpdir(void);
/* test_tmpdir()/name, in one of 4 rotating static buffers. */
const char *test_tmp_path(const char *name);
/*
 * rel under the Debian files scripts/fetch-debian.sh fetched
 * ($KTVM_CACHE/debian, else ~/.cache/ktvm/debian), in one of 4 rotating
 * static buffers.
 */
const char *test_debian_path(const char *rel);
/*
 * test_debian_path(rel) mapped read-only, its size in *len (munmap() it);
 * the case skips, naming the file, when it is not in the cache.
 */
void *test_debian_map(const char *rel, size_t *len);

#define TEST(name)                                                                                 \
	static void test_fn_##name(void);                                                          \
	static struct test_case test_case_##name = {#name, test_fn_##name, NULL};                  \
	__attribute__((constructor)) static void test_reg_##name(void)                             \
	{                                                                                          \
		test_register(&test_case_##name);                                                  \
	}                                                                                          \
	static void test_fn_##name(void)

#define TEST_CMP_(fatal, a, op, b)                                                                 \
	do {                                                                                       \
		/* Compared as signed: errno returns are negative, sizes fit in 63 bits. */        \
		long long test_a_ = (long long)(a);                                                \
		long long test_b_ = (long long)(b);                                                \
		if (!(test_a_ op test_b_)) {                                                       \
			test_fail_at(__FILE__, __LINE__,                                           \
				     "%s %s %s: actual 0x%llx (%lld), expected 0x%llx (%lld)", #a, \
				     #op, #b, (unsigned long long)test_a_, test_a_,                \
				     (unsigned long long)test_b_, test_b_);                        \
			if (fatal)                                                                 \
				test_stop();                                                       \
		}                                                                                  \
	} while (0)

#define EXPECT_EQ(a, b) TEST_CMP_(0, a, ==, b)
#define EXPECT_NE(a, b) TEST_CMP_(0, a, !=, b)
#define EXPECT_LT(a, b) TEST_CMP_(0, a, <, b)
#define EXPECT_LE(a, b) TEST_CMP_(0, a, <=, b)
#define EXPECT_GE(a, b) TEST_CMP_(0, a, >=, b)
#define EXPECT_GT(a, b) TEST_CMP_(0, a, >, b)
#define ASSERT_EQ(a, b) TEST_CMP_(1, a, ==, b)
#define ASSERT_NE(a, b) TEST_CMP_(1, a, !=, b)
#define ASSERT_GE(a, b) TEST_CMP_(1, a, >=, b)
#define ASSERT_LE(a, b) TEST_CMP_(1, a, <=, b)
#define ASSERT_LT(a, b) TEST_CMP_(1, a, <, b)
#define ASSERT_GT(a, b) TEST_CMP_(1, a, >, b)

#define TEST_TRUE_(fatal, cond)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail_at(__FILE__, __LINE__, "expected true: %s", #cond);              \
			if (fatal)                                                                 \
				test_stop();                                                       \
		}                                                                                  \
	} while (0)
#define EXPECT_TRUE(c)	TEST_TRUE_(0, c)
#define EXPECT_FALSE(c) TEST_TRUE_(0, !(c))
#define ASSERT_TRUE(c)	TEST_TRUE_(1, c)
#define ASSERT_FALSE(c) TEST_TRUE_(1, !(c))

#define TEST_STR_(fatal, a, b)                                                                     \
	do {                                                                                       \
		const char *test_sa_ = (a), *test_sb_ = (b);                                       \
		if (!test_sa_ || !test_sb_ || strcmp(test_sa_, test_sb_)) {                        \
			test_fail_at(                                                              \
			    __FILE__, __LINE__, "%s == %s: actual \"%s\", expected \"%s\"", #a,    \
			    #b, test_sa_ ? test_sa_ : "(null)", test_sb_ ? test_sb_ : "(null)");   \
			if (fatal)                                                                 \
				test_stop();                                                       \
		}                                                                                  \
	} while (0)
#define EXPECT_STREQ(a, b) TEST_STR_(0, a, b)
#define ASSERT_STREQ(a, b) TEST_STR_(1, a, b)

#define SKIP(...) test_skip(__VA_ARGS__)

#endif

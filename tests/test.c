// SPDX-License-Identifier: GPL-2.0
/* Runner for tests/test.h: runs every registered case, prints the totals. */
#include <sys/stat.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/test.h"

static struct test_case *test_head, **test_tail = &test_head;
static jmp_buf test_jmp;
static bool test_failed;
static char test_skip_reason[256];
static char test_dir[64];

void test_register(struct test_case *tc)
{
	*test_tail = tc;
	test_tail = &tc->next;
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	test_failed = true;
}

void test_stop(void)
{
	longjmp(test_jmp, 1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_skip_reason, sizeof(test_skip_reason), fmt, ap);
	va_end(ap);
	longjmp(test_jmp, 2);
}

const char *test_tmpdir(void)
{
	if (!test_dir[0]) {
		snprintf(test_dir, sizeof(test_dir), "/tmp/ktvm-test.XXXXXX");
		if (!mkdtemp(test_dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return test_dir;
}

const char *test_tmp_path(const char *name)
{
	static char bufs[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", test_tmpdir(), name);
	return bufs[i];
}

const char *test_debian_path(const char *rel)
{
	static char bufs[4][1024];
	static int i;
	const char *cache = getenv("KTVM_CACHE"), *home = getenv("HOME");

	i = (i + 1) % 4;
	if (cache && *cache)
		snprintf(bufs[i], sizeof(bufs[i]), "%s/debian/%s", cache, rel);
	else
		snprintf(bufs[i], sizeof(bufs[i]), "%s/.cache/ktvm/debian/%s",
			 home ? home : "/root", rel);
	return bufs[i];
}

static void test_cleanup(void)
{
	char cmd[128];

	if (test_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", test_dir);
	}
}

/* 0: ran to the end (check test_failed), 1: stopped by ASSERT, 2: skipped. */
static int test_run_one(struct test_case *tc)
{
	int r;

	test_failed = false;
	test_skip_reason[0] = '\0';
	r = setjmp(test_jmp);
	if (r == 0)
		tc->fn();
	return r;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, skipped = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* --list: the case names, one a line, for runners that run cases one by one. */
	if (only && !strcmp(only, "--list")) {
		for (struct test_case *tc = test_head; tc; tc = tc->next)
			printf("%s\n", tc->name);
		return 0;
	}
	for (struct test_case *tc = test_head; tc; tc = tc->next) {
		int r;

		if (only && !strstr(tc->name, only))
			continue;
		r = test_run_one(tc);
		if (r == 2) {
			printf("skip %s: %s\n", tc->name, test_skip_reason);
			skipped++;
		} else if (test_failed) {
			printf("FAIL %s\n", tc->name);
			failed++;
		} else {
			printf("ok   %s\n", tc->name);
			passed++;
		}
	}
	test_cleanup();
	if (skipped)
		printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	else
		printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

void *test_debian_map(const char *rel, size_t *len)
{
	const char *path = test_debian_path(rel);
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		SKIP("no %s (scripts/fetch-debian.sh)", path);
	ASSERT_EQ(fstat(fd, &st), 0);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	ASSERT_TRUE(map != MAP_FAILED);
	*len = (size_t)st.st_size;
	return map;
}

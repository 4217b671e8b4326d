// SPDX-License-Identifier: GPL-2.0
/*
 * core/base/cleanup.c: the paths removed when ktvm must end at once (a
 * second SIGINT): files, flat directories with what is in them, forgotten
 * paths kept, a full table refused, and the same after a fork (the
 * abrupt end runs cleanup_now() and _exit()s, as tools/signals.c does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "tests/test.h"

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, "x", 1), 1);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A directory DIR with n files in it, registered; its path in dir. */
static void make_dir(char *dir, size_t size, const char *name, int n)
{
	char f[512];

	snprintf(dir, size, "%s", test_tmp_path(name));
	mkdir(dir, 0755);
	for (int i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "%s/file%d", dir, i);
		touch(f);
	}
}

TEST(cleanup_files_and_dirs)
{
	char dir[256], file[256], kept[256];

	make_dir(dir, sizeof(dir), "cleanup-dir", 4);
	snprintf(file, sizeof(file), "%s", test_tmp_path("cleanup-file"));
	snprintf(kept, sizeof(kept), "%s", test_tmp_path("cleanup-kept"));
	touch(file);
	touch(kept);
	ASSERT_EQ(cleanup_add(dir, true), 0);
	ASSERT_EQ(cleanup_add(file, false), 0);
	ASSERT_EQ(cleanup_add(kept, false), 0);
	EXPECT_EQ(cleanup_count(), 3);
	cleanup_forget(kept);
	EXPECT_EQ(cleanup_count(), 2);
	cleanup_now();
	EXPECT_FALSE(exists(dir));
	EXPECT_FALSE(exists(file));
	EXPECT_TRUE(exists(kept));
	cleanup_forget(dir);
	cleanup_forget(file);
	EXPECT_EQ(cleanup_count(), 0);
	unlink(kept);
}

/* Hundreds of entries: the directory is read in several getdents64 calls. */
TEST(cleanup_big_dir)
{
	char dir[256];

	make_dir(dir, sizeof(dir), "cleanup-big", 400);
	ASSERT_EQ(cleanup_add(dir, true), 0);
	cleanup_now();
	EXPECT_FALSE(exists(dir));
	cleanup_forget(dir);
}

TEST(cleanup_full_table)
{
	char p[64];

	for (int i = 0; i < CLEANUP_MAX; i++) {
		snprintf(p, sizeof(p), "/nonexistent/ktvm-cleanup-%d", i);
		ASSERT_EQ(cleanup_add(p, false), 0);
	}
	EXPECT_EQ(cleanup_add("/nonexistent/one-more", false), -ENOSPC);
	for (int i = 0; i < CLEANUP_MAX; i++) {
		snprintf(p, sizeof(p), "/nonexistent/ktvm-cleanup-%d", i);
		cleanup_forget(p);
	}
	EXPECT_EQ(cleanup_count(), 0);
	EXPECT_EQ(cleanup_add("/nonexistent/again", false), 0);
	cleanup_forget("/nonexistent/again");
}

/* The abrupt end: a child registers, cleans up and _exit()s; the parent finds nothing left. */
TEST(cleanup_abrupt_exit)
{
	char dir[256];
	int status;
	pid_t pid;

	make_dir(dir, sizeof(dir), "cleanup-exit", 3);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		if (cleanup_add(dir, true))
			_exit(1);
		cleanup_now();
		_exit(130);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 130);
	EXPECT_FALSE(exists(dir));
}

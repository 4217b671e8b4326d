// SPDX-License-Identifier: GPL-2.0
/*
 * Shared-library closure of real binaries on this (x86_64 Debian) host,
 * checked against what ldd would list; x86_64 only because it depends on
 * the host's libraries.
 */
#include <errno.h>
#include <unistd.h>

#include "core/image/elfdeps.h"
#include "core/base/error.h"
#include "tests/test.h"

/* The entry whose guest path ends in /name (as a regular file or a link). */
static const struct elfdeps_file *find_base(const struct elfdeps *d, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < d->n; i++) {
		size_t gl = strlen(d->v[i].guest);

		if (gl > nl && d->v[i].guest[gl - nl - 1] == '/' &&
		    !strcmp(d->v[i].guest + gl - nl, name))
			return &d->v[i];
	}
	return NULL;
}

static void dump(const struct elfdeps *d)
{
	for (size_t i = 0; i < d->n; i++)
		printf("    %s%s%s\n", d->v[i].guest, d->v[i].link ? " -> " : "",
		       d->v[i].link ? d->v[i].link : "");
}

/* Every symlink's target is packed too, and every regular file exists. */
static void check_complete(const struct elfdeps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct elfdeps_file *f = &d->v[i];

		EXPECT_TRUE(f->guest[0] == '/');
		if (f->link) {
			char t[4096];

			if (f->link[0] == '/')
				snprintf(t, sizeof(t), "%s", f->link);
			else
				snprintf(t, sizeof(t), "%.*s/%s",
					 (int)(strrchr(f->guest, '/') - f->guest), f->guest,
					 f->link);
			bool found = false;
			for (size_t j = 0; j < d->n; j++)
				found |= !strcmp(d->v[j].guest, t);
			if (!found)
				printf("    %s -> %s: target not packed\n", f->guest, t);
			EXPECT_TRUE(found);
		} else {
			EXPECT_EQ(access(f->host, R_OK), 0);
		}
	}
}

TEST(elfdeps_host_self)
{
	struct elfdeps d = {0};
	const struct elfdeps_file *ld;

	/* this test binary links libelf and zlib, like ktvm */
	ASSERT_EQ(elfdeps_resolve(&d, "/proc/self/exe", "/init", NULL), 0);
	dump(&d);
	EXPECT_TRUE(find_base(&d, "libelf.so.1") != NULL);
	EXPECT_TRUE(find_base(&d, "libz.so.1") != NULL);
	EXPECT_TRUE(find_base(&d, "libc.so.6") != NULL);
	ld = find_base(&d, "ld-linux-x86-64.so.2");
	ASSERT_TRUE(ld != NULL);
	EXPECT_STREQ(ld->guest, "/lib64/ld-linux-x86-64.so.2");
	check_complete(&d);
	elfdeps_free(&d);
}

TEST(elfdeps_host_ls)
{
	struct elfdeps d = {0};

	if (access("/bin/ls", R_OK))
		SKIP("/bin/ls not present");
	ASSERT_EQ(elfdeps_resolve(&d, "/bin/ls", "/bin/ls", NULL), 0);
	dump(&d);
	EXPECT_TRUE(find_base(&d, "libc.so.6") != NULL);
	EXPECT_TRUE(find_base(&d, "ld-linux-x86-64.so.2") != NULL);
	check_complete(&d);
	elfdeps_free(&d);
}

TEST(elfdeps_host_static)
{
	static const char *const cands[] = {"/usr/bin/qemu-aarch64-static",
					    "/usr/bin/qemu-x86_64-static", "/bin/busybox"};
	struct elfdeps d = {0};
	int tried = 0;

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (access(cands[i], R_OK))
			continue;
		ASSERT_EQ(elfdeps_resolve(&d, cands[i], "/init", NULL), 0);
		printf("    %s: %zu files\n", cands[i], d.n);
		/* qemu-*-static is static-pie: PT_DYNAMIC, but no PT_INTERP or DT_NEEDED */
		EXPECT_EQ(d.n, 0);
		tried++;
	}
	if (!tried)
		SKIP("no static binary found (qemu-user-static, busybox)");
}

TEST(elfdeps_host_cross_aarch64)
{
	const char *lib = "/usr/lib/aarch64-linux-gnu/libelf.so.1";
	struct elfdeps d = {0};

	if (access(lib, R_OK))
		SKIP("%s not present (libelf1:arm64)", lib);
	/* an arm64 library on this x86_64 host: only arm64 libraries qualify */
	ASSERT_EQ(elfdeps_resolve(&d, lib, "/usr/lib/aarch64-linux-gnu/libelf.so.1", NULL), 0);
	dump(&d);
	EXPECT_TRUE(find_base(&d, "libz.so.1") != NULL);
	EXPECT_TRUE(find_base(&d, "libc.so.6") != NULL);
	EXPECT_TRUE(find_base(&d, "ld-linux-aarch64.so.1") != NULL);
	for (size_t i = 0; i < d.n; i++)
		EXPECT_TRUE(strstr(d.v[i].guest, "x86_64") == NULL);
	check_complete(&d);
	elfdeps_free(&d);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * core/run/monitor_layout.c against Debian's kernels (6.1, 6.12, 7.x; amd64
 * and arm64): every field the monitor reads is found, with the size it
 * expects, and its offset is checked against a second derivation that
 * shares nothing with btf_layout.c's member walk: the kernel's types are
 * written out as a C header (libbpf's btf_dump, as `ktvm btf --c-header`
 * does) and the C compiler computes offsetof() for each field from it.
 * Kernels not fetched are skipped (scripts/fetch-debian.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/image/btf_image.h"
#include "core/run/monitor_layout.h"
#include "tests/test.h"

/* The C expression for field i (the member path the kernel has, fallbacks included). */
static const char *expr(enum monitor_fields i, const struct monitor_layout *l, bool newer_cfs)
{
	switch (i) {
	case MF_RQ_CLOCK:
		return "__builtin_offsetof(struct rq, clock)";
	case MF_RQ_NR_RUNNING:
		return "__builtin_offsetof(struct rq, nr_running)";
	case MF_RQ_CURR:
		return "__builtin_offsetof(struct rq, curr)";
	case MF_RQ_CFS_NR:
		return newer_cfs ? "__builtin_offsetof(struct rq, cfs.h_nr_queued)"
				 : "__builtin_offsetof(struct rq, cfs.h_nr_running)";
	case MF_RQ_SCX_NR:
		return "__builtin_offsetof(struct rq, scx.nr_running)";
	case MF_RQ_SCX_FLAGS:
		return "__builtin_offsetof(struct rq, scx.flags)";
	case MF_RQ_SCHED_COUNT:
		return "__builtin_offsetof(struct rq, sched_count)";
	case MF_RQ_YLD_COUNT:
		return "__builtin_offsetof(struct rq, yld_count)";
	case MF_RQ_CPU:
		return "__builtin_offsetof(struct rq, cpu)";
	case MF_TASK_PID:
		return "__builtin_offsetof(struct task_struct, pid)";
	case MF_TASK_COMM:
		return "__builtin_offsetof(struct task_struct, comm)";
	default:
		return NULL;
	}
}

/* Whether the header names cfs_rq's count h_nr_queued (6.14 on), read from its text. */
static bool header_has(const char *hdr, const char *word)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "grep -q '%s' '%s'", word, hdr);
	return system(cmd) == 0;
}

static void check(const char *rel, bool want_scx)
{
	bool newer_cfs;
	size_t len;
	u8 *map = test_debian_map(rel, &len);
	struct btf_image bi;
	struct monitor_layout lay;
	const char *hdr = test_tmp_path("vmlinux.h"), *src = test_tmp_path("off.c"),
		   *bin = test_tmp_path("off"), *outp = test_tmp_path("off.txt");
	char cmd[4096];
	FILE *f;
	int fd, n = 0;

	ASSERT_EQ(btf_image_open(map, len, &bi), 0);
	error_clear();
	ASSERT_EQ(monitor_layout_get(bi.btf, &lay), 0);
	EXPECT_EQ(lay.f[MF_RQ_CLOCK].size, 8);
	EXPECT_EQ(lay.f[MF_TASK_COMM].size, 16);
	EXPECT_GT(lay.f[MF_RQ_CFS_NR].size, 0);
	EXPECT_GT(lay.f[MF_RQ_CPU].size, 0);
	EXPECT_EQ(lay.f[MF_RQ_SCX_NR].size > 0, want_scx);
	EXPECT_GT(lay.rq_size, 1024);

	fd = open(hdr, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(btf_image_write_c_header(&bi, fd), 0);
	close(fd);
	newer_cfs = header_has(hdr, "h_nr_queued;");
	f = fopen(src, "w");
	ASSERT_TRUE(f != NULL);
	/* No libc headers: the kernel's types (wchar_t, va_list) clash with them. */
	fprintf(f, "#include \"vmlinux.h\"\nint printf(const char *, ...);\nint main(void)\n{\n");
	for (int i = 0; i < MF_COUNT; i++)
		if (lay.f[i].size)
			fprintf(f, "\tprintf(\"%%d %%lu\\n\", %d, (unsigned long)%s);\n", i,
				expr(i, &lay, newer_cfs));
	fprintf(f, "\treturn 0;\n}\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -w -I'%s' -o '%s' '%s' && '%s' > '%s'", test_tmp_path(""),
		 bin, src, bin, outp);
	if (system("command -v cc >/dev/null 2>&1") != 0) {
		btf_image_close(&bi);
		munmap(map, len);
		SKIP("no C compiler for the second derivation");
	}
	ASSERT_EQ(system(cmd), 0);
	f = fopen(outp, "r");
	ASSERT_TRUE(f != NULL);
	for (int i; fscanf(f, "%d", &i) == 1; n++) {
		size_t off;

		ASSERT_EQ(fscanf(f, "%zu", &off), 1);
		ASSERT_TRUE(i >= 0 && i < MF_COUNT);
		if (lay.f[i].off != off)
			printf("    %s: btf_layout %u, offsetof %zu\n", monitor_field_name(i),
			       lay.f[i].off, off);
		EXPECT_EQ(lay.f[i].off, off);
	}
	fclose(f);
	EXPECT_GE(n, 7);
	printf("    %s: rq.clock +%u, nr_running +%u, curr +%u, cpu +%u; %d fields checked\n", rel,
	       lay.f[MF_RQ_CLOCK].off, lay.f[MF_RQ_NR_RUNNING].off, lay.f[MF_RQ_CURR].off,
	       lay.f[MF_RQ_CPU].off, n);
	btf_image_close(&bi);
	munmap(map, len);
}

TEST(monitor_layout_debian_6_1_amd64)
{
	check("amd64/linux-6.1/vmlinux", false);
}

TEST(monitor_layout_debian_6_12_amd64)
{
	check("amd64/linux-6.12/vmlinux", false);
}

TEST(monitor_layout_debian_7_amd64)
{
	check("amd64/linux-7/vmlinux", true);
}

TEST(monitor_layout_debian_6_1_arm64)
{
	check("arm64/linux-6.1/Image", false);
}

TEST(monitor_layout_debian_6_12_arm64)
{
	check("arm64/linux-6.12/Image", false);
}

TEST(monitor_layout_debian_7_arm64)
{
	check("arm64/linux-7/Image", true);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The aarch64 device tree round-trips through dtc: DTB -> DTS -> DTB with
 * no warnings, and the result is the same tree. dtc is a host program;
 * under qemu-user the emulator passes execve to the host kernel, which runs
 * a host binary natively (no binfmt_misc entry is involved).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/aarch64/fdt_fixture.h"

/* The dtc on PATH, or NULL. */
static const char *dtc_path(void)
{
	static char found[512];
	const char *path = getenv("PATH"), *end;
	size_t n;

	for (; path && *path; path = *end ? end + 1 : end) {
		end = path + strcspn(path, ":");
		n = (size_t)(end - path);
		snprintf(found, sizeof(found), "%.*s/dtc", (int)n, n ? path : ".");
		if (!access(found, X_OK))
			return found;
	}
	return NULL;
}

/* Run dtc with args, its output and errors into log; returns its exit status. */
static int dtc_run(const char *dtc, const char *log, const char *in_fmt, const char *out_fmt,
		   const char *out, const char *in)
{
	char *const argv[] = {(char *)"dtc", (char *)"-I",    (char *)in_fmt,
			      (char *)"-O",  (char *)out_fmt, (char *)"-o",
			      (char *)out,   (char *)in,      NULL};
	extern char **environ;
	posix_spawn_file_actions_t fa;
	int ret, status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	ret = posix_spawn(&pid, dtc, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		printf("  spawn %s: %s\n", dtc, strerror(ret));
		return -1;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static long file_read(const char *path, void *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size, f);
	fclose(f);
	return (long)n;
}

static bool file_write(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/* Print dtc's log (its warnings) if it has any; returns its length. */
static long dtc_log(const char *log)
{
	static char text[4096];
	long n = file_read(log, text, sizeof(text) - 1);

	if (n > 0) {
		text[n] = '\0';
		printf("  dtc said:\n%s", text);
	}
	return n;
}

/* The same nodes, in the same order, with the same properties, byte for byte. */
static void expect_same_tree(const void *a, const void *b)
{
	int na = 0, nb = 0, da = 0, db = 0, pa, pb, la, lb;
	const char *name_a, *name_b;
	const void *va, *vb;

	/* Past the last node, fdt_next_node() returns depth -1. */
	while (da >= 0 || db >= 0) {
		ASSERT_GE(na, 0);
		ASSERT_GE(nb, 0);
		ASSERT_EQ(da, db);
		ASSERT_STREQ(fdt_get_name(a, na, NULL), fdt_get_name(b, nb, NULL));
		pa = fdt_first_property_offset(a, na);
		pb = fdt_first_property_offset(b, nb);
		while (pa >= 0 && pb >= 0) {
			va = fdt_getprop_by_offset(a, pa, &name_a, &la);
			vb = fdt_getprop_by_offset(b, pb, &name_b, &lb);
			ASSERT_TRUE(va && vb);
			ASSERT_STREQ(name_a, name_b);
			if (la != lb || memcmp(va, vb, (size_t)la))
				printf("  %s: property %s differs\n", fdt_get_name(a, na, NULL),
				       name_a);
			ASSERT_EQ(la, lb);
			ASSERT_TRUE(!memcmp(va, vb, (size_t)la));
			pa = fdt_next_property_offset(a, pa);
			pb = fdt_next_property_offset(b, pb);
		}
		ASSERT_EQ(pa, pb); /* both -FDT_ERR_NOTFOUND */
		na = fdt_next_node(a, na, &da);
		nb = fdt_next_node(b, nb, &db);
	}
	EXPECT_EQ(fdt_num_mem_rsv(b), 0);
}

static void check_dtc_round_trip(const struct a64_fdt_desc *d)
{
	const char *dtc = dtc_path(), *in = test_tmp_path("ktvm.dtb"),
		   *dts = test_tmp_path("ktvm.dts"), *back = test_tmp_path("back.dtb"),
		   *log = test_tmp_path("dtc.log");
	static u8 again[sizeof(dtb)];
	int len, ret;
	long n;

	if (!dtc)
		SKIP("no dtc on PATH (Debian: device-tree-compiler)");
	len = build(d);
	ASSERT_TRUE(file_write(in, dtb, (size_t)len));

	ret = dtc_run(dtc, log, "dtb", "dts", dts, in);
	/* 127: the spawned child could not exec it (a foreign binary, no binfmt_misc). */
	if (ret == 127 || ret < 0)
		SKIP("%s could not be run here (status %d)", dtc, ret);
	EXPECT_EQ(dtc_log(log), 0); /* no warnings */
	ASSERT_EQ(ret, 0);

	ret = dtc_run(dtc, log, "dts", "dtb", back, dts);
	EXPECT_EQ(dtc_log(log), 0);
	ASSERT_EQ(ret, 0);
	n = file_read(back, again, sizeof(again));
	ASSERT_GT(n, 0);
	ASSERT_EQ(fdt_check_full(again, (size_t)n), 0);
	expect_same_tree(dtb, again);
}

TEST(dtc_round_trip_1)
{
	struct a64_fdt_desc d = desc(1);

	check_dtc_round_trip(&d);
}

TEST(dtc_round_trip_123)
{
	struct a64_fdt_desc d = desc(ARCH_MAX_VCPUS);

	check_dtc_round_trip(&d);
}

/* cpu-map with threads, cache nodes, NUMA memory nodes and /distance-map. */
TEST(dtc_round_trip_topology)
{
	struct topology t;
	struct a64_fdt_desc d;

	topo_make(&t, "2,4,2,2", 512, "192,192,128", "10,15,20;15,10,25;20,25,10");
	d = desc_topo(&t);
	check_dtc_round_trip(&d);
}

TEST(dtc_round_trip_topology_123)
{
	struct topology t;
	struct a64_fdt_desc d;

	topo_make(&t, "1,1,41,3", 0, "64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64", NULL);
	d = desc_topo(&t);
	check_dtc_round_trip(&d);
}

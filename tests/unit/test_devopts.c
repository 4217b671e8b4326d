// SPDX-License-Identifier: GPL-2.0
/*
 * --disk and --net (tools/devopts.c): what the specs parse to, what is
 * refused and how it is said, and the host side they open: a raw file's
 * size rounded down to whole sectors, a fresh disk that leaves no file
 * behind, a read-only disk opened read-only, and a lock that keeps a
 * second writer off an image in use.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "tests/test.h"
#include "tools/devopts.h"

static struct devopts o;

#define EXPECT_REFUSED(call, words)                                                                \
	do {                                                                                       \
		error_clear();                                                                     \
		EXPECT_LT(call, 0);                                                                \
		if (!strstr(error_msg(), words))                                                   \
			test_fail_at(__FILE__, __LINE__, "message \"%s\" does not say \"%s\"",     \
				     error_msg(), words);                                          \
		EXPECT_EQ(error_kind(), ERROR_INPUT);                                              \
	} while (0)

TEST(disk_specs)
{
	devopts_init(&o);
	EXPECT_EQ(devopts_add_disk(&o, "/x/a.img"), 0);
	EXPECT_EQ(devopts_add_disk(&o, "b.img,ro,cache=none"), 0);
	EXPECT_EQ(devopts_add_disk(&o, "size=64,cache=writeback"), 0);
	EXPECT_EQ(o.nr_disks, 3);
	EXPECT_EQ(strcmp(o.disk[0].path, "/x/a.img"), 0);
	EXPECT_FALSE(o.disk[0].ro);
	EXPECT_TRUE(o.disk[1].ro);
	EXPECT_TRUE(o.disk[1].direct);
	EXPECT_EQ(o.disk[2].path[0], '\0');
	EXPECT_EQ(o.disk[2].fresh_mib, 64);
	EXPECT_FALSE(o.disk[2].direct);
	EXPECT_EQ(o.disk[2].fd, -1);
	EXPECT_REFUSED(devopts_add_disk(&o, "c.img,rw"), "unknown option 'rw'");
	EXPECT_REFUSED(devopts_add_disk(&o, "size=0"), "must be 1-");
	EXPECT_REFUSED(devopts_add_disk(&o, "size=12x"), "not a whole number");
	EXPECT_REFUSED(devopts_add_disk(&o, "size=2000000"), "must be 1-");
	EXPECT_REFUSED(devopts_add_disk(&o, ""), "empty");
	EXPECT_REFUSED(devopts_add_disk(&o, ","), "empty");
	EXPECT_EQ(devopts_add_disk(&o, "d"), 0);
	EXPECT_EQ(devopts_add_disk(&o, "e"), 0);
	EXPECT_EQ(devopts_add_disk(&o, "f"), 0);
	EXPECT_REFUSED(devopts_add_disk(&o, "g"), "more than 6 disks");
	EXPECT_EQ(o.nr_disks, 6);
}

TEST(net_specs)
{
	static const u8 mac[6] = {0x02, 0, 0, 0xaa, 0xbb, 0xcc};

	devopts_init(&o);
	EXPECT_EQ(o.net.mode, DEVOPTS_NET_NONE);
	EXPECT_EQ(o.net.mac[0] & 3, 2); /* the default: locally administered, unicast */
	EXPECT_EQ(devopts_set_net(&o, "loopback,mac=02:00:00:aa:bb:cc,mtu=9000,csum"), 0);
	EXPECT_EQ(o.net.mode, DEVOPTS_NET_LOOPBACK);
	EXPECT_EQ(memcmp(o.net.mac, mac, 6), 0);
	EXPECT_EQ(o.net.mtu, 9000);
	EXPECT_TRUE(o.net.csum);
	EXPECT_REFUSED(devopts_set_net(&o, "loopback"), "twice");
	devopts_init(&o);
	EXPECT_EQ(devopts_set_net(&o, "tap:ktvm7,host=10.0.2.1/24"), 0);
	EXPECT_EQ(o.net.mode, DEVOPTS_NET_TAP);
	EXPECT_EQ(strcmp(o.net.ifname, "ktvm7"), 0);
	EXPECT_EQ(strcmp(o.net.host_addr, "10.0.2.1/24"), 0);
	devopts_init(&o);
	EXPECT_EQ(devopts_set_net(&o, "tap"), 0);
	EXPECT_EQ(o.net.ifname[0], '\0');
	devopts_init(&o);
	EXPECT_REFUSED(devopts_set_net(&o, "bridge"), "unknown mode 'bridge'");
	EXPECT_REFUSED(devopts_set_net(&o, "tap:"), "interface name");
	EXPECT_REFUSED(devopts_set_net(&o, "tap:waytoolonginterfacename"), "interface name");
	EXPECT_REFUSED(devopts_set_net(&o, "loopback,mac=01:00:00:00:00:01"), "multicast");
	EXPECT_REFUSED(devopts_set_net(&o, "loopback,mac=02:00:00:00:00"), "not XX:XX");
	EXPECT_REFUSED(devopts_set_net(&o, "loopback,mac=02:00:00:00:00:0g"), "not XX:XX");
	EXPECT_REFUSED(devopts_set_net(&o, "loopback,mtu=67"), "must be 68-65535");
	EXPECT_REFUSED(devopts_set_net(&o, "loopback,host=10.0.0.1/8"), "unknown option");
	EXPECT_REFUSED(devopts_set_net(&o, "tap,host=10.0.0.1"), "prefix length");
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static const char *make_file(const char *name, off_t size)
{
	const char *path = test_tmp_path(name);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0 || ftruncate(fd, size) < 0)
		test_fail_at(__FILE__, __LINE__, "cannot make %s", path);
	close(fd);
	return path;
}

TEST(disks_open)
{
	const char *a = make_file("a.img", 4 * MiB + 100), *b = make_file("b.img", 1 * MiB);
	char spec[300];
	int before, after;
	struct stat st;

	devopts_init(&o);
	ASSERT_EQ(devopts_add_disk(&o, a), 0);
	snprintf(spec, sizeof(spec), "%s,ro", b);
	ASSERT_EQ(devopts_add_disk(&o, spec), 0);
	ASSERT_EQ(devopts_add_disk(&o, "size=3"), 0);
	setenv("TMPDIR", test_tmpdir(), 1);
	before = count_dir(test_tmpdir());
	ASSERT_EQ(devopts_open(&o), 0);
	after = count_dir(test_tmpdir());
	/* The fresh disk is already unlinked: no new name in the directory. */
	EXPECT_EQ(after, before);
	EXPECT_EQ(o.disk[0].size, 4 * MiB); /* the partial sector is not part of it */
	EXPECT_EQ(o.disk[1].size, 1 * MiB);
	EXPECT_EQ(o.disk[2].size, 3 * MiB);
	EXPECT_EQ(fcntl(o.disk[1].fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(o.disk[0].fd, F_GETFL) & O_ACCMODE, O_RDWR);
	ASSERT_EQ(fstat(o.disk[2].fd, &st), 0);
	EXPECT_EQ(st.st_nlink, 0);
	EXPECT_EQ(st.st_size, 3 * MiB);
	/* A second run may not write a.img while this one has it. */
	{
		static struct devopts o2;

		devopts_init(&o2);
		ASSERT_EQ(devopts_add_disk(&o2, a), 0);
		EXPECT_REFUSED(devopts_open(&o2), "in use by another process");
		devopts_close(&o2);
		/* Readers share a read-only image. */
		devopts_init(&o2);
		ASSERT_EQ(devopts_add_disk(&o2, spec), 0);
		EXPECT_EQ(devopts_open(&o2), 0);
		devopts_close(&o2);
	}
	devopts_close(&o);
	EXPECT_EQ(o.disk[0].fd, -1);
}

TEST(disks_refused_at_open)
{
	char spec[300];

	devopts_init(&o);
	ASSERT_EQ(devopts_add_disk(&o, test_tmp_path("missing.img")), 0);
	EXPECT_REFUSED(devopts_open(&o), "No such file");
	devopts_close(&o);
	devopts_init(&o);
	ASSERT_EQ(devopts_add_disk(&o, make_file("tiny.img", 511)), 0);
	EXPECT_REFUSED(devopts_open(&o), "smaller than one 512-byte block");
	devopts_close(&o);
	devopts_init(&o);
	ASSERT_EQ(devopts_add_disk(&o, test_tmpdir()), 0);
	EXPECT_REFUSED(devopts_open(&o), "Is a directory");
	devopts_close(&o);
	devopts_init(&o);
	snprintf(spec, sizeof(spec), "%s,ro", test_tmpdir());
	ASSERT_EQ(devopts_add_disk(&o, spec), 0);
	EXPECT_REFUSED(devopts_open(&o), "not a regular file or block device");
	devopts_close(&o);
	/* A FIFO is refused at once, not waited on for a writer. */
	ASSERT_EQ(mkfifo(test_tmp_path("fifo"), 0600), 0);
	devopts_init(&o);
	snprintf(spec, sizeof(spec), "%s,ro", test_tmp_path("fifo"));
	ASSERT_EQ(devopts_add_disk(&o, spec), 0);
	EXPECT_REFUSED(devopts_open(&o), "not a regular file or block device");
	devopts_close(&o);
	/* One image twice in one run. */
	devopts_init(&o);
	ASSERT_EQ(devopts_add_disk(&o, make_file("twice.img", 1 * MiB)), 0);
	snprintf(spec, sizeof(spec), "%s,ro", test_tmp_path("twice.img"));
	ASSERT_EQ(devopts_add_disk(&o, spec), 0);
	EXPECT_REFUSED(devopts_open(&o), "given twice");
	devopts_close(&o);
	devopts_init(&o);
	snprintf(spec, sizeof(spec), "size=1");
	setenv("TMPDIR", test_tmp_path("no-such-dir"), 1);
	ASSERT_EQ(devopts_add_disk(&o, spec), 0);
	EXPECT_REFUSED(devopts_open(&o), "cannot create a file in");
	devopts_close(&o);
}

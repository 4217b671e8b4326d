// SPDX-License-Identifier: GPL-2.0
/* --disk and --net (devopts.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "devices/tap.h"
#include "devices/virtio/blk.h"
#include "tools/devopts.h"
#include "tools/ktvm.h"

/* A locally administered unicast address ("KTV" in the middle); the last byte counts up. */
static const u8 devopts_default_mac[6] = {0x02, 0x4b, 0x54, 0x56, 0x00, 0x01};

void devopts_init(struct devopts *o)
{
	u32 i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < DEVOPTS_MAX_DISKS; i++)
		o->disk[i].fd = -1;
	o->net.tap_fd = -1;
	memcpy(o->net.mac, devopts_default_mac, sizeof(o->net.mac));
}

static int devopts_u64(const char *opt, const char *what, const char *s, u64 min, u64 max, u64 *out)
{
	u64 v;
	int ret = ktvm_parse_dec(s, &v);

	if (ret == -EINVAL)
		return error_input(-EINVAL, "%s: %s '%s': not a whole number", opt, what, s);
	if (ret < 0 || v < min || v > max)
		return error_input(-EINVAL, "%s: %s %s: must be %llu-%llu", opt, what, s,
				   (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* Split SPEC at commas into a private copy: words[0] is the head, the rest options. */
static int devopts_split(const char *opt, const char *spec, char *buf, size_t size, char **words,
			 u32 max, u32 *n)
{
	char *save, *w;

	if (strlen(spec) >= size)
		return error_input(-ENAMETOOLONG, "%s: '%.40s...' is too long", opt, spec);
	strcpy(buf, spec);
	*n = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (*n == max)
			return error_input(-EINVAL, "%s %s: more than %u options", opt, spec,
					   max - 1);
		words[(*n)++] = w;
	}
	if (!*n)
		return error_input(-EINVAL, "%s '': empty", opt);
	return 0;
}

int devopts_add_disk(struct devopts *o, const char *spec)
{
	char buf[PATH_MAX + 64], *w[8];
	struct devopts_disk *d;
	u32 n, i;
	int ret;

	if (o->nr_disks == DEVOPTS_MAX_DISKS)
		return error_input(-E2BIG, "--disk: more than %d disks", DEVOPTS_MAX_DISKS);
	ret = devopts_split("--disk", spec, buf, sizeof(buf), w, ARRAY_SIZE(w), &n);
	if (ret)
		return ret;
	d = &o->disk[o->nr_disks];
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->spec = spec;
	if (!strncmp(w[0], "size=", 5)) {
		ret = devopts_u64("--disk", "size (MiB)", w[0] + 5, 1, DEVOPTS_MAX_FRESH_MIB,
				  &d->fresh_mib);
		if (ret)
			return ret;
	} else {
		snprintf(d->path, sizeof(d->path), "%s", w[0]);
	}
	for (i = 1; i < n; i++) {
		if (!strcmp(w[i], "ro"))
			d->ro = true;
		else if (!strcmp(w[i], "cache=none"))
			d->direct = true;
		else if (!strcmp(w[i], "cache=writeback"))
			d->direct = false;
		else
			return error_input(-EINVAL,
					   "--disk %s: unknown option '%s' (ro, cache=none, "
					   "cache=writeback)",
					   spec, w[i]);
	}
	o->nr_disks++;
	return 0;
}

static int devopts_mac(const char *spec, const char *s, u8 mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 ||
	    strlen(s) != 17)
		return error_input(-EINVAL, "--net %s: mac '%s': not XX:XX:XX:XX:XX:XX", spec, s);
	/* 802 addressing: the lowest bit of the first byte marks a group (multicast) address. */
	if (b[0] & 1)
		return error_input(-EINVAL, "--net %s: mac %s is a multicast address", spec, s);
	for (i = 0; i < 6; i++)
		mac[i] = (u8)b[i];
	return 0;
}

int devopts_set_net(struct devopts *o, const char *spec)
{
	struct devopts_net parsed = o->net, *net = &parsed;
	char buf[256], *w[8];
	u32 n, i;
	u64 v;
	int ret;

	if (o->net.mode != DEVOPTS_NET_NONE)
		return error_input(-EINVAL, "--net given twice (one interface per VM)");
	ret = devopts_split("--net", spec, buf, sizeof(buf), w, ARRAY_SIZE(w), &n);
	if (ret)
		return ret;
	if (!strcmp(w[0], "loopback")) {
		net->mode = DEVOPTS_NET_LOOPBACK;
	} else if (!strcmp(w[0], "tap") || !strncmp(w[0], "tap:", 4)) {
		const char *name = w[0][3] ? w[0] + 4 : "";

		if (w[0][3] && (!*name || strlen(name) >= IFNAMSIZ || strpbrk(name, "/ \t:")))
			return error_input(-EINVAL,
					   "--net %s: interface name '%s': need 1-%d characters, "
					   "no '/', ':' or blanks",
					   spec, name, IFNAMSIZ - 1);
		net->mode = DEVOPTS_NET_TAP;
		snprintf(net->ifname, sizeof(net->ifname), "%s", name);
	} else {
		return error_input(-EINVAL, "--net %s: unknown mode '%s' (loopback, tap[:IFNAME])",
				   spec, w[0]);
	}
	for (i = 1; i < n; i++) {
		if (!strncmp(w[i], "mac=", 4)) {
			ret = devopts_mac(spec, w[i] + 4, net->mac);
		} else if (!strncmp(w[i], "mtu=", 4)) {
			/* 68: the IPv4 minimum (RFC 791); 65535: the config field's width. */
			ret = devopts_u64("--net", "mtu", w[i] + 4, 68, 65535, &v);
			net->mtu = (u16)v;
		} else if (!strcmp(w[i], "csum")) {
			net->csum = true;
			ret = 0;
		} else if (!strncmp(w[i], "host=", 5) && net->mode == DEVOPTS_NET_TAP) {
			if (strlen(w[i] + 5) >= sizeof(net->host_addr) || !strchr(w[i] + 5, '/'))
				return error_input(-EINVAL,
						   "--net %s: host '%s': not an IPv4 address "
						   "with a prefix length (A.B.C.D/N)",
						   spec, w[i] + 5);
			snprintf(net->host_addr, sizeof(net->host_addr), "%s", w[i] + 5);
			ret = 0;
		} else {
			return error_input(
			    -EINVAL, "--net %s: unknown option '%s' (mac=, mtu=, csum%s)", spec,
			    w[i], net->mode == DEVOPTS_NET_TAP ? ", host=" : "");
		}
		if (ret)
			return ret;
	}
	o->net = parsed;
	return 0;
}

/*
 * A file that cannot be opened or created: the user's to fix when the path
 * or its rights are wrong, else the host's (out of descriptors, I/O errors).
 */
static int __printf(2, 3) devopts_file_error(int err, const char *fmt, ...)
{
	char msg[PATH_MAX + 128];
	va_list ap;
	bool input = err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM ||
		     err == EISDIR || err == EROFS || err == ELOOP || err == ENAMETOOLONG ||
		     err == ENXIO || err == ENODEV || err == ETXTBSY;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_set(input ? ERROR_INPUT : ERROR_HOST, -err, "%s", msg);
}

/* A fresh sparse disk: created in $TMPDIR and unlinked at once. */
static int devopts_open_fresh(struct devopts_disk *d)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	struct stat st;
	int fd;

	/* A disk file, not tmpfs RAM, where /tmp is tmpfs; /tmp where there is no /var/tmp. */
	if (!dir || !*dir)
		dir = stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode) ? "/var/tmp" : "/tmp";
	if (snprintf(path, sizeof(path), "%s/ktvm-disk-XXXXXX", dir) >= (int)sizeof(path))
		return error_input(-ENAMETOOLONG, "--disk %s: TMPDIR too long", d->spec);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return devopts_file_error(errno, "--disk %s: cannot create a file in %s: %s",
					  d->spec, dir, strerror(errno));
	unlink(path);
	d->size = d->fresh_mib * MiB;
	if (ftruncate(fd, (off_t)d->size) < 0) {
		int err = errno;

		close(fd);
		return error_host(-err, "--disk %s: cannot size it in %s: %s", d->spec, dir,
				  strerror(err));
	}
	if (d->direct) {
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT) < 0) {
			int err = errno;

			close(fd);
			return error_input(-err,
					   "--disk %s: cache=none: %s does not take O_DIRECT: %s",
					   d->spec, dir, strerror(err));
		}
	}
	d->fd = fd;
	return 0;
}

/* Is d's file one an earlier disk of this run has open? */
static bool devopts_same_file(const struct devopts *o, u32 i, const struct stat *st)
{
	struct stat other;
	u32 j;

	for (j = 0; j < i; j++)
		if (o->disk[j].fd >= 0 && !fstat(o->disk[j].fd, &other) &&
		    other.st_dev == st->st_dev && other.st_ino == st->st_ino)
			return true;
	return false;
}

static int devopts_open_file(struct devopts *o, u32 i)
{
	struct devopts_disk *d = &o->disk[i];
	/* O_NONBLOCK: a FIFO would block the open until a writer came; checked below. */
	int flags =
	    (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | (d->direct ? O_DIRECT : 0);
	struct stat st;
	int fd, err;

	fd = open(d->path, flags);
	if (fd < 0 && errno == EINVAL && d->direct)
		return error_input(-EINVAL,
				   "--disk %s: cache=none: the file system does not take O_DIRECT",
				   d->spec);
	if (fd < 0)
		return devopts_file_error(errno, "--disk %s: %s", d->path, strerror(errno));
	d->fd = fd;
	if (fstat(fd, &st) < 0)
		return error_host(-errno, "--disk %s: %s", d->path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &d->size) < 0)
			return error_host(-errno, "--disk %s: BLKGETSIZE64: %s", d->path,
					  strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		d->size = (u64)st.st_size;
	} else {
		return error_input(-EINVAL, "--disk %s: not a regular file or block device",
				   d->path);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		return error_host(-errno, "--disk %s: fcntl: %s", d->path, strerror(errno));
	if (devopts_same_file(o, i, &st))
		return error_input(-EBUSY, "--disk %s: given twice (one disk per image)", d->path);
	/* A trailing partial sector (or 4 KiB block, uncached) is not part of the disk. */
	d->size -= d->size % (d->direct ? 4096 : VIRTIO_BLK_SECTOR);
	if (!d->size)
		return error_input(-EINVAL, "--disk %s: smaller than one %u-byte block", d->path,
				   d->direct ? 4096 : VIRTIO_BLK_SECTOR);
	if (flock(fd, (d->ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		err = errno;
		if (err == EWOULDBLOCK)
			return error_input(-EBUSY, "--disk %s: in use by another process (locked)",
					   d->path);
		return error_host(-err, "--disk %s: flock: %s", d->path, strerror(err));
	}
	return 0;
}

int devopts_open(struct devopts *o)
{
	u32 i;
	int ret;

	for (i = 0; i < o->nr_disks; i++) {
		struct devopts_disk *d = &o->disk[i];

		ret = d->path[0] ? devopts_open_file(o, i) : devopts_open_fresh(d);
		if (ret)
			return ret;
	}
	if (o->net.mode == DEVOPTS_NET_TAP) {
		char want[IFNAMSIZ];

		snprintf(want, sizeof(want), "%s", o->net.ifname);
		ret = tap_open(want, o->net.ifname, &o->net.tap_fd);
		if (ret)
			return ret;
		if (o->net.mtu) {
			ret = tap_set_mtu(o->net.ifname, o->net.mtu);
			if (ret)
				return ret;
		}
		if (o->net.host_addr[0]) {
			ret = tap_set_addr(o->net.ifname, o->net.host_addr);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void devopts_close(struct devopts *o)
{
	u32 i;

	for (i = 0; i < o->nr_disks; i++) {
		if (o->disk[i].fd >= 0)
			close(o->disk[i].fd);
		o->disk[i].fd = -1;
	}
	if (o->net.tap_fd >= 0)
		close(o->net.tap_fd);
	o->net.tap_fd = -1;
}

// SPDX-License-Identifier: GPL-2.0
/* The kernel cache (kcache.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/vm/arch.h"
#include "tools/kcache.h"

#define KCACHE_PREFIX "vmlinux-"
#define KCACHE_INDEX  "idx-"
/*
 * The head of the image: what kcache_lookup() reads first (arch_kernel_form()),
 * and the content check in an index entry's name.
 */
#define KCACHE_HEAD ARCH_KERNEL_HEAD
/* An entry used less than this long ago is not touched again (its mtime orders eviction). */
#define KCACHE_TOUCH_S 60
/* A file younger than this is looked up by its checksums only (kcache_index_name()). */
#define KCACHE_INDEX_SETTLE_S 2
/* Index links and stray temporaries older than these go when the cache is pruned. */
#define KCACHE_INDEX_MAX_AGE_S (30 * 24 * 3600)
#define KCACHE_TMP_MAX_AGE_S   3600

const char *kcache_state_name(enum kcache_state s)
{
	static const char *const names[] = {
	    [KCACHE_OFF] = "off",
	    [KCACHE_UNCOMPRESSED] = "uncompressed",
	    [KCACHE_HIT] = "hit",
	    [KCACHE_MISS] = "miss",
	    [KCACHE_NOT_BOOTABLE] = "not_bootable",
	    [KCACHE_ERROR] = "error",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

static bool __printf(2, 3) kcache_fail(struct kcache *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
	k->state = KCACHE_ERROR;
	error_clear();
	return false;
}

/* The cache directory, created if missing and create; false if there is none to use. */
static bool kcache_dir(char *dir, size_t size, bool create)
{
	const char *env = getenv("KTVM_KERNEL_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char parent[PATH_MAX];
	int n;

	if (env && *env)
		n = snprintf(dir, size, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(dir, size, "%s/ktvm/kernels", xdg);
	else if (home && *home)
		n = snprintf(dir, size, "%s/.cache/ktvm/kernels", home);
	else
		return false;
	if (n < 0 || (size_t)n >= size)
		return false;
	if (!create)
		return true;
	/* A fresh HOME (L1's is /tmp) has no ~/.cache yet: made here too. */
	if (!(env && *env) && !(xdg && *xdg)) {
		snprintf(parent, sizeof(parent), "%s/.cache", home);
		if (mkdir(parent, 0700) < 0 && errno != EEXIST)
			return false;
	}
	/* Two levels at most are made: the cache's own and its "ktvm" parent. */
	snprintf(parent, sizeof(parent), "%s", dir);
	if (strrchr(parent, '/'))
		*strrchr(parent, '/') = '\0';
	if (*parent && mkdir(parent, 0755) < 0 && errno != EEXIST)
		return false;
	return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

static u64 kcache_max_bytes(void)
{
	const char *env = getenv("KTVM_KERNEL_CACHE_MAX_MIB");
	char *end;
	unsigned long long v;

	if (!env || !*env)
		return (u64)KCACHE_MAX_MIB_DEFAULT * MiB;
	v = strtoull(env, &end, 10);
	return *end || v > (1ULL << 30) ? (u64)KCACHE_MAX_MIB_DEFAULT * MiB : v * MiB;
}

/*
 * Remove the index links whose kernel is gone, links older than a month
 * (every copy or reinstall of an image adds one; a live one comes back on
 * its next checksum hit), and temporaries a killed ktvm left behind.
 */
static void kcache_prune_index(const char *dir)
{
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st, lst;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (fstatat(dirfd(d), n, &lst, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!strncmp(n, KCACHE_INDEX, strlen(KCACHE_INDEX)) &&
		    ((fstatat(dirfd(d), n, &st, 0) < 0 && errno == ENOENT) ||
		     now - lst.st_mtim.tv_sec > KCACHE_INDEX_MAX_AGE_S))
			unlinkat(dirfd(d), n, 0);
		else if ((!strncmp(n, ".idx-", 5) || !strncmp(n, ".tmp-", 5)) &&
			 now - lst.st_mtim.tv_sec > KCACHE_TMP_MAX_AGE_S)
			unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
}

/* Remove the least recently used entries until the cache holds at most max bytes. */
static u32 kcache_evict(const char *dir, u64 max)
{
	u32 evicted = 0;

	for (int round = 0; round < 64; round++) {
		char oldest[NAME_MAX + 1] = "", path[PATH_MAX];
		struct timespec when = {0};
		u64 total = 0;
		struct dirent *e;
		struct stat st;
		DIR *d = opendir(dir);

		if (!d)
			return evicted;
		while ((e = readdir(d))) {
			if (strncmp(e->d_name, KCACHE_PREFIX, strlen(KCACHE_PREFIX)) ||
			    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
			    !S_ISREG(st.st_mode))
				continue;
			total += (u64)st.st_size;
			if (!oldest[0] || st.st_mtim.tv_sec < when.tv_sec ||
			    (st.st_mtim.tv_sec == when.tv_sec &&
			     st.st_mtim.tv_nsec < when.tv_nsec)) {
				when = st.st_mtim;
				snprintf(oldest, sizeof(oldest), "%s", e->d_name);
			}
		}
		closedir(d);
		if (total <= max || !oldest[0]) {
			kcache_prune_index(dir);
			return evicted;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, oldest);
		if (unlink(path) < 0 && errno != ENOENT)
			return evicted;
		evicted++;
	}
	return evicted;
}

/* Write the uncompressed kernel as path, whole or not at all. */
static int kcache_store(const char *dir, const char *path, const u8 *img, size_t len)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = file_write_all(fd, img, len);
	if (!ret && fchmod(fd, 0644) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/*
 * The index: a symbolic link from the image's identity to its entry, so a
 * hit need not checksum the whole image (8 ms for an 8 MiB bzImage). The
 * identity is the file's device, inode, size, and modification and change
 * times to the nanosecond (any write moves the change time), plus a CRC-32
 * of its first 64 KiB as a content check. Same bytes under a new identity
 * (a copy) are found by the checksum and indexed again.
 */
static long kcache_settle_s(void)
{
	/* test hook (tests/unit/test_kcache.c): index files however new */
	const char *t = getenv("KTVM_TEST_KCACHE_SETTLE_S");

	return t && !strcmp(t, "0") ? 0 : KCACHE_INDEX_SETTLE_S;
}

static bool kcache_index_name(const struct stat *st, const u8 *head, size_t n, const char *dir,
			      char *out, size_t size)
{
	struct timespec now;
	int w;

	/*
	 * A file changed in the last two seconds is not indexed: where the
	 * times are coarse (before Linux 6.13's fine-grained timestamps, one
	 * tick or a second on some file systems), a second write within the
	 * same tick would keep its identity.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - st->st_ctim.tv_sec < kcache_settle_s() ||
	    now.tv_sec - st->st_mtim.tv_sec < kcache_settle_s())
		return false;
	w = snprintf(out, size, "%s/" KCACHE_INDEX "%llx-%llx-%llx-%lld.%09ld-%lld.%09ld-%08lx",
		     dir, (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
		     (unsigned long long)st->st_size, (long long)st->st_mtim.tv_sec,
		     st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
		     (unsigned long)crc32(crc32(0, NULL, 0), head, (uInt)n));
	return w > 0 && (size_t)w < size;
}

/* Entry path (stat st) used now: the last to be evicted. */
static void kcache_touch(const char *path, const struct stat *st)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - st->st_mtim.tv_sec >= KCACHE_TOUCH_S || now.tv_sec < st->st_mtim.tv_sec)
		utimensat(AT_FDCWD, path, NULL, 0);
}

/* The entry index names, in k->path; false if none (or it was evicted). */
static bool kcache_index_find(const char *index, const char *dir, struct kcache *k)
{
	char target[NAME_MAX + 1];
	struct stat st;
	ssize_t n = readlink(index, target, sizeof(target) - 1);

	if (n <= 0 || (size_t)n >= sizeof(target) - 1)
		return false;
	target[n] = '\0';
	if (strncmp(target, KCACHE_PREFIX, strlen(KCACHE_PREFIX)) || strchr(target, '/'))
		return false;
	if (snprintf(k->path, sizeof(k->path), "%s/%s", dir, target) >= (int)sizeof(k->path))
		return false;
	if (stat(k->path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return false;
	k->bytes = (u64)st.st_size;
	kcache_touch(k->path, &st);
	return true;
}

/* Point index at entry (a path in dir), replacing what was there: atomically, by rename. */
static void kcache_index_add(const char *index, const char *dir, const char *entry)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s/.idx-%d-%llx", dir, (int)getpid(),
		     (unsigned long long)clock_now_ns()) >= (int)sizeof(tmp))
		return;
	if (symlink(strrchr(entry, '/') + 1, tmp) == 0 && rename(tmp, index) < 0)
		unlink(tmp);
}

/* A kernel kcache_lookup() (started at t0) cannot read: the boot says what is wrong with it. */
static bool kcache_unreadable(struct kcache *k, u64 t0)
{
	k->lookup_ns = clock_now_ns() - t0;
	return kcache_fail(k, "cannot read the kernel");
}

bool kcache_lookup(const char *kernel, struct kcache *k)
{
	u64 t0 = clock_now_ns();
	char dir[PATH_MAX - 64], index[PATH_MAX] = "";
	u8 head[KCACHE_HEAD];
	const u8 *img;
	u8 *file, *owned = NULL;
	size_t flen, len;
	uLong crc, adler;
	struct stat st;
	enum arch_kernel_form form;
	bool use = false;
	ssize_t n = -1;
	int ret, fd;

	memset(k, 0, sizeof(*k));
	/*
	 * The head says whether there is anything to do: an uncompressed
	 * kernel (the common case on x86_64, the ELF vmlinux) costs one small
	 * read, not a mapping of the whole file. A FIFO is refused, not waited on.
	 */
	fd = file_open_ro(kernel);
	if (fd >= 0 && fstat(fd, &st) == 0)
		n = pread(fd, head, sizeof(head), 0);
	if (fd >= 0)
		close(fd);
	if (n < 0)
		return kcache_unreadable(k, t0);
	form = arch_kernel_form(head, (size_t)n);
	if (form != ARCH_KERNEL_PACKED) {
		/* The kernel itself, or not a kernel: the boot says which. */
		k->state = form == ARCH_KERNEL_PLAIN ? KCACHE_UNCOMPRESSED : KCACHE_NOT_BOOTABLE;
		k->lookup_ns = clock_now_ns() - t0;
		return false;
	}
	if (kcache_dir(dir, sizeof(dir), false) &&
	    kcache_index_name(&st, head, (size_t)n, dir, index, sizeof(index)) &&
	    kcache_index_find(index, dir, k)) {
		k->state = KCACHE_HIT;
		k->by_index = true;
		k->lookup_ns = clock_now_ns() - t0;
		return true;
	}
	k->path[0] = '\0';
	if (file_map(kernel, "kernel", 1 * GiB, &file, &flen) < 0)
		return kcache_unreadable(k, t0);
	crc = crc32(crc32(0, NULL, 0), file, (uInt)flen);
	adler = adler32(adler32(0, NULL, 0), file, (uInt)flen);
	/* Made only when there is a kernel to store (a truncated image leaves nothing behind). */
	if (!kcache_dir(dir, sizeof(dir), false)) {
		kcache_fail(k, "no cache directory (KTVM_KERNEL_CACHE, XDG_CACHE_HOME or HOME)");
		goto out;
	}
	snprintf(k->path, sizeof(k->path), "%s/" KCACHE_PREFIX "%08lx%08lx-%zu", dir,
		 (unsigned long)crc, (unsigned long)adler, flen);
	if (stat(k->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		kcache_touch(k->path, &st);
		k->state = KCACHE_HIT;
		k->bytes = (u64)st.st_size;
		use = true;
		if (index[0])
			kcache_index_add(index, dir, k->path);
		goto out;
	}
	ret = arch_kernel_unpack(file, flen, kernel, &img, &len, &owned);
	if (ret == -ENOEXEC) {
		error_clear(); /* not a kernel of this arch: the boot says so */
		k->state = KCACHE_NOT_BOOTABLE;
		goto out;
	}
	/*
	 * A compressed kernel it could not undo (corrupt, too large, its
	 * library or method missing): the boot cannot say why, so say it here.
	 */
	if (ret < 0) {
		kcache_fail(k, "%s", error_msg());
		goto out;
	}
	if (!owned) {
		k->state = KCACHE_UNCOMPRESSED;
		goto out;
	}
	if (!arch_kernel_boots_unpacked(img, len)) {
		k->state = KCACHE_NOT_BOOTABLE;
		goto out;
	}
	if (!kcache_dir(dir, sizeof(dir), true)) {
		kcache_fail(k, "cannot make the cache directory %s: %s", dir, strerror(errno));
		goto out;
	}
	ret = kcache_store(dir, k->path, img, len);
	if (ret < 0) {
		kcache_fail(k, "cannot write %s: %s", k->path, strerror(-ret));
		goto out;
	}
	k->state = KCACHE_MISS;
	k->bytes = len;
	k->evicted = kcache_evict(dir, kcache_max_bytes());
	/* Evicted at once (a cap smaller than the kernel): boot the image. */
	use = stat(k->path, &st) == 0;
	if (use && index[0])
		kcache_index_add(index, dir, k->path);
	if (!use)
		kcache_fail(k, "the kernel (%zu bytes) is larger than the cache's cap", len);
out:
	if (!use)
		k->path[0] = '\0';
	free(owned);
	file_unmap(file, flen);
	k->lookup_ns = clock_now_ns() - t0;
	return use;
}

void kcache_json(FILE *f, const char *given, const struct kcache *k)
{
	const char *booted = k->path[0] ? k->path : given;

	fprintf(f, ",\n  \"kernel\": {\"given\": ");
	json_string(f, given, strlen(given));
	fprintf(f, ", \"booted\": ");
	json_string(f, booted, strlen(booted));
	fprintf(f, ", \"cache\": \"%s\", \"lookup_ms\": %.1f, \"bytes\": %llu, \"evicted\": %u",
		kcache_state_name(k->state), (double)k->lookup_ns / 1e6,
		(unsigned long long)k->bytes, k->evicted);
	fprintf(f, ", \"by_index\": %s", k->by_index ? "true" : "false");
	if (k->state == KCACHE_ERROR) {
		fprintf(f, ", \"why\": ");
		json_string(f, k->why, strlen(k->why));
	}
	fputc('}', f);
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/base/file.h"

int file_open_ro(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), fl, err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

const char *file_open_why(int ret)
{
	return ret == -EINVAL ? "not a regular file" : strerror(-ret);
}

/*
 * The live mappings, for the SIGBUS handler: start 0 = a free entry,
 * FILE_MAP_BUSY = one being filled in (mappings start on a page, never at 1).
 */
#define FILE_MAP_BUSY ((uintptr_t)1)
static struct {
	_Atomic(uintptr_t) start;
	size_t len;
	int fd;			/* the descriptor it maps, which may hold a lease; -1: none */
	struct file_guard guard; /* around a lease break's replacing of its pages */
	char line[192];		/* the whole message, newline included */
} file_maps[FILE_MAPS_TRACKED];
static int file_sigbus_status = 2;
/*
 * Taken to change the table, and by a lease break for all of its work: a
 * mapping is unmapped (after file_untrack_within()) only when no break
 * is replacing its pages, and its guard's owner still exists meanwhile.
 * The SIGBUS handler takes no lock: entries are published atomically.
 */
static pthread_mutex_t file_maps_lock = PTHREAD_MUTEX_INITIALIZER;
/* FILE_LEASE_SIGNAL is blocked (file_sigbus_install()): leases may be taken. */
static atomic_bool file_lease_on;
static pthread_once_t file_lease_once = PTHREAD_ONCE_INIT;
static bool file_lease_thread_up;

/* A free entry claimed and filled in, not yet published (start); -1 if none. With the lock. */
static int file_claim(size_t len, const char *what, const char *path, int fd,
		      const struct file_guard *guard)
{
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t zero = 0;

		/* Claimed first, filled in, then published: two threads never share an entry. */
		if (!atomic_compare_exchange_strong(&file_maps[i].start, &zero, FILE_MAP_BUSY))
			continue;
		file_maps[i].len = len;
		file_maps[i].fd = fd;
		file_maps[i].guard = guard ? *guard : (struct file_guard){0};
		snprintf(file_maps[i].line, sizeof(file_maps[i].line),
			 "ktvm: %s %s changed while being read (cut short?)\n", what, path);
		return i;
	}
	return -1;
}

bool file_track_fd(const u8 *m, size_t len, const char *what, const char *path, int fd,
		   const struct file_guard *guard)
{
	int i;

	pthread_mutex_lock(&file_maps_lock);
	i = file_claim(len, what, path, fd, guard);
	if (i >= 0)
		atomic_store(&file_maps[i].start, (uintptr_t)m);
	pthread_mutex_unlock(&file_maps_lock);
	return i >= 0;
}

int file_map_at(u8 *dst, size_t len, int fd, u64 off, bool leased, const char *what,
		const char *path, const struct file_guard *guard)
{
	int i, ret = 0;

	pthread_mutex_lock(&file_maps_lock);
	/*
	 * Under the lock a lease break takes too: the lease is either still
	 * held, and the break will find this mapping, or gone, and nothing
	 * of the file is mapped.
	 */
	if (leased && fcntl(fd, F_GETLEASE) != F_RDLCK) {
		ret = -EAGAIN;
		goto out;
	}
	i = file_claim(len, what, path, fd, guard);
	if (i < 0) {
		ret = -ENOSPC; /* untracked, a break could not find it */
		goto out;
	}
	if (mmap(dst, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd,
		 (off_t)off) == MAP_FAILED) {
		ret = -errno;
		atomic_store(&file_maps[i].start, 0);
		goto out;
	}
	atomic_store(&file_maps[i].start, (uintptr_t)dst);
out:
	pthread_mutex_unlock(&file_maps_lock);
	return ret;
}

void file_lease_end(int fd)
{
	pthread_mutex_lock(&file_maps_lock);
	fcntl(fd, F_SETLEASE, F_UNLCK);
	pthread_mutex_unlock(&file_maps_lock);
}

static void file_untrack(const u8 *m)
{
	pthread_mutex_lock(&file_maps_lock);
	for (int i = 0; i < FILE_MAPS_TRACKED; i++)
		if (atomic_load(&file_maps[i].start) == (uintptr_t)m)
			atomic_store(&file_maps[i].start, 0);
	pthread_mutex_unlock(&file_maps_lock);
}

void file_untrack_within(const u8 *start, size_t len)
{
	pthread_mutex_lock(&file_maps_lock);
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);

		if (s > FILE_MAP_BUSY && s >= (uintptr_t)start && s - (uintptr_t)start < len)
			atomic_store(&file_maps[i].start, 0);
	}
	pthread_mutex_unlock(&file_maps_lock);
}

static void file_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)uc;
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);

		if (s > FILE_MAP_BUSY && a >= s && a - s < file_maps[i].len) {
			ssize_t w = write(STDERR_FILENO, file_maps[i].line,
					  strnlen(file_maps[i].line, sizeof(file_maps[i].line)));

			(void)w;
			cleanup_now();
			_exit(file_sigbus_status);
		}
	}
	/* Not ours: die of it as without the handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Entry i's pages become anonymous memory with the same bytes: a copy,
 * moved over the mapping in one step (mremap), the writers stopped by the
 * caller meanwhile so that none of their writes falls between the copy
 * and the move. A private mapping of the file would not do: truncating a
 * file takes even the pages already copied on write out of every mapping
 * of it (POSIX: a SIGBUS past the end). With file_maps_lock held.
 */
static void file_lease_detach_one(int i)
{
	u8 *m = (u8 *)atomic_load(&file_maps[i].start);
	size_t len = file_maps[i].len;
	void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int err;

	if (copy == MAP_FAILED) {
		err = errno;
		goto fail;
	}
	memcpy(copy, m, len);
	if (mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, m) != MAP_FAILED) {
		atomic_store(&file_maps[i].start, 0); /* anonymous now: no SIGBUS to explain */
		return;
	}
	/*
	 * MREMAP_FIXED may have taken the old mapping away already: fresh
	 * anonymous pages there, and the copy into them.
	 */
	err = errno;
	if (mmap(m, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != MAP_FAILED) {
		memcpy(m, copy, len);
		munmap(copy, len);
		atomic_store(&file_maps[i].start, 0);
		return;
	}
	munmap(copy, len);
fail:
	error_warn("a file the guest runs from is being rewritten and ktvm could not copy "
		   "its %zu bytes first (%s): the guest may fail when the file is cut",
		   len, strerror(err));
}

/*
 * A lease break on fd: its mappings made the process's own, then the lease
 * let go. Each distinct guard's writers are paused once, around all of it.
 */
static void file_lease_detach(int fd)
{
	struct file_guard paused[FILE_MAPS_TRACKED];
	u32 n = 0;

	pthread_mutex_lock(&file_maps_lock);
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);
		struct file_guard g = file_maps[i].guard;
		bool seen = false;

		if (s <= FILE_MAP_BUSY || file_maps[i].fd != fd || !g.pause)
			continue;
		for (u32 j = 0; j < n; j++)
			seen |= paused[j].pause == g.pause && paused[j].ctx == g.ctx;
		if (!seen && g.pause(g.ctx))
			paused[n++] = g;
	}
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);

		if (s > FILE_MAP_BUSY && file_maps[i].fd == fd)
			file_lease_detach_one(i);
	}
	while (n > 0) {
		n--;
		if (paused[n].resume)
			paused[n].resume(paused[n].ctx);
	}
	/* The writer's open() or truncate(), held by the kernel until now, goes ahead. */
	fcntl(fd, F_SETLEASE, F_UNLCK);
	pthread_mutex_unlock(&file_maps_lock);
}

/* After a plain SIGIO (the kernel's queue of real-time signals overflowed): every broken lease. */
static void file_lease_detach_broken(void)
{
	int fds[FILE_MAPS_TRACKED], n = 0;

	pthread_mutex_lock(&file_maps_lock);
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		int fd = file_maps[i].fd;
		bool seen = false;

		if (atomic_load(&file_maps[i].start) <= FILE_MAP_BUSY || fd < 0)
			continue;
		for (int j = 0; j < n; j++)
			seen |= fds[j] == fd;
		/* A lease being broken reads as what it is broken to (fcntl(2) F_GETLEASE). */
		if (!seen && fcntl(fd, F_GETLEASE) != F_RDLCK)
			fds[n++] = fd;
	}
	pthread_mutex_unlock(&file_maps_lock);
	for (int j = 0; j < n; j++)
		file_lease_detach(fds[j]);
}

/*
 * The lease thread: FILE_LEASE_SIGNAL (and SIGIO, what the kernel sends
 * instead when its queue of real-time signals is full), blocked in every
 * thread since file_sigbus_install(), are taken here with sigwaitinfo(),
 * which names the descriptor. Only the kernel's (si_code POLL_MSG, > 0): a
 * kill or sigqueue of the same number is ignored. A thread rather than a
 * handler: the work stops vCPUs and copies tens of MiB.
 */
static void *file_lease_thread(void *arg)
{
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, FILE_LEASE_SIGNAL);
	sigaddset(&set, SIGIO);
	for (;;) {
		int sig = sigwaitinfo(&set, &si);

		if (sig == FILE_LEASE_SIGNAL && si.si_code > 0)
			file_lease_detach(si.si_fd);
		else if (sig == SIGIO)
			file_lease_detach_broken();
	}
	return arg;
}

static void file_lease_start(void)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	file_lease_thread_up = pthread_create(&t, &attr, file_lease_thread, NULL) == 0;
	pthread_attr_destroy(&attr);
}

int file_sigbus_install(int status)
{
	struct sigaction sa;
	sigset_t lease;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = file_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	file_sigbus_status = status;
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return -errno;
	/* Blocked here, before any thread: every thread made later inherits it. */
	sigemptyset(&lease);
	sigaddset(&lease, FILE_LEASE_SIGNAL);
	sigaddset(&lease, SIGIO);
	if (pthread_sigmask(SIG_BLOCK, &lease, NULL) == 0)
		atomic_store(&file_lease_on, true);
	return 0;
}

int file_lease(int fd)
{
	if (!atomic_load(&file_lease_on))
		return -ENOTSUP;
	/* The thread that answers breaks, once, when the first lease is wanted. */
	pthread_once(&file_lease_once, file_lease_start);
	if (!file_lease_thread_up)
		return -ENOTSUP;
	/* The break is signalled to this process (F_SETLEASE makes it the owner), with si_fd. */
	if (fcntl(fd, F_SETSIG, FILE_LEASE_SIGNAL) < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return -errno;
	return 0;
}

int file_map_fd(const char *path, const char *what, size_t max, u8 **buf, size_t *len, int *fd_out)
{
	return file_map_lease(path, what, max, buf, len, fd_out, NULL);
}

int file_map_lease(const char *path, const char *what, size_t max, u8 **buf, size_t *len,
		   int *fd_out, bool *leased)
{
	struct stat st;
	void *m;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	if (leased)
		*leased = false;
	fd = file_open_ro(path);
	if (fd < 0)
		return error_input(fd, "%s %s: %s", what, path, file_open_why(fd));
	/* Before the size is read and the bytes checked: from here on they cannot change. */
	if (leased && fd_out)
		*leased = file_lease(fd) == 0;
	if (fstat(fd, &st) < 0) {
		ret = error_input(-errno, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error_input(-EINVAL, "%s %s: not a regular file", what, path);
		goto out;
	}
	if (st.st_size == 0) {
		ret = error_input(-EINVAL, "%s %s: empty file", what, path);
		goto out;
	}
	if ((u64)st.st_size > max) {
		ret = error_input(-EFBIG, "%s %s: %llu MiB, larger than the %zu MiB limit", what,
				  path, (unsigned long long)st.st_size / MiB, max / (size_t)MiB);
		goto out;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		ret = error_input(-errno, "%s %s: cannot map: %s", what, path, strerror(errno));
		goto out;
	}
	*buf = m;
	*len = (size_t)st.st_size;
	/* Untracked (the table full), a break could not copy it: no lease then. */
	if (!file_track_fd(m, *len, what, path, leased && *leased ? fd : -1, NULL) && leased &&
	    *leased) {
		file_lease_end(fd);
		*leased = false;
	}
	if (fd_out) {
		*fd_out = fd;
		return 0;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int file_map(const char *path, const char *what, size_t max, u8 **buf, size_t *len)
{
	return file_map_fd(path, what, max, buf, len, NULL);
}

void file_unmap(u8 *buf, size_t len)
{
	if (buf) {
		file_untrack(buf);
		munmap(buf, len);
	}
}

int file_write_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

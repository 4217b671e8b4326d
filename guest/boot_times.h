/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest kernel's clock for the BOOT_TIMES frame (wire/wire.h): the
 * printk clock, local_clock(), which every /dev/kmsg record carries as
 * "PRI,SEQ,TS_USEC,FLAGS[,...];MESSAGE\n" (Documentation/ABI/testing/
 * dev-kmsg), one record per read().
 *
 * kernel_init is the record "Run /init as init process" (init/main.c
 * run_init_process()). It is KERN_INFO, so under `quiet` it never reaches
 * the console, but the log buffer still has it.
 *
 * init's own points are CLOCK_MONOTONIC readings moved onto the printk
 * clock. The two start together (timekeeping_init() takes local_clock() as
 * the boot offset) but do not stay together: until fs_initcall the
 * clocksource is jiffies (clocksource_done_booting()), and jiffies lose the
 * ticks a descheduled vCPU misses, so CLOCK_MONOTONIC falls behind (18 ms
 * by init on aarch64 under nested TCG, init's main() before the kernel's
 * "Run /init"). So init writes a marker record to /dev/kmsg between two
 * clock_gettime() calls and reads its timestamp back: the difference is
 * the offset, to within the write's duration and printk's microsecond.
 *
 * All of it runs before SYS_RDY, so it is bounded: /dev/kmsg is read
 * non-blocking, only the records already there, at most
 * BOOT_TIMES_KMSG_MAX bytes and BOOT_TIMES_KMSG_RECORDS records a scan.
 */
#ifndef KTVM_GUEST_BOOT_TIMES_H
#define KTVM_GUEST_BOOT_TIMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/types.h"

#define BOOT_TIMES_KMSG		"/dev/kmsg"
#define BOOT_TIMES_KMSG_MAX	(1u << 20)
#define BOOT_TIMES_KMSG_RECORDS 16384
/* The marker: KERN_DEBUG, so a console shows it only at loglevel 8. */
#define BOOT_TIMES_MARK_LEVEL "<7>"
#define BOOT_TIMES_MARK	      "ktvm-init: clock mark"

/* What the kernel's log says: each time in ns of the printk clock. */
struct boot_times_kmsg {
	bool have_init; /* a "Run ... as init process" record: the last one's time */
	u64 init_ns;
	bool have_mark; /* the marker record (the first one's time) */
	u64 mark_ns;
};

/*
 * Split a /dev/kmsg record rec[0..len): its time in ns to *ns, its message
 * (up to the newline) to *msg, *msg_len. False for a record of another
 * shape, or a time whose ns do not fit in 64 bits.
 */
bool boot_times_kmsg_record(const char *rec, size_t len, u64 *ns, const char **msg,
			    size_t *msg_len);

/*
 * Read the records of fd (non-blocking, one per read(), as /dev/kmsg gives
 * them) up to the bounds above or the first read that would block, noting
 * in *k the "Run ... as init process" records (the last one is the one that
 * ran, if the kernel had to try more than one) and the marker.
 */
void boot_times_kmsg_scan(int fd, struct boot_times_kmsg *k);

/*
 * From path (BOOT_TIMES_KMSG): scan for kernel_init, then write the marker
 * and scan for it, setting the offset that boot_times_clock() adds. 0 when
 * both were had; -ENOENT when one was not (*k says which); -errno when
 * path could not be opened or written. Without the marker the offset stays
 * 0, and kernel_init must not be sent: it is on another clock.
 */
int boot_times_kernel(const char *path, struct boot_times_kmsg *k);

/* A CLOCK_MONOTONIC time of init's moved onto the printk clock (as is, without a marker). */
u64 boot_times_clock(u64 monotonic_ns);

#endif

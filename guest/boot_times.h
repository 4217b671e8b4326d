/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own timestamp of the moment it started init, for the
 * BOOT_TIMES frame (wire/wire.h): the printk record "Run /init as init
 * process" (init/main.c run_init_process()). It is KERN_INFO, so under
 * `quiet` it never reaches the console, but /dev/kmsg has every record
 * still in the log buffer, each as "PRI,SEQ,TS_USEC,FLAGS[,...];MESSAGE\n"
 * (Documentation/ABI/testing/dev-kmsg), one record per read(). TS_USEC is
 * local_clock(), which CLOCK_MONOTONIC starts from (wire.h), so it sits on
 * the same time line as init's clock_gettime().
 *
 * The scan runs before SYS_RDY, so it is bounded: it opens the log
 * non-blocking, reads only the records already there, at most
 * BOOT_TIMES_KMSG_MAX bytes and BOOT_TIMES_KMSG_RECORDS records.
 */
#ifndef KTVM_GUEST_BOOT_TIMES_H
#define KTVM_GUEST_BOOT_TIMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/types.h"

#define BOOT_TIMES_KMSG		"/dev/kmsg"
#define BOOT_TIMES_KMSG_MAX	(1u << 20)
#define BOOT_TIMES_KMSG_RECORDS 16384

/*
 * Is the /dev/kmsg record rec[0..len) "Run PATH as init process"? Then its
 * timestamp, in ns, goes to *ns. A record of another shape is not.
 */
bool boot_times_kmsg_record(const char *rec, size_t len, u64 *ns);

/*
 * Read the records of fd (non-blocking, one per read(), as /dev/kmsg gives
 * them) up to the bounds above or the first that would block; *ns is the
 * last "Run ... as init process" record's time (the one that ran, if the
 * kernel had to try more than one). 0, or -ENOENT if there was none.
 */
int boot_times_kmsg_scan(int fd, u64 *ns);

/* boot_times_kmsg_scan() of path (BOOT_TIMES_KMSG): 0, -ENOENT or -errno of open(). */
int boot_times_kernel_init(const char *path, u64 *ns);

#endif

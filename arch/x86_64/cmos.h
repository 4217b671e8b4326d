/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MC146818 CMOS/RTC at ports 0x70 (index) and 0x71 (data). Answers with the
 * host's wall-clock time and plausible status registers: a guest that reads
 * 0xff everywhere spends tens of thousands of exits waiting for an update
 * cycle (see ../shared/notes/nested-kvm.md).
 */
#ifndef KTVM_ARCH_X86_64_CMOS_H
#define KTVM_ARCH_X86_64_CMOS_H

#include <pthread.h>

#include "core/vm/bus.h"

struct cmos {
	struct bus_region region; /* ports 0x70-0x71 */
	pthread_mutex_t lock;
	u8 index;
	u8 ram[128];
	u64 mem_below_4g, mem_above_4g; /* reported in the CMOS memory-size bytes */
	/* time source, replaceable by tests; returns seconds since the epoch */
	s64 (*now)(void);
};

int cmos_init(struct cmos *c, u64 mem_below_4g, u64 mem_above_4g);
void cmos_destroy(struct cmos *c);

#endif

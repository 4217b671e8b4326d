/* SPDX-License-Identifier: GPL-2.0 */
/* The one clock ktvm times things with: CLOCK_MONOTONIC in nanoseconds. */
#ifndef KTVM_CORE_CLOCK_H
#define KTVM_CORE_CLOCK_H

#include <time.h>

#include "core/base/types.h"

static inline u64 clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

#endif

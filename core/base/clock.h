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

/*
 * CLOCK_REALTIME ms from now, as an absolute deadline for the calls that
 * take no other clock (pthread_timedjoin_np()).
 */
static inline struct timespec clock_realtime_after_ms(u64 ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

#endif

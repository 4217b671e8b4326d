// SPDX-License-Identifier: GPL-2.0
/* Test pause points (testpoint.h). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/testpoint.h"

static atomic_bool testpoint_released;

void testpoint(const char *name)
{
	const char *want = getenv("KTVM_TEST_PAUSE");
	struct timespec tick = {.tv_nsec = 10 * 1000000L};
	size_t len = strlen(name);
	bool hold;

	if (!want || strncmp(want, name, len) || atomic_load(&testpoint_released))
		return;
	if (want[len] && strcmp(want + len, ":hold"))
		return;
	hold = want[len] != '\0';
	fprintf(stderr, "ktvm: test: paused at %s\n", name);
	for (int ms = 0; ms < TESTPOINT_MAX_MS && (hold || !atomic_load(&testpoint_released));
	     ms += 10)
		nanosleep(&tick, NULL);
	atomic_store(&testpoint_released, true);
}

void testpoint_release(void)
{
	atomic_store(&testpoint_released, true);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets in tests/fuzz/ share: a check that aborts
 * (libFuzzer reports the abort and keeps the input), and the guest-RAM
 * lookup a device model is given (struct virtq_mem's gpa) over a buffer
 * standing for guest memory at base.
 */
#ifndef KTVM_TESTS_FUZZ_FUZZ_H
#define KTVM_TESTS_FUZZ_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "core/base/types.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* [gpa, gpa+len) inside the size bytes of ram at guest-physical base, else NULL. */
static inline void *fuzz_ram_gpa(u8 *ram, u64 base, u64 size, u64 gpa, u64 len)
{
	if (gpa < base || gpa - base > size || len > base + size - gpa)
		return NULL;
	return ram + (gpa - base);
}

#endif

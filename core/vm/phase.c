// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/phase.h"

int phase_fail_at = -1;

int phases_run(struct vm *vm, const struct phase *phases, size_t n, size_t *done, u64 *ns)
{
	return phases_run_at(vm, phases, n, done, ns, 0);
}

int phases_run_at(struct vm *vm, const struct phase *phases, size_t n, size_t *done, u64 *ns,
		  size_t first)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		u64 t0 = clock_now_ns();

		if (phase_fail_at >= 0 && first + i == (size_t)phase_fail_at)
			ret = error_host(-EIO, "phase %s: failure injected (phase_fail_at %zu)",
					 phases[i].name, first + i);
		else
			ret = phases[i].setup(vm);
		if (ns)
			ns[i] = clock_now_ns() - t0;
		if (ret < 0) {
			phases_unwind(vm, phases, i);
			*done = 0;
			return ret;
		}
	}
	*done = n;
	return 0;
}

void phases_unwind(struct vm *vm, const struct phase *phases, size_t done)
{
	while (done > 0) {
		done--;
		if (phases[done].teardown)
			phases[done].teardown(vm);
	}
}

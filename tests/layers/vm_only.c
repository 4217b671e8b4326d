// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest monitor built on the VM runtime alone: linked against
 * libktvm-vm.a (core/base, core/vm, the arch without its debug hooks, the
 * device models), never core/debug. Its link is the check that the runtime
 * needs nothing of the debugger (tests/layers.sh); it also runs:
 *
 *   vm_only KERNEL [CPUS]   boot KERNEL without devices beyond the arch's
 *                           platform, 60 s at most, say how the run ended
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/vm.h"

int main(int argc, char **argv)
{
	struct vm_config cfg = {
	    .nr_cpus = argc > 2 ? (u32)atoi(argv[2]) : 1,
	    .mem_size = 256 * MiB,
	    .timeout_ms = 60000,
	    .console_fd = -1,
	    .t_start_ns = clock_now_ns(),
	};
	struct vm_result res;
	struct vm *vm;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: vm_only KERNEL [CPUS]\n");
		return 2;
	}
	cfg.kernel = argv[1];
	if (vm_create(&vm, &cfg) < 0) {
		fprintf(stderr, "vm_only: %s\n", error_msg());
		return error_kind() == ERROR_INPUT ? 2 : 125;
	}
	ret = vm_run(vm, &res);
	printf("vm_only: %s (%s) after %.3f s, %u of %u vCPU threads joined\n",
	       vm_end_name(res.end), res.detail, (double)res.duration_ns / 1e9, res.threads_joined,
	       res.nr_vcpus);
	vm_result_free(&res);
	if (ret == 0)
		vm_destroy(vm);
	return ret < 0 ? 125 : 0;
}

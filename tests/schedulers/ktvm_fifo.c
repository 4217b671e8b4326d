// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm_fifo: ktvm's fixture sched_ext scheduler, the loader. It runs in the
 * guest, loads ktvm_fifo.bpf.c (through its bpftool skeleton) in the mode its
 * arguments choose, attaches it, and waits for SIGINT/SIGTERM or for the
 * kernel to end the scheduler. Then it detaches and reports.
 *
 *   ktvm_fifo [normal | error-after=N | stall-pid=P | stall-comm=NAME | reject]
 *             [timeout-ms=T] [-v]
 *
 * Output (stdout, one line each; strings quoted as in ktvm_fifo_cli_quote()):
 *   ktvm_fifo: mode MODE [timeout-ms=T]
 *   ktvm_fifo: attached
 *   ktvm_fifo: cpu N dispatched M          one per possible CPU, at exit
 *   ktvm_fifo: exit kind K reason "R" msg "M"
 * K, R and M are the kernel's (struct scx_exit_info): e.g. kind 64 "unregistered
 * from user space", 1025 "scx_bpf_error", 1026 "runnable task stall".
 * Failures are one "ktvm_fifo: ..." line on stderr, after libbpf's own
 * messages (for "reject", the verifier's log).
 *
 * Exit status (enum ktvm_fifo_status):
 *   0  stopped by SIGINT/SIGTERM, and the kernel reports the detach (kind 64)
 *   1  setup failed: the kernel has no sched_ext, no BTF, out of memory
 *   2  bad arguments (one line says which)
 *   3  load failed: the verifier or the kernel refused the programs
 *   4  attach failed: the kernel refused to enable the scheduler
 *   5  the scheduler ended with an error (kind >= 1024: scx_bpf_error, stall)
 *   6  the scheduler ended for another reason, not asked for (e.g. sysrq-S)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

#include "ktvm_fifo.bpf.skel.h"
#include "ktvm_fifo_cli.h"

static bool verbose;
static volatile sig_atomic_t stop_requested;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

/* Without SA_RESTART: the signal cuts the wait's nanosleep() short. */
static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sets the mode's rodata and programs; before load, while they can change. */
static void set_mode(struct ktvm_fifo *skel, const struct ktvm_fifo_opts *o)
{
	skel->rodata->error_after = o->error_after;
	skel->rodata->stall_pid = o->stall_pid;
	memcpy((char *)skel->rodata->stall_comm, o->stall_comm, sizeof(o->stall_comm));
	skel->struct_ops.ktvm_fifo_ops->timeout_ms = o->timeout_ms;

	/* A struct_ops program no slot points at must not load: libbpf would try. */
	if (o->mode == KTVM_FIFO_REJECT) {
		skel->struct_ops.ktvm_fifo_ops->dispatch = skel->progs.ktvm_fifo_dispatch_reject;
		bpf_program__set_autoload(skel->progs.ktvm_fifo_dispatch, false);
	} else {
		bpf_program__set_autoload(skel->progs.ktvm_fifo_dispatch_reject, false);
	}
}

static int load(struct ktvm_fifo *skel)
{
	struct bpf_program *prog;
	int ret;

	UEI_SET_SIZE(skel, ktvm_fifo_ops, uei);
	ret = ktvm_fifo__load(skel);
	if (ret)
		return ret;
	/* As SCX_OPS_LOAD(): tie the library's probe to this scheduler. */
	for (prog = bpf_object__next_program(skel->obj, NULL); prog;
	     prog = bpf_object__next_program(skel->obj, prog)) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS)
			__scx_ops_assoc_prog(prog, skel->maps.ktvm_fifo_ops, "ktvm_fifo_ops");
	}
	return 0;
}

/* As SCX_OPS_ATTACH(), returning the error instead of exiting. */
static int attach(struct ktvm_fifo *skel, struct bpf_link **link)
{
	int ret;

	__SCX_OPS_DISABLE_AUTOATTACH(skel, ktvm_fifo_ops);
	ret = ktvm_fifo__attach(skel);
	if (ret)
		return ret;
	*link = bpf_map__attach_struct_ops(skel->maps.ktvm_fifo_ops);
	return *link ? 0 : -errno;
}

static void wait_for_exit(struct ktvm_fifo *skel)
{
	const struct timespec tick = {.tv_nsec = 100 * 1000 * 1000};

	while (!stop_requested && !UEI_EXITED(skel, uei))
		nanosleep(&tick, NULL);
}

static void print_dispatches(struct ktvm_fifo *skel)
{
	int nr_cpus = libbpf_num_possible_cpus(), cpu;
	u32 zero = 0;
	u64 *counts;

	if (nr_cpus <= 0) {
		fprintf(stderr, "ktvm_fifo: counting the possible CPUs failed: %s\n",
			strerror(-nr_cpus));
		return;
	}
	counts = calloc(nr_cpus, sizeof(*counts));
	if (!counts || bpf_map_lookup_elem(bpf_map__fd(skel->maps.dispatched), &zero, counts)) {
		fprintf(stderr, "ktvm_fifo: reading the dispatch counts failed: %s\n",
			strerror(errno));
		free(counts);
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		printf("ktvm_fifo: cpu %d dispatched %llu\n", cpu, (unsigned long long)counts[cpu]);
	free(counts);
}

/* The kernel's exit record (struct user_exit_info); kind 0 if none came. */
static int print_exit(struct ktvm_fifo *skel)
{
	const struct user_exit_info *uei = &skel->data->uei;
	const char *dump = skel->data_uei_dump->uei_dump;
	char line[8192];

	if (!uei->kind)
		return 0;
	if (dump[0]) {
		/* The kernel's debug dump on an error exit: many lines, for people. */
		fprintf(stderr, "ktvm_fifo: debug dump follows\n%.*s\nktvm_fifo: debug dump ends\n",
			(int)skel->rodata->uei_dump_len, dump);
	}
	ktvm_fifo_cli_exit_line(line, sizeof(line), uei->kind, uei->reason, sizeof(uei->reason),
				uei->msg, sizeof(uei->msg));
	printf("%s\n", line);
	return uei->kind;
}

int main(int argc, char **argv)
{
	struct ktvm_fifo_opts opts;
	struct bpf_link *link = NULL;
	struct ktvm_fifo *skel;
	char text[256];
	int ret, kind;

	if (ktvm_fifo_cli_parse(&opts, argc, argv, text, sizeof(text))) {
		fprintf(stderr, "%s\n", text);
		return KTVM_FIFO_BAD_ARGS;
	}
	if (opts.help) {
		fputs(ktvm_fifo_cli_usage, stdout);
		return KTVM_FIFO_OK;
	}
	verbose = opts.verbose;
	libbpf_set_print(libbpf_print);
	catch_signals();
	/* The test reads our lines as they come, through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* SCX_OPS_OPEN() exits (status 1) with a message of its own otherwise. */
	if (access("/sys/kernel/sched_ext", F_OK)) {
		fprintf(stderr, "ktvm_fifo: this kernel has no sched_ext "
				"(no /sys/kernel/sched_ext: CONFIG_SCHED_CLASS_EXT is not set)\n");
		return KTVM_FIFO_SETUP_FAILED;
	}
	skel = SCX_OPS_OPEN(ktvm_fifo_ops, ktvm_fifo);
	set_mode(skel, &opts);
	ktvm_fifo_cli_describe(&opts, text, sizeof(text));
	printf("ktvm_fifo: mode %s\n", text);

	ret = load(skel);
	if (ret) {
		fprintf(stderr, "ktvm_fifo: load failed: %s\n", strerror(-ret));
		ktvm_fifo__destroy(skel);
		return KTVM_FIFO_LOAD_FAILED;
	}
	ret = attach(skel, &link);
	if (ret) {
		fprintf(stderr, "ktvm_fifo: attach failed: %s\n", strerror(-ret));
		/* ops.init may have failed: then the kernel says why. */
		print_exit(skel);
		ktvm_fifo__destroy(skel);
		return KTVM_FIFO_ATTACH_FAILED;
	}
	printf("ktvm_fifo: attached\n");

	wait_for_exit(skel);
	/* Detaching waits for the kernel's disable path, ops.exit included. */
	bpf_link__destroy(link);
	print_dispatches(skel);
	kind = print_exit(skel);
	ktvm_fifo__destroy(skel);
	return ktvm_fifo_cli_status(stop_requested, kind);
}

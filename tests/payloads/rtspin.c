// SPDX-License-Identifier: GPL-2.0
/*
 * rtspin CPU SECONDS: starves CPU for SECONDS. Turns RT throttling off
 * (/proc/sys/kernel/sched_rt_runtime_us = -1) and, from 6.12 on, the fair
 * server on CPU (the deadline server that still gives normal tasks 50 ms a
 * second under an RT hog: debugfs sched/fair_server/cpuN/runtime = 0,
 * where the kernel has it), starts a normal child that
 * spins on CPU (runnable, never run), then spins there itself as SCHED_FIFO
 * for SECONDS: the CPU's runqueue holds two tasks and its current one
 * never changes. Then the child is killed; prints "rtspin: done" and exits
 * 0. The monitor's stall case (tests/integration/monitor.sh) runs it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sched_param sp = {.sched_priority = 50};
	cpu_set_t set;
	long long end;
	FILE *f;
	pid_t child;
	int cpu;

	if (argc != 3) {
		fprintf(stderr, "usage: rtspin CPU SECONDS\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "w");
	if (!f || fprintf(f, "-1\n") < 0 || fclose(f)) {
		perror("rtspin: sched_rt_runtime_us");
		return 1;
	}
	/* 6.12+: the fair server would run the child 5% of the time. */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	{
		char path[96];

		snprintf(path, sizeof(path), "/sys/kernel/debug/sched/fair_server/cpu%d/runtime",
			 cpu);
		f = fopen(path, "w");
		if (f) {
			if (fprintf(f, "0\n") < 0 || fclose(f))
				perror("rtspin: fair_server runtime");
			else
				printf("rtspin: fair server off on cpu %d\n", cpu);
		}
	}
	prctl(PR_SET_NAME, "rtspin");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("rtspin: sched_setaffinity");
		return 1;
	}
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "starved");
		for (;;)
			;
	}
	/* Let the child reach the runqueue, then take the CPU for good. */
	usleep(100000);
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("rtspin: SCHED_FIFO");
		kill(child, SIGKILL);
		return 1;
	}
	end = now_ms() + atoll(argv[2]) * 1000;
	while (now_ms() < end)
		;
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("rtspin: done\n");
	return 0;
}

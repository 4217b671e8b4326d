// SPDX-License-Identifier: GPL-2.0
/*
 * scx_run SCHEDULER OPS [WORK_MS]: one sched_ext scheduler's life in the
 * guest, as the kernel reports it in /sys/kernel/sched_ext
 * (Documentation/scheduler/sched-ext.rst):
 *
 *   1. start SCHEDULER (its output to /tmp/scx_run.log) and wait, at most
 *      30 s, until state is "enabled" and root/ops names OPS;
 *   2. run one CPU-bound process per online CPU for WORK_MS (default 1000);
 *   3. SIGINT the scheduler, wait at most 10 s for it to exit and for state
 *      to read "disabled".
 *
 * Prints what it saw, one line each:
 *
 *   scx_run: enabled ops=OPS after N ms
 *   scx_run: workload P processes N ms, state enabled, switch_all S
 *   scx_run: scheduler exited (status S | signal N)
 *   scx_run: disabled after N ms
 *
 * then the scheduler's last output lines prefixed "sched: ". Exits 0 when
 * every step happened, else 1 with a line "scx_run: FAIL ..." naming it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCX "/sys/kernel/sched_ext/"
#define LOG "/tmp/scx_run.log"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of a sysfs file, without its newline; "" if unreadable. */
static const char *read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void show_log(void)
{
	char line[256];
	FILE *f = fopen(LOG, "r");
	int n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n++ < 40)
		printf("sched: %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static int fail(pid_t sched, const char *fmt, const char *a, const char *b)
{
	printf("scx_run: FAIL ");
	printf(fmt, a, b);
	printf("\n");
	if (sched > 0) {
		kill(sched, SIGKILL);
		waitpid(sched, NULL, 0);
	}
	show_log();
	return 1;
}

static void burn(long long until)
{
	volatile unsigned long x = 0;

	while (now_ms() < until)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
	_exit(0);
}

int main(int argc, char **argv)
{
	char state[64], ops[64], all[16], st[32];
	long long t0, until, work = 1000;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	static pid_t burners[1024];
	pid_t sched, w;
	int status;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: scx_run SCHEDULER OPS [WORK_MS]\n");
		return 2;
	}
	if (argc == 4)
		work = atoll(argv[3]);
	if (work < 1 || work > 60000 || ncpu < 1 || ncpu > 1024) {
		fprintf(stderr, "scx_run: WORK_MS 1-60000, CPUs 1-1024 (%lld, %ld)\n", work, ncpu);
		return 2;
	}
	if (access(SCX "state", R_OK))
		return fail(0, "no " SCX "state (%s%s)", strerror(errno),
			    "; no CONFIG_SCHED_CLASS_EXT?");
	printf("scx_run: before: state %s\n", read_line(SCX "state", state, sizeof(state)));
	fflush(stdout);

	sched = fork();
	if (sched < 0)
		return fail(0, "fork: %s%s", strerror(errno), "");
	if (sched == 0) {
		if (!freopen(LOG, "w", stdout) || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		execl(argv[1], argv[1], (char *)NULL);
		_exit(127);
	}

	t0 = now_ms();
	for (;;) {
		read_line(SCX "state", state, sizeof(state));
		read_line(SCX "root/ops", ops, sizeof(ops));
		if (!strcmp(state, "enabled") && !strcmp(ops, argv[2]))
			break;
		if (waitpid(sched, &status, WNOHANG) == sched)
			return fail(0, "%s exited before it was enabled (state %s)", argv[1],
				    state);
		if (now_ms() - t0 > 30000)
			return fail(sched, "not enabled after 30 s (state \"%s\", ops \"%s\")",
				    state, ops);
		usleep(20000);
	}
	printf("scx_run: enabled ops=%s after %lld ms\n", ops, now_ms() - t0);
	fflush(stdout);

	until = now_ms() + work;
	for (long i = 0; i < ncpu; i++) {
		burners[i] = fork();
		if (burners[i] == 0)
			burn(until);
		if (burners[i] < 0)
			return fail(sched, "fork: %s%s", strerror(errno), "");
	}
	for (long i = 0; i < ncpu; i++)
		while (waitpid(burners[i], NULL, 0) < 0 && errno == EINTR)
			;
	if (waitpid(sched, &status, WNOHANG) == sched)
		return fail(0, "%s exited during the workload (state %s)", argv[1],
			    read_line(SCX "state", state, sizeof(state)));
	read_line(SCX "state", state, sizeof(state));
	read_line(SCX "switch_all", all, sizeof(all));
	printf("scx_run: workload %ld processes %lld ms, state %s, switch_all %s\n", ncpu, work,
	       state, all);
	if (strcmp(state, "enabled"))
		return fail(sched, "state after the workload is %s%s, not enabled", state, "");
	fflush(stdout);

	/* SIGINT: the loader detaches the scheduler and exits (scx_simple.c). */
	kill(sched, SIGINT);
	t0 = now_ms();
	for (;;) {
		w = waitpid(sched, &status, WNOHANG);
		if (w == sched)
			break;
		if (now_ms() - t0 > 10000)
			return fail(sched, "%s still running 10 s after SIGINT%s", argv[1], "");
		usleep(20000);
	}
	if (WIFEXITED(status))
		snprintf(st, sizeof(st), "status %d", WEXITSTATUS(status));
	else
		snprintf(st, sizeof(st), "signal %d", WTERMSIG(status));
	printf("scx_run: scheduler exited (%s)\n", st);
	for (;;) {
		read_line(SCX "state", state, sizeof(state));
		if (!strcmp(state, "disabled"))
			break;
		if (now_ms() - t0 > 10000)
			return fail(0, "state \"%s\" 10 s after SIGINT, not disabled%s", state, "");
		usleep(20000);
	}
	printf("scx_run: disabled after %lld ms\n", now_ms() - t0);
	show_log();
	return 0;
}

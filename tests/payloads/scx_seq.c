// SPDX-License-Identifier: GPL-2.0
/*
 * scx_seq CYCLES WORK_MS SCHEDULER [ARG]: one sched_ext scheduler attached
 * and detached CYCLES times in a row, for the host's exit trigger (each
 * attach has a new struct scx_sched: the host must rebind every time):
 *
 *   start SCHEDULER [ARG] (output to /tmp/scx_seq.log), wait at most 30 s
 *   until /sys/kernel/sched_ext/state is "enabled", run one CPU-bound
 *   process for WORK_MS (0: none), SIGINT it, wait at most 10 s for it to
 *   exit and for the state to read "disabled".
 *
 * With SCX_SEQ_LAST=ARG2 in the environment, SCHEDULER ARG2 runs once more
 * afterwards and is expected to fail by itself: scx_seq waits at most 30 s
 * for it to exit with the state back at "disabled".
 *
 * Prints "scx_seq: N cycles" and, for the last run, "scx_seq: last exited
 * (status S)". Exits 0 when all happened, else 1 with "scx_seq: FAIL ...".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STATE "/sys/kernel/sched_ext/state"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *state(char *buf, size_t size)
{
	FILE *f = fopen(STATE, "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static pid_t start(const char *prog, const char *arg)
{
	pid_t p = fork();

	if (p == 0) {
		if (!freopen("/tmp/scx_seq.log", "a", stdout) ||
		    dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	return p;
}

/* Wait until the state is want, at most ms; 0 or -1. */
static int wait_state(const char *want, long long ms)
{
	char s[64];
	long long t0 = now_ms();

	while (strcmp(state(s, sizeof(s)), want)) {
		if (now_ms() - t0 > ms)
			return -1;
		usleep(5000);
	}
	return 0;
}

static int fail(const char *what, long n)
{
	char s[64];

	printf("scx_seq: FAIL %s (cycle %ld, state %s)\n", what, n, state(s, sizeof(s)));
	return 1;
}

int main(int argc, char **argv)
{
	const char *last = getenv("SCX_SEQ_LAST");
	long cycles, work;
	int status;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: scx_seq CYCLES WORK_MS SCHEDULER [ARG]\n");
		return 2;
	}
	cycles = atol(argv[1]);
	work = atol(argv[2]);
	if (cycles < 0 || cycles > 10000 || work < 0 || work > 60000) {
		fprintf(stderr, "scx_seq: CYCLES 0-10000, WORK_MS 0-60000\n");
		return 2;
	}
	for (long n = 1; n <= cycles; n++) {
		pid_t p = start(argv[3], argc == 5 ? argv[4] : NULL), b;
		long long t0;

		if (p < 0 || wait_state("enabled", 30000) < 0)
			return fail("not enabled within 30 s", n);
		if (work) {
			long long until = now_ms() + work;

			b = fork();
			if (b == 0) {
				volatile unsigned long x = 0;

				while (now_ms() < until)
					x++;
				_exit(0);
			}
			waitpid(b, NULL, 0);
		}
		kill(p, SIGINT);
		t0 = now_ms();
		while (waitpid(p, &status, WNOHANG) != p) {
			if (now_ms() - t0 > 10000)
				return fail("still running 10 s after SIGINT", n);
			usleep(5000);
		}
		if (wait_state("disabled", 10000) < 0)
			return fail("not disabled 10 s after SIGINT", n);
	}
	printf("scx_seq: %ld cycles\n", cycles);
	fflush(stdout);
	if (last) {
		pid_t p = start(argv[3], last);
		long long t0 = now_ms();

		while (waitpid(p, &status, WNOHANG) != p) {
			if (now_ms() - t0 > 30000)
				return fail("the last run did not end within 30 s", cycles + 1);
			usleep(5000);
		}
		if (wait_state("disabled", 10000) < 0)
			return fail("not disabled after the last run", cycles + 1);
		printf("scx_seq: last exited (status %d)\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	return 0;
}

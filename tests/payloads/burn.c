// SPDX-License-Identifier: GPL-2.0
/*
 * burn [MS [N]]: N CPU-bound processes (default: one per online CPU), each
 * spinning for MS milliseconds of wall time (default 1000), then exit 0.
 * The processes name themselves "burn" (PR_SET_NAME: ktvm packs a payload as
 * /ktvm/payload, which would be their comm), so a scheduler's
 * stall-comm=burn finds them.
 * Prints "burn: N processes MS ms" when all are done, then "burn: loops L":
 * the spin loops all of them ran, a throughput figure (make bench compares
 * it with and without the host-side monitor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long burn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 1000;
	long n = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
	int failed = 0, fds[2];
	unsigned long long loops = 0, one;

	if (ms < 1 || ms > 600000 || n < 1 || n > 1024) {
		fprintf(stderr, "burn: usage: burn [MS 1-600000 [N 1-1024]]\n");
		return 2;
	}
	if (pipe(fds)) {
		perror("burn: pipe");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			long long end = burn_now_ms() + ms;
			volatile unsigned long spin = 0;

			prctl(PR_SET_NAME, "burn", 0, 0, 0);
			while (burn_now_ms() < end)
				spin++;
			one = spin;
			_exit(write(fds[1], &one, sizeof(one)) == sizeof(one) ? 0 : 1);
		}
		if (pid < 0) {
			perror("burn: fork");
			return 1;
		}
	}
	for (long i = 0; i < n; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	close(fds[1]);
	while (read(fds[0], &one, sizeof(one)) == sizeof(one))
		loops += one;
	printf("burn: %ld processes %ld ms\nburn: loops %llu\n", n, ms, loops);
	return failed ? 1 : 0;
}

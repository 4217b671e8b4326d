// SPDX-License-Identifier: GPL-2.0
/*
 * singlestep N: single-steps a child process N times with ptrace and prints
 *
 *   steps N
 *
 * when each step stopped the child with SIGTRAP at a new pc. A step is the
 * guest's own debug exception (x86: EFLAGS.TF, a #DB), which KVM hands to
 * the host while the host debugs the guest: the watchpoint tests
 * (tests/integration/watch.sh) check that ktvm gives it back. Exits 1 if a
 * step did not stop the child (it ran on, or died).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned long sink;

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 0;
	int st;
	pid_t pid;

	if (n <= 0) {
		fprintf(stderr, "usage: singlestep N\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (unsigned long i = 0; i < 1000000; i++)
			sink += i;
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "child did not stop\n");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) < 0) {
			perror("PTRACE_SINGLESTEP");
			return 1;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
			fprintf(stderr,
				"step %ld: the child did not stop with SIGTRAP (status 0x%x)\n",
				i + 1, st);
			return 1;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("steps %ld\n", n);
	return 0;
}

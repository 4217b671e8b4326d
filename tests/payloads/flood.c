// SPDX-License-Identifier: GPL-2.0
/*
 * flood PROG [ARGS...]: runs PROG while two children flood every other way
 * out of the guest at once -- one writes lines to stderr (about 1 MB/s), one
 * to /dev/console (the kernel's console: ktvm's console capture) a line
 * every 20 ms -- and exits with PROG's status once PROG ended and the
 * flooders are stopped. Both are paced: the console is a 16550 (ttyS0), a
 * KVM exit per byte, and under the nested harness (L1 on one emulated CPU)
 * unpaced floods stopped L1's own heartbeat for 90 s and more.
 * The integration test runs "flood pattern N" and checks that PROG's stdout
 * still arrives whole and byte-identical, and that the host stays bounded.
 * The flooders are stopped only once the stderr one has written
 * FLOOD_MIN_LINES lines (or after FLOOD_MIN_WAIT_S more seconds): how many
 * it writes while PROG runs depends on how the guest's CPUs are shared,
 * and the test counts them.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MIN_LINES	 200
#define FLOOD_MIN_WAIT_S 60

/* Lines the stderr flooder has written (shared with the parent); NULL: not counted. */
static volatile unsigned long long *flood_lines;

static pid_t flood_child(int fd, const char *what, useconds_t pause)
{
	char line[200];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (unsigned long long n = 0;; n++) {
		int len = snprintf(
		    line, sizeof(line),
		    "flood %s line %llu ................................................\n", what,
		    n);

		if (write(fd, line, (size_t)len) < 0) {
			usleep(1000);
		} else {
			if (fd == STDERR_FILENO && flood_lines)
				__atomic_store_n(flood_lines, n + 1, __ATOMIC_RELAXED);
			usleep(pause);
		}
	}
}

int main(int argc, char **argv)
{
	pid_t prog, err, con;
	int status, cfd;

	if (argc < 2) {
		fprintf(stderr, "usage: flood PROG [ARGS...]\n");
		return 2;
	}
	cfd = open("/dev/console", O_WRONLY | O_NOCTTY);
	if (cfd < 0) {
		perror("flood: /dev/console");
		return 2;
	}
	flood_lines = mmap(NULL, sizeof(*flood_lines), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (flood_lines == MAP_FAILED)
		flood_lines = NULL;
	err = flood_child(STDERR_FILENO, "stderr", 70);
	con = flood_child(cfd, "console", 20000);
	prog = fork();
	if (prog == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (prog < 0 || waitpid(prog, &status, 0) != prog)
		status = 255 << 8;
	for (time_t until = time(NULL) + FLOOD_MIN_WAIT_S;
	     flood_lines && __atomic_load_n(flood_lines, __ATOMIC_RELAXED) < FLOOD_MIN_LINES &&
	     time(NULL) < until;)
		usleep(10000);
	kill(err, SIGKILL);
	kill(con, SIGKILL);
	waitpid(err, NULL, 0);
	waitpid(con, NULL, 0);
	fprintf(stderr, "flood: done\n");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

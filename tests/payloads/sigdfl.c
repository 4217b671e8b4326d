// SPDX-License-Identifier: GPL-2.0
/*
 * sigdfl PROG [ARGS...]: runs PROG with SIGINT, SIGQUIT, SIGTERM and SIGHUP
 * at their default actions and unblocked. The integration tests start ktvm
 * in the background of a script, where the shell has SIGINT ignored (POSIX,
 * asynchronous lists without job control), and ktvm keeps a signal it
 * inherited as ignored; through this the test's SIGINT reaches it as a
 * user's Ctrl-C would. Also a valid payload (with no arguments it exits 0).
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	sigset_t set;

	if (argc < 2)
		return 0;
	sigemptyset(&set);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		signal(sigs[i], SIG_DFL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

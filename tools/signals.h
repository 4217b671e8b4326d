/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGINT, SIGTERM and SIGHUP during `ktvm run` (Ctrl-C, a CI job's
 * timeout, a closed terminal). The first one ends the run the way --timeout
 * does: the guest is stopped (and dumped with --dump-dir), the --json result
 * says "end": "signal", and ktvm ends by that signal (a shell's status 130,
 * 143, 129). A second one ends ktvm at once: the files it was writing
 * (core/base/cleanup.h) are removed, the terminal is reset, no result is
 * written. The messages are written only when stderr takes them at once. A signal ignored when ktvm started (nohup, a background job of
 * a script) stays ignored.
 *
 * signals_start() must run before any other thread exists: it blocks the
 * signals in the calling thread, every later thread inherits that, and one
 * thread of its own takes them with sigwait(), so no handler runs in
 * signal context and the VM is stopped with ordinary locks.
 */
#ifndef KTVM_TOOLS_SIGNALS_H
#define KTVM_TOOLS_SIGNALS_H

#include <stdatomic.h>

struct vm;

int signals_start(void);
/* The VM a signal stops from now on (NULL: none); one that came already stops it now. */
void signals_attach(struct vm *vm);
/* The first signal's number, 0 while none came. */
int signals_first(void);
/*
 * After a run a signal ended, its result written: end the process by that
 * signal (status 128 + N as a shell sees it), so a shell loop around ktvm
 * stops on Ctrl-C too (bash goes on when its child "handled" SIGINT).
 */
void signals_end(void);
/* "SIGINT", "SIGTERM", "SIGHUP". */
const char *signals_name(int sig);
/*
 * The guest's console is copied to fd; if it is a terminal and *dirty (the
 * guest sent escape sequences), an abrupt end resets it too. (-1, NULL)
 * before dirty's memory goes away.
 */
void signals_tty(int fd, const atomic_bool *dirty);
/* Reset a terminal the guest's console may have left in another mode. */
void signals_tty_reset(int fd);

#endif

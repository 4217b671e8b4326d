// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm run's end: the --json result file (opened before the run, written
 * after it), the exit status from how the run ended, and what is said on
 * stderr (run.h run_report()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/base/safetext.h"
#include "core/debug/scx.h"
#include "core/run/monitor_svg.h"
#include "core/run/result.h"
#include "tools/ktvm.h"
#include "tools/profile.h"
#include "tools/run.h"
#include "tools/signals.h"

/* Console lines shown when a run fails and the console was not streamed. */
#define RUN_TAIL_LINES 30

/*
 * --json FILE is opened and emptied before the VM is built, so a path that
 * cannot be written is said at once, not after the run; an empty file is
 * what a ktvm that was killed leaves (a regular file is removed on an
 * abrupt end, core/base/cleanup.h). A FIFO with no reader is refused, not
 * waited for.
 */
/*
 * Whether path itself is the regular file fd was opened on (st: its
 * fstat()): only then may ktvm remove it. Not a symlink such as
 * /dev/stdout, whose target may be anything.
 */
static bool run_json_is_file(const char *path, const struct stat *st)
{
	struct stat l;

	return S_ISREG(st->st_mode) && lstat(path, &l) == 0 && S_ISREG(l.st_mode) &&
	       l.st_dev == st->st_dev && l.st_ino == st->st_ino;
}

int run_open_json(struct run *r)
{
	const char *path = r->o.json;
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return ktvm_usage_error("--json %s: %s", path,
					errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
	if (fcntl(fd, F_SETFL, 0) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return ktvm_usage_error("--json %s: %s", path, strerror(errno));
	}
	r->json_fd = fd;
	r->json_open = true;
	r->json_reg = run_json_is_file(path, &st) && cleanup_add(path, false) == 0;
	return 0;
}

/* Close the result file; without a result in it, remove it. */
void run_close_json(struct run *r, bool written)
{
	if (!r->json_open)
		return;
	r->json_open = false;
	if (!written && r->json_reg) {
		struct stat st;

		/* Still the file ktvm emptied, not one put there since. */
		if (fstat(r->json_fd, &st) == 0 && run_json_is_file(r->o.json, &st))
			unlink(r->o.json);
	}
	close(r->json_fd);
	if (r->json_reg)
		cleanup_forget(r->o.json);
	r->json_reg = false;
}

static int run_status_for(enum vm_end end)
{
	switch (end) {
	case VM_END_POWEROFF:
	case VM_END_REBOOT:
		return KTVM_EXIT_OK;
	case VM_END_CRASH:
		return KTVM_EXIT_CRASH;
	case VM_END_TIMEOUT:
		return KTVM_EXIT_TIMEOUT;
	case VM_END_WATCH:
		return KTVM_EXIT_WATCH;
	default:
		return KTVM_EXIT_HOST;
	}
}

static const char *run_end_words(enum vm_end end)
{
	switch (end) {
	case VM_END_POWEROFF:
		return "guest powered off";
	case VM_END_REBOOT:
		return "guest rebooted";
	case VM_END_CRASH:
		return "guest crashed";
	case VM_END_TIMEOUT:
		return "timed out";
	case VM_END_WATCH:
		return "stopped by a watchpoint";
	case VM_END_SIGNAL:
		return "stopped by a signal";
	default:
		return "run failed";
	}
}

/*
 * With PROG: the status ktvm exits with once the guest ended by itself.
 * The payload's own, if init reported it; else why not.
 */
static int run_payload_status(const struct channel *ch)
{
	char why[4 * WIRE_REASON_MAX + 1];

	safetext_line(why, sizeof(why), ch->failure.reason, sizeof(ch->failure.reason));
	if (ch->have_exit) {
		if (ch->failed)
			fprintf(stderr, "ktvm: guest init: %s\n", why);
		/* The guest chooses the number: keep it a valid exit status. */
		return ch->exit_status >= 0 && ch->exit_status <= 255 ? ch->exit_status : 255;
	}
	if (ch->failed)
		fprintf(stderr, "ktvm: guest init failed: %s\n", why);
	else if (!ch->sys_rdy)
		fprintf(stderr, "ktvm: the guest channel never came up: init did not start, "
				"or the guest found no virtio console (see the console; "
				"--modules-dir)\n");
	else
		fprintf(stderr, "ktvm: the guest ended without reporting the payload's exit "
				"status\n");
	return KTVM_EXIT_NO_RESULT;
}

/* A SCHED_EXIT arrived (from init, or from PROG): the scheduler failed, whatever PROG did. */
static int run_sched_status(const struct channel *ch)
{
	const struct channel_sched *s = &ch->sched;
	char why[4 * WIRE_REASON_MAX + 1];

	safetext_line(why, sizeof(why), s->reason, sizeof(s->reason));
	if (s->stage == WIRE_SCHED_ATTACH) {
		fprintf(stderr, "ktvm: the scheduler did not attach: %s\n", why);
		return KTVM_EXIT_SCHED_ATTACH;
	}
	if (ch->have_exit)
		fprintf(stderr,
			"ktvm: the scheduler failed while PROG ran (PROG exited with %d): %s\n",
			ch->exit_status, why);
	else
		fprintf(stderr, "ktvm: the scheduler failed: %s\n", why);
	return KTVM_EXIT_SCHED_FAILED;
}

/* What the sched_ext exit trigger caught, on stderr: true if a failure. */
static bool run_scx_report(struct watch_opts *wo)
{
	struct scx_trigger *t = &wo->scx_trig;
	const char *name;

	if (!wo->scx_live || !t->caught)
		return false;
	name = scx_kind_name(&t->lay, t->kind);
	if (t->poll)
		fprintf(stderr, "ktvm: sched_ext: caught %s (%u) by polling", name ? name : "exit",
			t->kind);
	else
		fprintf(stderr, "ktvm: sched_ext: caught %s (%u) on cpu %u at pc 0x%llx",
			name ? name : "exit", t->kind, t->claim_vcpu,
			(unsigned long long)t->claim_pc);
	if (t->dump[0])
		fprintf(stderr, "; state dump %s", t->dump);
	fputc('\n', stderr);
	if (t->info) {
		/* Read from guest memory: escaped like the guest's own messages. */
		char why[4 * SCX_REASON_MAX + 1], msg[4 * SCX_MSG_MAX + 1];

		fprintf(stderr, "ktvm: sched_ext: %s%s%s\n",
			safetext_line(why, sizeof(why), t->reason, sizeof(t->reason)),
			t->msg[0] ? ": " : "",
			safetext_line(msg, sizeof(msg), t->msg, sizeof(t->msg)));
	}
	return true;
}

/* How the run ended, the watchpoints' outcome and the payload's status. */
static int run_status(struct run *r)
{
	int status = run_status_for(r->res.end);

	/* As a shell reports a command a signal ended: 128 + its number. */
	if (r->res.end == VM_END_SIGNAL)
		status = 128 + (signals_first() ? signals_first() : SIGINT);
	if (r->ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		status = KTVM_EXIT_HOST;
	}
	error_clear();
	if (watch_opts_finish(&r->o.wo) < 0) {
		/*
		 * The guest kernel lacks a --watch symbol: bad input, said once.
		 * A host-side failure to arm counts only if nothing worse ended
		 * the run.
		 */
		fprintf(stderr, "ktvm: %s\n", error_msg());
		if (error_kind() == ERROR_INPUT)
			status = KTVM_EXIT_USAGE;
		else if (status == KTVM_EXIT_OK)
			status = KTVM_EXIT_HOST;
	} else if (r->o.prog && status == KTVM_EXIT_OK) {
		status = r->ch.sched.failed ? run_sched_status(&r->ch) : run_payload_status(&r->ch);
		/* The host caught the scheduler failing: that is the verdict. */
		if (run_scx_report(&r->o.wo))
			status = KTVM_EXIT_SCHED_FAILED;
	}
	return status;
}

static void run_print_tail(const char *text, size_t len, unsigned int lines)
{
	size_t start = len;
	unsigned int n = 0;

	while (start > 0 && n <= lines) {
		start--;
		if (text[start] == '\n' && start + 1 < len)
			n++;
	}
	if (n > lines)
		start++;
	fprintf(stderr, "ktvm: last console lines:\n");
	safetext_write(stderr, text + start, len - start);
	if (len && text[len - 1] != '\n')
		fputc('\n', stderr);
}

/* result_write_json()'s more callback: the initramfs and the watchpoints. */
static void run_json_more(FILE *f, const void *ctx)
{
	const struct run *r = ctx;
	const struct watch_opts *wo = &r->o.wo;

	if (r->o.prog)
		pack_write_json(f, &r->pf);
	if (r->vm && (wo->n || wo->dump_dir || wo->agent.snapshots || wo->agent.snapshot_failures ||
		      wo->scx_live))
		watch_opts_json(f, wo, r->vm);
	if (wo->scx_live)
		scx_trigger_json(f, (struct scx_trigger *)&wo->scx_trig, "  ");
	kcache_json(f, r->kernel_given, &r->kc);
	devlist_json(f, (struct devlist *)&r->devs);
	if (wo->mon_live) {
		monitor_json(f, (struct monitor *)&wo->mon_state,
			     r->ch.sys_rdy ? r->ch.sys_rdy_ns : 0);
	} else if (wo->mon_error[0]) {
		fprintf(f, ",\n  \"monitor\": {\"error\": ");
		json_string(f, wo->mon_error, strlen(wo->mon_error));
		fputc('}', f);
	}
}

/* The monitor's line at the end, and its picture (--monitor-plot). */
static int run_monitor_report(struct run *r)
{
	struct watch_opts *wo = &r->o.wo;
	char line[512];

	if (!wo->mon_live) {
		if (wo->mon && wo->mon_error[0])
			fprintf(stderr, "ktvm: monitor: off: %s\n", wo->mon_error);
		return 0;
	}
	monitor_summary(&wo->mon_state, line, sizeof(line));
	fprintf(stderr, "ktvm: %s\n", line);
	if (!r->o.mon_plot)
		return 0;
	error_clear();
	if (monitor_svg_write(&wo->mon_state, &r->vm->topo, r->o.mon_plot) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		return -1;
	}
	return 0;
}

static int run_write_json(struct run *r, int status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	/* Put together in memory, then written at once: a failed write says why. */
	if (f) {
		result_write_json(f, &r->res, &r->ch, status, run_json_more, r);
		err = fclose(f) ? ENOMEM : -file_write_all(r->json_fd, text, len);
	} else {
		err = ENOMEM;
	}
	free(text);
	/* A result cut short (a full disk) is not left for a reader to trust. */
	run_close_json(r, !err);
	if (err) {
		fprintf(stderr, "ktvm: --json %s: %s (no result written)\n", r->o.json,
			strerror(err));
		return -1;
	}
	return 0;
}

int run_report(struct run *r)
{
	const struct run_opts *o = &r->o;
	const struct vm_result *res = &r->res;
	bool failed = run_status_for(res->end) != KTVM_EXIT_OK || r->ret < 0;
	int status = run_status(r);

	if (o->cfg.console_fd >= 0 && r->vm && atomic_load(&r->vm->console.escapes))
		signals_tty_reset(o->cfg.console_fd);
	if (r->vm && run_monitor_report(r) < 0 && status == KTVM_EXIT_OK)
		status = KTVM_EXIT_HOST;
	if (o->json && run_write_json(r, status) < 0 && status == KTVM_EXIT_OK)
		status = KTVM_EXIT_HOST;
	if (o->prog && (r->ch.out.dropped || r->ch.err.dropped) && o->verbose)
		fprintf(stderr, "ktvm: %llu bytes of the payload's output could not be written\n",
			(unsigned long long)(r->ch.out.dropped + r->ch.err.dropped));
	if (failed || (status == KTVM_EXIT_NO_RESULT && o->prog)) {
		if (o->cfg.console_fd < 0 && res->console_len)
			run_print_tail(res->console, res->console_len, RUN_TAIL_LINES);
	}
	if (!o->prog || o->verbose || failed) {
		/* The detail may quote the guest (its panic line). */
		char detail[4 * sizeof(res->detail)];

		fprintf(stderr, "ktvm: %s (%s) after %.3f s\n", run_end_words(res->end),
			safetext_line(detail, sizeof(detail), res->detail, sizeof(res->detail)),
			(double)res->duration_ns / 1e9);
	}
	if (o->profile)
		profile_print(stderr, res, o->prog ? &r->ch : NULL);
	return status;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm-init: the guest's PID 1. Static, built for the guest's arch and
 * embedded in ktvm (init-blob.S), which packs it as /init.
 *
 * In order: mount what a payload expects (mounts.h), open the log device
 * (log.h), load /ktvm/modules.order (modules.h), find and open the channel
 * port (chan.h), send KERN_ADDRS (kaddr.h), BOOT_TIMES (boot_times.h),
 * SYS_RDY and LIFECYCLE INIT_STARTED, run the payload (payload.h), send
 * LIFECYCLE SHUTDOWN, and power off. A failure before the port is open can
 * only be logged; after it, it is sent as LIFECYCLE FAILED. Either way the
 * guest then powers off: every wait on the way is bounded except the
 * payload itself, whose time the host limits.
 *
 * PID 1 must never return: the kernel panics when init exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/boot_times.h"
#include "guest/btf.h"
#include "guest/chan.h"
#include "guest/kaddr.h"
#include "guest/ksyms.h"
#include "guest/snapshot.h"
#include "guest/kcmdline.h"
#include "guest/log.h"
#include "guest/modules.h"
#include "guest/mounts.h"
#include "guest/payload.h"
#include "guest/readfile.h"
#include "guest/sched.h"

/* Processes left at shutdown get this long to die after SIGKILL. */
#define INIT_REAP_MS 2000
/* How long init waits for the host to arm --watch symbols (it replies in ms). */
#define INIT_WATCH_WAIT_MS 30000

static void init_reap_all(void)
{
	u64 deadline = clock_now_ns() + INIT_REAP_MS * 1000000ULL;
	struct timespec step = {.tv_nsec = 10 * 1000000L};

	for (;;) {
		pid_t w = waitpid(-1, NULL, WNOHANG);

		if (w > 0)
			continue;
		if (w < 0 && errno != EINTR)
			return; /* ECHILD: all gone */
		if (clock_now_ns() >= deadline) {
			log_msg("shutdown: processes still exiting after %d ms", INIT_REAP_MS);
			return;
		}
		nanosleep(&step, NULL);
	}
}

static void __attribute__((noreturn)) init_poweroff(struct chan *ch)
{
	if (ch)
		chan_phase(ch, WIRE_PHASE_SHUTDOWN);
	kill(-1, SIGKILL);
	init_reap_all();
	sync();
	if (ch)
		chan_close(ch);
	reboot(RB_POWER_OFF);
	log_msg("reboot(RB_POWER_OFF): %s", strerror(errno));
	for (;;)
		pause();
}

/* Give up: say why where the host can see it, then power off. */
static void __attribute__((noreturn)) init_fail(struct chan *ch, const char *fmt, ...)
    __printf(2, 3);

static void init_fail(struct chan *ch, const char *fmt, ...)
{
	char reason[WIRE_REASON_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_msg("failed: %s", reason);
	if (ch)
		chan_lifecycle(ch, WIRE_PHASE_FAILED, "%s", reason);
	init_poweroff(ch);
}

/*
 * The kernel gives init /dev/console as fds 0-2 when the initramfs has it.
 * Without it they are closed, and the first files opened would take their
 * numbers: fill them with /dev/null.
 */
static void init_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) < 0)
			return;
	}
}

static char init_watch[KSYMS_WATCH_ARG_MAX]; /* ktvm.watch=, "" if none */
static char init_sched_wait[16];	     /* ktvm.sched_wait=, "" if none */
static char init_btf[4];		     /* ktvm.btf=, "1": send the kernel's BTF */

static void init_cmdline(char *log_dev, size_t log_size, char *port, size_t port_size)
{
	static char cmdline[4096];

	readfile("/proc/cmdline", cmdline, sizeof(cmdline));
	if (kcmdline_get(cmdline, KCMDLINE_LOG_KEY, log_dev, log_size) < 0)
		snprintf(log_dev, log_size, "%s", KCMDLINE_LOG_DEFAULT);
	if (kcmdline_get(cmdline, KCMDLINE_PORT_KEY, port, port_size) <= 0)
		snprintf(port, port_size, "%s", CHAN_PORT_NAME);
	if (kcmdline_get(cmdline, KSYMS_WATCH_KEY, init_watch, sizeof(init_watch)) < 0)
		init_watch[0] = '\0';
	if (kcmdline_get(cmdline, SCHED_WAIT_KEY, init_sched_wait, sizeof(init_sched_wait)) < 0)
		init_sched_wait[0] = '\0';
	if (kcmdline_get(cmdline, BTF_KEY, init_btf, sizeof(init_btf)) < 0)
		init_btf[0] = '\0';
}

/*
 * ktvm.watch=: report the symbols' live addresses (KSYMS) and wait until
 * the host has armed its watchpoints, so the payload's first write is
 * already watched.
 */
static void init_watchpoints(struct chan *ch)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];
	u8 buf[WIRE_HDR_SIZE + WIRE_KSYMS_MAX * (WIRE_KSYM_NAME_MAX + 16)], reply[64];
	struct wire_watch_armed armed;
	ssize_t n;
	int nk, r;

	if (!init_watch[0])
		return;
	nk = ksyms_parse_request(init_watch, k, WIRE_KSYMS_MAX);
	if (nk < 0)
		init_fail(ch, "ktvm.watch=%s: not a list of kernel symbols", init_watch);
	r = ksyms_lookup("/proc/kallsyms", k, (u32)nk);
	if (r < 0)
		init_fail(ch, "/proc/kallsyms: %s", strerror(-r));
	n = wire_ksyms_build(buf, sizeof(buf), k, (u32)nk);
	if (n < 0 || chan_send(ch, WIRE_KSYMS, buf, (size_t)n))
		init_fail(NULL, "channel: cannot send KSYMS");
	n = chan_recv(ch, WIRE_WATCH_ARMED, reply, sizeof(reply), INIT_WATCH_WAIT_MS);
	if (n < 0)
		init_fail(ch, "no WATCH_ARMED from the host within %d ms: %s", INIT_WATCH_WAIT_MS,
			  strerror((int)-n));
	if (wire_watch_armed_parse(&armed, reply, (size_t)n) < 0)
		init_fail(ch, "malformed WATCH_ARMED from the host");
	if (armed.status < 0)
		init_fail(ch, "the host could not arm the watchpoints: %s",
			  strerror(-armed.status));
	log_msg("watchpoints armed: %u", armed.armed);
}

static u32 init_snapshots;

/* A line from the payload in SNAPSHOT_FIFO: ask the host, record its answer. */
static void init_snapshot(void *ctx, const char *tag, size_t len)
{
	char line[64];
	u32 id = ++init_snapshots;
	int st = snapshot_request(ctx, id, tag, len, SNAPSHOT_WAIT_MS);
	int fd = open(SNAPSHOT_STATUS, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	log_msg("snapshot %u \"%.*s\": %d", id, (int)MIN(len, 64), tag, st);
	if (fd >= 0) {
		int n = snprintf(line, sizeof(line), "%u %d\n", id, st);

		if (write(fd, line, (size_t)n) != n)
			log_msg("%s: %s", SNAPSHOT_STATUS, strerror(errno));
		close(fd);
	}
}

static struct sched init_sched;
static bool init_sched_on;

/* The scheduler under test, if the host packed one: started and attached before the payload. */
static void init_scheduler(struct chan *ch)
{
	char why[512], *end;
	unsigned long wait = SCHED_WAIT_DEFAULT_S;
	int r;

	r = sched_load(&init_sched, SCHED_CMD, why, sizeof(why));
	if (r == -ENOENT)
		return;
	if (r)
		init_fail(ch, "%s", why);
	if (init_sched_wait[0]) {
		wait = strtoul(init_sched_wait, &end, 10);
		if (*end || !wait || wait > SCHED_WAIT_MAX_S)
			init_fail(ch, "%s=%s: not 1-%d seconds", SCHED_WAIT_KEY, init_sched_wait,
				  SCHED_WAIT_MAX_S);
	}
	r = sched_attach(&init_sched, ch, (u32)wait, why, sizeof(why));
	if (r == -ECANCELED)
		init_poweroff(ch); /* SCHED_EXIT said why */
	if (r)
		init_fail(ch, "scheduler: %s", why);
	sched_aside(&init_sched);
	init_sched_on = true;
}

static void init_payload(struct chan *ch)
{
	struct payload_result res;
	struct payload p;
	char why[512];
	int r, ctl, keep = -1;

	r = payload_load(&p, PAYLOAD_CMD, PAYLOAD_ENV, why, sizeof(why));
	if (r == -ENOENT) {
		log_msg("no %s: no payload", PAYLOAD_CMD);
		if (chan_exit(ch, 0))
			init_fail(NULL, "channel: %s", strerror(-ch->err));
		return;
	}
	if (r)
		init_fail(ch, "%s", why);
	ctl = snapshot_fifo_open(SNAPSHOT_FIFO, &keep);
	if (ctl < 0)
		log_msg("%s: %s (no snapshots)", SNAPSHOT_FIFO, strerror(-ctl));
	else
		payload_set_control(ctl, init_snapshot, ch);
	log_msg("running %s", p.path);
	r = payload_run(&p, ch, PAYLOAD_DRAIN_MS, &res, why, sizeof(why));
	if (r)
		init_fail(ch, "payload %s: %s", p.path, why);
	if (res.exec_err)
		log_msg("exec %s: %s", p.path, strerror(res.exec_err));
	else
		log_msg("payload %s exited with status %d", p.path, res.status);
	payload_free(&p);
}

/*
 * BOOT_TIMES before SYS_RDY: the kernel's "Run /init", init's start and
 * now (SYS_RDY follows at once), on the printk clock (boot_times.h).
 * init's readings are CLOCK_MONOTONIC, not CLOCK_BOOTTIME: the two differ
 * only by time spent suspended, which a ktvm guest never is, and it is the
 * clock init already times everything with (clock_now_ns()).
 */
static int init_boot_times(struct chan *ch, u64 start_ns)
{
	struct boot_times_kmsg k;
	struct wire_boot_time t[3];
	u32 n = 0;
	int r = boot_times_kernel(BOOT_TIMES_KMSG, &k);

	if (r == -ENOENT)
		log_msg("%s: %s", BOOT_TIMES_KMSG,
			k.have_init ? "the clock mark did not come back"
				    : "no \"Run ... as init process\" record");
	else if (r)
		log_msg("%s: %s", BOOT_TIMES_KMSG, strerror(-r));
	/* without the mark, init's times are on another clock than the kernel's */
	if (k.have_init && k.have_mark)
		t[n++] = (struct wire_boot_time){WIRE_BOOT_KERNEL_INIT, k.init_ns};
	t[n++] = (struct wire_boot_time){WIRE_BOOT_INIT_START, boot_times_clock(start_ns)};
	t[n++] = (struct wire_boot_time){WIRE_BOOT_INIT_READY, boot_times_clock(clock_now_ns())};
	return chan_boot_times(ch, t, n);
}

int main(void)
{
	char log_dev[256], port[256], mount_err[256], dev[512], why[1024];
	u64 start_ns = clock_now_ns(); /* first: BOOT_TIMES' init_start */
	struct modules_result mods;
	struct wire_kern_addrs ka;
	struct chan ch;
	const char *log_used;
	int r;

	/* a closed channel port or pipe must fail a write, not kill init */
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	if (chdir("/"))
		log_msg("chdir /: %s", strerror(errno));

	mounts_setup(mount_err, sizeof(mount_err));
	init_stdio();
	init_cmdline(log_dev, sizeof(log_dev), port, sizeof(port));
	log_used = log_open(log_dev);
	log_msg("started (log %s, channel port \"%s\")", log_used ? log_used : "-", port);
	if (log_used && strcmp(log_used, log_dev))
		log_msg("%s: cannot open, logging to %s", log_dev, log_used);

	r = modules_load_order(MODULES_ORDER, &mods);
	if (r)
		log_msg("%s: %s", MODULES_ORDER, strerror(-r));
	log_msg("modules: %u loaded, %u failed", mods.loaded, mods.failed);

	r = chan_find(CHAN_CLASS_DIR, CHAN_DEV_DIR, port, CHAN_FIND_TIMEOUT_MS, dev, sizeof(dev),
		      why, sizeof(why));
	if (r) {
		log_msg("channel port: not found after %d ms: %s", CHAN_FIND_TIMEOUT_MS, why);
		if (mods.failed)
			log_msg("modules that failed: %s", mods.failures);
		if (mount_err[0])
			log_msg("also: %s", mount_err);
		init_fail(NULL, "no channel port, nothing can reach the host");
	}
	r = chan_open(&ch, dev);
	if (r)
		init_fail(NULL, "channel port %s: %s", dev, strerror(-r));

	/* KERN_ADDRS and BOOT_TIMES before SYS_RDY: the host has them when it sees init up */
	kaddr_collect(&ka, "/proc/kallsyms", "/proc/kcore");
	r = chan_kern_addrs(&ch, &ka);
	if (!r)
		r = init_boot_times(&ch, start_ns);
	if (!r)
		r = chan_send(&ch, WIRE_SYS_RDY, NULL, 0);
	if (!r)
		r = chan_phase(&ch, WIRE_PHASE_INIT_STARTED);
	if (r)
		init_fail(NULL, "channel port %s: %s", dev, strerror(-r));
	if (mount_err[0])
		init_fail(&ch, "%s", mount_err);

	/* before KSYMS: the host builds the monitor's layout from it when KSYMS comes */
	if (!strcmp(init_btf, "1") && btf_send(&ch, BTF_SYSFS) < 0)
		init_fail(NULL, "channel port %s: %s", dev, strerror(-ch.err));
	init_watchpoints(&ch);
	init_scheduler(&ch);
	init_payload(&ch);
	if (init_sched_on && sched_finish(&init_sched))
		init_fail(NULL, "channel: %s", strerror(-ch.err));
	log_msg("powering off");
	init_poweroff(&ch);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm command line: main(), the usage texts and the dispatch to the
 * commands (ktvm run: run.h; ktvm btf: btf.h). tools/ is the only place that prints errors
 * and picks exit statuses (ktvm.h); everything below it returns errors
 * (core/base/error.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/testpoint.h"
#include "core/vm/arch.h"
#include "tools/btf.h"
#include "tools/ktvm.h"
#include "tools/run.h"
#include "tools/signals.h"

static const char usage_main[] =
    "usage: ktvm run --kernel PATH [options] [-- PROG [ARGS...]]\n"
    "       ktvm btf --kernel PATH [--check STRUCT] [--raw OUT] [--c-header OUT]\n"
    "       ktvm --help | --version\n"
    "\n"
    "ktvm boots a Linux kernel in a KVM virtual machine to test process schedulers.\n"
    "Run 'ktvm run --help' or 'ktvm btf --help' for the options.\n";

static const char usage_run[] =
    "usage: ktvm run --kernel PATH [options] [-- PROG [ARGS...]]\n"
    "\n"
    "Boot PATH (x86_64: a bzImage or an uncompressed ELF vmlinux with a PVH entry;\n"
    "aarch64: an Image or Image.gz) and wait until the guest powers off, reboots or\n"
    "crashes, or the timeout passes.\n"
    "\n"
    "With PROG, ktvm packs PROG (looked up in $PATH like a shell does), the shared\n"
    "libraries it needs, the --include files and the kernel modules of the guest\n"
    "channel into an initramfs with ktvm's own init, which runs PROG ARGS in the\n"
    "guest. PROG's stdout and stderr appear on ktvm's as they are written, and ktvm\n"
    "exits with PROG's exit status (128+N if signal N killed it). An absolute PROG\n"
    "that is not a host file is run as a guest path (from an --include).\n"
    "\n"
    "  --kernel PATH     kernel image (required)\n"
    "  --initrd PATH     initramfs given to the kernel (not with PROG)\n"
    "  --include H[:G]   with PROG: copy host file or directory H to guest path G\n"
    "                    (default /bin/NAME; a G ending in / gets NAME appended);\n"
    "                    repeatable\n"
    "  --env KEY=VALUE   with PROG: set in PROG's environment (default PATH, HOME,\n"
    "                    TERM only); repeatable\n"
    "  --modules-dir DIR with PROG: the kernel's modules (default: found beside the\n"
    "                    kernel, DIR/root/lib/modules/REL or ../lib/modules/REL,\n"
    "                    else /lib/modules/REL)\n"
    "  --scheduler S     with PROG: run the sched_ext scheduler S (a host ELF for\n"
    "                    the guest's arch, packed with its libraries) in the guest\n"
    "                    before PROG; PROG runs once the kernel says it attached,\n"
    "                    and it is stopped (SIGINT) after PROG. Its output comes\n"
    "                    back as \"ktvm: sched: LINE\" lines on stderr\n"
    "  --sched-arg ARG   an argument for the scheduler; repeatable\n"
    "  --sched-wait SEC  how long it may take to attach (default 10, at most 600)\n"
    "  --watch-scx       catch a failing sched_ext scheduler from the host: freeze\n"
    "                    every vCPU when the kernel claims an error exit and write\n"
    "                    a state dump (on by default with --scheduler; for\n"
    "                    schedulers PROG starts); --no-watch-scx turns it off\n"
    "  --scx-watchdog MS set the sched_ext watchdog timeout of every scheduler\n"
    "                    that attaches to MS (1-30000), in the guest's jiffies\n"
    "  --monitor         with PROG: read every CPU's runqueue from the host while\n"
    "                    the guest runs (no freeze; offsets from the kernel's BTF):\n"
    "                    nr_running, the running task, stalls; the timeline goes\n"
    "                    into --json, a summary line to stderr\n"
    "  --monitor-interval MS  how often (default 100, 10-60000); implies --monitor\n"
    "  --stall-after MS  a CPU whose clock stands still with work queued, or whose\n"
    "                    task stays current while others wait, this long is stalled\n"
    "                    (default 2000; with --dump-dir the guest is dumped)\n"
    "  --monitor-plot FILE.svg  the timeline as a picture: a lane per CPU by node\n"
    "                    and LLC, the running task, nr_running, stalls\n"
    "  --btf FILE        the kernel's types for --monitor, --scheduler and\n"
    "                    --watch-scx from FILE (a raw BTF blob such as a\n"
    "                    /sys/kernel/btf/vmlinux, or an ELF with .BTF) instead\n"
    "                    of the kernel image\n"
    "  --disk FILE[,ro][,cache=none|writeback]  a virtio disk backed by FILE (a raw\n"
    "                    image or block device, locked while in use): /dev/vda,\n"
    "                    /dev/vdb, ... in order; ro refuses the guest's writes;\n"
    "                    cache=none bypasses the host's page cache (O_DIRECT);\n"
    "                    repeatable (up to 6). --disk size=MIB: a fresh sparse\n"
    "                    disk in $TMPDIR (default /var/tmp, else /tmp), gone\n"
    "                    at the end\n"
    "  --net loopback    a virtio network interface whose sent frames come back\n"
    "                    to it (interrupt and softirq load, no host setup)\n"
    "  --net tap[:IFNAME][,host=A.B.C.D/N]  the interface joined to a new TAP\n"
    "                    interface on the host (needs CAP_NET_ADMIN; removed at\n"
    "                    the end); host= gives the TAP that address and brings\n"
    "                    it up. Both take ,mac=XX:XX:XX:XX:XX:XX ,mtu=N ,csum\n"
    "                    (checksum offload)\n"
    "  -v, --verbose     with PROG: also print how the run ended when it succeeded\n"
    "  --no-kernel-cache boot a compressed kernel as given: without it ktvm boots\n"
    "                    its uncompressed form where that boots by itself (an\n"
    "                    x86 bzImage's ELF vmlinux with a PVH entry, an arm64\n"
    "                    Image.gz's Image), kept in ~/.cache/ktvm/kernels\n"
    "  --initramfs-compress none|gzip  with PROG: the payload's initramfs as a\n"
    "                    plain cpio (default) or gzip-compressed\n"
    "  --profile         after the run, where its time went (setup, kernel to init,\n"
    "                    init to PROG, PROG, shutdown), its exits by reason and\n"
    "                    the devices that took the most exits\n"
    "  --cpus N          vCPUs (default 1)\n"
    "  --memory MIB      guest RAM in MiB (default 256)\n"
    "  --topology N,L,C,T  N NUMA nodes, L last-level caches spread evenly over\n"
    "                    them, C cores per LLC, T SMT threads per core; vCPUs =\n"
    "                    L x C x T (then --cpus may be left out)\n"
    "  --numa-mem M0,M1,... MiB of memory per node; sizes past the N nodes add\n"
    "                    memory-only nodes; they must sum to --memory, which\n"
    "                    they set if it is not given (default: an even split)\n"
    "  --numa-dist D     node distances, rows split by ';' (\"10,20;20,10\"):\n"
    "                    10 on the diagonal, 11-254 elsewhere, symmetric\n"
    "                    (default 20 between nodes)\n"
    "  --numa-latency L  memory access latency in ns from each node with CPUs\n"
    "                    (a row) to each node (a value): \"80,140;140,80\";\n"
    "                    x86_64 only (ACPI HMAT)\n"
    "  --numa-bandwidth B  the same for bandwidth in MB/s\n"
    "  --watch W         a hardware watchpoint on 4 bytes of guest kernel memory,\n"
    "                    written to: W = SYMBOL[+OFFSET] or 0xADDRESS, then\n"
    "                    :log (record each write, the default), :dump (also\n"
    "                    freeze every vCPU and write a state dump) or :stop\n"
    "                    (dump and end the run, status 123); up to 3. A SYMBOL\n"
    "                    is checked before boot in the kernel image's kallsyms\n"
    "                    table and needs PROG: the guest's init finds where it\n"
    "                    is in /proc/kallsyms\n"
    "  --symbols FILE    a vmlinux with symbols or a System.map to take --watch\n"
    "                    names (and --monitor's runqueues) from instead\n"
    "  --dump-dir DIR    where state dumps go (default: the current directory);\n"
    "                    with it, a timeout or a panic that does not reboot\n"
    "                    also freezes and dumps the guest\n"
    "  --dump-mem T:LEN  also put LEN bytes (up to 4096) at T = SYMBOL[+OFFSET]\n"
    "                    or 0xADDRESS into every dump; up to 8\n"
    "  --cmdline STR     extra kernel parameters, after ktvm's defaults; a parameter\n"
    "                    given here replaces ktvm's default of the same name\n"
    "  --timeout SEC     stop the guest after SEC seconds (default 300, 0 = never)\n"
    "  --console         copy the guest console to stderr as it runs\n"
    "  --json FILE       write the result (how it ended, timings, exit counts,\n"
    "                    console text) as JSON to FILE\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status:\n"
    "  0    the guest powered off or rebooted by itself (with PROG: PROG's status)\n"
    "  2    usage error or bad input (missing or invalid kernel, bad option)\n"
    "  119  --scheduler: the scheduler never attached (its output and the kernel's\n"
    "       sched_ext lines say why)\n"
    "  120  --scheduler: the scheduler left or died while PROG ran (the kernel's\n"
    "       reason), or did not detach when stopped; or PROG sent a SCHED_EXIT\n"
    "  121  the guest crashed (kernel panic, triple fault, KVM internal error)\n"
    "  123  a --watch ...:stop watchpoint fired\n"
    "  122  with PROG: the guest ended without reporting PROG's exit status (init\n"
    "       failed; the reason is printed)\n"
    "  126  with PROG: PROG is not executable in the guest (as in a shell)\n"
    "  127  with PROG: PROG was not found in the guest\n"
    "  124  the timeout passed\n"
    "  125  host-side failure (no usable /dev/kvm, out of memory, KVM error)\n"
    "  129, 130, 143  SIGHUP, SIGINT or SIGTERM stopped the run (128 + the signal's\n"
    "       number): the guest is stopped (dumped with --dump-dir) and --json says\n"
    "       \"end\": \"signal\"; a second signal ends ktvm at once, without a result\n";

int ktvm_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ktvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'ktvm run --help')\n", stderr);
	return KTVM_EXIT_USAGE;
}

static int ktvm_run(int argc, char **argv, u64 t_start, bool stdout_closed)
{
	/* Static: a vCPU thread that would not stop may use it after we return (run_cleanup()). */
	static struct run r;
	bool by_signal;
	int status;

	status = run_parse(&r.o, argc, argv, t_start);
	if (status)
		return status;
	if (r.o.help) {
		fputs(usage_run, stdout);
		return KTVM_EXIT_OK;
	}
	if (stdout_closed && r.o.prog)
		fprintf(stderr, "ktvm: stdout is closed: the payload's output goes to /dev/null\n");
	status = run_prepare(&r);
	if (status)
		return status;
	testpoint("setup");
	if (signals_first()) {
		/* Interrupted before the VM was built: no guest to stop, the result says so. */
		run_interrupted(&r, t_start);
		status = run_report(&r);
	} else {
		status = run_vm(&r);
		if (!status)
			status = run_report(&r);
	}
	by_signal = r.res.end == VM_END_SIGNAL;
	run_cleanup(&r);
	if (by_signal)
		signals_end();
	return status;
}

/*
 * A descriptor 0-2 that was closed (ktvm ... >&-) is opened on /dev/null:
 * else the next open() would take its number and the payload's output or a
 * message would go into /dev/kvm or a dump. True if stdout was closed.
 */
static bool ktvm_std_fds(void)
{
	bool stdout_closed = false;

	for (int fd = 0; fd <= STDERR_FILENO; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		stdout_closed |= fd == STDOUT_FILENO;
		n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
	return stdout_closed;
}

/* Library warnings (core/base/error.h error_warn()), one line each. */
static void ktvm_warn(const char *msg)
{
	fprintf(stderr, "ktvm: %s\n", msg);
}

int main(int argc, char **argv)
{
	u64 t_start = clock_now_ns();
	bool stdout_closed = ktvm_std_fds();

	error_set_warn_handler(ktvm_warn);
	/* A kernel or initrd cut short while mapped: one line and status 2, not a crash. */
	file_sigbus_install(KTVM_EXIT_USAGE);
	/* A closed stderr (ktvm ... --console 2>&1 | head) must not kill the run. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return ktvm_usage_error("no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_main, stdout);
		return KTVM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ktvm 0.1 (%s)\n", arch_name());
		return KTVM_EXIT_OK;
	}
	if (!strcmp(argv[1], "run")) {
		/* Before any thread: the signal mask is inherited (signals.h). */
		if (signals_start() < 0) {
			fprintf(stderr, "ktvm: %s\n", error_msg());
			return KTVM_EXIT_HOST;
		}
		return ktvm_run(argc - 1, argv + 1, t_start, stdout_closed);
	}
	if (!strcmp(argv[1], "btf"))
		return btf_main(argc - 1, argv + 1);
	return ktvm_usage_error("unknown command '%s'", argv[1]);
}

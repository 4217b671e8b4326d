// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm command line. The only place that prints errors and picks exit
 * statuses; everything below it returns errors (core/base/error.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vm/arch.h"
#include "core/run/channel.h"
#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/run/result.h"
#include "core/vm/vm.h"
#include "tools/pack.h"
#include "tools/watch_opts.h"

/* Exit statuses (also in --help and README.md). */
enum {
	KTVM_EXIT_OK = 0,	   /* the guest powered off or rebooted by itself */
	KTVM_EXIT_USAGE = 2,	   /* bad arguments or input files */
	KTVM_EXIT_CRASH = 121,	   /* kernel panic, triple fault, KVM internal error */
	KTVM_EXIT_NO_RESULT = 122, /* the guest ended without the payload's exit status */
	KTVM_EXIT_WATCH = 123,	   /* a --watch ...:stop watchpoint fired */
	KTVM_EXIT_TIMEOUT = 124,   /* --timeout passed (like timeout(1)) */
	KTVM_EXIT_HOST = 125,	   /* host-side failure: no usable KVM, out of memory, ... */
};

#define DEFAULT_CPUS	   1
#define DEFAULT_MEMORY_MIB 256
#define DEFAULT_TIMEOUT_S  300
/* Console lines shown when a run fails and the console was not streamed. */
#define TAIL_LINES 30

static const char usage_main[] =
    "usage: ktvm run --kernel PATH [options] [-- PROG [ARGS...]]\n"
    "       ktvm --help | --version\n"
    "\n"
    "ktvm boots a Linux kernel in a KVM virtual machine to test process schedulers.\n"
    "Run 'ktvm run --help' for the options.\n";

static const char usage_run[] =
    "usage: ktvm run --kernel PATH [options] [-- PROG [ARGS...]]\n"
    "\n"
    "Boot PATH (an x86 bzImage or an uncompressed ELF vmlinux with a PVH entry on\n"
    "x86_64) and wait until the guest powers off, reboots or crashes, or the timeout\n"
    "passes.\n"
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
    "  -v, --verbose     with PROG: also print how the run ended when it succeeded\n"
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
    "                    names from instead\n"
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
    "  121  the guest crashed (kernel panic, triple fault, KVM internal error)\n"
    "  123  a --watch ...:stop watchpoint fired\n"
    "  122  with PROG: the guest ended without reporting PROG's exit status (init\n"
    "       failed; the reason is printed)\n"
    "  126  with PROG: PROG is not executable in the guest (as in a shell)\n"
    "  127  with PROG: PROG was not found in the guest\n"
    "  124  the timeout passed\n"
    "  125  host-side failure (no usable /dev/kvm, out of memory, KVM error)\n";

__printf(1, 2) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ktvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'ktvm run --help')\n", stderr);
	return KTVM_EXIT_USAGE;
}

static int parse_u64(const char *opt, const char *s, u64 max, u64 *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return usage_error("%s '%s': not a whole number", opt, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return usage_error("%s '%s': not a whole number", opt, s);
	if (v > max)
		return usage_error("%s %llu: larger than %llu", opt, v, (unsigned long long)max);
	*out = v;
	return 0;
}

static void print_tail(const char *text, size_t len, unsigned int lines)
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
	fwrite(text + start, 1, len - start, stderr);
	if (len && text[len - 1] != '\n')
		fputc('\n', stderr);
}

struct json_more {
	const struct pack_files *pf; /* NULL: no PROG */
	const struct watch_opts *rw;
	struct vm *vm;
};

static void json_more(FILE *f, const void *ctx)
{
	const struct json_more *m = ctx;

	if (m->pf)
		pack_write_json(f, m->pf);
	if (m->rw->n || m->rw->agent.snapshots || m->rw->agent.snapshot_failures)
		watch_opts_json(f, m->rw, m->vm);
}

static int write_json(const char *path, const struct vm_result *res, const struct channel *ch,
		      int status, const struct json_more *more)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "ktvm: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	result_write_json(f, res, ch, status, json_more, more);
	if (fclose(f) != 0) {
		fprintf(stderr, "ktvm: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int status_for(enum vm_end end)
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

static const char *end_words(enum vm_end end)
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
	default:
		return "run failed";
	}
}

/*
 * With PROG: the status ktvm exits with once the guest ended by itself.
 * The payload's own, if init reported it; else why not.
 */
static int payload_status(const struct channel *ch)
{
	if (ch->have_exit) {
		if (ch->failed)
			fprintf(stderr, "ktvm: guest init: %s\n", ch->failure.reason);
		/* The guest chooses the number: keep it a valid exit status. */
		return ch->exit_status >= 0 && ch->exit_status <= 255 ? ch->exit_status : 255;
	}
	if (ch->failed)
		fprintf(stderr, "ktvm: guest init failed: %s\n", ch->failure.reason);
	else if (!ch->sys_rdy)
		fprintf(stderr, "ktvm: the guest channel never came up: init did not start, "
				"or the guest found no virtio console (see the console; "
				"--modules-dir)\n");
	else
		fprintf(stderr, "ktvm: the guest ended without reporting the payload's exit "
				"status\n");
	return KTVM_EXIT_NO_RESULT;
}

static int cmd_run(int argc, char **argv, u64 t_start)
{
	enum {
		OPT_KERNEL = 256,
		OPT_INITRD,
		OPT_CPUS,
		OPT_MEMORY,
		OPT_CMDLINE,
		OPT_TIMEOUT,
		OPT_CONSOLE,
		OPT_JSON,
		OPT_INCLUDE,
		OPT_ENV,
		OPT_MODULES_DIR,
		OPT_TOPOLOGY,
		OPT_NUMA_MEM,
		OPT_NUMA_DIST,
		OPT_NUMA_LAT,
		OPT_NUMA_BW,
		OPT_WATCH,
		OPT_SYMBOLS,
		OPT_DUMP_DIR,
		OPT_DUMP_MEM,
	};
	static const struct option opts[] = {
	    {"kernel", required_argument, NULL, OPT_KERNEL},
	    {"initrd", required_argument, NULL, OPT_INITRD},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"memory", required_argument, NULL, OPT_MEMORY},
	    {"cmdline", required_argument, NULL, OPT_CMDLINE},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"console", no_argument, NULL, OPT_CONSOLE},
	    {"json", required_argument, NULL, OPT_JSON},
	    {"include", required_argument, NULL, OPT_INCLUDE},
	    {"env", required_argument, NULL, OPT_ENV},
	    {"modules-dir", required_argument, NULL, OPT_MODULES_DIR},
	    {"topology", required_argument, NULL, OPT_TOPOLOGY},
	    {"numa-mem", required_argument, NULL, OPT_NUMA_MEM},
	    {"numa-dist", required_argument, NULL, OPT_NUMA_DIST},
	    {"numa-latency", required_argument, NULL, OPT_NUMA_LAT},
	    {"numa-bandwidth", required_argument, NULL, OPT_NUMA_BW},
	    {"watch", required_argument, NULL, OPT_WATCH},
	    {"symbols", required_argument, NULL, OPT_SYMBOLS},
	    {"dump-dir", required_argument, NULL, OPT_DUMP_DIR},
	    {"dump-mem", required_argument, NULL, OPT_DUMP_MEM},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vm_config cfg = {
	    .nr_cpus = DEFAULT_CPUS,
	    .mem_size = DEFAULT_MEMORY_MIB * MiB,
	    .timeout_ms = DEFAULT_TIMEOUT_S * 1000ULL,
	    .console_fd = -1,
	    .t_start_ns = t_start,
	    .channel = true,
	    .channel_rx = channel_feed,
	};
	struct pack_opts po;
	struct pack_files pf = {0};
	const char *json = NULL;
	char cmdline[VM_MAX_CMDLINE];
	struct channel ch;
	struct vm_result res;
	struct vm *vm;
	struct topology topo;
	static struct watch_opts rw;
	struct json_more more;
	bool have_shape = false, have_topo = false, have_cpus = false, have_mem = false;
	bool verbose = false, stuck, payload;
	u64 v;
	int opt, ret, status;

	memset(&po, 0, sizeof(po));
	memset(&topo, 0, sizeof(topo));
	opterr = 0;
	optind = 1;
	/* Leading ':' makes a missing value come back as ':', not '?'. */
	while ((opt = getopt_long(argc, argv, "+:hv", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_KERNEL:
			cfg.kernel = optarg;
			break;
		case OPT_INITRD:
			cfg.initrd = optarg;
			break;
		case OPT_CPUS:
			/* Ranges are vm_create's to check (vm_check_config); parse only. */
			if (parse_u64("--cpus", optarg, UINT_MAX, &v))
				return KTVM_EXIT_USAGE;
			cfg.nr_cpus = (u32)v;
			have_cpus = true;
			break;
		case OPT_MEMORY:
			if (parse_u64("--memory", optarg, UINT64_MAX / MiB, &v))
				return KTVM_EXIT_USAGE;
			cfg.mem_size = v * MiB;
			have_mem = true;
			break;
		case OPT_TOPOLOGY:
		case OPT_NUMA_MEM:
		case OPT_NUMA_DIST:
		case OPT_NUMA_LAT:
		case OPT_NUMA_BW:
			error_clear();
			ret = opt == OPT_TOPOLOGY    ? topology_parse_shape(&topo, optarg)
			      : opt == OPT_NUMA_MEM  ? topology_parse_mem(&topo, optarg)
			      : opt == OPT_NUMA_DIST ? topology_parse_dist(&topo, optarg)
			      : opt == OPT_NUMA_LAT  ? topology_parse_latency(&topo, optarg)
						     : topology_parse_bandwidth(&topo, optarg);
			if (ret < 0)
				return usage_error("%s", error_msg());
			have_shape |= opt == OPT_TOPOLOGY;
			have_topo = true;
			break;
		case OPT_CMDLINE:
			cfg.cmdline = optarg;
			break;
		case OPT_WATCH:
			error_clear();
			if (watch_opts_add(&rw, optarg) < 0)
				return usage_error("%s", error_msg());
			break;
		case OPT_SYMBOLS:
			rw.symbols = optarg;
			break;
		case OPT_DUMP_DIR:
			cfg.dump_dir = optarg;
			break;
		case OPT_DUMP_MEM:
			error_clear();
			if (watch_opts_add_region(&rw, optarg) < 0)
				return usage_error("%s", error_msg());
			break;
		case OPT_TIMEOUT:
			if (parse_u64("--timeout", optarg, 7 * 24 * 3600, &v))
				return KTVM_EXIT_USAGE;
			cfg.timeout_ms = v * 1000ULL;
			break;
		case OPT_CONSOLE:
			cfg.console_fd = STDERR_FILENO;
			break;
		case OPT_JSON:
			json = optarg;
			break;
		case OPT_INCLUDE:
			if (po.nr_includes == PACK_MAX_INCLUDES)
				return usage_error("more than %d --include options",
						   PACK_MAX_INCLUDES);
			if (!*optarg || *optarg == ':')
				return usage_error("--include '%s': no host path", optarg);
			po.includes[po.nr_includes++] = optarg;
			break;
		case OPT_ENV:
			if (po.nr_env == PACK_MAX_ENV)
				return usage_error("more than %d --env options", PACK_MAX_ENV);
			if (!strchr(optarg, '=') || *optarg == '=')
				return usage_error("--env '%s': not KEY=VALUE", optarg);
			po.env[po.nr_env++] = optarg;
			break;
		case OPT_MODULES_DIR:
			po.modules_dir = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage_run, stdout);
			return KTVM_EXIT_OK;
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			/* optopt holds a short option's letter, or a long option's val (>= 256). */
			if (optopt > 0 && optopt < 256)
				return usage_error("unknown option -%c", optopt);
			if (optopt >= 256)
				return usage_error("option %s takes no value", argv[optind - 1]);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (!cfg.kernel)
		return usage_error("no kernel given (--kernel PATH)");
	if (have_topo) {
		u64 mem_mib = have_mem || !topo.explicit_mem ? cfg.mem_size / MiB : 0;

		if (!have_shape) {
			topo.nodes = topo.llcs = topo.threads = 1;
			topo.cores = cfg.nr_cpus;
		} else if (have_cpus && cfg.nr_cpus != topology_nr_cpus(&topo)) {
			return usage_error("--cpus %u disagrees with --topology (%u vCPUs)",
					   cfg.nr_cpus, topology_nr_cpus(&topo));
		}
		error_clear();
		if (topology_finish(&topo, &mem_mib, arch_max_vcpus()) < 0 ||
		    arch_topology_check(&topo) < 0)
			return usage_error("%s", error_msg());
		cfg.nr_cpus = topology_nr_cpus(&topo);
		cfg.mem_size = mem_mib * MiB;
		cfg.topo = &topo;
	}
	payload = optind < argc;
	if (payload && cfg.initrd)
		return usage_error("--initrd and a program to run exclude each other");
	if (!payload && (po.nr_includes || po.nr_env || po.modules_dir))
		return usage_error("--include, --env and --modules-dir need a program to run "
				   "(-- PROG [ARGS...])");

	error_clear();
	if (payload) {
		po.kernel = cfg.kernel;
		po.argv = argv + optind;
		ret = pack_prepare(&po, &pf);
		if (ret < 0) {
			fprintf(stderr, "ktvm: %s\n", error_msg());
			pack_cleanup(&pf);
			return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
		}
		if (!pf.modules_dir[0] && verbose)
			fprintf(stderr,
				"ktvm: no modules for %s found beside the kernel; it must "
				"have virtio_mmio and virtio_console built in\n",
				pf.release);
		cfg.initrd = pf.initrd;
		/* A quiet boot is several times faster on a serial console; the user's loglevel= wins. */
		snprintf(cmdline, sizeof(cmdline), "quiet%s%s", cfg.cmdline ? " " : "",
			 cfg.cmdline ? cfg.cmdline : "");
		cfg.cmdline = cmdline;
	}
	cfg.regions = rw.region;
	cfg.nr_regions = rw.nr_regions;
	if (rw.n || rw.nr_regions || rw.symbols) {
		if (cfg.cmdline != cmdline)
			snprintf(cmdline, sizeof(cmdline), "%s", cfg.cmdline ? cfg.cmdline : "");
		cfg.cmdline = cmdline;
		error_clear();
		if (watch_opts_prepare(&rw, payload, cfg.kernel, cmdline, sizeof(cmdline)) < 0) {
			pack_cleanup(&pf);
			return usage_error("%s", error_msg());
		}
	}
	if (cfg.dump_dir && access(cfg.dump_dir, W_OK | X_OK) < 0) {
		pack_cleanup(&pf);
		return usage_error("--dump-dir %s: %s", cfg.dump_dir, strerror(errno));
	}
	ret =
	    channel_init(&ch, payload ? STDOUT_FILENO : -1, payload ? STDERR_FILENO : -1, t_start);
	if (ret < 0) {
		pack_cleanup(&pf);
		fprintf(stderr, "ktvm: cannot set up the guest channel: %s\n", strerror(-ret));
		return KTVM_EXIT_HOST;
	}
	cfg.channel_ctx = &ch;
	ret = vm_create(&vm, &cfg);
	/* The initramfs is mapped by now (or not needed): no file stays behind. */
	pack_cleanup(&pf);
	if (ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		channel_destroy(&ch);
		return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
	}
	error_clear();
	if (watch_opts_start(&rw, vm, &ch) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		vm_destroy(vm);
		channel_destroy(&ch);
		return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
	}
	ret = vm_run(vm, &res);
	channel_end(&ch);
	status = status_for(res.end);
	if (ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		status = KTVM_EXIT_HOST;
	}
	error_clear();
	if (watch_opts_finish(&rw) < 0) {
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
	} else if (payload && status == KTVM_EXIT_OK) {
		status = payload_status(&ch);
	}
	/* A vCPU thread that would not stop still uses the VM: leave it to exit(). */
	stuck = ret == -ETIMEDOUT;
	more.pf = payload ? &pf : NULL;
	more.rw = &rw;
	more.vm = vm;
	if (json && write_json(json, &res, &ch, status, &more) < 0 && status == KTVM_EXIT_OK)
		status = KTVM_EXIT_HOST;
	if (payload && (ch.out.dropped || ch.err.dropped) && verbose)
		fprintf(stderr, "ktvm: %llu bytes of the payload's output could not be written\n",
			(unsigned long long)(ch.out.dropped + ch.err.dropped));
	if (status_for(res.end) != KTVM_EXIT_OK || ret < 0 ||
	    (status == KTVM_EXIT_NO_RESULT && payload)) {
		if (cfg.console_fd < 0 && res.console_len)
			print_tail(res.console, res.console_len, TAIL_LINES);
	}
	if (!payload || verbose || status_for(res.end) != KTVM_EXIT_OK || ret < 0)
		fprintf(stderr, "ktvm: %s (%s) after %.3f s\n", end_words(res.end), res.detail,
			(double)res.duration_ns / 1e9);
	vm_result_free(&res);
	if (!stuck) {
		vm_destroy(vm);
		channel_destroy(&ch);
	}
	return status;
}

int main(int argc, char **argv)
{
	u64 t_start = clock_now_ns();

	/* A closed stderr (ktvm ... --console 2>&1 | head) must not kill the run. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return usage_error("no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_main, stdout);
		return KTVM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ktvm 0.1 (%s)\n", arch_name());
		return KTVM_EXIT_OK;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, t_start);
	return usage_error("unknown command '%s'", argv[1]);
}

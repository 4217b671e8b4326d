// SPDX-License-Identifier: GPL-2.0
/* ktvm run, stage by stage (run.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/base/safetext.h"
#include "core/debug/arch.h"
#include "core/debug/scx.h"
#include "core/run/monitor_svg.h"
#include "core/run/result.h"
#include "core/vm/arch.h"
#include "tools/btf.h"
#include "tools/kcache.h"
#include "tools/ktvm.h"
#include "tools/profile.h"
#include "tools/run.h"
#include "tools/signals.h"

#define RUN_DEFAULT_CPUS       1
#define RUN_DEFAULT_MEMORY_MIB 256
#define RUN_DEFAULT_TIMEOUT_S  300
/* guest/sched.h SCHED_WAIT_MAX_S: what the guest's init takes. */
#define RUN_SCHED_WAIT_MAX_S 600
/* --monitor-interval's range (ms), and --stall-after's is 100 times the top. */
#define RUN_MONITOR_MIN_MS 10
#define RUN_MONITOR_MAX_MS 60000
/* Console lines shown when a run fails and the console was not streamed. */
#define RUN_TAIL_LINES 30

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
	OPT_SCHEDULER,
	OPT_SCHED_ARG,
	OPT_SCHED_WAIT,
	OPT_WATCH_SCX,
	OPT_NO_WATCH_SCX,
	OPT_SCX_WATCHDOG,
	OPT_MONITOR,
	OPT_MONITOR_INTERVAL,
	OPT_STALL_AFTER,
	OPT_MONITOR_PLOT,
	OPT_BTF,
	OPT_DISK,
	OPT_NET,
	OPT_PROFILE,
	OPT_NO_KCACHE,
	OPT_INITRAMFS_COMPRESS,
};

static const struct option run_options[] = {
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
    {"scheduler", required_argument, NULL, OPT_SCHEDULER},
    {"sched-arg", required_argument, NULL, OPT_SCHED_ARG},
    {"sched-wait", required_argument, NULL, OPT_SCHED_WAIT},
    {"watch-scx", no_argument, NULL, OPT_WATCH_SCX},
    {"no-watch-scx", no_argument, NULL, OPT_NO_WATCH_SCX},
    {"scx-watchdog", required_argument, NULL, OPT_SCX_WATCHDOG},
    {"monitor", no_argument, NULL, OPT_MONITOR},
    {"monitor-interval", required_argument, NULL, OPT_MONITOR_INTERVAL},
    {"stall-after", required_argument, NULL, OPT_STALL_AFTER},
    {"monitor-plot", required_argument, NULL, OPT_MONITOR_PLOT},
    {"btf", required_argument, NULL, OPT_BTF},
    {"disk", required_argument, NULL, OPT_DISK},
    {"net", required_argument, NULL, OPT_NET},
    {"profile", no_argument, NULL, OPT_PROFILE},
    {"no-kernel-cache", no_argument, NULL, OPT_NO_KCACHE},
    {"initramfs-compress", required_argument, NULL, OPT_INITRAMFS_COMPRESS},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int run_parse_u64(const char *opt, const char *s, u64 max, u64 *out)
{
	char *end;
	unsigned long long v;

	/* Decimal digits only: strtoull() would skip blanks and take a sign. */
	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return ktvm_usage_error("%s '%s': not a whole number", opt, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return ktvm_usage_error("%s '%s': not a whole number", opt, s);
	if (v > max)
		return ktvm_usage_error("%s %llu: larger than %llu", opt, v,
					(unsigned long long)max);
	*out = v;
	return 0;
}

/* --topology and --numa-*: parsed here, finished by run_parse_topology(). */
static int run_parse_numa(struct run_opts *o, int opt, const char *arg)
{
	int ret;

	error_clear();
	ret = opt == OPT_TOPOLOGY    ? topology_parse_shape(&o->topo, arg)
	      : opt == OPT_NUMA_MEM  ? topology_parse_mem(&o->topo, arg)
	      : opt == OPT_NUMA_DIST ? topology_parse_dist(&o->topo, arg)
	      : opt == OPT_NUMA_LAT  ? topology_parse_latency(&o->topo, arg)
				     : topology_parse_bandwidth(&o->topo, arg);
	if (ret < 0)
		return ktvm_usage_error("%s", error_msg());
	o->have_shape |= opt == OPT_TOPOLOGY;
	o->have_topo = true;
	return 0;
}

/* --include and --env: what goes into the payload's initramfs. */
static int run_parse_pack(struct pack_opts *po, int opt, const char *arg)
{
	if (opt == OPT_INCLUDE) {
		if (po->nr_includes == PACK_MAX_INCLUDES)
			return ktvm_usage_error("more than %d --include options",
						PACK_MAX_INCLUDES);
		if (!*arg || *arg == ':')
			return ktvm_usage_error("--include '%s': no host path", arg);
		po->includes[po->nr_includes++] = arg;
		return 0;
	}
	if (po->nr_env == PACK_MAX_ENV)
		return ktvm_usage_error("more than %d --env options", PACK_MAX_ENV);
	if (!strchr(arg, '=') || *arg == '=')
		return ktvm_usage_error("--env '%s': not KEY=VALUE", arg);
	po->env[po->nr_env++] = arg;
	return 0;
}

/*
 * One option getopt_long() returned: 0, an exit status, or -1 for none of
 * ours (run_parse() says what was wrong).
 */
static int run_parse_opt(struct run_opts *o, int opt, char *arg)
{
	struct vm_config *cfg = &o->cfg;
	u64 v;

	switch (opt) {
	case OPT_KERNEL:
		cfg->kernel = arg;
		return 0;
	case OPT_INITRD:
		cfg->initrd = arg;
		return 0;
	case OPT_CPUS:
		/* Ranges are vm_create's to check (vm_check_config); parse only. */
		if (run_parse_u64("--cpus", arg, UINT_MAX, &v))
			return KTVM_EXIT_USAGE;
		cfg->nr_cpus = (u32)v;
		o->have_cpus = true;
		return 0;
	case OPT_MEMORY:
		if (run_parse_u64("--memory", arg, UINT64_MAX / MiB, &v))
			return KTVM_EXIT_USAGE;
		cfg->mem_size = v * MiB;
		o->have_mem = true;
		return 0;
	case OPT_TOPOLOGY:
	case OPT_NUMA_MEM:
	case OPT_NUMA_DIST:
	case OPT_NUMA_LAT:
	case OPT_NUMA_BW:
		return run_parse_numa(o, opt, arg);
	case OPT_CMDLINE:
		cfg->cmdline = arg;
		return 0;
	case OPT_WATCH:
		error_clear();
		if (watch_opts_add(&o->wo, arg) < 0)
			return ktvm_usage_error("%s", error_msg());
		return 0;
	case OPT_SYMBOLS:
		o->wo.symbols = arg;
		return 0;
	case OPT_DUMP_DIR:
		o->wo.dump_dir = arg;
		return 0;
	case OPT_DUMP_MEM:
		error_clear();
		if (watch_opts_add_region(&o->wo, arg) < 0)
			return ktvm_usage_error("%s", error_msg());
		return 0;
	case OPT_TIMEOUT:
		if (run_parse_u64("--timeout", arg, 7 * 24 * 3600, &v))
			return KTVM_EXIT_USAGE;
		cfg->timeout_ms = v * 1000ULL;
		return 0;
	case OPT_CONSOLE:
		cfg->console_fd = STDERR_FILENO;
		return 0;
	case OPT_JSON:
		o->json = arg;
		return 0;
	case OPT_INCLUDE:
	case OPT_ENV:
		return run_parse_pack(&o->po, opt, arg);
	case OPT_MODULES_DIR:
		o->po.modules_dir = arg;
		return 0;
	case OPT_INITRAMFS_COMPRESS:
		if (strcmp(arg, "none") && strcmp(arg, "gzip"))
			return ktvm_usage_error("--initramfs-compress '%s': not none or gzip", arg);
		o->po.gzip = !strcmp(arg, "gzip");
		o->po.have_compress = true;
		return 0;
	case OPT_SCHEDULER:
		if (!*arg)
			return ktvm_usage_error("--scheduler '': no program");
		o->po.sched = arg;
		return 0;
	case OPT_SCHED_ARG:
		if (o->po.nr_sched_args == PACK_MAX_SCHED_ARGS)
			return ktvm_usage_error("more than %d --sched-arg options",
						PACK_MAX_SCHED_ARGS);
		o->po.sched_args[o->po.nr_sched_args++] = arg;
		return 0;
	case OPT_SCHED_WAIT:
		return run_parse_u64("--sched-wait", arg, RUN_SCHED_WAIT_MAX_S, &o->sched_wait)
			   ?: (o->sched_wait
				   ? 0
				   : ktvm_usage_error("--sched-wait 0: must be 1-%d seconds",
						      RUN_SCHED_WAIT_MAX_S));
	case OPT_WATCH_SCX:
		o->watch_scx = 1;
		return 0;
	case OPT_NO_WATCH_SCX:
		o->watch_scx = 0;
		return 0;
	case OPT_SCX_WATCHDOG:
		return run_parse_u64("--scx-watchdog", arg, SCX_WATCHDOG_MAX_MS,
				     &o->wo.scx_watchdog_ms)
			   ?: (o->wo.scx_watchdog_ms
				   ? 0
				   : ktvm_usage_error("--scx-watchdog 0: must be 1-%d ms",
						      SCX_WATCHDOG_MAX_MS));
	case OPT_MONITOR:
		o->wo.mon = true;
		return 0;
	case OPT_MONITOR_INTERVAL:
		o->wo.mon = true;
		return run_parse_u64("--monitor-interval", arg, RUN_MONITOR_MAX_MS,
				     &o->wo.mon_cfg.interval_ms)
			   ?: (o->wo.mon_cfg.interval_ms >= RUN_MONITOR_MIN_MS
				   ? 0
				   : ktvm_usage_error("--monitor-interval %s: must be %d-%d ms",
						      arg, RUN_MONITOR_MIN_MS, RUN_MONITOR_MAX_MS));
	case OPT_STALL_AFTER:
		o->wo.mon = true;
		return run_parse_u64("--stall-after", arg, RUN_MONITOR_MAX_MS * 100,
				     &o->wo.mon_cfg.stall_after_ms)
			   ?: (o->wo.mon_cfg.stall_after_ms
				   ? 0
				   : ktvm_usage_error("--stall-after 0: must be 1-%d ms",
						      RUN_MONITOR_MAX_MS * 100));
	case OPT_MONITOR_PLOT:
		o->wo.mon = true;
		o->mon_plot = arg;
		return 0;
	case OPT_BTF:
		o->btf = arg;
		return 0;
	case OPT_DISK:
	case OPT_NET:
		error_clear();
		if ((opt == OPT_DISK ? devopts_add_disk(&o->dev, arg)
				     : devopts_set_net(&o->dev, arg)) < 0)
			return ktvm_usage_error("%s", error_msg());
		return 0;
	case OPT_PROFILE:
		o->profile = true;
		return 0;
	case OPT_NO_KCACHE:
		o->no_kcache = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return -1;
	}
}

/* An option getopt_long() did not take (it returned '?'). */
static int run_parse_bad(char **argv)
{
	/* optopt holds a short option's letter, or a long option's val (>= 256). */
	if (optopt > 0 && optopt < 256)
		return ktvm_usage_error("unknown option -%c", optopt);
	if (optopt >= 256)
		return ktvm_usage_error("option %s takes no value", argv[optind - 1]);
	return ktvm_usage_error("unknown option %s", argv[optind - 1]);
}

/* With --topology or --numa-*: fill in the rest and check it against --cpus/--memory. */
static int run_parse_topology(struct run_opts *o)
{
	struct vm_config *cfg = &o->cfg;
	struct topology *topo = &o->topo;
	u64 mem_mib = o->have_mem || !topo->explicit_mem ? cfg->mem_size / MiB : 0;

	if (!o->have_shape) {
		topo->nodes = topo->llcs = topo->threads = 1;
		topo->cores = cfg->nr_cpus;
	} else if (o->have_cpus && cfg->nr_cpus != topology_nr_cpus(topo)) {
		return ktvm_usage_error("--cpus %u disagrees with --topology (%u vCPUs)",
					cfg->nr_cpus, topology_nr_cpus(topo));
	}
	error_clear();
	if (topology_finish(topo, &mem_mib, arch_max_vcpus()) < 0 || arch_topology_check(topo) < 0)
		return ktvm_usage_error("%s", error_msg());
	cfg->nr_cpus = topology_nr_cpus(topo);
	cfg->mem_size = mem_mib * MiB;
	cfg->topo = topo;
	return 0;
}

int run_parse(struct run_opts *o, int argc, char **argv, u64 t_start)
{
	int opt, ret;

	devopts_init(&o->dev);
	o->watch_scx = -1;
	o->cfg = (struct vm_config){
	    .nr_cpus = RUN_DEFAULT_CPUS,
	    .mem_size = RUN_DEFAULT_MEMORY_MIB * MiB,
	    .timeout_ms = RUN_DEFAULT_TIMEOUT_S * 1000ULL,
	    .console_fd = -1,
	    .t_start_ns = t_start,
	};
	opterr = 0;
	optind = 1;
	/* Leading ':' makes a missing value come back as ':', not '?'. */
	while ((opt = getopt_long(argc, argv, "+:hv", run_options, NULL)) != -1) {
		if (opt == 'h') {
			o->help = true;
			return 0;
		}
		if (opt == ':')
			return ktvm_usage_error("option %s needs a value", argv[optind - 1]);
		ret = run_parse_opt(o, opt, optarg);
		if (ret < 0)
			return run_parse_bad(argv);
		if (ret)
			return ret;
	}
	if (!o->cfg.kernel)
		return ktvm_usage_error("no kernel given (--kernel PATH)");
	if (o->have_topo) {
		ret = run_parse_topology(o);
		if (ret)
			return ret;
	}
	if (optind < argc)
		o->prog = argv + optind;
	if (o->prog && o->cfg.initrd)
		return ktvm_usage_error("--initrd and a program to run exclude each other");
	if (!o->prog &&
	    (o->po.nr_includes || o->po.nr_env || o->po.modules_dir || o->po.have_compress))
		return ktvm_usage_error("--include, --env, --modules-dir and --initramfs-compress "
					"need a program to run (-- PROG [ARGS...])");
	if (!o->po.sched && (o->po.nr_sched_args || o->sched_wait))
		return ktvm_usage_error("--sched-arg and --sched-wait need --scheduler");
	if (o->po.sched && !o->prog)
		return ktvm_usage_error("--scheduler needs a program to run under it "
					"(-- PROG [ARGS...]), the workload");
	if (o->watch_scx == 1 && !o->prog)
		return ktvm_usage_error("--watch-scx needs a program to run (-- PROG [ARGS...]): "
					"ktvm's init looks up sched_ext's symbols in the guest");
	/* The exit trigger comes with --scheduler where the arch can watch. */
	if (o->watch_scx < 0)
		o->watch_scx = o->po.sched && arch_debug_supported();
	if (o->watch_scx && !arch_debug_supported())
		return ktvm_usage_error("--watch-scx: watchpoints are not supported on %s",
					arch_name());
	o->wo.scx = o->watch_scx == 1;
	if (o->wo.scx_watchdog_ms && !o->wo.scx)
		return ktvm_usage_error("--scx-watchdog needs the sched_ext exit trigger "
					"(--scheduler or --watch-scx)");
	return 0;
}

/* How a failure error_msg() was set for ends: bad input or the host's fault. */
static int run_error_status(void)
{
	return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
}

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

static int run_open_json(struct run *r)
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
static void run_close_json(struct run *r, bool written)
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

/* Where the kernel's types come from: --btf FILE, else the kernel image. */
static const char *run_btf_source(const struct run *r)
{
	return r->o.btf ? r->o.btf : r->o.cfg.kernel;
}

static const char *run_btf_what(const struct run *r)
{
	return r->o.btf ? "--btf" : "kernel";
}

/* With PROG: the initramfs that runs it, and a quiet boot. */
static int run_prepare_pack(struct run *r)
{
	struct vm_config *cfg = &r->o.cfg;
	struct pack_opts *po = &r->o.po;
	int has;

	/* A scheduler needs a kernel that can run one: refused before anything is built. */
	if (po->sched || r->o.wo.scx) {
		const char *opt = po->sched ? "--scheduler" : "--watch-scx";

		error_clear();
		has =
		    btf_kernel_scx_layout(run_btf_source(r), r->o.wo.scx ? &r->o.wo.scx_lay : NULL);
		if (has < 0)
			return ktvm_usage_error("%s: %s %s: %s (sched_ext needs "
						"CONFIG_DEBUG_INFO_BTF)",
						opt, run_btf_what(r), run_btf_source(r),
						error_msg());
		if (!has)
			return ktvm_usage_error(
			    "%s: %s %s has no sched_ext (CONFIG_SCHED_CLASS_EXT is "
			    "not set: its BTF has no struct sched_ext_ops)",
			    opt, run_btf_what(r), run_btf_source(r));
	}
	po->kernel = r->kernel_given; /* its modules lie beside the image, not the cache */
	po->booted = cfg->kernel;
	po->argv = r->o.prog;
	po->split = true; /* the cached base is mapped into the guest, not copied */
	if (pack_prepare(po, &r->pf) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		pack_cleanup(&r->pf);
		return run_error_status();
	}
	if (!r->pf.modules_dir[0] && r->o.verbose)
		fprintf(stderr,
			"ktvm: no modules for %s found beside the kernel; it must "
			"have virtio_mmio and virtio_console built in\n",
			r->pf.release);
	cfg->initrd = r->pf.initrd[0] ? r->pf.initrd : NULL;
	cfg->initrd_base = r->pf.base[0] ? r->pf.base : NULL;
	/* A quiet boot is several times faster on a serial console; the user's loglevel= wins. */
	snprintf(r->cmdline, sizeof(r->cmdline), "quiet%s%s", cfg->cmdline ? " " : "",
		 cfg->cmdline ? cfg->cmdline : "");
	if (r->o.sched_wait)
		snprintf(r->cmdline + strlen(r->cmdline), sizeof(r->cmdline) - strlen(r->cmdline),
			 " ktvm.sched_wait=%llu", (unsigned long long)r->o.sched_wait);
	cfg->cmdline = r->cmdline;
	return 0;
}

/*
 * --monitor: a program to run (its init reports where runqueues is), and
 * the kernel's layout from its BTF. A kernel without BTF, or one whose
 * layout the monitor cannot read, runs without the monitor, said in one
 * line; its options stay valid.
 */
static int run_prepare_monitor(struct run *r)
{
	struct watch_opts *wo = &r->o.wo;
	const char *test;
	int ret;

	if (!r->o.prog)
		return ktvm_usage_error("--monitor: it needs a program to run (-- PROG): ktvm's "
					"init tells it where the runqueues are");
	if (!arch_debug_supported())
		return ktvm_usage_error("--monitor: not supported on %s", arch_name());
	error_clear();
	/* test hook: take the image for one without BTF, to reach the guest's */
	test = getenv("KTVM_TEST_NO_IMAGE_BTF");
	if (!r->o.btf && test && !strcmp(test, "1"))
		ret = error_input(-ENODATA, "no BTF (KTVM_TEST_NO_IMAGE_BTF=1)");
	else
		ret = btf_kernel_monitor_layout(run_btf_source(r), &wo->mon_cfg.lay);
	if (ret < 0 && r->o.btf) /* a --btf the user named must be usable */
		return ktvm_usage_error("--monitor: --btf %s: %s", r->o.btf, error_msg());
	if (ret == -ENODATA) {
		/* the guest's init sends /sys/kernel/btf/vmlinux (ktvm.btf=1) */
		if (r->o.verbose)
			fprintf(stderr,
				"ktvm: monitor: kernel %s has no BTF; the guest's is "
				"asked for\n",
				r->o.cfg.kernel);
		error_clear();
		wo->mon_guest_btf = true;
	} else if (ret < 0) {
		snprintf(wo->mon_error, sizeof(wo->mon_error), "kernel %s: %s", r->o.cfg.kernel,
			 error_msg());
		fprintf(stderr, "ktvm: note: the monitor is off: %s\n", wo->mon_error);
		error_clear();
		wo->mon = false;
		return 0;
	}
	wo->mon_cfg.origin_ns = r->o.cfg.t_start_ns;
	wo->mon_cfg.btf_from = r->o.btf ? r->o.btf : wo->mon_guest_btf ? "guest" : "kernel";
	wo->mon_cfg.dump = wo->dump_dir != NULL;
	return 0;
}

/* --watch, --dump-mem, --symbols: resolve or check names, ktvm.watch= on the cmdline. */
static int run_prepare_watch(struct run *r)
{
	struct vm_config *cfg = &r->o.cfg;
	struct watch_opts *wo = &r->o.wo;

	if ((wo->n || wo->nr_regions || wo->dump_dir) && !arch_debug_supported())
		return ktvm_usage_error("--watch, --dump-mem, --dump-dir: watchpoints and state "
					"dumps are not supported on %s",
					arch_name());
	if (wo->mon && run_prepare_monitor(r))
		return KTVM_EXIT_USAGE;
	if (!wo->n && !wo->nr_regions && !wo->symbols && !wo->scx && !wo->mon)
		return 0;
	if (cfg->cmdline != r->cmdline)
		snprintf(r->cmdline, sizeof(r->cmdline), "%s", cfg->cmdline ? cfg->cmdline : "");
	cfg->cmdline = r->cmdline;
	error_clear();
	wo->kernel_name = cfg->kernel_name;
	if (watch_opts_prepare(wo, r->o.prog, cfg->kernel, r->cmdline, sizeof(r->cmdline)) < 0)
		return ktvm_usage_error("%s", error_msg());
	return 0;
}

/* A setup step of ktvm's own that began at t0 (--json's setup_steps). */
static void run_step(struct run *r, const char *name, u64 t0)
{
	if (r->nr_steps < ARRAY_SIZE(r->steps))
		r->steps[r->nr_steps++] =
		    (struct vm_setup_step){.name = name, .ns = clock_now_ns() - t0};
}

static int run_prepare_files(struct run *r);

int run_prepare(struct run *r)
{
	struct vm_config *cfg = &r->o.cfg;
	int ret;

	error_clear();
	if (r->o.btf && !r->o.po.sched && !r->o.wo.scx && !r->o.wo.mon)
		return ktvm_usage_error("--btf %s: nothing uses it: it is for --monitor, "
					"--scheduler and --watch-scx",
					r->o.btf);
	/*
	 * KVM builds the VM (its memory, irqchip, vCPUs) on a thread of its
	 * own while the rest of the setup runs here (vm_begin()); its errors
	 * come from vm_finish(), after those of the files.
	 */
	if (vm_begin(&r->vm, cfg) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		return run_error_status();
	}
	ret = run_prepare_files(r);
	if (ret) {
		vm_destroy(r->vm);
		r->vm = NULL;
	}
	return ret;
}

/* run_prepare() beside the build: the kernel cache, the devices' files, packing, the result file. */
static int run_prepare_files(struct run *r)
{
	u64 t0;
	struct vm_config *cfg = &r->o.cfg;
	bool payload = r->o.prog;
	int ret;

	/*
	 * A compressed kernel boots through its uncompressed form where that
	 * boots by itself (the kernel cache); everything after, the symbol
	 * check before boot included, reads that form. Messages and the
	 * modules beside it still go by the name the user gave.
	 */
	r->kernel_given = cfg->kernel;
	r->kc.state = KCACHE_OFF;
	t0 = clock_now_ns();
	if (!r->o.no_kcache && kcache_lookup(cfg->kernel, &r->kc)) {
		cfg->kernel_name = cfg->kernel;
		cfg->kernel = r->kc.path;
		cfg->kernel_mappable = true; /* written once, replaced only by rename */
	}
	run_step(r, "kernel_cache", t0);
	/* The guest drivers of the devices asked for, where the kernel has them as modules. */
	if (r->o.dev.nr_disks)
		r->o.po.modules[r->o.po.nr_modules++] = "virtio_blk";
	if (r->o.dev.net.mode != DEVOPTS_NET_NONE)
		r->o.po.modules[r->o.po.nr_modules++] = "virtio_net";
	/* The disks and the TAP first: a wrong path is said before any packing. */
	t0 = clock_now_ns();
	if (devopts_open(&r->o.dev) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		devopts_close(&r->o.dev);
		return run_error_status();
	}
	run_step(r, "disks_net", t0);
	if (payload) {
		t0 = clock_now_ns();
		ret = run_prepare_pack(r);
		if (ret) {
			devopts_close(&r->o.dev);
			return ret;
		}
		run_step(r, "pack", t0);
	}
	t0 = clock_now_ns();
	ret = run_prepare_watch(r);
	if (ret)
		goto err;
	run_step(r, "symbols", t0);
	if (r->o.wo.dump_dir && access(r->o.wo.dump_dir, W_OK | X_OK) < 0) {
		ret = ktvm_usage_error("--dump-dir %s: %s", r->o.wo.dump_dir, strerror(errno));
		goto err;
	}
	if (r->o.json) {
		ret = run_open_json(r);
		if (ret)
			goto err;
	}
	ret = channel_init(&r->ch, payload ? STDOUT_FILENO : -1, payload ? STDERR_FILENO : -1,
			   cfg->t_start_ns);
	if (ret < 0) {
		fprintf(stderr, "ktvm: cannot set up the guest channel: %s\n", strerror(-ret));
		ret = KTVM_EXIT_HOST;
		goto err;
	}
	r->ch.btf.want = r->o.wo.mon_guest_btf;
	devlist_build(&r->devs, &r->ch, &r->o.dev, cfg);
	return 0;
err:
	run_close_json(r, false);
	pack_cleanup(&r->pf);
	devopts_close(&r->o.dev);
	return ret;
}

int run_vm(struct run *r)
{
	u64 t0;
	int ret;

	ret = vm_finish(&r->vm, &r->o.cfg);
	/* The initramfs is mapped by now (or not needed): no file stays behind. */
	pack_cleanup(&r->pf);
	t0 = clock_now_ns();
	if (ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		return run_error_status();
	}
	error_clear();
	if (watch_opts_start(&r->o.wo, r->vm, &r->ch) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		ret = run_error_status();
		watch_opts_end(&r->o.wo);
		vm_destroy(r->vm);
		r->vm = NULL;
		return ret;
	}
	/* From here a signal ends the run as the timeout would (with a dump). */
	signals_attach(r->vm);
	if (r->o.cfg.console_fd >= 0)
		signals_tty(r->o.cfg.console_fd, &r->vm->console.escapes);
	run_step(r, "debugger", t0);
	r->ret = vm_run(r->vm, &r->res);
	vm_result_steps_prepend(&r->res, r->steps, r->nr_steps);
	signals_attach(NULL);
	channel_end(&r->ch);
	return 0;
}

void run_interrupted(struct run *r, u64 t_start)
{
	int sig = signals_first();

	memset(&r->res, 0, sizeof(r->res));
	r->res.end = VM_END_SIGNAL;
	snprintf(r->res.detail, sizeof(r->res.detail), "%s during setup", signals_name(sig));
	r->res.setup_ns = clock_now_ns() - t_start;
	r->res.nr_vcpus = r->o.cfg.nr_cpus;
	pack_cleanup(&r->pf);
	/* Begun, never finished: nothing of it ran, so the report leaves it out. */
	vm_destroy(r->vm);
	r->vm = NULL;
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
			t->msg[0] ? ": " : "", safetext_line(msg, sizeof(msg), t->msg, sizeof(t->msg)));
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

void run_cleanup(struct run *r)
{
	/* The guest's console memory goes with the VM. */
	signals_tty(-1, NULL);
	run_close_json(r, false);
	pack_cleanup(&r->pf);
	vm_result_free(&r->res);
	/* A vCPU thread that would not stop still uses the VM: leave it to exit(). */
	if (r->ret == -ETIMEDOUT)
		return;
	watch_opts_end(&r->o.wo);
	if (r->vm)
		vm_destroy(r->vm);
	/* After the VM: its devices used the files and the TAP until then. */
	devopts_close(&r->o.dev);
	channel_destroy(&r->ch);
}

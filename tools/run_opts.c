// SPDX-License-Identifier: GPL-2.0
/* ktvm run's options: the table, each option's checks, and run_parse() (run.h). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "tools/ktvm.h"
#include "tools/run.h"

#define RUN_DEFAULT_CPUS       1
#define RUN_DEFAULT_MEMORY_MIB 256
#define RUN_DEFAULT_TIMEOUT_S  300
/* guest/sched.h SCHED_WAIT_MAX_S: what the guest's init takes. */
#define RUN_SCHED_WAIT_MAX_S 600
/* --monitor-interval's range (ms), and --stall-after's is 100 times the top. */
#define RUN_MONITOR_MIN_MS 10
#define RUN_MONITOR_MAX_MS 60000

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
	u64 v;

	if (ktvm_parse_dec(s, &v) < 0)
		return ktvm_usage_error("%s '%s': not a whole number", opt, s ? s : "");
	if (v > max)
		return ktvm_usage_error("%s %llu: larger than %llu", opt, (unsigned long long)v,
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

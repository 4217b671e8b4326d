// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm command line. The only place that prints errors and picks exit
 * statuses; everything below it returns errors (core/error.h).
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

#include "core/arch.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/result.h"
#include "core/vm.h"

/* Exit statuses (also in --help and README.md). */
enum {
	KTVM_EXIT_OK = 0,	 /* the guest powered off or rebooted by itself */
	KTVM_EXIT_USAGE = 2,	 /* bad arguments or input files */
	KTVM_EXIT_CRASH = 121,	 /* kernel panic, triple fault, KVM internal error */
	KTVM_EXIT_TIMEOUT = 124, /* --timeout passed (like timeout(1)) */
	KTVM_EXIT_HOST = 125,	 /* host-side failure: no usable KVM, out of memory, ... */
};

#define DEFAULT_CPUS	   1
#define DEFAULT_MEMORY_MIB 256
#define DEFAULT_TIMEOUT_S  300
/* Console lines shown when a run fails and the console was not streamed. */
#define TAIL_LINES 30

static const char usage_main[] =
    "usage: ktvm run --kernel PATH [options]\n"
    "       ktvm --help | --version\n"
    "\n"
    "ktvm boots a Linux kernel in a KVM virtual machine to test process schedulers.\n"
    "Run 'ktvm run --help' for the options.\n";

static const char usage_run[] =
    "usage: ktvm run --kernel PATH [options]\n"
    "\n"
    "Boot PATH (an x86 bzImage or an uncompressed ELF vmlinux with a PVH entry on\n"
    "x86_64) and wait until the guest powers off, reboots or crashes, or the timeout\n"
    "passes.\n"
    "\n"
    "  --kernel PATH     kernel image (required)\n"
    "  --initrd PATH     initramfs given to the kernel\n"
    "  --cpus N          vCPUs (default 1)\n"
    "  --memory MIB      guest RAM in MiB (default 256)\n"
    "  --cmdline STR     extra kernel parameters, after ktvm's defaults; a parameter\n"
    "                    given here replaces ktvm's default of the same name\n"
    "  --timeout SEC     stop the guest after SEC seconds (default 300, 0 = never)\n"
    "  --console         copy the guest console to stderr as it runs\n"
    "  --json FILE       write the result (how it ended, timings, exit counts,\n"
    "                    console text) as JSON to FILE\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status:\n"
    "  0    the guest powered off or rebooted by itself\n"
    "  2    usage error or bad input (missing or invalid kernel, bad option)\n"
    "  121  the guest crashed (kernel panic, triple fault, KVM internal error)\n"
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

static int write_json(const char *path, const struct vm_result *res)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "ktvm: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	result_write_json(f, res);
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
	default:
		return "run failed";
	}
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
		OPT_JSON
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
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vm_config cfg = {
	    .nr_cpus = DEFAULT_CPUS,
	    .mem_size = DEFAULT_MEMORY_MIB * MiB,
	    .timeout_ms = DEFAULT_TIMEOUT_S * 1000ULL,
	    .console_fd = -1,
	    .t_start_ns = t_start,
	};
	const char *json = NULL;
	struct vm_result res;
	struct vm *vm;
	u64 v;
	int opt, ret, status;
	bool stuck;

	opterr = 0;
	optind = 1;
	/* Leading ':' makes a missing value come back as ':', not '?'. */
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
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
			break;
		case OPT_MEMORY:
			if (parse_u64("--memory", optarg, UINT64_MAX / MiB, &v))
				return KTVM_EXIT_USAGE;
			cfg.mem_size = v * MiB;
			break;
		case OPT_CMDLINE:
			cfg.cmdline = optarg;
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
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!cfg.kernel)
		return usage_error("no kernel given (--kernel PATH)");

	error_clear();
	ret = vm_create(&vm, &cfg);
	if (ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
	}
	ret = vm_run(vm, &res);
	status = status_for(res.end);
	if (ret < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		status = KTVM_EXIT_HOST;
	}
	/* A vCPU thread that would not stop still uses the VM: leave it to exit(). */
	stuck = ret == -ETIMEDOUT;
	if (json && write_json(json, &res) < 0 && status == KTVM_EXIT_OK)
		status = KTVM_EXIT_HOST;
	if (status != KTVM_EXIT_OK && cfg.console_fd < 0 && res.console_len)
		print_tail(res.console, res.console_len, TAIL_LINES);
	fprintf(stderr, "ktvm: %s (%s) after %.3f s\n", end_words(res.end), res.detail,
		(double)res.duration_ns / 1e9);
	vm_result_free(&res);
	if (!stuck)
		vm_destroy(vm);
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

// SPDX-License-Identifier: GPL-2.0
/* ktvm run, stage by stage (run.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "tools/btf.h"
#include "tools/kcache.h"
#include "tools/ktvm.h"
#include "tools/run.h"
#include "tools/signals.h"

/* How a failure error_msg() was set for ends: bad input or the host's fault. */
static int run_error_status(void)
{
	return error_kind() == ERROR_INPUT ? KTVM_EXIT_USAGE : KTVM_EXIT_HOST;
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

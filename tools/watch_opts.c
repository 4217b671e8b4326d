// SPDX-License-Identifier: GPL-2.0
/* ktvm run's watchpoint options (watch_opts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm/arch.h"
#include "core/run/channel.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/image/kallsyms_image.h"
#include "core/image/ksyms_file.h"
#include "core/vm/vm.h"
#include "core/debug/arch.h"
#include "core/debug/debug.h"
#include "core/debug/scx.h"
#include "wire/wire.h"
#include "tools/watch_opts.h"
#include "core/run/monitor_layout.h"
#include "core/image/btf_image.h"

int watch_opts_add(struct watch_opts *w, const char *arg)
{
	if (w->n == AGENT_MAX_WATCHES)
		return error_input(-EINVAL,
				   "--watch %s: at most %d watchpoints (slot %d is kept for the "
				   "scheduler-exit trigger)",
				   arg, AGENT_MAX_WATCHES, WATCH_SLOT_SCHED);
	if (watch_spec_parse(&w->spec[w->n], arg) < 0)
		return -EINVAL;
	w->n++;
	return 0;
}

int watch_opts_add_region(struct watch_opts *w, const char *arg)
{
	if (w->nr_regions == DUMP_MAX_REGIONS)
		return error_input(-EINVAL, "--dump-mem %s: at most %d regions", arg,
				   DUMP_MAX_REGIONS);
	if (dump_region_parse(&w->region[w->nr_regions], arg) < 0)
		return -EINVAL;
	w->nr_regions++;
	return 0;
}

/* Append name to the comma-separated list (size bytes). */
static void watch_opts_list(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? "," : "", name);
}

/* One name against the image's table: 0, or -ENOENT with an input error. */
static int watch_opts_image_name(const struct kallsyms_image *k, bool data, const char *opt,
				 const char *label, const char *sym, const char *kernel)
{
	char type;

	if (kallsyms_image_find(k, sym, &type) == 0)
		return 0;
	if (!data)
		return error_input(-ENOENT,
				   "%s %s: the kallsyms table of kernel %s " AGENT_NO_DATA_HINT,
				   opt, label, kernel);
	return error_input(-ENOENT, "%s %s: kernel %s has no symbol %s (its kallsyms table)", opt,
			   label, kernel, sym);
}

/*
 * Without --symbols: check the names against the kallsyms table inside the
 * kernel image (kallsyms_image.h), so a wrong name fails before boot. The
 * guest's init still reports where they are (KASLR). An image whose table
 * is not found (no CONFIG_KALLSYMS, a layout or compression ktvm does not
 * read) is left to that check after boot, with a note; so is one that
 * cannot be read, which the boot reports. KTVM_NO_IMAGE_KSYMS=1 skips this
 * check (the tests use it to exercise the guest's).
 */
static int watch_opts_check_image(struct watch_opts *w, const char *path)
{
	const char *kernel = w->kernel_name ? w->kernel_name : path;
	struct kallsyms_image k;
	const char *skip = getenv("KTVM_NO_IMAGE_KSYMS");
	const u8 *img;
	u8 *file, *owned = NULL;
	size_t flen, len;
	char type;
	bool data;
	int ret = 0;

	if (skip && !strcmp(skip, "1"))
		return 0;
	if (file_map(path, "kernel", 1 * GiB, &file, &flen) < 0) {
		error_clear();
		return 0;
	}
	if (arch_kernel_unpack(file, flen, kernel, &img, &len, &owned) < 0 ||
	    (kallsyms_image_open(img, len, &k) < 0 &&
	     error_prefix(ERROR_INPUT, -ENOEXEC, "kernel %s", kernel))) {
		fprintf(stderr, "ktvm: note: %s; --watch names are checked in the guest\n",
			error_msg());
		error_clear();
		goto out;
	}
	/* A data symbol every kernel has: without it, the table lists no variables. */
	data = kallsyms_image_find(&k, AGENT_DATA_PROBE, &type) == 0;
	error_clear();
	for (u32 i = 0; i < w->n && ret == 0; i++)
		if (w->spec[i].sym[0])
			ret = watch_opts_image_name(&k, data, "--watch", w->spec[i].label,
						    w->spec[i].sym, kernel);
	for (u32 i = 0; i < w->nr_regions && ret == 0; i++)
		if (w->region[i].sym[0])
			ret = watch_opts_image_name(&k, data, "--dump-mem", w->region[i].label,
						    w->region[i].sym, kernel);
out:
	free(owned);
	file_unmap(file, flen);
	return ret;
}

int watch_opts_prepare(struct watch_opts *w, bool payload, const char *kernel, char *cmdline,
		       size_t size)
{
	char list[512] = "";
	size_t len = strlen(cmdline);
	bool names = false;

	for (u32 i = 0; i < w->n; i++) {
		struct watch_spec *s = &w->spec[i];

		if (!s->sym[0])
			continue;
		names = true;
		if (w->symbols && ksyms_file_lookup(w->symbols, s->sym, &s->addr) < 0)
			return error_prefix(ERROR_INPUT, -EINVAL, "--watch %s", s->label);
		if (s->addr && (s->addr + s->offset) % WATCH_LEN)
			return error_input(-EINVAL, "--watch %s: 0x%llx is not %d-byte aligned",
					   s->label, (unsigned long long)(s->addr + s->offset),
					   WATCH_LEN);
		watch_opts_list(list, sizeof(list), s->sym);
	}
	for (u32 i = 0; i < w->nr_regions; i++) {
		struct dump_region *r = &w->region[i];

		if (!r->sym[0])
			continue;
		names = true;
		if (w->symbols && ksyms_file_lookup(w->symbols, r->sym, &r->file_addr) < 0)
			return error_prefix(ERROR_INPUT, -EINVAL, "--dump-mem %s", r->label);
		watch_opts_list(list, sizeof(list), r->sym);
	}
	if (w->scx) {
		names = true;
		watch_opts_list(list, sizeof(list),
				w->scx_lay.root ? SCX_SYMS_ROOT : SCX_SYMS_STATIC);
	}
	if (w->mon) {
		names = true;
		watch_opts_list(list, sizeof(list), "runqueues");
		if (arch_kernel_pgd_symbol())
			watch_opts_list(list, sizeof(list), arch_kernel_pgd_symbol());
	}
	if (!names) {
		if (w->symbols)
			return error_input(-EINVAL, "--symbols %s: no --watch names a symbol",
					   w->symbols);
		return 0;
	}
	if (!payload)
		return error_input(-EINVAL, "--watch/--dump-mem: a symbol needs a program to run "
					    "(-- PROG): ktvm's init looks it up in the guest");
	if (!w->symbols && (w->n || w->nr_regions) && watch_opts_check_image(w, kernel) < 0)
		return -ENOENT;
	if (w->symbols) {
		if (ksyms_file_lookup(w->symbols, "_text", &w->text_file) < 0)
			return error_prefix(ERROR_INPUT, -EINVAL, "--symbols %s", w->symbols);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), ",_text");
		/* the monitor's addresses from the file too, where it has them */
		if (w->mon && ksyms_file_lookup(w->symbols, "runqueues", &w->mon_rq_file) < 0)
			w->mon_rq_file = 0;
		if (w->mon && arch_kernel_pgd_symbol() &&
		    ksyms_file_lookup(w->symbols, arch_kernel_pgd_symbol(), &w->mon_pgd_file) < 0)
			w->mon_pgd_file = 0;
		error_clear();
	}
	/* A data symbol every kernel has: without it, kallsyms lists no data (agent.c). */
	snprintf(list + strlen(list), sizeof(list) - strlen(list), ",%s", AGENT_DATA_PROBE);
	/* One KSYMS frame carries them all. */
	{
		u32 count = 1;

		for (const char *p = list; *p; p++)
			count += *p == ',';
		if (count > WIRE_KSYMS_MAX)
			return error_input(-E2BIG,
					   "--watch/--dump-mem: %u kernel symbols to look up, at "
					   "most %d (with the sched_ext trigger's and ktvm's own)",
					   count, WIRE_KSYMS_MAX);
	}
	if ((size_t)snprintf(cmdline + len, size - len, "%sktvm.watch=%s%s", len ? " " : "", list,
			     w->mon_guest_btf ? " " WIRE_BTF_KEY "=1" : "") >= size - len)
		return error_input(-E2BIG, "--watch: the kernel command line is too long");
	return 0;
}

/*
 * The monitor's layout from the BTF the guest sent (the image has none):
 * whole by now, as init sends it before KSYMS, and no longer changed (the
 * channel sealed it at KSYMS; this runs on the agent's thread). Only one
 * raw blob is taken, as /sys/kernel/btf/vmlinux is. 0, or -ENOENT with
 * mon_error set.
 */
static int watch_opts_guest_layout(struct watch_opts *w)
{
	struct btf_image bi;
	const char *why = "";
	const u8 *buf;
	size_t len;

	if (channel_btf_get(w->agent.ch, &buf, &len, &why) < 0) {
		snprintf(w->mon_error, sizeof(w->mon_error),
			 "the kernel image has no BTF, and the guest's: %s", why);
		return -ENOENT;
	}
	error_clear();
	if (btf_image_open_blob(buf, len, &bi) < 0) {
		snprintf(w->mon_error, sizeof(w->mon_error), "the guest's BTF (%zu bytes): %s", len,
			 error_msg());
		error_clear();
		return -ENOENT;
	}
	if (monitor_layout_get(bi.btf, &w->mon_cfg.lay) < 0) {
		snprintf(w->mon_error, sizeof(w->mon_error), "the guest's BTF: %s", error_msg());
		error_clear();
		btf_image_close(&bi);
		return -ENOENT;
	}
	btf_image_close(&bi);
	return 0;
}

/*
 * The monitor, once the guest reported where runqueues is. It failing to
 * start ends nothing: the reason is said at the end and in the result.
 */
static void watch_opts_start_monitor(struct watch_opts *w, const struct wire_ksym *k, u32 n)
{
	u64 text = agent_ksym(k, n, "_text");

	if (w->mon_guest_btf && watch_opts_guest_layout(w) < 0)
		return;
	/* --symbols first, as for --watch; else the guest's kallsyms */
	w->mon_cfg.runqueues = ksyms_file_place(w->mon_rq_file, w->text_file, text);
	w->mon_cfg.syms_from = w->mon_cfg.runqueues ? "--symbols" : "guest";
	if (!w->mon_cfg.runqueues)
		w->mon_cfg.runqueues = agent_ksym(k, n, "runqueues");
	if (arch_kernel_pgd_symbol()) {
		w->mon_cfg.kernel_pgd = ksyms_file_place(w->mon_pgd_file, w->text_file, text);
		if (!w->mon_cfg.kernel_pgd)
			w->mon_cfg.kernel_pgd = agent_ksym(k, n, arch_kernel_pgd_symbol());
	}
	if (!w->mon_cfg.runqueues) {
		snprintf(w->mon_error, sizeof(w->mon_error),
			 "the guest kernel's /proc/kallsyms has no runqueues (a kernel without "
			 "CONFIG_KALLSYMS_ALL; --symbols with its System.map gives it)");
		return;
	}
	error_clear();
	if (monitor_start(&w->mon_state, w->agent.vm, w->dbg, &w->mon_cfg) < 0) {
		snprintf(w->mon_error, sizeof(w->mon_error), "%s", error_msg());
		error_clear();
		return;
	}
	w->mon_live = true;
}

/* The sched_ext trigger, at the guest's live addresses. */
static int watch_opts_arm_scx(struct watch_opts *w, const struct wire_ksym *k, u32 n)
{
	struct scx_addrs a = {
	    .root = agent_ksym(k, n, "scx_root"),
	    .exit_kind = agent_ksym(k, n, "scx_exit_kind"),
	    .exit_info = agent_ksym(k, n, "scx_exit_info"),
	    .ops = agent_ksym(k, n, "scx_ops"),
	    .watchdog = agent_ksym(k, n, "scx_watchdog_timeout"),
	    .runqueues = agent_ksym(k, n, "runqueues"),
	    .pcpu_offset = agent_ksym(k, n, "__per_cpu_offset"),
	};
	const char *poll = getenv("KTVM_SCX_POLL");
	int ret = scx_trigger_start(&w->scx_trig, w->dbg, &w->scx_lay, &a, WATCH_SLOT_USER + w->n,
				    w->nr_cpus, poll && !strcmp(poll, "1"), w->scx_watchdog_ms);

	w->scx_live = true;
	return ret;
}

/* The agent's arm hook: the sched_ext trigger and the monitor, at the guest's live addresses. */
static int watch_opts_arm(void *ctx, const struct wire_ksym *k, u32 n)
{
	struct watch_opts *w = ctx;

	if (w->mon)
		watch_opts_start_monitor(w, k, n);
	return w->scx ? watch_opts_arm_scx(w, k, n) : 0;
}

int watch_opts_start(struct watch_opts *w, struct vm *vm, struct channel *ch)
{
	const struct debug_config dc = {
	    .dump_dir = w->dump_dir,
	    .regions = w->region,
	    .nr_regions = w->nr_regions,
	};
	u32 slot = WATCH_SLOT_USER;
	int ret;

	/* Without debug support, runs that ask for none of it go on (snapshots are refused). */
	if (!arch_debug_supported() && !w->n && !w->nr_regions && !w->dump_dir && !w->scx &&
	    !w->mon)
		goto agent;
	ret = debug_attach(&w->dbg, vm, &dc);
	if (ret < 0)
		return ret;
	if (w->n && WATCH_SLOT_USER + w->n > w->dbg->nr_slots)
		return error_input(
		    -ENOSPC,
		    "--watch: this host has %u hardware watchpoints for the guest "
		    "(KVM_CAP_GUEST_DEBUG_HW_WPS); slot 0 is kept for the "
		    "scheduler-exit trigger, so at most %u --watch",
		    w->dbg->nr_slots,
		    w->dbg->nr_slots > WATCH_SLOT_USER ? w->dbg->nr_slots - WATCH_SLOT_USER : 0);
	for (u32 i = 0; i < w->n; i++, slot++) {
		const struct watch_spec *s = &w->spec[i];

		if (!s->sym[0] &&
		    debug_watch_set(w->dbg, slot, s->addr + s->offset, s->action, s->label) < 0)
			return -EINVAL;
	}
agent:
	agent_init(&w->agent, vm, w->dbg, ch, w->spec, w->n);
	w->agent.text_file = w->text_file;
	if (w->scx || w->mon) {
		w->nr_cpus = vm->cfg.nr_cpus;
		w->agent.arm_hook = watch_opts_arm;
		w->agent.arm_ctx = w;
	}
	ch->request = agent_post;
	ch->request_ctx = &w->agent;
	if (agent_start(&w->agent) < 0)
		return -ENOMEM;
	w->agent_live = true;
	return 0;
}

int watch_opts_finish(struct watch_opts *w)
{
	if (!w->agent_live)
		return 0;
	agent_stop(&w->agent);
	if (w->mon_live)
		monitor_stop(&w->mon_state);
	if (w->scx_live)
		scx_trigger_stop(&w->scx_trig);
	/* The user's mistake (no such symbol, a misaligned one): bad input. */
	if (w->agent.error == -ENOENT || w->agent.error == -EINVAL)
		return error_input(w->agent.error, "%s", w->agent.error_msg);
	if (w->agent.error)
		return error_host(w->agent.error, "%s", w->agent.error_msg);
	return 0;
}

void watch_opts_end(struct watch_opts *w)
{
	if (w->mon_live)
		monitor_destroy(&w->mon_state);
	w->mon_live = false;
	if (w->scx_live) {
		scx_trigger_stop(&w->scx_trig);
		scx_trigger_destroy(&w->scx_trig);
	}
	w->scx_live = false;
	debug_detach(w->dbg);
	w->dbg = NULL;
}

void watch_opts_json(FILE *f, const struct watch_opts *w, struct vm *vm)
{
	static struct watch_table none; /* no debugger attached: nothing armed, no hits */
	struct watch_table *t = w->dbg ? &w->dbg->watch : &none;
	struct freeze *fz = &vm->freeze;

	bool names = false;

	for (u32 i = 0; i < w->n; i++)
		names |= w->spec[i].sym[0] != '\0';
	/* Addresses are armed before the run; names once the guest reported them. */
	fprintf(f, ",\n  \"watch\": {\"armed\": %s, \"slots\": [",
		w->agent_live && (names ? w->agent.armed : true) ? "true" : "false");
	for (u32 i = 0, first = 1; i < WATCH_SLOTS; i++) {
		struct watch_slot s;

		watch_slot_get(t, i, &s);
		if (!s.addr)
			continue;
		fprintf(f, "%s{\"slot\": %u, \"name\": ", first ? "" : ", ", i);
		json_string(f, s.name, strlen(s.name));
		fprintf(f, ", \"addr\": \"0x%llx\", \"action\": \"%s\"}",
			(unsigned long long)s.addr, watch_action_name(s.action));
		first = 0;
	}
	fprintf(f, "], \"hits\": [");
	for (u32 i = 0; i < t->nr_hits; i++) {
		const struct watch_hit *h = &t->hits[i];

		fprintf(f,
			"%s\n    {\"vcpu\": %u, \"slot\": %u, \"addr\": \"0x%llx\", \"pc\": "
			"\"0x%llx\", \"value\": ",
			i ? "," : "", h->vcpu, h->slot, (unsigned long long)h->addr,
			(unsigned long long)h->pc);
		if (h->value_ok)
			fprintf(f, "%u}", h->value);
		else
			fprintf(f, "null}");
	}
	fprintf(
	    f,
	    "%s], \"hits_dropped\": %llu, \"hits_stale\": %llu, \"dumps\": %u, "
	    "\"dumps_failed\": %u, \"freezes\": %llu, \"freeze_last_ms\": %.3f, \"freeze_max_ms\": "
	    "%.3f, "
	    "\"snapshots\": %u, \"snapshot_failures\": %u, \"requests_dropped\": %llu",
	    t->nr_hits ? "\n  " : "", (unsigned long long)t->hits_dropped,
	    (unsigned long long)t->hits_stale, w->dbg ? atomic_load(&w->dbg->dumps_written) : 0,
	    w->dbg ? atomic_load(&w->dbg->dumps_tried) - atomic_load(&w->dbg->dumps_written) : 0,
	    (unsigned long long)fz->freezes, (double)fz->last_ns / 1e6, (double)fz->max_ns / 1e6,
	    w->agent.snapshots, w->agent.snapshot_failures, (unsigned long long)w->agent.dropped);
	if (w->agent.error) {
		fprintf(f, ", \"error\": ");
		json_string(f, w->agent.error_msg, strlen(w->agent.error_msg));
	}
	fprintf(f, "}");
}

// SPDX-License-Identifier: GPL-2.0
/* JSON state dumps of a frozen VM (dump.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/debug/arch.h"
#include "core/debug/debug.h"
#include "core/debug/gva.h"
#include "core/base/cleanup.h"
#include "core/base/clock.h"
#include "core/base/endian.h"
#include "core/debug/dump.h"
#include "core/debug/dumpname.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/base/testpoint.h"
#include "core/vm/vm.h"

/* Bytes of guest memory dumped around each watched variable (from it on). */
#define DUMP_WATCH_BYTES 16
/* File numbers tried in a directory that earlier runs filled. */
#define DUMP_NUMBER_MAX 99999

static void dump_hex(FILE *f, const u8 *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

static void dump_hit(FILE *f, struct vm_debug *d, const struct watch_hit *h)
{
	struct watch_slot s;

	watch_slot_get(&d->watch, h->slot, &s);
	fprintf(f, "{\"vcpu\": %u, \"slot\": %u, \"name\": ", h->vcpu, h->slot);
	json_string(f, s.name, strlen(s.name));
	fprintf(f, ", \"addr\": \"0x%llx\", \"pc\": \"0x%llx\", ", (unsigned long long)h->addr,
		(unsigned long long)h->pc);
	if (h->value_ok)
		fprintf(f, "\"value\": %u}", h->value);
	else
		fprintf(f, "\"value\": null}");
}

/* The --dump-mem regions, after the watched variables. */
static void dump_regions(FILE *f, struct vm_debug *d, struct vcpu *self, const char *sep)
{
	static u8 buf[DUMP_REGION_MAX];

	for (u32 i = 0; i < d->nr_regions; i++) {
		const struct dump_region *r = &d->regions[i];
		u64 gva = r->addr ? r->addr + r->offset : 0, gpa = 0;

		fprintf(f, "%s\n    {\"name\": ", sep);
		json_string(f, r->label, strlen(r->label));
		if (!gva) {
			fprintf(f, ", \"gva\": null, \"error\": \"not resolved\"}");
		} else if (!self) {
			fprintf(f,
				", \"gva\": \"0x%llx\", \"gpa\": null, \"error\": \"no frozen "
				"vCPU to read through\"}",
				(unsigned long long)gva);
		} else if (arch_vcpu_gva_to_gpa(self, gva, &gpa) == 0 &&
			   gva_read(self, gva, buf, r->len) == 0) {
			fprintf(f, ", \"gva\": \"0x%llx\", \"gpa\": \"0x%llx\", \"bytes\": ",
				(unsigned long long)gva, (unsigned long long)gpa);
			dump_hex(f, buf, r->len);
			fputc('}', f);
		} else {
			fprintf(f,
				", \"gva\": \"0x%llx\", \"gpa\": null, \"error\": \"not mapped\"}",
				(unsigned long long)gva);
		}
		sep = ",";
	}
}

static void dump_memory(FILE *f, struct vm_debug *d, struct vcpu *self)
{
	const char *sep = "";

	fprintf(f, "  \"memory\": [");
	for (u32 i = 0; i < WATCH_SLOTS; i++) {
		struct watch_slot s;
		u8 buf[DUMP_WATCH_BYTES];
		u64 gpa = 0;

		watch_slot_get(&d->watch, i, &s);
		if (!s.addr)
			continue;
		fprintf(f, "%s\n    {\"name\": ", sep);
		json_string(f, s.name, strlen(s.name));
		fprintf(f, ", \"gva\": \"0x%llx\", ", (unsigned long long)s.addr);
		if (self && arch_vcpu_gva_to_gpa(self, s.addr, &gpa) == 0 &&
		    gva_read(self, s.addr, buf, sizeof(buf)) == 0) {
			fprintf(f, "\"gpa\": \"0x%llx\", \"value\": %u, \"bytes\": ",
				(unsigned long long)gpa, get_le32(buf));
			dump_hex(f, buf, sizeof(buf));
			fputc('}', f);
		} else {
			fprintf(f, "\"gpa\": null, \"error\": \"not mapped\"}");
		}
		sep = ",";
	}
	dump_regions(f, d, self, sep);
	fprintf(f, "%s]", *sep || d->nr_regions ? "\n  " : "");
}

/*
 * Which vCPUs are stopped now: parked in the freeze, or self (dumping on
 * its own thread). Only those are read: a vCPU that did not park (a freeze
 * that timed out) may be in KVM_RUN, where reading it would wait for it.
 */
static void dump_frozen(struct vm_debug *d, struct vcpu *self, bool self_frozen, bool *frozen)
{
	struct vm *vm = d->vm;

	pthread_mutex_lock(&vm->freeze.lock);
	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		frozen[i] = vm->vcpus[i].parked || (self_frozen && &vm->vcpus[i] == self);
	pthread_mutex_unlock(&vm->freeze.lock);
}

static void dump_body(FILE *f, struct vm_debug *d, struct vcpu *self, bool self_frozen,
		      const char *tag, const struct watch_hit *hit, const bool *frozen)
{
	struct vm *vm = d->vm;
	struct freeze *fz = &vm->freeze;
	u32 nhits, nfrozen = 0;

	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		nfrozen += frozen[i];
	fprintf(f, "{\n  \"ktvm_dump\": 1,\n  \"arch\": \"%s\",\n  \"tag\": ", arch_name());
	json_string(f, tag, strlen(tag));
	fprintf(f, ",\n  \"time_ns\": %llu,\n  \"frozen_vcpus\": %u,\n  \"freeze_ms\": %.3f,\n",
		(unsigned long long)(clock_now_ns() - atomic_load(&vm->t_first_run_ns)), nfrozen,
		(double)fz->last_ns / 1e6);
	fprintf(f, "  \"trigger\": ");
	if (hit)
		dump_hit(f, d, hit);
	else
		fprintf(f, "null");
	for (u32 i = 0; i < DEBUG_DUMP_HOOKS && self; i++) {
		debug_dump_fn fn = atomic_load_explicit(&d->dump_extra[i].fn, memory_order_acquire);

		if (fn)
			fn(d->dump_extra[i].ctx, f, self);
	}
	fprintf(f, ",\n  \"vcpus\": [");
	for (u32 i = 0; i < vm->cfg.nr_cpus; i++) {
		fprintf(f, "%s\n    {\"id\": %u, \"frozen\": %s, \"regs\": ", i ? "," : "", i,
			frozen[i] ? "true" : "false");
		if (frozen[i])
			arch_vcpu_dump_regs(&vm->vcpus[i], f);
		else
			fprintf(f, "null");
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n");
	dump_memory(f, d, self);
	pthread_mutex_lock(&d->watch.lock);
	nhits = d->watch.nr_hits;
	pthread_mutex_unlock(&d->watch.lock);
	fprintf(f, ",\n  \"hits\": [");
	/* Hits are appended only, and this one is frozen: entries below nhits are stable. */
	for (u32 i = 0; i < nhits; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		dump_hit(f, d, &d->watch.hits[i]);
	}
	fprintf(f, "%s]\n}\n", nhits ? "\n  " : "");
}

/* Said once per run, by whoever first finds the cap reached. */
static void dump_cap_note(struct vm_debug *d)
{
	if (!atomic_exchange(&d->dump_cap_noted, true))
		error_warn("this run reached its %d dumps; later watchpoint hits and snapshot "
			   "requests are recorded without freezing or dumping",
			   DUMP_MAX_PER_RUN);
}

/* Take one of the run's DUMP_MAX_PER_RUN tries; the count never passes the cap. */
static bool dump_reserve(struct vm_debug *d)
{
	unsigned int t = atomic_load(&d->dumps_tried);

	do {
		if (t >= DUMP_MAX_PER_RUN) {
			dump_cap_note(d);
			return false;
		}
	} while (!atomic_compare_exchange_weak(&d->dumps_tried, &t, t + 1));
	return true;
}

/* Remove a dump that could not be written whole; the error says why. */
static int dump_discard(const char *file, int err)
{
	unlink(file);
	cleanup_forget(file);
	return error_host(-err, "dump %s: %s (removed)", file, strerror(err));
}

int dump_write(struct vm_debug *d, struct vcpu *self, const char *tag, const struct watch_hit *hit,
	       char *path, size_t size)
{
	const char *dir = d->cfg.dump_dir ? d->cfg.dump_dir : ".";
	char name[160], file[4096];
	unsigned int n;
	bool self_frozen = self != NULL; /* a vCPU's own thread dumps: it is stopped too */
	bool *frozen;
	FILE *f;
	char *body = NULL;
	size_t body_len = 0;
	int fd = -1, err;

	if (!dump_reserve(d))
		return error_host(-EDQUOT, "dump: this run already tried %d dumps",
				  DUMP_MAX_PER_RUN);
	dumpname_sanitize(name, sizeof(name), tag, strlen(tag));
	/* Never follow a link or overwrite (O_EXCL): a name taken by an earlier run is skipped. */
	for (n = atomic_load(&d->dumps) + 1; fd < 0 && n <= DUMP_NUMBER_MAX; n++) {
		if ((size_t)snprintf(file, sizeof(file), "%s/ktvm-dump-%03u-%s.json", dir, n,
				     name) >= sizeof(file))
			return error_host(-ENAMETOOLONG, "--dump-dir %s: path too long", dir);
		fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 && errno != EEXIST)
			return error_host(-errno, "dump %s: %s", file, strerror(errno));
	}
	if (fd < 0)
		return error_host(-EEXIST, "dump: %s holds dumps numbered up to %d", dir,
				  DUMP_NUMBER_MAX);
	atomic_store(&d->dumps, n - 1);
	/*
	 * A dump cut short (ktvm killed, a full disk) is removed, not left half
	 * written. The body is put together in memory and written at once, so
	 * a failed write says exactly why.
	 */
	if (cleanup_add(file, false) < 0) {
		close(fd);
		return dump_discard(file, ENOSPC);
	}
	f = open_memstream(&body, &body_len);
	frozen = calloc(d->vm->cfg.nr_cpus, sizeof(*frozen));
	if (!f || !frozen) {
		if (f)
			fclose(f);
		free(body);
		free(frozen);
		close(fd);
		return dump_discard(file, ENOMEM);
	}
	dump_frozen(d, self, self_frozen, frozen);
	testpoint("dump");
	/* Guest memory is read through a stopped vCPU: self, else the first parked one. */
	if (!self)
		for (u32 i = 0; i < d->vm->cfg.nr_cpus && !self; i++)
			if (frozen[i])
				self = &d->vm->vcpus[i];
	dump_body(f, d, self, self_frozen, tag, hit, frozen);
	free(frozen);
	err = fclose(f) ? ENOMEM : -file_write_all(fd, body, body_len);
	free(body);
	if (close(fd) && !err)
		err = errno;
	if (err)
		return dump_discard(file, err);
	cleanup_forget(file);
	atomic_fetch_add(&d->dumps_written, 1);
	if (path)
		snprintf(path, size, "%s", file);
	return 0;
}

bool dump_refused(struct vm_debug *d)
{
	if (atomic_load(&d->dumps_tried) < DUMP_MAX_PER_RUN)
		return false;
	dump_cap_note(d);
	return true;
}

int dump_region_parse(struct dump_region *r, const char *s)
{
	const char *colon = strrchr(s, ':');
	char *e;
	unsigned long long len;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(r->label))
		return error_input(-EINVAL, "--dump-mem %.40s...: too long", s);
	if (!colon)
		return error_input(-EINVAL, "--dump-mem %s: want TARGET:LENGTH", s);
	errno = 0;
	len = strtoull(colon + 1, &e, 0);
	if (errno || e == colon + 1 || *e || colon[1] < '0' || colon[1] > '9' || !len ||
	    len > DUMP_REGION_MAX)
		return error_input(-EINVAL, "--dump-mem %s: length must be 1-%d bytes", s,
				   DUMP_REGION_MAX);
	r->len = (u32)len;
	snprintf(r->label, sizeof(r->label), "%.*s", (int)(colon - s), s);
	if (watch_target_parse("--dump-mem", s, s, colon, r->sym, &r->addr, &r->offset) < 0)
		return -EINVAL;
	if (!r->sym[0] && !r->addr)
		return error_input(-EINVAL, "--dump-mem %s: address 0", s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* The sched_ext exit trigger (scx.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/base/json.h"
#include "core/debug/debug.h"
#include "core/debug/gva.h"
#include "core/debug/scx.h"
#include "core/debug/watch.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

enum scx_rebind scx_rebind_step(u64 last, u64 now, bool readable)
{
	if (now == last)
		return SCX_UNCHANGED;
	if (!now)
		return SCX_DETACHED;
	if (!readable)
		return SCX_DEFERRED;
	return last ? SCX_REBIND : SCX_PUBLISHED;
}

const char *scx_rebind_name(enum scx_rebind r)
{
	static const char *const names[] = {"unchanged", "detached", "rebind", "published",
					    "deferred"};

	return (unsigned int)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *scx_kind_name(const struct scx_layout *lay, s64 kind)
{
	for (u32 i = 0; i < lay->nr_kinds; i++)
		if (lay->kinds[i].value == kind)
			return lay->kinds[i].name;
	return NULL;
}

static int scx_read_u64(struct vcpu *v, u64 gva, u64 *out)
{
	u8 b[8];

	if (!gva || gva_read(v, gva, b, sizeof(b)) < 0)
		return -EFAULT;
	*out = get_le64(b);
	return 0;
}

static int scx_read_u32(struct vcpu *v, u64 gva, u32 *out)
{
	u8 b[4];

	if (!gva || gva_read(v, gva, b, sizeof(b)) < 0)
		return -EFAULT;
	*out = get_le32(b);
	return 0;
}

/*
 * A NUL-terminated guest string of at most size - 1 bytes into buf, read a
 * chunk at a time so a short string near the end of a mapping is read.
 */
static int scx_read_str(struct vcpu *v, u64 gva, char *buf, size_t size)
{
	size_t got = 0;

	buf[0] = '\0';
	if (!gva)
		return -EFAULT;
	while (got + 1 < size) {
		size_t n = 64 - ((gva + got) & 63);

		if (n > size - 1 - got)
			n = size - 1 - got;
		if (gva_read(v, gva + got, buf + got, n) < 0) {
			buf[got] = '\0';
			return got ? 0 : -EFAULT;
		}
		buf[got + n] = '\0';
		if (memchr(buf + got, '\0', n))
			return 0;
		got += n;
	}
	buf[size - 1] = '\0';
	return 0;
}

/* Where the exit kind, the exit info pointer and the ops are for scheduler sch. */
static u64 scx_kind_addr(const struct scx_trigger *t, u64 sch)
{
	return t->lay.root ? (sch ? sch + t->lay.sch_exit_kind : 0) : t->addr.exit_kind;
}

static u64 scx_info_ptr_addr(const struct scx_trigger *t, u64 sch)
{
	return t->lay.root ? (sch ? sch + t->lay.sch_exit_info : 0) : t->addr.exit_info;
}

static u64 scx_ops_addr(const struct scx_trigger *t, u64 sch)
{
	return t->lay.root ? (sch ? sch + t->lay.sch_ops : 0) : t->addr.ops;
}

/* scx_exit_info of scheduler sch, once per caught failure (lock held). */
static void scx_read_info(struct scx_trigger *t, struct vcpu *v, u64 sch)
{
	u64 ei, p;
	u32 u;

	if (!t->caught || t->info || scx_read_u64(v, scx_info_ptr_addr(t, sch), &ei) < 0 || !ei)
		return;
	if (scx_read_u32(v, ei + t->lay.ei_kind, &t->info_kind) < 0)
		return;
	t->exit_cpu = -1;
	if (t->lay.ei_has_exit_cpu && scx_read_u32(v, ei + t->lay.ei_exit_cpu, &u) == 0)
		t->exit_cpu = (s32)u;
	if (scx_read_u64(v, ei + t->lay.ei_reason, &p) == 0)
		scx_read_str(v, p, t->reason, sizeof(t->reason));
	if (scx_read_u64(v, ei + t->lay.ei_msg, &p) == 0)
		scx_read_str(v, p, t->msg, sizeof(t->msg));
	t->bt_len = 0;
	if (scx_read_u32(v, ei + t->lay.ei_bt_len, &u) == 0 &&
	    scx_read_u64(v, ei + t->lay.ei_bt, &p) == 0 && p)
		for (u32 i = 0; i < u && i < SCX_BT_MAX; i++)
			if (scx_read_u64(v, p + 8ull * i, &t->bt[t->bt_len]) == 0)
				t->bt_len++;
	t->info = true;
	t->t_done_ns = clock_now_ns();
}

static void scx_read_name(struct scx_trigger *t, struct vcpu *v, u64 sch)
{
	u32 len = t->lay.ops_name_len < sizeof(t->sched_name) ? t->lay.ops_name_len
							      : (u32)sizeof(t->sched_name);
	u64 ops = scx_ops_addr(t, sch);

	t->sched_name[0] = '\0';
	if (ops && len > 1)
		scx_read_str(v, ops + t->lay.ops_name, t->sched_name, len);
}

/* --scx-watchdog: make scheduler sch's watchdog timeout the one wanted (lock held). */
static void scx_watchdog_apply(struct scx_trigger *t, struct vcpu *v, u64 sch)
{
	u64 wa = t->lay.root ? (sch ? sch + t->lay.sch_watchdog : 0) : t->addr.watchdog, cur;

	if (!t->watchdog_ms || !wa || scx_read_u64(v, wa, &cur) < 0)
		return;
	if (!t->watchdog_seen) {
		t->first_jiffies = cur;
		t->watchdog_seen = true;
	}
	if (cur != t->want_jiffies) {
		u8 b[8];

		put_le64(b, t->want_jiffies);
		if (gva_write(v, wa, b, sizeof(b)) == 0)
			t->watchdog_writes++;
		scx_read_u64(v, wa, &cur);
	}
	t->observed_jiffies = cur;
}

/* Bind slot 0 to what *scx_root now is (7.x), on vCPU v's thread. */
static void scx_update(struct scx_trigger *t, struct vcpu *v, u64 now)
{
	u32 kind;
	bool readable;
	enum scx_rebind r;

	pthread_mutex_lock(&t->lock);
	if (t->poll) {
		/* The host refused the watchpoints meanwhile: polling took over. */
		pthread_mutex_unlock(&t->lock);
		return;
	}
	readable = now && scx_read_u32(v, now + t->lay.sch_exit_kind, &kind) == 0;
	r = scx_rebind_step(t->sch, now, readable);
	switch (r) {
	case SCX_UNCHANGED:
		break;
	case SCX_DEFERRED:
		t->deferred++;
		break;
	case SCX_DETACHED:
		scx_read_info(t, v, t->sch);
		debug_watch_set(t->d, WATCH_SLOT_SCHED, 0, WATCH_LOG, "");
		t->sch = 0;
		t->detaches++;
		break;
	case SCX_REBIND:
	case SCX_PUBLISHED:
		if (r == SCX_REBIND) {
			scx_read_info(t, v, t->sch);
			t->rebinds++;
		}
		/* The watch table moves an armed slot in two rounds. */
		debug_watch_set(t->d, WATCH_SLOT_SCHED, now + t->lay.sch_exit_kind, WATCH_DUMP,
				"scx_sched.exit_kind");
		t->sch = now;
		t->attaches++;
		t->t_attach_ns = clock_now_ns();
		scx_read_name(t, v, now);
		scx_watchdog_apply(t, v, now);
		break;
	}
	pthread_mutex_unlock(&t->lock);
}

/*
 * Polling: scheduler sch's exit kind (lock held). late: sch was just
 * unpublished, its memory may already be freed and reused, so a failure
 * counts only if the kind is an error kind the kernel's enum names and its
 * scx_exit_info (another allocation) says the same kind.
 */
static void scx_poll_kind(struct scx_trigger *t, struct vcpu *v, u64 sch, bool late)
{
	u64 ei = 0;
	u32 kind, ei_kind, cpu;

	if ((t->lay.root && !sch) || scx_read_u32(v, scx_kind_addr(t, sch), &kind) < 0)
		return;
	if (kind == SCX_EXIT_DONE && !late) {
		scx_read_info(t, v, sch);
		return;
	}
	if (scx_read_u64(v, scx_info_ptr_addr(t, sch), &ei) < 0)
		ei = 0;
	if (late) {
		/* By now the kind may read DONE; exit_info keeps the one claimed. */
		if (!ei || scx_read_u32(v, ei + t->lay.ei_kind, &ei_kind) < 0 ||
		    ei_kind < SCX_EXIT_ERROR_MIN || !scx_kind_name(&t->lay, ei_kind) ||
		    (kind != ei_kind && kind != SCX_EXIT_DONE))
			return;
		kind = ei_kind;
	}
	if (kind < SCX_EXIT_ERROR_MIN || (t->caught && t->caught_sch == sch))
		return;
	t->failures++;
	t->caught_sch = sch;
	if (t->caught)
		return;
	t->caught = true;
	t->caught_late = late;
	t->kind = kind;
	t->claim_pc = 0;
	t->t_claim_ns = clock_now_ns();
	t->claim_vcpu = UINT32_MAX;
	/* The claiming CPU only as the kernel recorded it (7.x). */
	if (t->lay.ei_has_exit_cpu && ei && scx_read_u32(v, ei + t->lay.ei_exit_cpu, &cpu) == 0)
		t->claim_vcpu = cpu;
	t->msg_read_at_claim = false;
	if (!t->sched_name[0])
		scx_read_name(t, v, sch);
	if (late)
		scx_read_info(t, v, sch);
	t->pending_dump = true;
}

/* The polling fallback's read, on vCPU 0's thread (debug_vcpu_call()). */
static int scx_poll_read(void *ctx, struct vcpu *v)
{
	struct scx_trigger *t = ctx;
	u64 now = 0;
	u32 kind;
	enum scx_rebind r;

	if (!t->poll) {
		/* Watchpoint mode: only the watchdog override is kept here. */
		pthread_mutex_lock(&t->lock);
		scx_watchdog_apply(t, v, t->sch);
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	if (t->lay.root && scx_read_u64(v, t->addr.root, &now) < 0)
		return -EFAULT;
	pthread_mutex_lock(&t->lock);
	if (t->lay.root) {
		bool readable = now && scx_read_u32(v, now + t->lay.sch_exit_kind, &kind) == 0;

		r = scx_rebind_step(t->sch, now, readable);
		if (r == SCX_DEFERRED) {
			t->deferred++;
		} else if (r == SCX_DETACHED || r == SCX_REBIND) {
			/* A failure within the last interval shows only now. */
			scx_poll_kind(t, v, t->sch, true);
			scx_read_info(t, v, t->sch);
			t->detaches++;
			t->rebinds += r == SCX_REBIND;
			t->sch = 0;
		}
		if (r == SCX_PUBLISHED || r == SCX_REBIND) {
			t->sch = now;
			t->attaches++;
			t->t_attach_ns = clock_now_ns();
			scx_read_name(t, v, now);
		}
	}
	scx_watchdog_apply(t, v, t->sch);
	scx_poll_kind(t, v, t->sch, false);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void *scx_poll_main(void *arg)
{
	struct scx_trigger *t = arg;
	struct vm *vm = t->d->vm;

	while (!atomic_load(&t->poll_stop) && !vm_stopping(vm)) {
		struct timespec ts = {0,
				      (t->poll ? SCX_POLL_MS : SCX_WATCHDOG_CHECK_MS) * 1000000L};
		const char *name;
		char tag[64];
		int ret;

		nanosleep(&ts, NULL);
		if (!atomic_load(&vm->t_first_run_ns))
			continue;
		ret = debug_vcpu_call(t->d, 0, scx_poll_read, t, 1000);
		pthread_mutex_lock(&t->lock);
		t->polls++;
		t->poll_failures += ret < 0;
		pthread_mutex_unlock(&t->lock);
		if (ret == -ECANCELED)
			break;
		if (!t->pending_dump)
			continue;
		t->pending_dump = false;
		name = scx_kind_name(&t->lay, t->kind);
		snprintf(tag, sizeof(tag), "scx-%s", name ? name : "exit");
		t->in_claim = true;
		if (debug_freeze_dump_to(t->d, NULL, tag, NULL, t->dump, sizeof(t->dump)) == 0)
			debug_thaw(t->d);
		t->in_claim = false;
	}
	return NULL;
}

static int scx_poll_start(struct scx_trigger *t)
{
	int ret;

	if (t->poll_started)
		return 0;
	ret = pthread_create(&t->poll_thread, NULL, scx_poll_main, t);
	if (ret)
		return error_host(-ret, "sched_ext: cannot start the polling thread");
	t->poll_started = true;
	return 0;
}

/* The host refused KVM_SET_GUEST_DEBUG: give up the slots and poll instead. */
static bool scx_refused(void *ctx, struct vcpu *v, const char *why)
{
	struct scx_trigger *t = ctx;
	struct watch_hw hw;
	u32 mine = 1u << WATCH_SLOT_SCHED | (t->lay.root ? 1u << t->root_slot : 0);
	char msg[200];

	(void)v;
	watch_get(&t->d->watch, &hw);
	if (hw.mask & ~mine)
		return false; /* --watch slots too: the run cannot do without them */
	pthread_mutex_lock(&t->lock);
	if (!t->poll) {
		snprintf(msg, sizeof(msg), "%s", why);
		t->poll = true;
		debug_slot_hook(t->d, WATCH_SLOT_SCHED, NULL, NULL);
		debug_watch_set(t->d, WATCH_SLOT_SCHED, 0, WATCH_LOG, "");
		if (t->lay.root) {
			debug_slot_hook(t->d, t->root_slot, NULL, NULL);
			debug_watch_set(t->d, t->root_slot, 0, WATCH_LOG, "");
		}
		snprintf(t->poll_why, sizeof(t->poll_why), "the host refused the watchpoints: %s",
			 msg);
		error_warn("sched_ext: %s; polling the exit state every %d ms instead", t->poll_why,
			   SCX_POLL_MS);
		if (scx_poll_start(t) < 0)
			error_warn("%s", error_msg());
	}
	pthread_mutex_unlock(&t->lock);
	return true;
}

void scx_trigger_stop(struct scx_trigger *t)
{
	if (!t->poll_started)
		return;
	atomic_store(&t->poll_stop, true);
	pthread_join(t->poll_thread, NULL);
	t->poll_started = false;
}

/* A write to scx_root (7.x). */
static int scx_root_hit(void *ctx, struct vcpu *v, const struct watch_hit *hit, int action)
{
	struct scx_trigger *t = ctx;
	u64 now;

	(void)hit;
	(void)action;
	if (scx_read_u64(v, t->addr.root, &now) < 0) {
		pthread_mutex_lock(&t->lock);
		t->deferred++;
		pthread_mutex_unlock(&t->lock);
		return WATCH_LOG;
	}
	scx_update(t, v, now);
	return WATCH_LOG;
}

/* A write to the exit kind: the filter (>= 1024) made action WATCH_DUMP for a failure. */
static int scx_kind_hit(void *ctx, struct vcpu *v, const struct watch_hit *hit, int action)
{
	struct scx_trigger *t = ctx;
	char tag[64];
	const char *name;
	bool first;
	u64 sch, ei, p;
	int ret;

	pthread_mutex_lock(&t->lock);
	sch = t->sch;
	if (action < WATCH_DUMP) {
		/* DONE: the failed scheduler's message is complete now. */
		if (hit->value_ok && hit->value == SCX_EXIT_DONE)
			scx_read_info(t, v, sch);
		else if (hit->value_ok && hit->value)
			t->clean_exits++;
		pthread_mutex_unlock(&t->lock);
		return WATCH_LOG;
	}
	/*
	 * A failed cmpxchg on x86 writes the old value back: another CPU's
	 * later claim on the same scheduler hits again with the same kind.
	 */
	if (t->caught && t->caught_sch == sch && hit->value == t->kind) {
		pthread_mutex_unlock(&t->lock);
		return WATCH_LOG;
	}
	t->failures++;
	first = !t->caught;
	t->caught_sch = sch;
	if (first) {
		t->caught = true;
		t->info = false;
		t->kind = hit->value;
		t->claim_vcpu = hit->vcpu;
		t->claim_pc = hit->pc;
		t->t_claim_ns = hit->t_ns;
		/* The message as the kernel left it at the claim (it writes it next). */
		t->msg_read_at_claim = false;
		if (scx_read_u64(v, scx_info_ptr_addr(t, sch), &ei) == 0 && ei &&
		    scx_read_u64(v, ei + t->lay.ei_msg, &p) == 0 &&
		    scx_read_str(v, p, t->msg_at_claim, sizeof(t->msg_at_claim)) == 0)
			t->msg_read_at_claim = true;
		if (!t->sched_name[0])
			scx_read_name(t, v, sch);
	}
	pthread_mutex_unlock(&t->lock);
	if (!first)
		return WATCH_LOG;
	name = scx_kind_name(&t->lay, hit->value);
	snprintf(tag, sizeof(tag), "scx-%s", name ? name : "exit");
	t->in_claim = true;
	ret = debug_freeze_dump_to(t->d, v, tag, hit, t->dump, sizeof(t->dump));
	t->in_claim = false;
	/* A freeze the VM's end cancelled is not this one's to thaw (another may hold one). */
	if (ret != -ECANCELED)
		debug_thaw(t->d);
	return WATCH_LOG;
}

static void scx_json_kind(FILE *f, const struct scx_layout *lay, u32 kind)
{
	const char *name = scx_kind_name(lay, kind);

	fprintf(f, "%u, \"exit_kind_name\": ", kind);
	if (name)
		json_string(f, name, strlen(name));
	else
		fprintf(f, "null");
}

/* Each CPU's current task and runqueue length, read with every vCPU frozen. */
static void scx_dump_cpus(FILE *f, struct scx_trigger *t, struct vcpu *self)
{
	const struct scx_layout *l = &t->lay;

	fprintf(f, ", \"cpus\": [");
	for (u32 i = 0; i < t->nr_cpus && i < SCX_DUMP_CPUS_MAX; i++) {
		u64 off, rq, curr;
		u32 nr, pid, scx_nr;
		char comm[64];

		fprintf(f, "%s\n    {\"cpu\": %u", i ? "," : "", i);
		if (scx_read_u64(self, t->addr.pcpu_offset + 8ull * i, &off) < 0) {
			fprintf(f, ", \"error\": \"__per_cpu_offset unreadable\"}");
			continue;
		}
		rq = t->addr.runqueues + off;
		if (scx_read_u32(self, rq + l->rq_nr_running, &nr) == 0)
			fprintf(f, ", \"nr_running\": %u", nr);
		if (l->rq_has_scx && scx_read_u32(self, rq + l->rq_scx_nr_running, &scx_nr) == 0)
			fprintf(f, ", \"scx_nr_running\": %u", scx_nr);
		if (scx_read_u64(self, rq + l->rq_curr, &curr) == 0 && curr &&
		    scx_read_u32(self, curr + l->task_pid, &pid) == 0) {
			fprintf(f, ", \"curr_pid\": %d, \"curr_comm\": ", (s32)pid);
			if (scx_read_str(self, curr + l->task_comm, comm,
					 l->comm_len < sizeof(comm) ? l->comm_len : sizeof(comm)) ==
			    0)
				json_string(f, comm, strlen(comm));
			else
				fprintf(f, "null");
		}
		fputc('}', f);
	}
	fprintf(f, "%s]", t->nr_cpus ? "\n  " : "");
}

/* The dump hook: the scheduler's state, in every dump of a run with the trigger. */
static void scx_dump(void *ctx, FILE *f, struct vcpu *self)
{
	struct scx_trigger *t = ctx;
	u32 kind;
	bool live;

	fprintf(f, ",\n  \"sched_ext\": {\"attached\": %s",
		t->lay.root && !t->sch ? "false" : "true");
	live = scx_read_u32(self, scx_kind_addr(t, t->sch), &kind) == 0;
	if (t->in_claim) {
		fprintf(f, ", \"claim\": true, \"exit_kind\": ");
		scx_json_kind(f, &t->lay, t->kind);
		fprintf(f, ", \"mode\": \"%s\"",
			!t->poll	 ? "watchpoint"
			: t->caught_late ? "poll, after the scheduler left"
					 : "poll");
		if (t->poll)
			fprintf(f, ", \"claim_vcpu\": null, \"claim_pc\": null");
		else
			fprintf(f, ", \"claim_vcpu\": %u, \"claim_pc\": \"0x%llx\"", t->claim_vcpu,
				(unsigned long long)t->claim_pc);
		fprintf(f, ", \"msg_at_freeze\": ");
		if (t->msg_read_at_claim)
			json_string(f, t->msg_at_claim, strlen(t->msg_at_claim));
		else
			fprintf(f, "null");
	} else {
		fprintf(f, ", \"claim\": false");
	}
	if (live) {
		fprintf(f, ", \"exit_kind_now\": ");
		scx_json_kind(f, &t->lay, kind);
	}
	fprintf(f, ", \"scheduler\": ");
	json_string(f, t->sched_name, strlen(t->sched_name));
	if (t->lay.have_rq && t->addr.runqueues && t->addr.pcpu_offset)
		scx_dump_cpus(f, t, self);
	fputc('}', f);
}

int scx_trigger_start(struct scx_trigger *t, struct vm_debug *d, const struct scx_layout *lay,
		      const struct scx_addrs *addr, u32 root_slot, u32 nr_cpus, bool poll,
		      u64 watchdog_ms)
{
	memset(t, 0, sizeof(*t));
	t->d = d;
	t->lay = *lay;
	t->addr = *addr;
	t->root_slot = root_slot;
	t->nr_cpus = nr_cpus;
	t->exit_cpu = -1;
	t->watchdog_ms = watchdog_ms;
	pthread_mutex_init(&t->lock, NULL);
	if (watchdog_ms && !lay->hz)
		return error_input(-ENOENT, "--scx-watchdog: the kernel's HZ is not in its BTF "
					    "(SCX_WATCHDOG_MAX_TIMEOUT)");
	if (watchdog_ms && !lay->root && !addr->watchdog)
		return error_input(
		    -ENOENT, "--scx-watchdog: the guest kernel has no symbol scx_watchdog_timeout");
	/* msecs_to_jiffies(), rounded up as the kernel does. */
	t->want_jiffies = (watchdog_ms * lay->hz + 999) / 1000;
	if (lay->root && !addr->root)
		return error_input(-ENOENT, "sched_ext: the guest kernel has no symbol scx_root");
	if (!lay->root && !addr->exit_kind)
		return error_input(-ENOENT,
				   "sched_ext: the guest kernel has no symbol scx_exit_kind");
	if (poll)
		snprintf(t->poll_why, sizeof(t->poll_why), "KTVM_SCX_POLL=1");
	else if (d->nr_slots <= WATCH_SLOT_SCHED || (lay->root && root_slot >= d->nr_slots))
		snprintf(t->poll_why, sizeof(t->poll_why),
			 "no hardware watchpoint left for it (this host has %u; --watch takes "
			 "slots from 1 on)",
			 d->nr_slots);
	t->poll = t->poll_why[0] != '\0';
	debug_dump_hook(d, scx_dump, t);
	if (t->poll)
		error_warn("sched_ext: polling the exit state every %d ms (%s)", SCX_POLL_MS,
			   t->poll_why);
	if ((t->poll || watchdog_ms) && scx_poll_start(t) < 0)
		return -ENOMEM;
	if (t->poll)
		return 0;
	debug_refused_hook(d, scx_refused, t);
	debug_slot_hook(d, WATCH_SLOT_SCHED, scx_kind_hit, t);
	if (watch_set_filter(&d->watch, WATCH_SLOT_SCHED, WATCH_FILTER_GE, SCX_EXIT_ERROR_MIN) < 0)
		return -EINVAL;
	if (!lay->root)
		return debug_watch_set(d, WATCH_SLOT_SCHED, addr->exit_kind, WATCH_DUMP,
				       "scx_exit_kind");
	debug_slot_hook(d, root_slot, scx_root_hit, t);
	return debug_watch_set(d, root_slot, addr->root, WATCH_LOG, "scx_root");
}

void scx_trigger_destroy(struct scx_trigger *t)
{
	pthread_mutex_destroy(&t->lock);
}

void scx_trigger_json(FILE *f, struct scx_trigger *t, const char *in)
{
	u64 t0 = atomic_load(&t->d->vm->t_first_run_ns);

	pthread_mutex_lock(&t->lock);
	fprintf(f,
		",\n%s\"sched_ext\": {\"trigger\": \"%s\", \"layout\": \"%s\", "
		"\"attaches\": %u, \"rebinds\": %u, \"detaches\": %u, \"deferred\": %u, "
		"\"clean_exits\": %u, \"failures\": %u, \"polls\": %u, \"poll_failures\": %u, "
		"\"scheduler\": ",
		in, t->poll ? "poll" : "watchpoint", t->lay.root ? "scx_root" : "static",
		t->attaches, t->rebinds, t->detaches, t->deferred, t->clean_exits, t->failures,
		t->polls, t->poll_failures);
	json_string(f, t->sched_name, strlen(t->sched_name));
	if (t->poll) {
		fprintf(f, ", \"poll_why\": ");
		json_string(f, t->poll_why, strlen(t->poll_why));
	}
	if (t->watchdog_ms)
		fprintf(f,
			", \"watchdog\": {\"want_ms\": %llu, \"hz\": %u, \"want_jiffies\": %llu, "
			"\"kernel_jiffies\": %llu, \"observed_jiffies\": %llu, \"writes\": %u}",
			(unsigned long long)t->watchdog_ms, t->lay.hz,
			(unsigned long long)t->want_jiffies, (unsigned long long)t->first_jiffies,
			(unsigned long long)t->observed_jiffies, t->watchdog_writes);
	if (t->caught) {
		fprintf(f, ", \"state\": \"failed\", \"seen\": \"%s\", \"exit_kind\": ",
			!t->poll	 ? "at the claim"
			: t->caught_late ? "after the detach"
					 : "while attached");
		scx_json_kind(f, &t->lay, t->kind);
		if (t->claim_vcpu == UINT32_MAX)
			fprintf(f, ", \"cpu\": null");
		else
			fprintf(f, ", \"cpu\": %u", t->claim_vcpu);
		fprintf(f, ", \"claim_pc\": ");
		if (t->poll)
			fprintf(f, "null");
		else
			fprintf(f, "\"0x%llx\"", (unsigned long long)t->claim_pc);
		fprintf(f,
			", \"t_claim_ms\": %.3f, \"dump\": ", (double)(t->t_claim_ns - t0) / 1e6);
		json_string(f, t->dump, strlen(t->dump));
		if (t->info) {
			fprintf(f, ", \"exit_cpu\": %d, \"reason\": ", t->exit_cpu);
			json_string(f, t->reason, strlen(t->reason));
			fprintf(f, ", \"msg\": ");
			json_string(f, t->msg, strlen(t->msg));
			fprintf(f, ", \"bt\": [");
			for (u32 i = 0; i < t->bt_len; i++)
				fprintf(f, "%s\"0x%llx\"", i ? ", " : "",
					(unsigned long long)t->bt[i]);
			fprintf(f, "]");
			fprintf(f, ", \"t_done_ms\": %.3f", (double)(t->t_done_ns - t0) / 1e6);
		}
	} else {
		fprintf(f, ", \"state\": \"%s\"", t->attaches ? "clean" : "never_attached");
	}
	fprintf(f, "}");
	pthread_mutex_unlock(&t->lock);
}

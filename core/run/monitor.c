// SPDX-License-Identifier: GPL-2.0
/* The host-side monitor (monitor.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/base/json.h"
#include "core/debug/debug.h"
#include "core/debug/dump.h"
#include "core/run/monitor.h"
#include "core/vm/topology.h"
#include "core/vm/freeze.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

#define MONITOR_PAGE 4096ULL
/* Beyond these a value read from a runqueue is not a value the kernel keeps: torn. */
#define MONITOR_NR_MAX	   (1u << 22)
#define MONITOR_PID_MAX	   (1 << 22) /* PID_MAX_LIMIT */
#define MONITOR_CAPTURE_MS 2000

/* Guest kernel memory through the captured tables: a page walk per page not yet seen. */
static int monitor_walk_read(void *ctx, u64 gva, void *buf, size_t len)
{
	struct monitor *m = ctx;
	struct gva_reader r = {vm_read_gpa, m->vm};
	u8 *out = buf;

	while (len) {
		u64 page = gva & ~(MONITOR_PAGE - 1), off = gva - page, gpa;
		size_t n = MIN(len, (size_t)(MONITOR_PAGE - off));
		u32 slot = (u32)((page >> 12) % MONITOR_TLB);
		int ret;

		if (m->tlb[slot].gva == page && page) {
			gpa = m->tlb[slot].gpa;
		} else {
			ret = arch_mmu_gva_to_gpa(&m->mmu, page, &r, &gpa);
			m->pages_walked++;
			if (ret < 0)
				return ret;
			m->tlb[slot].gva = page;
			m->tlb[slot].gpa = gpa;
		}
		ret = vm_read_gpa(m->vm, gpa + off, out, n);
		if (ret < 0)
			return ret;
		gva += n;
		out += n;
		len -= n;
	}
	return 0;
}

static int monitor_u64(struct monitor *m, u64 gva, u64 *v)
{
	u8 b[8];
	int ret = m->read(m->read_ctx, gva, b, sizeof(b));

	if (ret == 0)
		*v = get_le64(b);
	return ret;
}

static int monitor_u32(struct monitor *m, u64 gva, u32 *v)
{
	u8 b[4];
	int ret = m->read(m->read_ctx, gva, b, sizeof(b));

	if (ret == 0)
		*v = get_le32(b);
	return ret;
}

/* A field of the rq at rq (0 when this kernel has no such field). */
static int monitor_rq_u32(struct monitor *m, u64 rq, enum monitor_fields f, u32 *v)
{
	const struct monitor_field *fl = &m->cfg.lay.f[f];

	*v = 0;
	return fl->size ? monitor_u32(m, rq + fl->off, v) : 0;
}

int monitor_init(struct monitor *m, const struct monitor_cfg *cfg, u32 nr_cpus, const u64 *pcpu,
		 monitor_read_fn read, void *ctx)
{
	const struct monitor_layout *l = &cfg->lay;

	memset(m, 0, sizeof(*m));
	if (!nr_cpus || nr_cpus > MONITOR_MAX_CPUS)
		return error_input(-EINVAL, "monitor: %u CPUs (1 to %u)", nr_cpus,
				   MONITOR_MAX_CPUS);
	if (!l->f[MF_RQ_CLOCK].size || !l->f[MF_RQ_NR_RUNNING].size || !l->f[MF_RQ_CURR].size ||
	    !l->f[MF_TASK_PID].size || !l->f[MF_TASK_COMM].size)
		return error_input(-EINVAL, "monitor: the layout lacks a field it needs");
	m->cfg = *cfg;
	if (!m->cfg.interval_ms)
		m->cfg.interval_ms = MONITOR_DEFAULT_MS;
	if (!m->cfg.stall_after_ms)
		m->cfg.stall_after_ms = MONITOR_STALL_MS;
	if (cfg->nr_llcs > nr_cpus)
		return error_input(-EINVAL, "monitor: %u LLCs for %u CPUs", cfg->nr_llcs, nr_cpus);
	for (u32 i = 0; i < nr_cpus && cfg->nr_llcs; i++)
		if (cfg->llc_of[i] >= cfg->nr_llcs)
			return error_input(-EINVAL, "monitor: CPU %u in LLC %u of %u", i,
					   cfg->llc_of[i], cfg->nr_llcs);
	m->lane = calloc(nr_cpus, sizeof(*m->lane));
	if (!m->lane)
		return error_host(-ENOMEM, "monitor: out of memory");
	if (cfg->nr_llcs >= 2) {
		m->llc_sum = calloc(cfg->nr_llcs, sizeof(*m->llc_sum));
		m->llc_cnt = calloc(cfg->nr_llcs, sizeof(*m->llc_cnt));
		if (!m->llc_sum || !m->llc_cnt) {
			free(m->lane);
			free(m->llc_sum);
			free(m->llc_cnt);
			m->lane = NULL;
			return error_host(-ENOMEM, "monitor: out of memory");
		}
	}
	m->nr_cpus = nr_cpus;
	for (u32 i = 0; i < nr_cpus; i++) {
		m->lane[i].pcpu = pcpu[i];
		m->lane[i].rq = cfg->runqueues + pcpu[i];
	}
	m->read = read;
	m->read_ctx = ctx;
	m->stride = 1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	return 0;
}

/* Remember pid's name (the newest, as exec renames a task); bounded. */
static void monitor_name(struct monitor *m, s32 pid, const char *comm)
{
	for (u32 i = 0; i < m->nr_tasks; i++)
		if (m->task[i].pid == pid) {
			memcpy(m->task[i].comm, comm, sizeof(m->task[i].comm));
			return;
		}
	if (m->nr_tasks == MONITOR_TASKS) {
		m->tasks_dropped++;
		return;
	}
	m->task[m->nr_tasks].pid = pid;
	memcpy(m->task[m->nr_tasks].comm, comm, sizeof(m->task[0].comm));
	m->nr_tasks++;
}

const char *monitor_comm(const struct monitor *m, s32 pid)
{
	for (u32 i = 0; i < m->nr_tasks; i++)
		if (m->task[i].pid == pid)
			return m->task[i].comm;
	return NULL;
}

/*
 * One CPU now: 1 usable, 0 torn (the task changed while it was read, or a
 * value no kernel keeps), -1 unreadable.
 */
static int monitor_cpu(struct monitor *m, u32 cpu, struct stall_sample *s, u32 *cfs, u32 *scx,
		       u32 *flags)
{
	const struct monitor_layout *l = &m->cfg.lay;
	u64 rq = m->lane[cpu].rq, curr, curr2;
	u32 pid;
	char comm[16];
	u8 raw[16];

	if (monitor_u64(m, rq + l->f[MF_RQ_CLOCK].off, &s->clock) < 0 ||
	    monitor_u32(m, rq + l->f[MF_RQ_NR_RUNNING].off, &s->nr_running) < 0 ||
	    monitor_u64(m, rq + l->f[MF_RQ_CURR].off, &curr) < 0 ||
	    monitor_rq_u32(m, rq, MF_RQ_CFS_NR, cfs) < 0 ||
	    monitor_rq_u32(m, rq, MF_RQ_SCX_NR, scx) < 0 ||
	    monitor_rq_u32(m, rq, MF_RQ_SCX_FLAGS, flags) < 0)
		return -1;
	if (!curr || monitor_u32(m, curr + l->f[MF_TASK_PID].off, &pid) < 0 ||
	    m->read(m->read_ctx, curr + l->f[MF_TASK_COMM].off, raw, sizeof(raw)) < 0)
		return s->nr_running <= MONITOR_NR_MAX && curr ? -1 : 0;
	/* The task may have switched (and even exited) while it was read. */
	if (monitor_u64(m, rq + l->f[MF_RQ_CURR].off, &curr2) < 0 || curr2 != curr ||
	    s->nr_running > MONITOR_NR_MAX || (s32)pid < 0 || (s32)pid > MONITOR_PID_MAX)
		return 0;
	for (size_t i = 0; i < sizeof(comm); i++) {
		u8 c = i < sizeof(comm) - 1 ? raw[i] : 0;

		comm[i] = (char)(c && (c < 0x20 || c > 0x7e) ? '?' : c);
		if (!c) {
			memset(comm + i, 0, sizeof(comm) - i);
			break;
		}
	}
	s->curr_pid = (s32)pid;
	monitor_name(m, (s32)pid, comm);
	return 1;
}

/* Full: drop every other kept sample, keep every 2*stride-th from now on. */
static void monitor_compact(struct monitor *m)
{
	for (u32 i = 0; i < MONITOR_KEEP / 2; i++) {
		m->t_ns[i] = m->t_ns[2 * i];
		for (u32 c = 0; c < m->nr_cpus; c++) {
			struct monitor_lane *ln = &m->lane[c];

			ln->nr[i] = ln->nr[2 * i];
			ln->pid[i] = ln->pid[2 * i];
			ln->cfs[i] = ln->cfs[2 * i];
			ln->scx[i] = ln->scx[2 * i];
		}
	}
	m->kept = MONITOR_KEEP / 2;
	m->stride *= 2;
}

static void monitor_stall_event(struct monitor *m, u32 cpu, int what, const struct stall_event *ev,
				u64 now)
{
	if (what > 0) {
		struct monitor_stall *st;

		if (m->nr_stalls == MONITOR_STALLS) {
			m->stalls_dropped++;
			return;
		}
		st = &m->stall[m->nr_stalls++];
		memset(st, 0, sizeof(*st));
		st->cpu = cpu;
		st->kind = ev->kind;
		st->since_ns = ev->since_ns;
		st->at_ns = now;
		st->pid = m->lane[cpu].last.curr_pid;
		return;
	}
	for (u32 i = m->nr_stalls; i-- > 0;)
		if (m->stall[i].cpu == cpu && !m->stall[i].end_ns) {
			m->stall[i].end_ns = now;
			break;
		}
}

static void monitor_llc_spread(struct monitor *m);

void monitor_sample(struct monitor *m)
{
	u64 now = clock_now_ns();
	bool keep = m->samples % m->stride == 0;
	u32 lo = UINT32_MAX, hi = 0, k;

	pthread_mutex_lock(&m->lock);
	if (keep && m->kept == MONITOR_KEEP) {
		monitor_compact(m);
		keep = m->samples % m->stride == 0;
	}
	k = m->kept;
	for (u32 c = 0; c < m->nr_cpus; c++) {
		struct monitor_lane *ln = &m->lane[c];
		struct stall_sample s = {.t_ns = now, .curr_pid = -1};
		struct stall_event ev;
		u32 cfs = 0, scx = 0, flags = 0;
		int r = monitor_cpu(m, c, &s, &cfs, &scx, &flags), what;

		if (r < 0)
			m->unreadable++;
		else if (r == 0)
			m->torn++;
		s.usable = r > 0;
		if (!s.usable)
			s.curr_pid = -1;
		ln->last = s;
		ln->last_scx_flags = flags;
		if (keep) {
			ln->nr[k] = s.usable ? s.nr_running : 0;
			ln->pid[k] = s.curr_pid;
			ln->cfs[k] = cfs;
			ln->scx[k] = scx;
		}
		if (s.usable) {
			lo = MIN(lo, s.nr_running);
			hi = s.nr_running > hi ? s.nr_running : hi;
			if (m->llc_sum) {
				m->llc_sum[m->cfg.llc_of[c]] += s.nr_running;
				m->llc_cnt[m->cfg.llc_of[c]]++;
			}
		}
		what = stall_feed(&ln->st, &s, m->cfg.stall_after_ms * 1000000ULL, &ev);
		if (what)
			monitor_stall_event(m, c, what, &ev, now);
	}
	if (keep) {
		m->t_ns[k] = now;
		m->kept++;
	}
	if (lo != UINT32_MAX) {
		m->spread_sum += hi - lo;
		m->spread_n++;
		if (hi - lo > m->spread_max)
			m->spread_max = hi - lo;
	}
	monitor_llc_spread(m);
	if (!m->first_ns)
		m->first_ns = now;
	m->samples++;
	pthread_mutex_unlock(&m->lock);
}

/* After a sample: how far apart the LLCs' mean loads were (LLCs with a usable CPU). */
static void monitor_llc_spread(struct monitor *m)
{
	double lo = 0, hi = 0;
	u32 n = 0;

	if (!m->llc_sum)
		return;
	for (u32 l = 0; l < m->cfg.nr_llcs; l++) {
		double mean;

		if (!m->llc_cnt[l])
			continue;
		mean = (double)m->llc_sum[l] / m->llc_cnt[l];
		lo = n && lo < mean ? lo : mean;
		hi = n && hi > mean ? hi : mean;
		n++;
		m->llc_sum[l] = 0;
		m->llc_cnt[l] = 0;
	}
	if (n < 2)
		return;
	m->llc_spread_sum += hi - lo;
	m->llc_spread_n++;
	if (hi - lo > m->llc_spread_max)
		m->llc_spread_max = hi - lo;
}

/* New stalls get a dump (the vCPUs frozen, then thawed): the guest as it hangs. */
static void monitor_dump_stalls(struct monitor *m, u32 *dumped)
{
	for (; *dumped < m->nr_stalls; (*dumped)++) {
		struct monitor_stall *st = &m->stall[*dumped];
		char tag[48], path[sizeof(st->dump)];

		if (!m->cfg.dump || !m->dbg || dump_refused(m->dbg))
			continue;
		snprintf(tag, sizeof(tag), "stall-cpu%u", st->cpu);
		if (debug_freeze_dump_to(m->dbg, NULL, tag, NULL, path, sizeof(path)) == -ECANCELED)
			return;
		debug_thaw(m->dbg);
		pthread_mutex_lock(&m->lock);
		snprintf(st->dump, sizeof(st->dump), "%s", path);
		pthread_mutex_unlock(&m->lock);
	}
}

static void monitor_dump(void *ctx, FILE *f, struct vcpu *self);

static u64 monitor_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static void *monitor_thread(void *arg)
{
	struct monitor *m = arg;
	struct freeze *fz = &m->vm->freeze;
	u64 next = clock_now_ns(), now;
	u32 dumped = 0;

	pthread_mutex_lock(&fz->lock);
	m->freezes_seen = fz->freezes;
	pthread_mutex_unlock(&fz->lock);
	while (!atomic_load(&m->stop)) {
		struct timespec ts;
		bool froze;

		pthread_mutex_lock(&fz->lock);
		froze = fz->holders || fz->freezes != m->freezes_seen;
		m->freezes_seen = fz->freezes;
		pthread_mutex_unlock(&fz->lock);
		/*
		 * A frozen or ending guest does not schedule: no sample. After a
		 * freeze (a dump: another's or this monitor's, even one between
		 * two samples) the stall runs start over: host time passed
		 * without guest time.
		 */
		if (froze || vm_stopping(m->vm)) {
			pthread_mutex_lock(&m->lock);
			m->paused++;
			for (u32 c = 0; c < m->nr_cpus; c++)
				m->lane[c].st.have = false;
			pthread_mutex_unlock(&m->lock);
		} else {
			monitor_sample(m);
			monitor_dump_stalls(m, &dumped);
		}
		pthread_mutex_lock(&m->lock);
		m->cpu_ns = monitor_thread_cpu_ns();
		pthread_mutex_unlock(&m->lock);
		next += m->cfg.interval_ms * 1000000ULL;
		/* One reading of the clock: behind (a freeze, a slow host), the next sample now. */
		now = clock_now_ns();
		if (next < now)
			next = now;
		ts = clock_realtime_after_ms((next - now) / 1000000ULL);
		pthread_mutex_lock(&m->lock);
		if (!atomic_load(&m->stop))
			pthread_cond_timedwait(&m->cond, &m->lock, &ts);
		pthread_mutex_unlock(&m->lock);
	}
	return NULL;
}

struct monitor_capture {
	struct arch_mmu mmu;
	u64 pcpu;
};

static int monitor_capture_fn(void *ctx, struct vcpu *vcpu)
{
	struct monitor_capture *c = ctx;

	return arch_vcpu_mmu(vcpu, &c->mmu, &c->pcpu);
}

int monitor_start(struct monitor *m, struct vm *vm, struct vm_debug *dbg,
		  const struct monitor_cfg *cfg)
{
	u32 n = vm->cfg.nr_cpus;
	u64 *pcpu = calloc(n, sizeof(*pcpu));
	struct gva_reader r = {vm_read_gpa, vm};
	struct monitor_capture cap;
	struct arch_mmu mmu0;
	bool own_root = false;
	int ret = pcpu ? 0 : error_host(-ENOMEM, "monitor: out of memory");

	for (u32 i = 0; i < n && !ret; i++) {
		u64 root;

		ret = debug_vcpu_call(dbg, i, monitor_capture_fn, &cap, MONITOR_CAPTURE_MS);
		if (ret == -ETIMEDOUT)
			ret = error_host(ret, "monitor: vCPU %u did not answer within %u ms", i,
					 MONITOR_CAPTURE_MS);
		if (ret)
			break;
		pcpu[i] = cap.pcpu;
		if (i == 0)
			mmu0 = cap.mmu;
		/*
		 * Walk from the kernel's own table, found through the first
		 * capture whose tables map it (one taken in user mode under
		 * PTI/KPTI may not): a process's tables go when it exits.
		 */
		if (!own_root && cfg->kernel_pgd &&
		    arch_mmu_gva_to_gpa(&cap.mmu, cfg->kernel_pgd, &r, &root) == 0) {
			mmu0 = cap.mmu;
			arch_mmu_kernel_root(&mmu0, root);
			own_root = true;
		}
	}
	if (!ret) {
		/* cfg with the LLC of each CPU, for the imbalance across LLCs */
		struct monitor_cfg c = *cfg;

		c.nr_llcs = vm->topo.llcs > 1 && vm->topo.llcs <= n ? vm->topo.llcs : 0;
		for (u32 i = 0; i < n && c.nr_llcs; i++) {
			struct topo_cpu tc;

			topology_cpu(&vm->topo, i, &tc);
			c.llc_of[i] = (u16)tc.llc;
		}
		ret = monitor_init(m, &c, n, pcpu, monitor_walk_read, m);
		m->mmu = mmu0;
		m->own_root = own_root;
	}
	free(pcpu);
	if (ret < 0)
		return ret;
	m->vm = vm;
	m->dbg = dbg;
	/* Each per-CPU offset must lead to that CPU's runqueue (rq->cpu), else nothing is right. */
	for (u32 i = 0; i < n && m->cfg.lay.f[MF_RQ_CPU].size; i++) {
		u32 cpu;

		if (monitor_rq_u32(m, m->lane[i].rq, MF_RQ_CPU, &cpu) < 0 || cpu != i) {
			ret = error_host(-EIO,
					 "monitor: CPU %u's runqueue is not at 0x%llx (runqueues "
					 "0x%llx + per-CPU offset 0x%llx)",
					 i, (unsigned long long)m->lane[i].rq,
					 (unsigned long long)cfg->runqueues,
					 (unsigned long long)m->lane[i].pcpu);
			monitor_destroy(m);
			return ret;
		}
	}
	if (debug_dump_hook(dbg, monitor_dump, m) < 0)
		error_warn("monitor: no room for its part of the dumps");
	ret = pthread_create(&m->thread, NULL, monitor_thread, m);
	if (ret) {
		monitor_destroy(m);
		return error_host(-ret, "monitor: cannot start its thread: %s", strerror(ret));
	}
	m->started = true;
	atomic_store(&m->live, true);
	return 0;
}

void monitor_stop(struct monitor *m)
{
	if (!m->started)
		return;
	pthread_mutex_lock(&m->lock);
	atomic_store(&m->stop, true);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	m->started = false;
}

void monitor_destroy(struct monitor *m)
{
	if (!m->lane)
		return;
	/* The dump hook stays registered with the debugger: it looks at live first. */
	atomic_store(&m->live, false);
	monitor_stop(m);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m->lane);
	m->lane = NULL;
	free(m->llc_sum);
	free(m->llc_cnt);
	m->llc_sum = NULL;
	m->llc_cnt = NULL;
}

static double monitor_ms(const struct monitor *m, u64 t_ns)
{
	return t_ns > m->cfg.origin_ns ? (double)(t_ns - m->cfg.origin_ns) / 1e6 : 0.0;
}

static void monitor_json_u32s(FILE *f, const char *name, const u32 *v, u32 n)
{
	fprintf(f, ", \"%s\": [", name);
	for (u32 i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? "," : "", v[i]);
	fputc(']', f);
}

void monitor_json(FILE *f, struct monitor *m, u64 sys_rdy_ns)
{
	const struct monitor_layout *l = &m->cfg.lay;

	pthread_mutex_lock(&m->lock);
	fprintf(f,
		",\n  \"monitor\": {\"interval_ms\": %llu, \"stall_after_ms\": %llu, \"cpus\": %u, "
		"\"samples\": %llu, \"kept\": %u, \"stride\": %u, \"torn\": %llu, "
		"\"own_root\": %s, \"unreadable\": %llu, \"paused\": %llu, \"pages_walked\": %llu, "
		"\"host_cpu_ms\": "
		"%.3f, "
		"\"first_sample_ms\": %.3f",
		(unsigned long long)m->cfg.interval_ms, (unsigned long long)m->cfg.stall_after_ms,
		m->nr_cpus, (unsigned long long)m->samples, m->kept, m->stride,
		(unsigned long long)m->torn, m->own_root ? "true" : "false",
		(unsigned long long)m->unreadable, (unsigned long long)m->paused,
		(unsigned long long)m->pages_walked, (double)m->cpu_ns / 1e6,
		m->first_ns ? monitor_ms(m, m->first_ns) : 0.0);
	/* how long after init said it was up (SYS_RDY) the monitor saw the guest */
	if (m->first_ns && sys_rdy_ns)
		fprintf(f, ", \"first_after_sys_rdy_ms\": %.3f",
			monitor_ms(m, m->first_ns) - (double)sys_rdy_ns / 1e6);
	else
		fprintf(f, ", \"first_after_sys_rdy_ms\": null");
	fprintf(f, ", \"btf\": ");
	json_string(f, m->cfg.btf_from ? m->cfg.btf_from : "kernel",
		    strlen(m->cfg.btf_from ? m->cfg.btf_from : "kernel"));
	fprintf(f, ", \"symbols\": ");
	json_string(f, m->cfg.syms_from ? m->cfg.syms_from : "guest",
		    strlen(m->cfg.syms_from ? m->cfg.syms_from : "guest"));
	/* The fields this kernel does not have: reported, not guessed. */
	fprintf(f, ",\n    \"absent\": [");
	for (int i = 0, n = 0; i < MF_COUNT; i++)
		if (!l->f[i].size)
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", monitor_field_name(i));
	fprintf(f, "],\n    \"t_ms\": [");
	for (u32 i = 0; i < m->kept; i++)
		fprintf(f, "%s%.1f", i ? "," : "", monitor_ms(m, m->t_ns[i]));
	fprintf(f, "],\n    \"lanes\": [");
	for (u32 c = 0; c < m->nr_cpus; c++) {
		const struct monitor_lane *ln = &m->lane[c];

		fprintf(f, "%s\n      {\"cpu\": %u, \"rq\": \"0x%llx\"", c ? "," : "", c,
			(unsigned long long)ln->rq);
		monitor_json_u32s(f, "nr_running", ln->nr, m->kept);
		fprintf(f, ", \"curr_pid\": [");
		for (u32 i = 0; i < m->kept; i++)
			fprintf(f, "%s%d", i ? "," : "", ln->pid[i]);
		fputc(']', f);
		if (l->f[MF_RQ_CFS_NR].size)
			monitor_json_u32s(f, "cfs_nr_running", ln->cfs, m->kept);
		if (l->f[MF_RQ_SCX_NR].size)
			monitor_json_u32s(f, "scx_nr_running", ln->scx, m->kept);
		fputc('}', f);
	}
	fprintf(f, "],\n    \"tasks\": {");
	for (u32 i = 0; i < m->nr_tasks; i++) {
		fprintf(f, "%s\"%d\": ", i ? ", " : "", m->task[i].pid);
		json_string(f, m->task[i].comm, strnlen(m->task[i].comm, sizeof(m->task[i].comm)));
	}
	fprintf(f, "}, \"tasks_dropped\": %llu,\n    \"stalls\": [",
		(unsigned long long)m->tasks_dropped);
	for (u32 i = 0; i < m->nr_stalls; i++) {
		const struct monitor_stall *st = &m->stall[i];
		const char *comm = monitor_comm(m, st->pid);

		fprintf(f,
			"%s{\"cpu\": %u, \"kind\": \"%s\", \"since_ms\": %.1f, \"at_ms\": %.1f, "
			"\"end_ms\": ",
			i ? ", " : "", st->cpu, stall_kind_name(st->kind),
			monitor_ms(m, st->since_ns), monitor_ms(m, st->at_ns));
		if (st->end_ns)
			fprintf(f, "%.1f", monitor_ms(m, st->end_ns));
		else
			fprintf(f, "null");
		fprintf(f, ", \"pid\": %d, \"comm\": ", st->pid);
		if (comm)
			json_string(f, comm, strnlen(comm, 16));
		else
			fprintf(f, "null");
		fprintf(f, ", \"dump\": ");
		if (st->dump[0])
			json_string(f, st->dump, strlen(st->dump));
		else
			fprintf(f, "null");
		fputc('}', f);
	}
	fprintf(f,
		"], \"stalls_dropped\": %llu,\n    \"imbalance\": {\"mean_spread\": %.3f, "
		"\"max_spread\": %u",
		(unsigned long long)m->stalls_dropped,
		m->spread_n ? (double)m->spread_sum / (double)m->spread_n : 0.0, m->spread_max);
	/* across LLCs: their CPUs' mean nr_running, max minus min, per sample */
	fprintf(f, ", \"llcs\": %u", m->cfg.nr_llcs);
	if (m->llc_spread_n)
		fprintf(f, ", \"llc_mean_spread\": %.3f, \"llc_max_spread\": %.3f}",
			m->llc_spread_sum / (double)m->llc_spread_n, m->llc_spread_max);
	else
		fprintf(f, ", \"llc_mean_spread\": null, \"llc_max_spread\": null}");
	if (m->error[0]) {
		fprintf(f, ", \"error\": ");
		json_string(f, m->error, strlen(m->error));
	}
	fputc('}', f);
	pthread_mutex_unlock(&m->lock);
}

void monitor_summary(struct monitor *m, char *buf, size_t size)
{
	int n;

	pthread_mutex_lock(&m->lock);
	n = snprintf(buf, size,
		     "monitor: %llu samples of %u CPUs every %llu ms, %llu torn, %llu unreadable; ",
		     (unsigned long long)m->samples, m->nr_cpus,
		     (unsigned long long)m->cfg.interval_ms, (unsigned long long)m->torn,
		     (unsigned long long)m->unreadable);
	if (n < 0 || (size_t)n >= size) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	if (!m->nr_stalls) {
		snprintf(buf + n, size - (size_t)n, "no stall");
	} else {
		const struct monitor_stall *st = &m->stall[0];
		const char *comm = monitor_comm(m, st->pid);

		snprintf(buf + n, size - (size_t)n,
			 "%u stall%s, the first on cpu %u (%s: %s %d \"%s\") since %.3f s",
			 m->nr_stalls, m->nr_stalls == 1 ? "" : "s", st->cpu,
			 stall_kind_name(st->kind), st->kind == STALL_CURR ? "kept by" : "curr",
			 st->pid, comm ? comm : "?", monitor_ms(m, st->since_ns) / 1000.0);
	}
	pthread_mutex_unlock(&m->lock);
}

/* The dump hook: each CPU's newest sample and the stalls so far, in every dump. */
static void monitor_dump(void *ctx, FILE *f, struct vcpu *self)
{
	struct monitor *m = ctx;

	if (!atomic_load(&m->live))
		return;
	pthread_mutex_lock(&m->lock);
	fprintf(f, ",\n  \"monitor\": {\"samples\": %llu, \"cpus\": [",
		(unsigned long long)m->samples);
	for (u32 c = 0; c < m->nr_cpus; c++) {
		const struct stall_sample *s = &m->lane[c].last;
		const char *comm = monitor_comm(m, s->curr_pid);

		fprintf(f,
			"%s\n    {\"cpu\": %u, \"t_ms\": %.1f, \"usable\": %s, \"clock\": %llu, "
			"\"nr_running\": %u, \"curr_pid\": %d, \"curr_comm\": ",
			c ? "," : "", c, monitor_ms(m, s->t_ns), s->usable ? "true" : "false",
			(unsigned long long)s->clock, s->nr_running, s->curr_pid);
		if (comm && s->usable)
			json_string(f, comm, strnlen(comm, 16));
		else
			fprintf(f, "null");
		fprintf(f, ", \"stall\": \"%s\"}", stall_kind_name(m->lane[c].st.now));
	}
	fprintf(f, "]}");
	pthread_mutex_unlock(&m->lock);
}

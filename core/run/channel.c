// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/run/channel.h"
#include "core/base/clock.h"
#include "core/vm/ioloop.h"
#include "core/base/json.h"

/*
 * Off the I/O thread (the final drain, after the vCPUs stopped: nothing
 * would interrupt a write there), a stdout or stderr that takes nothing
 * for this long is given up: the rest is dropped and counted, so a reader
 * that stopped reading cannot hold ktvm past its --timeout.
 */
#define CHANNEL_DRAIN_WAIT_MS 2000

static void channel_relay(struct channel_relay *r, const u8 *p, u32 len)
{
	bool bounded = !ioloop_on_thread();

	r->bytes += len;
	if (r->fd < 0 && !r->error)
		return; /* not relayed at all: counted, not dropped */
	while (len > 0 && r->fd >= 0) {
		size_t chunk = len;
		ssize_t n;

		if (bounded) {
			struct pollfd pfd = {.fd = r->fd, .events = POLLOUT};
			int pr = poll(&pfd, 1, CHANNEL_DRAIN_WAIT_MS);

			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0) {
				r->error = ETIMEDOUT;
				r->fd = -1;
				break;
			}
			/* Writable means room for PIPE_BUF bytes: no more, so the write cannot block. */
			chunk = MIN(chunk, (size_t)PIPE_BUF);
		}
		n = write(r->fd, p, chunk);

		if (n < 0 && errno == EINTR && !ioloop_current_stopping())
			continue;
		if (n <= 0) {
			/* A closed stdout ends the relay, not the run. */
			r->error = n < 0 ? errno : EIO;
			r->fd = -1;
			break;
		}
		p += n;
		len -= (u32)n;
	}
	r->dropped += len;
}

static void channel_event_add(struct channel *c, u32 phase, const char *reason, size_t len)
{
	struct channel_event *e;

	if (phase == WIRE_PHASE_FAILED && !c->failed) {
		e = &c->failure;
		c->failed = true;
		goto fill;
	}
	if (c->nr_events == CHANNEL_MAX_EVENTS) {
		c->events_dropped++;
		return;
	}
	e = &c->events[c->nr_events++];
fill:
	e->phase = phase;
	e->t_ns = clock_now_ns() - c->t_origin_ns;
	len = MIN(len, (size_t)WIRE_REASON_MAX);
	memcpy(e->reason, reason, len);
	e->reason[len] = '\0';
	/* The failure is also part of the log, in order. */
	if (e == &c->failure && c->nr_events < CHANNEL_MAX_EVENTS)
		c->events[c->nr_events++] = *e;
	else if (e == &c->failure)
		c->events_dropped++;
}

/* One complete line of the scheduler's output (without its newline): relayed tagged. */
static void channel_sched_line(struct channel_sched *s, const char *p, size_t len)
{
	char line[CHANNEL_SCHED_LINE_MAX + 24];
	int n = snprintf(line, sizeof(line), "ktvm: sched: %.*s\n", (int)len, p);

	channel_relay(&s->log, (const u8 *)line, (u32)MIN((size_t)n, sizeof(line) - 1));
}

/* SCHED_LOG: kept (up to a cap) and relayed a line at a time. */
static void channel_sched_log(struct channel_sched *s, const u8 *p, u32 len)
{
	size_t keep = MIN((size_t)len, CHANNEL_SCHED_LOG_MAX - s->text_len);

	s->bytes += len;
	memcpy(s->text + s->text_len, p, keep);
	s->text_len += keep;
	s->text[s->text_len] = '\0';
	for (u32 i = 0; i < len; i++) {
		if (p[i] == '\n' || s->line_len == sizeof(s->line)) {
			channel_sched_line(s, s->line, s->line_len);
			s->line_len = 0;
			if (p[i] == '\n')
				continue;
		}
		s->line[s->line_len++] = (char)p[i];
	}
}

/* The scheduler's lifecycle phases (guest/sched.h). */
static void channel_sched_phase(struct channel *c, const struct wire_lifecycle *lc)
{
	struct channel_sched *s = &c->sched;
	u64 now = clock_now_ns() - c->t_origin_ns;
	size_t n = MIN(lc->reason_len, (size_t)WIRE_REASON_MAX);
	char *dst;

	switch (lc->phase) {
	case WIRE_PHASE_SCHED_STARTING:
		s->started = true;
		s->started_ns = now;
		dst = s->path;
		break;
	case WIRE_PHASE_SCHED_READY:
		s->attached = true;
		s->attached_ns = now;
		dst = s->ops;
		break;
	case WIRE_PHASE_SCHED_DONE:
		s->detached = true;
		s->detached_ns = now;
		dst = s->detach;
		break;
	default:
		return;
	}
	memcpy(dst, lc->reason, n);
	dst[n] = '\0';
	/* SCHED_READY: "OPS switch_all=S" (guest/sched.h). */
	if (dst == s->ops) {
		char *sw = strstr(s->ops, " switch_all=");

		s->switch_all = -1;
		if (sw) {
			if (!strcmp(sw + 12, "1") || !strcmp(sw + 12, "0"))
				s->switch_all = sw[12] - '0';
			*sw = '\0';
		}
	}
}

/* Any SCHED_EXIT, from init or from the payload, is a scheduler failure; the first is kept. */
static void channel_sched_exit(struct channel *c, const u8 *payload, u32 len)
{
	struct channel_sched *s = &c->sched;
	struct wire_sched_exit se;

	if (s->failed)
		return;
	s->failed = true;
	if (wire_sched_exit_parse(&se, payload, len) < 0) {
		c->malformed++;
		s->stage = 0;
		snprintf(s->reason, sizeof(s->reason), "a SCHED_EXIT frame (%u bytes) said so",
			 len);
		return;
	}
	s->stage = se.stage;
	snprintf(s->reason, sizeof(s->reason), "%s", se.reason);
}

static void channel_btf_fail(struct channel_btf *b, const char *why, size_t len)
{
	b->state = CHANNEL_BTF_FAILED;
	free(b->buf);
	b->buf = NULL;
	b->cap = b->got = 0;
	if (len > sizeof(b->why) - 1)
		len = sizeof(b->why) - 1;
	memcpy(b->why, why, len);
	b->why[len] = '\0';
}

/* One BTF frame: in order, the same total each time, never past it. */
static void channel_btf_frame(struct channel *c, const u8 *payload, u32 len)
{
	struct channel_btf *b = &c->btf;
	struct wire_btf f;
	static const char bad[] = "a malformed BTF frame", order[] = "BTF frames out of order";

	if (!b->want || b->sealed || b->state == CHANNEL_BTF_DONE ||
	    b->state == CHANNEL_BTF_FAILED)
		return; /* not asked for, or settled: counted by the stream only */
	if (wire_btf_parse(&f, payload, len) < 0) {
		c->malformed++;
		channel_btf_fail(b, bad, sizeof(bad) - 1);
		return;
	}
	if (!f.total) {
		/* the guest's reason, as text on one line */
		char why[WIRE_REASON_MAX + 1];
		size_t n = f.len;

		memcpy(why, f.data, n);
		/* unsigned: the same bytes are replaced whatever char's sign (0x9b is CSI) */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] >= 0x7f)
				why[i] = '?';
		if (!n) {
			static const char none[] = "the guest sent no reason";

			n = sizeof(none) - 1;
			memcpy(why, none, n);
		}
		channel_btf_fail(b, why, n);
		return;
	}
	if ((b->state == CHANNEL_BTF_PARTIAL && f.total != b->total) || f.offset != b->got) {
		channel_btf_fail(b, order, sizeof(order) - 1);
		return;
	}
	b->total = f.total;
	if (f.len > b->cap - b->got) {
		u64 want = (u64)b->got + f.len;
		u32 cap = b->cap ? b->cap : WIRE_BTF_CHUNK;
		u8 *nb;

		while (cap < want)
			cap = cap > f.total / 2 ? f.total : cap * 2;
		if (cap > f.total)
			cap = f.total;
		nb = realloc(b->buf, cap);
		if (!nb) {
			static const char nomem[] = "out of memory for the guest's BTF";

			channel_btf_fail(b, nomem, sizeof(nomem) - 1);
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->got, f.data, f.len);
	b->got += (u32)f.len;
	b->state = b->got == b->total ? CHANNEL_BTF_DONE : CHANNEL_BTF_PARTIAL;
}

int channel_btf_get(const struct channel *c, const u8 **buf, size_t *len, const char **why)
{
	const struct channel_btf *b = &c->btf;

	switch (b->state) {
	case CHANNEL_BTF_DONE:
		*buf = b->buf;
		*len = b->got;
		return 0;
	case CHANNEL_BTF_FAILED:
		*why = b->why;
		return -ENOENT;
	case CHANNEL_BTF_PARTIAL:
		*why = "the guest's BTF arrived only in part";
		return -ENOENT;
	default:
		*why = "the guest sent no BTF";
		return -ENOENT;
	}
}

/* BOOT_TIMES: the points this host knows, the first value of each. */
static void channel_boot_times(struct channel *c, const u8 *payload, u32 len)
{
	struct wire_boot_time t[WIRE_BOOT_TIMES_MAX];
	struct channel_gclock *g = &c->gclock;
	u32 n;

	if (wire_boot_times_parse(t, WIRE_BOOT_TIMES_MAX, &n, payload, len) < 0) {
		c->malformed++;
		return;
	}
	for (u32 i = 0; i < n; i++) {
		if (!wire_boot_point_name(t[i].point)) {
			g->unknown++;
		} else if (!channel_gclock_has(g, t[i].point)) {
			g->have |= 1u << t[i].point;
			g->ns[t[i].point] = t[i].ns;
		}
	}
}

bool channel_gclock_in_order(const struct channel_gclock *g)
{
	u64 last = 0;

	for (u32 p = 1; p < WIRE_BOOT_NR; p++) {
		if (!channel_gclock_has(g, p))
			continue;
		if (g->ns[p] < last)
			return false;
		last = g->ns[p];
	}
	return true;
}

static void channel_frame(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct channel *c = ctx;
	struct wire_lifecycle lc;
	s32 status;

	switch (type) {
	case WIRE_STDOUT:
		c->stdout_last_ns = clock_now_ns() - c->t_origin_ns;
		if (!c->stdout_first_ns)
			c->stdout_first_ns = c->stdout_last_ns;
		channel_relay(&c->out, payload, len);
		break;
	case WIRE_STDERR:
		channel_relay(&c->err, payload, len);
		break;
	case WIRE_SYS_RDY:
		if (len)
			c->malformed++;
		else if (!c->sys_rdy) {
			c->sys_rdy = true;
			c->sys_rdy_ns = clock_now_ns() - c->t_origin_ns;
		}
		break;
	case WIRE_EXIT:
		if (wire_exit_parse(&status, payload, len) < 0)
			c->malformed++;
		else if (!c->have_exit) {
			c->have_exit = true;
			c->exit_status = status;
			c->exit_ns = clock_now_ns() - c->t_origin_ns;
		}
		break;
	case WIRE_KERN_ADDRS: {
		struct wire_kern_addrs ka;

		/* init sends one, before SYS_RDY; a later one changes nothing */
		if (wire_kern_addrs_parse(&ka, payload, len) < 0)
			c->malformed++;
		else if (!c->have_kern_addrs) {
			c->kern_addrs = ka;
			c->have_kern_addrs = true;
		}
		break;
	}
	case WIRE_BOOT_TIMES:
		channel_boot_times(c, payload, len);
		break;
	case WIRE_LIFECYCLE:
		if (wire_lifecycle_parse(&lc, payload, len) < 0)
			c->malformed++;
		else {
			channel_event_add(c, lc.phase, lc.reason, lc.reason_len);
			channel_sched_phase(c, &lc);
		}
		break;
	case WIRE_SCHED_LOG:
		channel_sched_log(&c->sched, payload, len);
		break;
	case WIRE_SCHED_EXIT:
		channel_sched_exit(c, payload, len);
		break;
	case WIRE_BTF:
		channel_btf_frame(c, payload, len);
		break;
	case WIRE_KSYMS:
		/* the agent's thread may read the BTF from now on: it changes no more */
		c->btf.sealed = true;
		/* fall through */
	case WIRE_SNAPSHOT_REQUEST:
		/* Requests: handed on (core/run/agent.h), which parses and answers them. */
		if (c->request)
			c->request(c->request_ctx, type, payload, len);
		break;
	default:
		break; /* counted by the stream; acted on by later ktvm features */
	}
}

int channel_init(struct channel *c, int out_fd, int err_fd, u64 t_origin_ns)
{
	memset(c, 0, sizeof(*c));
	c->t_origin_ns = t_origin_ns;
	c->out.fd = out_fd;
	c->err.fd = err_fd;
	c->sched.log.fd = err_fd;
	return wire_stream_init(&c->ws, WIRE_STREAM_CAP_DEFAULT, channel_frame, c);
}

void channel_destroy(struct channel *c)
{
	wire_stream_destroy(&c->ws);
	free(c->btf.buf);
	c->btf.buf = NULL;
}

void channel_feed(void *ctx, const u8 *data, size_t len)
{
	struct channel *c = ctx;

	wire_stream_feed(&c->ws, data, len);
}

void channel_end(struct channel *c)
{
	if (!c->ended)
		wire_stream_end(&c->ws);
	if (!c->ended && c->sched.line_len) {
		channel_sched_line(&c->sched, c->sched.line, c->sched.line_len);
		c->sched.line_len = 0;
	}
	c->ended = true;
}

const struct wire_stream_stats *channel_stats(const struct channel *c)
{
	return &c->ws.st;
}

static void channel_json_event(FILE *f, const struct channel_event *e)
{
	const char *name = wire_phase_name(e->phase);

	fprintf(f, "{\"phase\": ");
	json_string(f, name, strlen(name));
	fprintf(f, ", \"t_ms\": %llu, \"reason\": ", (unsigned long long)(e->t_ns / 1000000));
	json_string(f, e->reason, strlen(e->reason));
	fprintf(f, "}");
}

static const char *channel_sched_stage(u32 stage)
{
	return stage == WIRE_SCHED_ATTACH ? "attach" : stage == WIRE_SCHED_RUN ? "run" : "unknown";
}

static void channel_sched_json(FILE *f, const struct channel_sched *s)
{
	if (!s->started && !s->failed) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"path\": ");
	json_string(f, s->path, strlen(s->path));
	fprintf(f, ", \"attached\": %s, \"ops\": ", s->attached ? "true" : "false");
	json_string(f, s->ops, strlen(s->ops));
	if (s->attached)
		fprintf(f, ", \"attach_ms\": %llu, \"attached_ms\": %llu",
			(unsigned long long)((s->attached_ns - s->started_ns) / 1000000),
			(unsigned long long)(s->attached_ns / 1000000));
	if (s->attached && s->switch_all >= 0)
		fprintf(f, ", \"switch_all\": %s", s->switch_all ? "true" : "false");
	else if (s->attached)
		fprintf(f, ", \"switch_all\": null");
	fprintf(f, ", \"detached\": %s", s->detached ? "true" : "false");
	if (s->detached) {
		fprintf(f, ", \"detached_ms\": %llu, \"detach\": ",
			(unsigned long long)(s->detached_ns / 1000000));
		json_string(f, s->detach, strlen(s->detach));
	}
	fprintf(f, ", \"failure\": ");
	if (s->failed) {
		fprintf(f, "{\"stage\": \"%s\", \"reason\": ", channel_sched_stage(s->stage));
		json_string(f, s->reason, strlen(s->reason));
		fprintf(f, "}");
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ", \"log_bytes\": %llu, \"log\": ", (unsigned long long)s->bytes);
	json_string(f, s->text, s->text_len);
	fprintf(f, "}");
}

void channel_write_json(FILE *f, const struct channel *c, const char *in)
{
	const struct wire_stream_stats *st = &c->ws.st;
	u32 t;

	fprintf(f, "{\n%s  \"sys_rdy\": %s", in, c->sys_rdy ? "true" : "false");
	fprintf(f, ",\n%s  \"sys_rdy_ms\": %llu", in,
		(unsigned long long)(c->sys_rdy_ns / 1000000));
	if (c->have_exit)
		fprintf(f, ",\n%s  \"exit_status\": %d, \"exit_ms\": %llu", in, c->exit_status,
			(unsigned long long)(c->exit_ns / 1000000));
	else
		fprintf(f, ",\n%s  \"exit_status\": null, \"exit_ms\": null", in);
	if (c->have_kern_addrs) {
		const char *sep = "";

		/* only the values init could read: a missing one is absent, never 0 */
		fprintf(f, ",\n%s  \"kern_addrs\": {", in);
		for (unsigned int i = 0; i < WIRE_KA_NR; i++) {
			if (!(c->kern_addrs.known & 1u << i))
				continue;
			fprintf(f, "%s\"%s\": \"0x%llx\"", sep, wire_ka_name(i),
				(unsigned long long)c->kern_addrs.val[i]);
			sep = ", ";
		}
		fprintf(f, "}");
	}
	if (c->gclock.have || c->gclock.unknown) {
		/* µs: printk's resolution, and integers a shell can compare */
		fprintf(f, ",\n%s  \"guest_clock\": {", in);
		for (u32 p = 1; p < WIRE_BOOT_NR; p++) {
			fprintf(f, "%s\"%s_us\": ", p > 1 ? ", " : "", wire_boot_point_name(p));
			if (channel_gclock_has(&c->gclock, p))
				fprintf(f, "%llu", (unsigned long long)(c->gclock.ns[p] / 1000));
			else
				fprintf(f, "null");
		}
		fprintf(f, ", \"in_order\": %s, \"unknown_points\": %llu}",
			channel_gclock_in_order(&c->gclock) ? "true" : "false",
			(unsigned long long)c->gclock.unknown);
	}
	if (c->btf.want) {
		static const char *const state[] = {"none", "partial", "done", "failed"};

		fprintf(f, ",\n%s  \"btf\": {\"state\": \"%s\", \"total\": %u, \"bytes\": %u", in,
			state[c->btf.state], c->btf.total, c->btf.got);
		if (c->btf.state == CHANNEL_BTF_FAILED) {
			fprintf(f, ", \"why\": ");
			json_string(f, c->btf.why, strlen(c->btf.why));
		}
		fprintf(f, "}");
	}
	fprintf(f, ",\n%s  \"frames\": {", in);
	for (t = 1; t < WIRE_TYPE_NR; t++)
		fprintf(f, "%s\"%s\": %llu", t > 1 ? ", " : "", wire_type_name(t),
			(unsigned long long)st->by_type[t]);
	fprintf(f, "}");
	fprintf(f, ",\n%s  \"bytes\": %llu, \"frame_bytes\": %llu", in,
		(unsigned long long)st->bytes_in, (unsigned long long)st->frame_bytes);
	fprintf(f, ",\n%s  \"crc_errors\": %llu, \"crc_bytes\": %llu", in,
		(unsigned long long)st->crc_errors, (unsigned long long)st->crc_bytes);
	fprintf(f, ",\n%s  \"bad_headers\": %llu, \"resync_bytes\": %llu", in,
		(unsigned long long)st->bad_headers, (unsigned long long)st->resync_bytes);
	fprintf(f, ",\n%s  \"oversize\": %llu, \"truncated\": %llu, \"dropped_bytes\": %llu", in,
		(unsigned long long)st->oversize, (unsigned long long)st->truncated,
		(unsigned long long)st->dropped_bytes);
	fprintf(f, ",\n%s  \"malformed\": %llu", in, (unsigned long long)c->malformed);
	fprintf(f, ",\n%s  \"stdout_bytes\": %llu, \"stdout_dropped\": %llu", in,
		(unsigned long long)c->out.bytes, (unsigned long long)c->out.dropped);
	fprintf(f, ",\n%s  \"stdout_first_us\": %llu, \"stdout_last_us\": %llu", in,
		(unsigned long long)(c->stdout_first_ns / 1000),
		(unsigned long long)(c->stdout_last_ns / 1000));
	fprintf(f, ",\n%s  \"assembler_buffer_bytes\": %llu", in, (unsigned long long)c->ws.size);
	fprintf(f, ",\n%s  \"stderr_bytes\": %llu, \"stderr_dropped\": %llu", in,
		(unsigned long long)c->err.bytes, (unsigned long long)c->err.dropped);
	fprintf(f, ",\n%s  \"failure\": ", in);
	if (c->failed)
		channel_json_event(f, &c->failure);
	else
		fprintf(f, "null");
	fprintf(f, ",\n%s  \"lifecycle\": [", in);
	for (t = 0; t < c->nr_events; t++) {
		fprintf(f, "%s", t ? ", " : "");
		channel_json_event(f, &c->events[t]);
	}
	fprintf(f, "],\n%s  \"lifecycle_dropped\": %llu", in,
		(unsigned long long)c->events_dropped);
	fprintf(f, ",\n%s  \"sched\": ", in);
	channel_sched_json(f, &c->sched);
	fprintf(f, "\n%s}", in);
}

int channel_send(struct channel *c, const void *data, size_t len)
{
	return c->send ? c->send(c->send_ctx, data, len) : -ENODEV;
}

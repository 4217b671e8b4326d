// SPDX-License-Identifier: GPL-2.0
/*
 * core/run/stall.c over synthetic sample streams: what is and is not a
 * stall, when it is declared (its threshold, measured from the last sample
 * before it), that it is reported once and ends, and that unusable samples
 * neither start nor end one.
 */
#include "core/run/stall.h"
#include "tests/test.h"

#define MS    1000000ULL
#define AFTER (2000 * MS)

struct feed {
	struct stall_cpu c;
	int declared, ended;
	struct stall_event ev, end;
	u64 declared_at;
};

/* n samples 100 ms apart from t0 (ms), each from fn(i). */
static void run(struct feed *f, u64 t0_ms, u32 n, void (*fn)(u32 i, struct stall_sample *s))
{
	for (u32 i = 0; i < n; i++) {
		struct stall_sample s = {.t_ns = (t0_ms + 100ull * i) * MS, .usable = true};
		struct stall_event ev;
		int r;

		fn(i, &s);
		r = stall_feed(&f->c, &s, AFTER, &ev);
		if (r > 0) {
			f->declared++;
			f->ev = ev;
			f->declared_at = s.t_ns;
		} else if (r < 0) {
			f->ended++;
			f->end = ev;
		}
	}
}

static void idle(u32 i, struct stall_sample *s)
{
	s->clock = 5000; /* NOHZ: an idle CPU's clock stands still */
	s->nr_running = 0;
	s->curr_pid = 0;
}

static void busy_one(u32 i, struct stall_sample *s)
{
	s->clock = 1000 + i * 100 * MS;
	s->nr_running = 1;
	s->curr_pid = 42; /* one CPU-bound task: the same curr, no one waiting */
}

static void two_sharing(u32 i, struct stall_sample *s)
{
	s->clock = 1000 + i * 100 * MS;
	s->nr_running = 2;
	s->curr_pid = i % 2 ? 42 : 43;
}

TEST(stall_none_idle_busy_or_sharing)
{
	struct feed a = {0}, b = {0}, c = {0};

	run(&a, 0, 200, idle);
	run(&b, 0, 200, busy_one);
	run(&c, 0, 200, two_sharing);
	EXPECT_EQ(a.declared, 0);
	EXPECT_EQ(b.declared, 0);
	EXPECT_EQ(c.declared, 0);
	EXPECT_EQ(a.c.now, STALL_NONE);
}

/* From sample 10 on the clock stands still with a task runnable. */
static void clock_stops(u32 i, struct stall_sample *s)
{
	s->clock = 1000 + (i < 10 ? i : 10) * 100 * MS;
	s->nr_running = 1;
	s->curr_pid = 7;
}

TEST(stall_clock_declared_at_threshold)
{
	struct feed f = {0};

	run(&f, 0, 60, clock_stops);
	EXPECT_EQ(f.declared, 1);
	EXPECT_EQ(f.ev.kind, STALL_CLOCK);
	/* The clock last moved at sample 10 (t = 1000 ms): the stall counts from there. */
	EXPECT_EQ(f.ev.since_ns, 1000 * MS);
	EXPECT_EQ(f.declared_at, 3000 * MS);
	EXPECT_EQ(f.ended, 0);
}

/* Samples 5..40: two runnable, the same task stays current (a FIFO spinner); then it yields. */
static void starving(u32 i, struct stall_sample *s)
{
	s->clock = 1000 + i * 100 * MS;
	s->nr_running = i >= 5 && i <= 40 ? 2 : 1;
	s->curr_pid = i <= 40 ? 99 : 100 + i % 2;
}

TEST(stall_curr_declared_once_and_ends)
{
	struct feed f = {0};

	run(&f, 0, 60, starving);
	EXPECT_EQ(f.declared, 1);
	EXPECT_EQ(f.ev.kind, STALL_CURR);
	EXPECT_EQ(f.ev.since_ns, 400 * MS); /* the sample before the first with nr_running 2 */
	/* Declared within the threshold plus one interval of its start. */
	EXPECT_LE(f.declared_at - f.ev.since_ns, AFTER + 100 * MS);
	EXPECT_GE(f.declared_at - f.ev.since_ns, AFTER);
	EXPECT_EQ(f.ended, 1);
	EXPECT_EQ(f.end.kind, STALL_CURR);
	EXPECT_EQ(f.c.now, STALL_NONE);
}

/* Torn samples in the middle of a stall: it neither ends nor restarts. */
static void starving_torn(u32 i, struct stall_sample *s)
{
	starving(i < 41 ? i : 40, s);
	if (i % 3 == 0) {
		s->usable = false;
		s->curr_pid = -1;
		s->nr_running = 0;
	}
}

TEST(stall_unusable_samples_ignored)
{
	struct feed f = {0};

	run(&f, 0, 80, starving_torn);
	EXPECT_EQ(f.declared, 1);
	EXPECT_EQ(f.ended, 0);
}

/* A stall shorter than the threshold is none. */
static void brief(u32 i, struct stall_sample *s)
{
	s->clock = 1000 + i * 100 * MS;
	s->nr_running = i >= 5 && i < 20 ? 2 : 1;
	s->curr_pid = 99;
}

TEST(stall_short_is_none)
{
	struct feed f = {0};

	run(&f, 0, 60, brief);
	EXPECT_EQ(f.declared, 0);
}

TEST(stall_kind_names)
{
	EXPECT_STREQ(stall_kind_name(STALL_CLOCK), "clock");
	EXPECT_STREQ(stall_kind_name(STALL_CURR), "curr");
	EXPECT_STREQ(stall_kind_name(STALL_NONE), "none");
}

/* The idle task current with work queued and the clock standing (sched_ext holding a task): no clock stall. */
static void idle_with_work(u32 i, struct stall_sample *s)
{
	s->clock = 5000;
	s->nr_running = 1;
	s->curr_pid = 0;
}

TEST(stall_idle_task_current_is_no_clock_stall)
{
	struct feed f = {0};

	run(&f, 0, 100, idle_with_work);
	EXPECT_EQ(f.declared, 0);
}

static void stuck(u32 i, struct stall_sample *s)
{
	s->clock = 777;
	s->nr_running = 1;
	s->curr_pid = 7;
}

/*
 * A pause (have cleared, as after a freeze) starts the runs over: 1.4 s of
 * a standing clock, a pause of 8.6 s, 1.4 s more: no stall (the pause is
 * host time the guest did not run).
 */
TEST(stall_pause_starts_over)
{
	struct feed f = {0};

	run(&f, 0, 15, stuck);
	f.c.have = false;
	run(&f, 10000, 15, stuck);
	EXPECT_EQ(f.declared, 0);
}

/* A stall in progress survives a pause (a dump's freeze): it is not ended and declared again. */
TEST(stall_survives_pause)
{
	struct feed f = {0};

	run(&f, 0, 40, stuck); /* declared at 2 s */
	EXPECT_EQ(f.declared, 1);
	f.c.have = false;
	run(&f, 5000, 40, stuck);
	EXPECT_EQ(f.declared, 1);
	EXPECT_EQ(f.ended, 0);
	EXPECT_EQ(f.c.now, STALL_CLOCK);
}

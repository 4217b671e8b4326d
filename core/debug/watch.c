// SPDX-License-Identifier: GPL-2.0
/* The watchpoint table and its re-arm rounds (watch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "core/debug/watch.h"
#include "wire/wire.h"

void watch_init_zeroed(struct watch_table *t, u32 nr_vcpus)
{
	pthread_mutex_init(&t->lock, NULL);
	t->nr_vcpus = nr_vcpus < WATCH_MAX_VCPUS ? nr_vcpus : WATCH_MAX_VCPUS;
}

void watch_init(struct watch_table *t, u32 nr_vcpus)
{
	memset(t, 0, sizeof(*t));
	watch_init_zeroed(t, nr_vcpus);
}

void watch_destroy(struct watch_table *t)
{
	pthread_mutex_destroy(&t->lock);
}

int watch_check_addr(u64 addr)
{
	if (!addr)
		return error_input(-EINVAL, "watch address 0");
	if (addr % WATCH_LEN)
		return error_input(-EINVAL, "watch address 0x%llx is not %d-byte aligned",
				   (unsigned long long)addr, WATCH_LEN);
	return 0;
}

static void watch_publish(struct watch_table *t, u32 slot, u64 addr)
{
	t->pub.addr[slot] = addr;
	if (addr)
		t->pub.mask |= 1u << slot;
	else
		t->pub.mask &= ~(1u << slot);
	t->pub.gen++;
}

int watch_set(struct watch_table *t, u32 slot, u64 addr, enum watch_action action, const char *name)
{
	int changed = 0;

	if (slot >= WATCH_SLOTS)
		return error_input(-EINVAL, "watch slot %u: there are %d", slot, WATCH_SLOTS);
	if (addr && watch_check_addr(addr) < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	t->slot[slot].addr = addr;
	t->slot[slot].action = action;
	snprintf(t->slot[slot].name, sizeof(t->slot[slot].name), "%s", name ? name : "");
	if (t->moving & (1u << slot)) {
		/* Still disarmed from a move: the new address goes out after the round. */
		if (!addr)
			t->moving &= ~(1u << slot);
	} else if ((t->pub.mask & (1u << slot)) && addr && t->pub.addr[slot] != addr) {
		/* Moving: disarm for one round first. */
		watch_publish(t, slot, 0);
		t->moving |= 1u << slot;
		changed = 1;
	} else if (t->pub.addr[slot] != addr) {
		watch_publish(t, slot, addr);
		changed = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return changed;
}

int watch_set_filter(struct watch_table *t, u32 slot, enum watch_filter f, u32 value)
{
	if (slot >= WATCH_SLOTS)
		return error_input(-EINVAL, "watch slot %u: there are %d", slot, WATCH_SLOTS);
	if (f != WATCH_FILTER_NONE && f != WATCH_FILTER_GE && f != WATCH_FILTER_EQ)
		return error_input(-EINVAL, "watch filter %d: unknown", (int)f);
	pthread_mutex_lock(&t->lock);
	t->slot[slot].filter = f;
	t->slot[slot].filter_value = value;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

bool watch_filter_match(enum watch_filter f, u32 fv, u32 value, bool value_ok)
{
	switch (f) {
	case WATCH_FILTER_NONE:
		return true;
	case WATCH_FILTER_GE:
		return value_ok && value >= fv;
	case WATCH_FILTER_EQ:
		return value_ok && value == fv;
	}
	return false;
}

void watch_get(struct watch_table *t, struct watch_hw *hw)
{
	pthread_mutex_lock(&t->lock);
	*hw = t->pub;
	pthread_mutex_unlock(&t->lock);
}

int watch_applied(struct watch_table *t, u32 vcpu, u32 gen)
{
	int published = 0;

	pthread_mutex_lock(&t->lock);
	if (vcpu < t->nr_vcpus)
		t->applied[vcpu] = gen;
	if (t->moving) {
		u32 i, done = 1;

		/* The disarm round is over once every vCPU programmed its generation or later. */
		for (i = 0; i < t->nr_vcpus; i++)
			if ((s32)(t->applied[i] - t->pub.gen) < 0)
				done = 0;
		if (done) {
			for (i = 0; i < WATCH_SLOTS; i++)
				if (t->moving & (1u << i)) {
					t->pub.addr[i] = t->slot[i].addr;
					t->pub.mask |= 1u << i;
				}
			t->moving = 0;
			t->pub.gen++;
			published = 1;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return published;
}

int watch_hit(struct watch_table *t, const struct watch_hw *hw, const struct watch_hit *hit)
{
	u32 s = hit->slot;
	int ret;

	if (s >= WATCH_SLOTS)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (!(hw->mask & (1u << s)) || !(t->pub.mask & (1u << s)) ||
	    t->pub.addr[s] != hw->addr[s]) {
		t->hits_stale++;
		ret = -ESTALE;
	} else {
		if (t->nr_hits < WATCH_MAX_HITS)
			t->hits[t->nr_hits++] = *hit;
		else
			t->hits_dropped++;
		ret = (int)t->slot[s].action;
		if (!watch_filter_match(t->slot[s].filter, t->slot[s].filter_value, hit->value,
					hit->value_ok)) {
			t->slot[s].filtered++;
			ret = WATCH_LOG;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void watch_slot_get(struct watch_table *t, u32 slot, struct watch_slot *out)
{
	memset(out, 0, sizeof(*out));
	if (slot >= WATCH_SLOTS)
		return;
	pthread_mutex_lock(&t->lock);
	*out = t->slot[slot];
	pthread_mutex_unlock(&t->lock);
}

const char *watch_action_name(enum watch_action a)
{
	switch (a) {
	case WATCH_LOG:
		return "log";
	case WATCH_DUMP:
		return "dump";
	case WATCH_STOP:
		return "stop";
	}
	return "?";
}

static int watch_spec_number(const char *opt, const char *spec, const char *p, const char *end,
			     u64 *v)
{
	char *e;

	if (p == end || *p < '0' || *p > '9')
		return error_input(-EINVAL, "%s %s: expected a number at \"%.*s\"", opt, spec,
				   (int)(end - p), p);
	errno = 0;
	*v = strtoull(p, &e, 0);
	if (errno || e != end)
		return error_input(-EINVAL, "%s %s: bad number \"%.*s\"", opt, spec, (int)(end - p),
				   p);
	return 0;
}

int watch_target_parse(const char *opt, const char *spec, const char *s, const char *end,
		       char sym[WATCH_NAME_MAX], u64 *addr, u64 *offset)
{
	const char *plus = memchr(s, '+', (size_t)(end - s));
	const char *name_end = plus ? plus : end;

	sym[0] = '\0';
	*addr = *offset = 0;
	if (name_end == s)
		return error_input(-EINVAL, "%s %s: no symbol or address", opt, spec);
	if (s[0] >= '0' && s[0] <= '9') {
		if (watch_spec_number(opt, spec, s, name_end, addr) < 0)
			return -EINVAL;
	} else {
		if (name_end - s >= WATCH_NAME_MAX)
			return error_input(-EINVAL, "%s %s: symbol too long", opt, spec);
		/* The names the guest's KSYMS frame may carry (wire.h). */
		if (!wire_ksym_name_valid(s, (size_t)(name_end - s)))
			return error_input(
			    -EINVAL, "%s %s: not a kernel symbol name (letters, digits, _ . $)",
			    opt, spec);
		memcpy(sym, s, (size_t)(name_end - s));
		sym[name_end - s] = '\0';
	}
	if (plus && watch_spec_number(opt, spec, plus + 1, end, offset) < 0)
		return -EINVAL;
	return 0;
}

int watch_spec_parse(struct watch_spec *w, const char *s)
{
	const char *colon = strrchr(s, ':'), *end = colon ? colon : s + strlen(s);

	memset(w, 0, sizeof(*w));
	if (strlen(s) >= sizeof(w->label))
		return error_input(-EINVAL, "--watch %.40s...: too long", s);
	snprintf(w->label, sizeof(w->label), "%.*s", (int)(end - s), s);
	w->action = WATCH_LOG;
	if (colon) {
		if (!strcmp(colon + 1, "log"))
			w->action = WATCH_LOG;
		else if (!strcmp(colon + 1, "dump"))
			w->action = WATCH_DUMP;
		else if (!strcmp(colon + 1, "stop"))
			w->action = WATCH_STOP;
		else
			return error_input(-EINVAL,
					   "--watch %s: action \"%s\" is not log, dump or stop", s,
					   colon + 1);
	}
	if (watch_target_parse("--watch", s, s, end, w->sym, &w->addr, &w->offset) < 0)
		return -EINVAL;
	if (w->offset % WATCH_LEN)
		return error_input(-EINVAL, "--watch %s: offset %llu is not %d-byte aligned", s,
				   (unsigned long long)w->offset, WATCH_LEN);
	if (!w->sym[0] && watch_check_addr(w->addr + w->offset) < 0)
		return error_prefix(ERROR_INPUT, -EINVAL, "--watch %s", s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* ktvm run --profile (profile.h). */
#include "core/run/channel.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"
#include "tools/profile.h"

/* Top exit sites shown; the rest are in --json. */
#define PROFILE_SITES 6

/* One clock's span: "N ms", "-" when an end is missing or it goes backwards, "" for none. */
static const char *profile_span(char *buf, size_t size, bool known, u64 from_ns, u64 to_ns)
{
	if (!known || to_ns < from_ns)
		return "-";
	snprintf(buf, size, "%.0f ms", (double)(to_ns - from_ns) / 1e6);
	return buf;
}

static void profile_phase(FILE *f, const char *what, bool known, u64 from_ns, u64 to_ns,
			  const char *guest, const char *span)
{
	char host[32];
	const char *h = profile_span(host, sizeof(host), known, from_ns, to_ns);

	if (!*guest && !*span)
		fprintf(f, "ktvm:   %-16s %9s\n", what, h);
	else
		fprintf(f, "ktvm:   %-16s %9s %9s  %s\n", what, h, guest, span);
}

/* The guest clock's span between two BOOT_TIMES points (0: the clock's start). */
static const char *profile_guest(char *buf, size_t size, const struct channel *ch, u32 from, u32 to)
{
	const struct channel_gclock *g = &ch->gclock;
	bool known = (!from || channel_gclock_has(g, from)) && channel_gclock_has(g, to);

	return profile_span(buf, size, known, from ? g->ns[from] : 0, known ? g->ns[to] : 0);
}

/* The guest's points themselves, on one line: the kernel's own timestamps. */
static void profile_points(FILE *f, const struct channel_gclock *g)
{
	static const char *const label[WIRE_BOOT_NR] = {
	    [WIRE_BOOT_KERNEL_INIT] = "\"Run /init\"", [WIRE_BOOT_INIT_START] = "init",
	    [WIRE_BOOT_INIT_READY] = "ready",	       [WIRE_BOOT_PAYLOAD_START] = "exec",
	    [WIRE_BOOT_PAYLOAD_EXIT] = "exit",
	};
	const char *sep = "";

	fprintf(f, "ktvm:   guest clock (ms):");
	for (u32 p = 1; p < WIRE_BOOT_NR; p++) {
		if (!channel_gclock_has(g, p))
			continue;
		fprintf(f, "%s %s %.1f", sep, label[p], (double)g->ns[p] / 1e6);
		sep = ",";
	}
	fprintf(f, "%s\n", channel_gclock_in_order(g) ? "" : " (out of order)");
}

/* The setup steps that took at least PROFILE_STEP_MS, the rest summed. */
#define PROFILE_STEP_MS 0.5
static void profile_steps(FILE *f, const struct vm_result *res)
{
	double rest = 0;
	int col = 0;

	for (u32 i = 0; i < res->nr_steps; i++) {
		double ms = (double)res->steps[i].ns / 1e6;

		if (ms < PROFILE_STEP_MS) {
			rest += ms;
			continue;
		}
		col += fprintf(f, "%s%s %.1f", col ? ", " : "ktvm:     ", res->steps[i].name, ms);
		if (col > 70) {
			fputc('\n', f);
			col = 0;
		}
	}
	if (rest > 0)
		col += fprintf(f, "%sother steps %.1f", col ? ", " : "ktvm:     ", rest);
	if (col)
		fputc('\n', f);
}

void profile_print(FILE *f, const struct vm_result *res, const struct channel *ch)
{
	/* Every host time from ktvm's start: the channel's clock starts there too. */
	u64 first_run = res->setup_ns, init = first_run + res->init_ns;
	u64 end = first_run + res->duration_ns;
	bool have_init = res->init_ns != 0, rdy = ch && ch->sys_rdy, exited = ch && ch->have_exit;
	bool guest = ch && ch->gclock.have;
	char g[32];
	u32 r, i;
	bool first = true;

	fprintf(f, "ktvm: profile (host: ms from ktvm's start; guest: its kernel's clock):\n");
	profile_phase(f, "host setup", true, 0, first_run, "", "start to the first KVM_RUN");
	profile_steps(f, res);
	profile_phase(f, "kernel to init", have_init, first_run, init,
		      guest ? profile_guest(g, sizeof(g), ch, 0, WIRE_BOOT_KERNEL_INIT) : "",
		      "first KVM_RUN (guest: its clock's start) to the kernel's \"Run /init\"");
	if (ch) {
		profile_phase(f, "init to payload", have_init && rdy, init,
			      rdy ? ch->sys_rdy_ns : 0,
			      guest ? profile_guest(g, sizeof(g), ch, WIRE_BOOT_KERNEL_INIT,
						    WIRE_BOOT_INIT_READY)
				    : "",
			      "to ktvm's init ready (SYS_RDY)");
		profile_phase(f, "payload", rdy && exited, rdy ? ch->sys_rdy_ns : 0,
			      exited ? ch->exit_ns : 0,
			      guest ? profile_guest(g, sizeof(g), ch, WIRE_BOOT_INIT_READY,
						    WIRE_BOOT_PAYLOAD_EXIT)
				    : "",
			      "SYS_RDY to the payload's exit");
		profile_phase(f, "shutdown", exited, exited ? ch->exit_ns : 0, end, "",
			      "the payload's exit to the end");
	} else {
		profile_phase(f, "init to end", have_init, init, end, "",
			      "\"Run /init\" to the end");
	}
	profile_phase(f, "total", true, 0, end, "", "");
	if (guest)
		profile_points(f, &ch->gclock);
	fprintf(f, "ktvm:   exits:");
	for (r = 0; r < VCPU_EXIT_REASONS; r++) {
		if (!res->exits[r])
			continue;
		fprintf(f, "%s %s %llu", first ? "" : ",", vcpu_exit_name(r),
			(unsigned long long)res->exits[r]);
		first = false;
	}
	fprintf(f, "%s\n", first ? " none" : "");
	for (i = 0; i < res->nr_sites && i < PROFILE_SITES; i++)
		fprintf(f, "ktvm:   %-4s %-20s 0x%-12llx %10llu exits\n", res->sites[i].bus,
			res->sites[i].name, (unsigned long long)res->sites[i].base,
			(unsigned long long)res->sites[i].hits);
	if (res->unclaimed_pio || res->unclaimed_mmio)
		fprintf(f, "ktvm:   unclaimed: pio %llu, mmio %llu\n",
			(unsigned long long)res->unclaimed_pio,
			(unsigned long long)res->unclaimed_mmio);
}

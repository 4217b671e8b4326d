// SPDX-License-Identifier: GPL-2.0
/* ktvm run --profile (profile.h). */
#include "core/run/channel.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"
#include "tools/profile.h"

/* Top exit sites shown; the rest are in --json. */
#define PROFILE_SITES 6

static void profile_phase(FILE *f, const char *what, bool known, u64 from_ns, u64 to_ns,
			  const char *span)
{
	if (!known || to_ns < from_ns)
		fprintf(f, "ktvm:   %-16s %9s  %s\n", what, "-", span);
	else
		fprintf(f, "ktvm:   %-16s %6.0f ms  %s\n", what, (double)(to_ns - from_ns) / 1e6,
			span);
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
	/* Every time from ktvm's start: the channel's clock starts there too. */
	u64 first_run = res->setup_ns, init = first_run + res->init_ns;
	u64 end = first_run + res->duration_ns;
	bool have_init = res->init_ns != 0, rdy = ch && ch->sys_rdy, exited = ch && ch->have_exit;
	u32 r, i;
	bool first = true;

	fprintf(f, "ktvm: profile (ms from ktvm's start; --json has the same):\n");
	profile_phase(f, "host setup", true, 0, first_run, "start to the first KVM_RUN");
	profile_steps(f, res);
	profile_phase(f, "kernel to init", have_init, first_run, init,
		      "first KVM_RUN to the kernel's \"Run /init\"");
	if (ch) {
		profile_phase(f, "init to payload", have_init && rdy, init,
			      rdy ? ch->sys_rdy_ns : 0, "to ktvm's init ready (SYS_RDY)");
		profile_phase(f, "payload", rdy && exited, rdy ? ch->sys_rdy_ns : 0,
			      exited ? ch->exit_ns : 0, "SYS_RDY to the payload's exit");
		profile_phase(f, "shutdown", exited, exited ? ch->exit_ns : 0, end,
			      "the payload's exit to the end");
	} else {
		profile_phase(f, "init to end", have_init, init, end, "\"Run /init\" to the end");
	}
	profile_phase(f, "total", true, 0, end, "");
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

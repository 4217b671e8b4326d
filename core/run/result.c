// SPDX-License-Identifier: GPL-2.0
#include "core/base/json.h"
#include <string.h>
#include <sys/resource.h>

#include "core/run/channel.h"
#include "core/run/result.h"

/* ,\n  "key": {"name": ms, ...} */
static void result_steps(FILE *f, const char *key, const struct vm_setup_step *s, u32 n)
{
	fprintf(f, ",\n  \"%s\": {", key);
	for (u32 i = 0; i < n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_string(f, s[i].name, strlen(s[i].name));
		fprintf(f, ": %.3f", (double)s[i].ns / 1e6);
	}
	fputc('}', f);
}

static unsigned long long result_ms(u64 ns)
{
	return (unsigned long long)(ns / 1000000ULL);
}

void result_write_json(FILE *f, const struct vm_result *res, const struct channel *ch, int status,
		       void (*more)(FILE *f, const void *ctx), const void *more_ctx)
{
	const char *end = vm_end_name(res->end);
	struct rusage ru;
	bool first = true;
	u32 r;

	fprintf(f, "{\n  \"status\": %d", status);
	fprintf(f, ",\n  \"end\": ");
	json_string(f, end, strlen(end));
	fprintf(f, ",\n  \"detail\": ");
	json_string(f, res->detail, strlen(res->detail));
	fprintf(f, ",\n  \"timed_out\": %s", res->timed_out ? "true" : "false");
	fprintf(f, ",\n  \"setup_ms\": %llu", result_ms(res->setup_ns));
	fprintf(f, ",\n  \"setup_us\": %llu", (unsigned long long)(res->setup_ns / 1000));
	fprintf(f, ",\n  \"setup_all_us\": %llu", (unsigned long long)(res->setup_all_ns / 1000));
	fprintf(f, ",\n  \"duration_ms\": %llu", result_ms(res->duration_ns));
	fprintf(f, ",\n  \"init_ms\": %llu", result_ms(res->init_ns));
	fprintf(f, ",\n  \"vcpus\": %u", res->nr_vcpus);
	fprintf(f, ",\n  \"threads_joined\": %u", res->threads_joined);
	/* ktvm's peak resident set so far; guest RAM counts as far as it was touched. */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(f, ",\n  \"host_maxrss_kib\": %ld", ru.ru_maxrss);
	fprintf(f, ",\n  \"exits\": {");
	for (r = 0; r < VCPU_EXIT_REASONS; r++) {
		if (!res->exits[r])
			continue;
		/* Reasons without a name get a unique key, so keys never repeat. */
		if (strcmp(vcpu_exit_name(r), "other"))
			fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", vcpu_exit_name(r),
				(unsigned long long)res->exits[r]);
		else
			fprintf(f, "%s\"exit_%u\": %llu", first ? "" : ", ", r,
				(unsigned long long)res->exits[r]);
		first = false;
	}
	fprintf(f, "}");
	/* Where the port-I/O and MMIO exits went, by device: the boot's cost profile. */
	fprintf(f, ",\n  \"exit_sites\": [");
	for (r = 0; r < res->nr_sites; r++) {
		const struct vm_exit_site *site = &res->sites[r];

		fprintf(f, "%s{\"bus\": \"%s\", \"name\": ", r ? ", " : "", site->bus);
		json_string(f, site->name, strlen(site->name));
		fprintf(f, ", \"base\": \"0x%llx\", \"hits\": %llu}",
			(unsigned long long)site->base, (unsigned long long)site->hits);
	}
	fprintf(f, "],\n  \"unclaimed_exits\": {\"pio\": %llu, \"mmio\": %llu}",
		(unsigned long long)res->unclaimed_pio, (unsigned long long)res->unclaimed_mmio);
	/* Kernel and initrd bytes mapped from their files (the caches') rather than copied. */
	fprintf(f,
		",\n  \"load\": {\"kernel_mapped_bytes\": %llu, \"initrd_mapped_bytes\": %llu, "
		"\"kernel_leased\": %s, \"initrd_leased\": %s}",
		(unsigned long long)res->kernel_mapped, (unsigned long long)res->initrd_mapped,
		res->kernel_leased ? "true" : "false", res->initrd_leased ? "true" : "false");
	/* Where setup_ms went, step by step: ktvm's own, then the VM's phases. */
	result_steps(f, "setup_steps", res->steps, res->nr_steps);
	/* The build thread's steps, beside the ones above until "join". */
	result_steps(f, "setup_build_steps", res->build_steps, res->nr_build_steps);
	if (ch) {
		fprintf(f, ",\n  \"channel\": ");
		channel_write_json(f, ch, "  ");
	}
	if (more)
		more(f, more_ctx);
	fprintf(f, ",\n  \"console_dropped\": %llu", (unsigned long long)res->console_dropped);
	fprintf(f, ",\n  \"console\": ");
	json_string(f, res->console ? res->console : "", res->console ? res->console_len : 0);
	fprintf(f, "\n}\n");
}

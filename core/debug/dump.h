/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State dumps of a frozen VM (core/vm/freeze.h) as JSON files in the
 * debugger's dump_dir (core/debug/debug.h): every vCPU's registers (the arch's arch_vcpu_dump_regs()),
 * the watched variables and the hits so far. The file is
 * DIR/ktvm-dump-NNN-TAG.json with TAG sanitised (core/debug/dumpname.h): it may
 * come from the guest.
 */
#ifndef KTVM_CORE_DUMP_H
#define KTVM_CORE_DUMP_H

#include <stddef.h>

#include "core/debug/watch.h"

struct vm_debug;
struct vcpu;

/*
 * --dump-mem TARGET:LEN: guest memory every dump holds, LEN bytes at a
 * symbol's address (+OFFSET; the guest's init reports it, as for --watch)
 * or at an address, read through the guest's page tables.
 */
#define DUMP_MAX_REGIONS 8
#define DUMP_REGION_MAX	 4096

struct dump_region {
	char label[WATCH_NAME_MAX]; /* as given, without ":LEN" */
	char sym[WATCH_NAME_MAX];   /* "": addr is the address */
	u64 addr;		    /* with sym: 0 until the guest reports it */
	u64 file_addr;		    /* with sym and --symbols: its address there */
	u64 offset;
	u32 len;
};

/* Parse "SYMBOL[+OFFSET]:LEN" or "0xADDR[+OFFSET]:LEN". 0 or -EINVAL (input error). */
int dump_region_parse(struct dump_region *r, const char *s);

/* Dumps one run writes at most (a guest can ask for them in a loop). */
#define DUMP_MAX_PER_RUN 64

/*
 * Write a dump of d's VM, whose vCPUs are frozen; self is the vCPU whose page
 * tables translate guest virtual addresses (NULL: vCPU 0), hit the trigger
 * (NULL: none). The file's path goes to path (size bytes) if not NULL.
 * 0, or a negative errno with a host error set: -EDQUOT past
 * DUMP_MAX_PER_RUN tries (failed ones count). An existing file of the same name is never replaced:
 * the next number is taken.
 */
int dump_write(struct vm_debug *d, struct vcpu *self, const char *tag, const struct watch_hit *hit,
	       char *path, size_t size);

/*
 * Before freezing for a dump: true when the run has used up its dumps, so
 * the caller neither freezes nor dumps (a guest looping on a watched store
 * or on snapshot requests costs one check each, not a freeze). The cap is
 * said once per run (error_warn()), here or by dump_write()'s -EDQUOT.
 */
bool dump_refused(struct vm_debug *d);

#endif

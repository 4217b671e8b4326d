/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ktvm run --profile`: where a run's time and exits went, as a short table
 * on stderr after the run: the phases (host setup, kernel to init, init to
 * the payload's start, the payload, shutdown) from the result's and the
 * guest channel's clocks, the KVM exits by reason, and the devices that
 * took the most port-I/O and MMIO exits (vm_result.sites). The same
 * figures are in --json.
 *
 * Beside each phase the guest kernel's own clock (BOOT_TIMES, wire.h) gives
 * the same span where it can: "kernel to init" from the guest clock's start
 * (early in the kernel, so without what ran before it: a decompressor, the
 * entry code), then "Run /init" (from /dev/kmsg, so known under `quiet`,
 * which keeps the line off the console), init ready, the payload's exit.
 * A line after the phases lists the points themselves.
 */
#ifndef KTVM_TOOLS_PROFILE_H
#define KTVM_TOOLS_PROFILE_H

#include <stdio.h>

struct vm_result;
struct channel;

/* ch may be NULL (no guest channel: a run without PROG). */
void profile_print(FILE *f, const struct vm_result *res, const struct channel *ch);

#endif

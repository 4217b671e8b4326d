/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel command-line assembly. ktvm's defaults come first; a parameter the
 * user also gives is left out of the defaults so the user's value wins
 * (the kernel would otherwise see both and, for most, take the last).
 */
#ifndef KTVM_CORE_CMDLINE_H
#define KTVM_CORE_CMDLINE_H

#include "core/base/types.h"

#define CMDLINE_MAX 4096

struct cmdline {
	char buf[CMDLINE_MAX];
	size_t len;
	bool overflow;
	size_t wanted; /* the length it would have without the overflow */
};

void cmdline_init(struct cmdline *cl);
/* Append one or more space-separated parameters. */
void cmdline_add(struct cmdline *cl, const char *params);
/* Whether a parameter with this key ("console" for "console=ttyS0") is present. */
bool cmdline_has(const struct cmdline *cl, const char *key);
/*
 * Build the final line: each default whose key the user did not give, then
 * the user's text. -E2BIG (error set) if the result exceeds max bytes
 * (without the NUL), the limit of the boot protocol in use.
 */
int cmdline_build(struct cmdline *out, const struct cmdline *defaults, const char *user,
		  size_t max);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ktvm command's files share: its exit statuses (also in --help
 * and README.md) and how it reports a usage error (ktvm.c).
 */
#ifndef KTVM_TOOLS_KTVM_H
#define KTVM_TOOLS_KTVM_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/types.h"

enum {
	KTVM_EXIT_OK = 0,	      /* the guest powered off or rebooted by itself */
	KTVM_EXIT_USAGE = 2,	      /* bad arguments or input files */
	KTVM_EXIT_SCHED_ATTACH = 119, /* --scheduler: it never attached */
	KTVM_EXIT_SCHED_FAILED =
	    120,	       /* --scheduler: it left or died while PROG ran, or a SCHED_EXIT */
	KTVM_EXIT_CRASH = 121, /* kernel panic, triple fault, KVM internal error */
	KTVM_EXIT_NO_RESULT = 122, /* the guest ended without the payload's exit status */
	KTVM_EXIT_WATCH = 123,	   /* a --watch ...:stop watchpoint fired */
	KTVM_EXIT_TIMEOUT = 124,   /* --timeout passed (like timeout(1)) */
	KTVM_EXIT_HOST = 125,	   /* host-side failure: no usable KVM, out of memory, ... */
};

/*
 * An option's whole-number value: decimal digits only (strtoull() alone
 * would skip blanks and take a sign). 0 and *out; -EINVAL if s is not
 * such a number, -ERANGE if it does not fit in 64 bits. The caller says
 * which, and checks the range its option allows.
 */
static inline int ktvm_parse_dec(const char *s, u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -ERANGE;
	*out = v;
	return 0;
}

/* "ktvm: MESSAGE (see 'ktvm run --help')" on stderr; KTVM_EXIT_USAGE. */
__printf(1, 2) int ktvm_usage_error(const char *fmt, ...);

#endif

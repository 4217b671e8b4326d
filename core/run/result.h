/* SPDX-License-Identifier: GPL-2.0 */
/* The run result as JSON (ktvm run --json FILE). */
#ifndef KTVM_CORE_RESULT_H
#define KTVM_CORE_RESULT_H

#include <stdio.h>

#include "core/vm/vm.h"

struct channel;

/*
 * status: what ktvm exits with; ch: the guest channel's record (NULL: no
 * "channel" object).
 */
/*
 * more, if not NULL, writes further members of the top-level object, each
 * as ",\n  \"key\": value"; it is called before the console text.
 */
void result_write_json(FILE *f, const struct vm_result *res, const struct channel *ch, int status,
		       void (*more)(FILE *f, const void *ctx), const void *more_ctx);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* The run result as JSON (ktvm run --json FILE). */
#ifndef KTVM_CORE_RESULT_H
#define KTVM_CORE_RESULT_H

#include <stdio.h>

#include "core/vm.h"

struct channel;

/*
 * status: what ktvm exits with; ch: the guest channel's record (NULL: no
 * "channel" object).
 */
void result_write_json(FILE *f, const struct vm_result *res, const struct channel *ch, int status);

#endif

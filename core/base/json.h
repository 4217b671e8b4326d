/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing JSON. Strings may hold guest-controlled bytes: they are escaped so
 * the output is always valid JSON and valid UTF-8 (control characters as
 * \u00XX, bytes that are not well-formed UTF-8 as U+FFFD).
 */
#ifndef KTVM_CORE_JSON_H
#define KTVM_CORE_JSON_H

#include <stdio.h>

#include "core/base/types.h"

void json_string(FILE *f, const char *s, size_t len);

#endif

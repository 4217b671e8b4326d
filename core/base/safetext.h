/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text from the guest (a failure's reason, a scheduler's exit message, the
 * console's last lines) made safe to put into ktvm's own messages on a
 * terminal: each control character is written as \xNN, so the guest can
 * neither end ktvm's line early and forge another ("ktvm: ..."), nor send
 * escape sequences to the user's terminal. A backslash is escaped too
 * (\x5c), so every \xNN in the result is one of ours. Whole UTF-8
 * characters pass as they are, but for the C1 controls (U+0080-U+009F);
 * a byte that does not start one is escaped too.
 */
#ifndef KTVM_CORE_SAFETEXT_H
#define KTVM_CORE_SAFETEXT_H

#include <stdio.h>

/*
 * s (up to its NUL or len bytes) as one line into buf (size n >= 1,
 * NUL-terminated, cut short at a whole character or escape), every
 * control character escaped. Returns buf.
 */
const char *safetext_line(char *buf, size_t n, const char *s, size_t len);
/*
 * s (len bytes) to f as lines: newlines and tabs kept, carriage returns
 * dropped (a lone one could hide the text before it), the other control
 * characters escaped.
 */
void safetext_write(FILE *f, const char *s, size_t len);

#endif

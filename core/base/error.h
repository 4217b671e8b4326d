/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error reporting for library code (core/, arch/, devices/, wire/).
 *
 * Library functions return a negative errno and, where the caller would want
 * to tell a user what went wrong, record a one-line message naming the thing
 * and the reason ("kernel /x/bzImage: not a bzImage (no HdrS magic)") plus a
 * kind. Only tools/ prints messages and chooses exit statuses; warnings go
 * through error_warn() to a handler tools/ installs. The record is
 * per thread, so vCPU threads and the main thread do not clobber each other.
 */
#ifndef KTVM_CORE_ERROR_H
#define KTVM_CORE_ERROR_H

#include "core/base/types.h"

enum error_kind {
	ERROR_NONE = 0,
	ERROR_INPUT, /* the user's arguments or files are wrong */
	ERROR_HOST,  /* the host (KVM, memory, system calls) failed */
	ERROR_GUEST, /* the guest did something we refuse */
};

/* Record a message of the given kind; returns code (a negative errno). */
int error_set(enum error_kind kind, int code, const char *fmt, ...) __printf(3, 4);
#define error_input(code, ...) error_set(ERROR_INPUT, code, __VA_ARGS__)
#define error_host(code, ...)  error_set(ERROR_HOST, code, __VA_ARGS__)

/*
 * Put "PREFIX: " (fmt) before the recorded message, as an error of kind
 * with code: "--watch foo: " before "no such symbol". Returns code.
 */
int error_prefix(enum error_kind kind, int code, const char *fmt, ...) __printf(3, 4);

const char *error_msg(void);
/*
 * A warning: something the user should hear about that does not stop the
 * operation ("dumping what can be read", "this KVM resets CLIDR_EL1").
 * Library code never prints; it hands the one-line message to the handler
 * tools/ installed (from any thread; the handler serialises if it must).
 * Without a handler the warning is dropped.
 */
void error_warn(const char *fmt, ...) __printf(1, 2);
typedef void (*error_warn_fn)(const char *msg);
void error_set_warn_handler(error_warn_fn fn);
enum error_kind error_kind(void);
void error_clear(void);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel command line as init reads it from /proc/cmdline, and the keys
 * ktvm passes to init through it:
 *
 *   ktvm.log=DEV    where init logs (log.h); default KCMDLINE_LOG_DEFAULT
 *   ktvm.port=NAME  the virtio-serial port of the channel (chan.h);
 *                   default CHAN_PORT_NAME
 *   ktvm.watch=A,B  kernel symbols whose addresses init reports (KSYMS)
 *                   before the payload; it waits for WATCH_ARMED
 *                   (ksyms.h: KSYMS_WATCH_KEY)
 *
 * Dotted keys are module parameters to the kernel; it reports no module
 * "ktvm" as unknown and, unlike plain unknown keys, does not hand them to
 * init in argv or the environment, so /proc/cmdline is the only source.
 */
#ifndef KTVM_GUEST_KCMDLINE_H
#define KTVM_GUEST_KCMDLINE_H

#include <sys/types.h>

#include "core/base/types.h"

/*
 * The log device before the channel port exists: ktvm gives every guest two
 * UARTs, ttyS0 (the kernel console) and ttyS1 (x86_64: COM2; aarch64: the
 * device tree's serial1), and init keeps ttyS0 to the kernel.
 */
#define KCMDLINE_LOG_DEFAULT "/dev/ttyS1"

#define KCMDLINE_LOG_KEY  "ktvm.log"
#define KCMDLINE_PORT_KEY "ktvm.port"

/*
 * Find key in line (NUL-terminated), split the way the kernel's next_arg()
 * (lib/cmdline.c) does: parameters are separated by white space, a double
 * quote starts or ends a quoted part (key="a b" or "key=a b"), the value is
 * returned without its quotes, and '-' and '_' in keys compare equal. The
 * kernel's parameters end at "--" (the rest is init's argv). The last
 * occurrence wins, as for most kernel parameters.
 *
 * Copies the value (without quotes) into val and returns its length, -ENOENT
 * if key is absent, -ENAMETOOLONG if the value does not fit (val holds a
 * truncated copy). A key without '=' has the value "".
 */
ssize_t kcmdline_get(const char *line, const char *key, char *val, size_t size);

#endif

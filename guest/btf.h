/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest kernel's BTF for the host (the BTF frame, wire/wire.h), when
 * the host has none of its own: the kernel image it booted carries no
 * .BTF, and it asked with ktvm.btf=1 on the command line. The kernel
 * exports its BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF).
 */
#ifndef KTVM_GUEST_BTF_H
#define KTVM_GUEST_BTF_H

#include "guest/chan.h"

#define BTF_KEY	    WIRE_BTF_KEY
#define BTF_SYSFS   "/sys/kernel/btf/vmlinux"

/*
 * Send the file at path in BTF frames of WIRE_BTF_CHUNK bytes. When it
 * cannot be read whole (missing, empty, larger than WIRE_BTF_MAX, shorter
 * than it said), one frame with total 0 tells the host why instead.
 * Returns 0 when the blob went out, 1 when the reason did (the run goes
 * on without it), or a negative errno when the channel failed.
 */
int btf_send(struct chan *ch, const char *path);

#endif

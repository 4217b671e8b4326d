/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices a run's VM is built from (core/vm/device.h): today the
 * virtio console that carries the guest channel. A new device is a model in
 * devices/ plus one entry here.
 */
#ifndef KTVM_TOOLS_DEVLIST_H
#define KTVM_TOOLS_DEVLIST_H

#include "core/vm/device.h"
#include "devices/virtio/console_attach.h"

struct channel;
struct vm_config;

struct devlist {
	struct console_attach console;
	struct vm_device list[VM_MAX_DEVICES];
	u32 n;
};

/*
 * Fill d and point cfg->devices at its list; the console's channel port is
 * wired both ways to ch (its bytes to channel_feed(), ch->send to the
 * port). d and ch must outlive the VM.
 */
void devlist_build(struct devlist *d, struct channel *ch, struct vm_config *cfg);

#endif

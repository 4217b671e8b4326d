/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices a run's VM is built from (core/vm/device.h): the virtio
 * console that carries the guest channel, then the --disk disks in order
 * (/dev/vda, ...), then the --net interface. A new device is a model in
 * devices/ plus one entry here.
 */
#ifndef KTVM_TOOLS_DEVLIST_H
#define KTVM_TOOLS_DEVLIST_H

#include <stdio.h>

#include "core/vm/device.h"
#include "devices/virtio/blk_attach.h"
#include "devices/virtio/console_attach.h"
#include "devices/virtio/net_attach.h"
#include "tools/devopts.h"

struct channel;
struct vm_config;

struct devlist {
	struct console_attach console;
	struct blk_attach disk[DEVOPTS_MAX_DISKS];
	u32 nr_disks;
	struct net_attach net;
	bool have_net;
	const struct devopts *opts;
	struct vm_device list[VM_MAX_DEVICES];
	u32 n;
};

/*
 * Fill d from the opened devopts o and point cfg->devices at its list; the
 * console's channel port is wired both ways to ch (its bytes to
 * channel_feed(), ch->send to the port). d, o and ch must outlive the VM.
 */
void devlist_build(struct devlist *d, struct channel *ch, const struct devopts *o,
		   struct vm_config *cfg);
/* The "disks" and "net" members of the JSON result (nothing without them). */
void devlist_json(FILE *f, struct devlist *d);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ktvm run --disk SPEC` and `--net SPEC`: the options, their checks, and
 * the host side they need (backing files, a TAP interface), opened before
 * the VM is built so a bad path or missing right is said at once.
 *
 *   --disk FILE[,ro][,cache=none|writeback]   a raw image (or block device)
 *   --disk size=MIB[,cache=...]               a fresh sparse file, deleted at the end
 *   --net loopback[,mac=M][,mtu=N][,csum]     frames the guest sends come back
 *   --net tap[:IFNAME][,host=A.B.C.D/N][,mac=M][,mtu=N][,csum]
 *
 * Disks are /dev/vda, /dev/vdb, ... in the order given. A disk's file is
 * locked (flock: shared when ro, else exclusive) so two runs never write
 * one image at once. The fresh disk is unlinked as soon as it is created,
 * so nothing is left behind however ktvm ends.
 */
#ifndef KTVM_TOOLS_DEVOPTS_H
#define KTVM_TOOLS_DEVOPTS_H

#include <limits.h>
#include <net/if.h>
#include <stdio.h>

#include "core/base/types.h"

#define DEVOPTS_MAX_DISKS     6 /* x86 has 8 interrupt lines for virtio: console, 6 disks, net */
#define DEVOPTS_MAX_FRESH_MIB (1024 * 1024) /* 1 TiB of sparse file */

struct devopts_disk {
	const char *spec;    /* as given */
	char path[PATH_MAX]; /* "" for a fresh disk */
	u64 fresh_mib;	     /* size=MIB */
	bool ro, direct;
	int fd;	  /* open from devopts_open() to devopts_close() */
	u64 size; /* bytes the guest sees */
};

enum devopts_net_mode { DEVOPTS_NET_NONE, DEVOPTS_NET_LOOPBACK, DEVOPTS_NET_TAP };

struct devopts_net {
	enum devopts_net_mode mode;
	char ifname[IFNAMSIZ]; /* tap: asked for ("" = the kernel picks), then the real one */
	char host_addr[32];    /* tap: host=, "" for none */
	u8 mac[6];
	u16 mtu;
	bool csum;
	int tap_fd;
};

struct devopts {
	struct devopts_disk disk[DEVOPTS_MAX_DISKS];
	u32 nr_disks;
	struct devopts_net net;
};

void devopts_init(struct devopts *o);
/* Parse one option; a usage error (message set, -EINVAL) for a bad SPEC. */
int devopts_add_disk(struct devopts *o, const char *spec);
int devopts_set_net(struct devopts *o, const char *spec);
/*
 * Open the disks and create the TAP. -errno with the message set; the kind
 * (core/base/error.h) says whether the user's input or the host is at fault.
 */
int devopts_open(struct devopts *o);
/* Close what devopts_open() opened (the TAP interface goes with its fd). */
void devopts_close(struct devopts *o);

#endif

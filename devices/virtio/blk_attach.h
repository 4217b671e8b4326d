/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio block device (blk.h) as an entry of the VM's device list
 * (core/vm/device.h). The caller fills cfg (an open backing file, its size,
 * the options) and name (unique per VM: "virtio-blk0", ...); the guest sees
 * the disks as /dev/vda, /dev/vdb, ... in the list's order.
 */
#ifndef KTVM_DEVICES_VIRTIO_BLK_ATTACH_H
#define KTVM_DEVICES_VIRTIO_BLK_ATTACH_H

#include "core/vm/device.h"
#include "devices/virtio/attach.h"
#include "devices/virtio/blk.h"

struct blk_attach {
	char name[24];
	struct virtio_blk_config cfg;
	struct virtio_attach va;
	struct virtio_blk *blk;	      /* from attach to detach */
	struct virtio_blk_stats last; /* taken at drain and detach */
};

/* Make dev the disk a (name and cfg set by the caller). */
void blk_attach_device(struct blk_attach *a, struct vm_device *dev);
/* The counters: live while attached, else as they were at the end. */
void blk_attach_stats(struct blk_attach *a, struct virtio_blk_stats *out);

#endif

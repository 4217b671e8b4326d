/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio network device (net.h) as an entry of the VM's device list
 * (core/vm/device.h). The caller fills cfg (loopback, or a TAP's open fd)
 * and name; in TAP mode the TAP's fd is watched by the VM's I/O thread,
 * which moves its frames to the guest.
 */
#ifndef KTVM_DEVICES_VIRTIO_NET_ATTACH_H
#define KTVM_DEVICES_VIRTIO_NET_ATTACH_H

#include "core/vm/device.h"
#include "devices/virtio/attach.h"
#include "devices/virtio/net.h"

struct net_attach {
	char name[24];
	struct virtio_net_config cfg;
	struct virtio_attach va;
	struct virtio_net *net;	      /* from attach to detach */
	struct virtio_net_stats last; /* taken at drain and detach */
};

/* Make dev the interface a (name and cfg set by the caller). */
void net_attach_device(struct net_attach *a, struct vm_device *dev);
/* The counters: live while attached, else as they were at the end. */
void net_attach_stats(struct net_attach *a, struct virtio_net_stats *out);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio basic facilities shared by transports and devices: device status
 * bits, reserved feature bits and device IDs, as numbered in OASIS "Virtual
 * I/O Device (VIRTIO) Version 1.2" (cited as "virtio 1.2").
 */
#ifndef KTVM_DEVICES_VIRTIO_VIRTIO_H
#define KTVM_DEVICES_VIRTIO_VIRTIO_H

#include "core/base/types.h"

/* Device status field, virtio 1.2 2.1. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 0x01
#define VIRTIO_STATUS_DRIVER		 0x02
#define VIRTIO_STATUS_DRIVER_OK		 0x04
#define VIRTIO_STATUS_FEATURES_OK	 0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED		 0x80

/*
 * Feature bits, virtio 1.2 2.2: 0-23 belong to the device type, 24-40
 * ("Reserved Feature Bits", virtio 1.2 6) to the queues and transports.
 */
#define VIRTIO_DEVICE_FEATURES_MASK ((1ULL << 24) - 1)
#define VIRTIO_F_INDIRECT_DESC	    28
#define VIRTIO_F_EVENT_IDX	    29
#define VIRTIO_F_VERSION_1	    32
#define VIRTIO_F_ACCESS_PLATFORM    33
#define VIRTIO_F_RING_PACKED	    34
#define VIRTIO_F_IN_ORDER	    35
#define VIRTIO_F_NOTIFICATION_DATA  38
#define VIRTIO_F_RING_RESET	    40

#define VIRTIO_BIT(f) (1ULL << (f))

/* Device IDs, virtio 1.2 5 ("Device Types"). */
#define VIRTIO_ID_NET	  1
#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG	  4

/* The largest queue size a split virtqueue can have (virtio 1.2 2.7). */
#define VIRTIO_QUEUE_SIZE_MAX 32768

#endif

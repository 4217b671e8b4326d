/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-mmio register offsets (virtio 1.2 4.2.2), device status bits (2.1)
 * and common feature bits (6), spelled out independently of the code under
 * test, for the fake drivers of the virtio unit tests.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_MMIO_REGS_H
#define KTVM_TESTS_UNIT_VIRTIO_MMIO_REGS_H

enum {
	MAGIC = 0x000,
	VERSION = 0x004,
	DEVICE_ID = 0x008,
	VENDOR_ID = 0x00c,
	DEV_FEATURES = 0x010,
	DEV_FEATURES_SEL = 0x014,
	DRV_FEATURES = 0x020,
	DRV_FEATURES_SEL = 0x024,
	QUEUE_SEL = 0x030,
	QUEUE_NUM_MAX = 0x034,
	QUEUE_NUM = 0x038,
	QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050,
	INT_STATUS = 0x060,
	INT_ACK = 0x064,
	STATUS = 0x070,
	QUEUE_DESC = 0x080,
	QUEUE_DRIVER = 0x090,
	QUEUE_DEVICE = 0x0a0,
	SHM_LEN_LOW = 0x0b0,
	CONFIG_GEN = 0x0fc,
	CONFIG = 0x100,
};

enum { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64 };

#define F_INDIRECT  (1ULL << 28)
#define F_EVENT_IDX (1ULL << 29)
#define F_VERSION_1 (1ULL << 32)

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-mmio transport, version 2 (virtio 1.2 4.2), shared by both arches.
 *
 * The transport owns everything the driver sees of a device except its
 * configuration space contents: registers, the status state machine, feature
 * negotiation, queue setup, interrupts and the configuration generation.
 * A device type (console, blk, net, ...) fills a const struct
 * virtio_dev_ops, embeds a struct virtio_mmio in its own struct and gets
 * back to itself with container_of(). It never sees a register.
 *
 * Entry points from the guest: the bus_region access callback (every
 * register) and, when KVM delivers QueueNotify writes to an eventfd
 * (KVM_IOEVENTFD on region.base + VIRTIO_MMIO_QUEUE_NOTIFY, 4 bytes,
 * datamatch = queue index), virtio_mmio_queue_notify() from the thread that
 * reads that eventfd. A write that no ioeventfd matches still arrives through
 * the bus, so both paths behave the same.
 *
 * Interrupts leave through the irq callback: level true while
 * InterruptStatus is non-zero. It runs only on level changes, with the
 * interrupt lock held (so changes arrive in order), from whatever thread
 * raised or acknowledged the interrupt; it must not call into the transport.
 * With a KVM_IRQFD it writes the irqfd on true; for a level-triggered irqfd
 * with a resamplefd, KVM lowers the line at EOI and the resample thread calls
 * virtio_mmio_irq_resample(), which raises it again if events are pending.
 *
 * Locking. t->lock guards the registers and is held across every ops callback
 * (config_read/write, features_ok, activate, queue_notify, reset). The
 * functions marked "any thread" below take only the interrupt lock, a leaf
 * lock, so a device may call them from its callbacks and from its own threads
 * while holding its own lock. Lock order: t->lock, then the device's lock,
 * then the interrupt lock.
 *
 * Queue lifetime: a queue's struct virtq is set up when the driver writes
 * QueueReady = 1 and stays put until the device is reset; after
 * ops->activate() (DRIVER_OK) the device may use the ready queues from any
 * thread, serialising per queue. ops->reset() must stop that and return only
 * when no device thread touches a queue any more; the transport forgets the
 * queues after it returns.
 */
#ifndef KTVM_DEVICES_VIRTIO_MMIO_H
#define KTVM_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/vm/bus.h"
#include "core/base/types.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"

/* Register offsets, virtio 1.2 4.2.2 (table "MMIO Device Register Layout"). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_QUEUE_RESET		0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC     0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION_2 2
#define VIRTIO_MMIO_VENDOR    0x4d56544b /* "KTVM" */

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING  0x1 /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 0x2 /* configuration change notification */

/* Registers plus up to 256 bytes of configuration space. */
#define VIRTIO_MMIO_REGION_SIZE 0x200
#define VIRTIO_MMIO_CONFIG_MAX	(VIRTIO_MMIO_REGION_SIZE - VIRTIO_MMIO_CONFIG)
#define VIRTIO_MMIO_MAX_QUEUES	16
/*
 * Feature bits the transport and virtq.c implement; offered on top of the
 * device's own bits 0-23. VERSION_1 is mandatory (no legacy interface).
 */
#define VIRTIO_MMIO_TRANSPORT_FEATURES                                                             \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |                     \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

struct virtio_mmio;

/*
 * What a device type provides. Callbacks run with t->lock held; only
 * queue_notify is required.
 */
struct virtio_dev_ops {
	u32 device_id;	/* VIRTIO_ID_*, non-zero */
	u64 features;	/* device-type feature bits (0-23); others are ignored */
	u32 num_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	u16 queue_max;	/* QueueNumMax of every queue: a power of two <= 32768 */
	u32 config_len; /* bytes of configuration space, <= VIRTIO_MMIO_CONFIG_MAX */
	/*
	 * Configuration space access, off + len <= config_len, len 1, 2 or 4
	 * and aligned to len (4.2.2.2); data is little-endian. Reads without
	 * a config_read see zeroes; writes without config_write are dropped.
	 * A device that changes its configuration by itself calls
	 * virtio_mmio_config_changed().
	 */
	void (*config_read)(struct virtio_mmio *t, u32 off, void *data, u32 len);
	void (*config_write)(struct virtio_mmio *t, u32 off, const void *data, u32 len);
	/*
	 * The driver accepted `features` (a subset of those offered, with
	 * VERSION_1); false refuses FEATURES_OK, e.g. for a missing
	 * dependency (virtio 1.2 2.2.2). Optional.
	 */
	bool (*features_ok)(struct virtio_mmio *t, u64 features);
	/* The driver set DRIVER_OK: queues may be used from now on. Optional. */
	void (*activate)(struct virtio_mmio *t);
	/* Available buffer notification for ready queue q (after DRIVER_OK). */
	void (*queue_notify)(struct virtio_mmio *t, u32 q);
	/* Device reset: stop using the queues, forget driver state. Optional. */
	void (*reset)(struct virtio_mmio *t);
};

typedef void (*virtio_mmio_irq_fn)(struct virtio_mmio *t, bool level);

struct virtio_mmio_queue {
	struct virtq vq;
	/* As the driver wrote them; checked when it sets QueueReady. */
	u32 num;
	u64 desc, driver, device;
	bool ready; /* written under t->lock, read atomically by virtio_mmio_queue() */
};

struct virtio_mmio {
	struct bus_region region; /* VIRTIO_MMIO_REGION_SIZE bytes */
	const struct virtio_dev_ops *ops;
	virtio_mmio_irq_fn irq;
	void *irq_ctx; /* for irq's use */
	/*
	 * Set by whoever wires the transport (devices/virtio/attach.c), else
	 * NULL: deliver queue q's notification again, later, on the thread
	 * that delivers notifications. See virtio_mmio_renotify().
	 */
	void (*renotify)(void *ctx, u32 q);
	void *renotify_ctx;

	pthread_mutex_t lock; /* guards the registers below */
	u32 status;	      /* without DEVICE_NEEDS_RESET; atomic stores */
	u32 dev_features_sel;
	u32 drv_features_sel;
	u32 queue_sel;
	u64 driver_features; /* as written */
	u64 features;	     /* negotiated; valid while FEATURES_OK is set */
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];

	atomic_uint config_gen;
	atomic_bool needs_reset;
	pthread_mutex_t irq_lock; /* leaf lock: guards isr, irq_level, fail_reason */
	u32 isr;
	bool irq_level;
	char fail_reason[192]; /* why DEVICE_NEEDS_RESET was set */
};

int virtio_mmio_init(struct virtio_mmio *t, const char *name, u64 base,
		     const struct virtio_dev_ops *ops, const struct virtq_mem *mem,
		     virtio_mmio_irq_fn irq, void *irq_ctx);
void virtio_mmio_destroy(struct virtio_mmio *t);

/* For the device. */

/* Queue q if the driver made it ready, else NULL. Any thread. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, u32 q);
/*
 * After pushing to queue q: raise a used buffer notification if the driver
 * wants one (virtq_need_notify()). Any thread, serialised with the pushes.
 */
void virtio_mmio_notify_used(struct virtio_mmio *t, u32 q);
/* The device changed its configuration space: new generation, notification. Any thread. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/*
 * A device that stopped a queue's work at its bound with work left asks to
 * be notified of the queue again: with VIRTIO_F_EVENT_IDX the driver would
 * not notify (avail_event moves only when the ring is found empty), and
 * doing it all now would let the guest hold the notifying thread. With the
 * ioeventfd wiring the I/O thread comes back to it after serving the other
 * devices. Without wiring (unit tests) nothing happens: the device resumes
 * on its next event. Any thread, any locks held.
 */
void virtio_mmio_renotify(struct virtio_mmio *t, u32 q);
/* The device cannot go on: DEVICE_NEEDS_RESET (virtio 1.2 2.1.2). Any thread. */
void virtio_mmio_fail(struct virtio_mmio *t, const char *fmt, ...) __printf(2, 3);
/* Negotiated features: stable from activate() until reset(). */
u64 virtio_mmio_features(const struct virtio_mmio *t);

/* For the VMM's eventfd threads. */

/* An available buffer notification for queue q (ioeventfd path). */
void virtio_mmio_queue_notify(struct virtio_mmio *t, u32 q);
/* The interrupt line was lowered at EOI (irqfd resamplefd): re-raise if pending. */
void virtio_mmio_irq_resample(struct virtio_mmio *t);

#endif

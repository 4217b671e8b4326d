// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio transport, version 2 (virtio 1.2 4.2). See mmio.h for the
 * device interface, the eventfd hooks and the locking rules.
 *
 * The driver is the guest and is not trusted. Control registers take only
 * aligned 32-bit accesses (4.2.2.2); anything else reads as 0 and is not
 * written. Reads of write-only registers return 0, writes to read-only ones
 * are ignored. Protocol violations that leave the device unusable set
 * DEVICE_NEEDS_RESET (2.1.2) with a reason in fail_reason:
 *
 *  - a queue made ready before FEATURES_OK (its ring format is unknown), or
 *    with a size or ring addresses virtq_setup() refuses;
 *  - a ready queue stopped (QueueReady = 0) while DRIVER_OK is set: without
 *    VIRTIO_F_RING_RESET only a device reset may take queues away;
 *  - DRIVER_OK without FEATURES_OK, or a status write clearing bits
 *    (2.1.1: "The driver MUST NOT clear a device status bit");
 *  - any queue breaking (virtq.c lists why).
 *
 * Once it is set, QueueNotify is ignored until the driver resets the device.
 * Feature negotiation failures do not set it: FEATURES_OK simply stays clear
 * (3.1.1 step 6, 2.2.2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "devices/virtio/mmio.h"

static u32 virtio_mmio_status(const struct virtio_mmio *t)
{
	return __atomic_load_n(&t->status, __ATOMIC_ACQUIRE);
}

static void virtio_mmio_set_status(struct virtio_mmio *t, u32 status)
{
	__atomic_store_n(&t->status, status, __ATOMIC_RELEASE);
}

static bool virtio_mmio_driver_ok(const struct virtio_mmio *t)
{
	return virtio_mmio_status(t) & VIRTIO_STATUS_DRIVER_OK;
}

/* Interrupts: the line follows InterruptStatus != 0 (4.2.3.4). */

static void virtio_mmio_update_irq(struct virtio_mmio *t)
{
	bool level = t->isr != 0;

	if (level == t->irq_level)
		return;
	t->irq_level = level;
	if (t->irq)
		t->irq(t, level);
}

static void virtio_mmio_raise(struct virtio_mmio *t, u32 bits)
{
	pthread_mutex_lock(&t->irq_lock);
	t->isr |= bits;
	virtio_mmio_update_irq(t);
	pthread_mutex_unlock(&t->irq_lock);
}

static void virtio_mmio_ack(struct virtio_mmio *t, u32 bits)
{
	pthread_mutex_lock(&t->irq_lock);
	t->isr &= ~bits;
	virtio_mmio_update_irq(t);
	pthread_mutex_unlock(&t->irq_lock);
}

void virtio_mmio_irq_resample(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->irq_lock);
	if (t->isr && t->irq)
		t->irq(t, true);
	pthread_mutex_unlock(&t->irq_lock);
}

static void virtio_mmio_vfail(struct virtio_mmio *t, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&t->irq_lock);
	if (!atomic_load(&t->needs_reset)) {
		vsnprintf(t->fail_reason, sizeof(t->fail_reason), fmt, ap);
		atomic_store(&t->needs_reset, true);
		/* 2.1.2: after DRIVER_OK, tell the driver with a config change notification. */
		if (virtio_mmio_driver_ok(t)) {
			t->isr |= VIRTIO_MMIO_INT_CONFIG;
			virtio_mmio_update_irq(t);
		}
	}
	pthread_mutex_unlock(&t->irq_lock);
}

void virtio_mmio_fail(struct virtio_mmio *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	virtio_mmio_vfail(t, fmt, ap);
	va_end(ap);
}

static void virtio_mmio_vq_broken(struct virtq *vq)
{
	struct virtio_mmio_queue *q = container_of(vq, struct virtio_mmio_queue, vq);
	struct virtio_mmio *t = vq->owner;

	virtio_mmio_fail(t, "%s: queue %u: %s", t->region.name, (u32)(q - t->queues), vq->error);
}

/* Device-facing functions. */

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, u32 q)
{
	if (q >= t->ops->num_queues || !__atomic_load_n(&t->queues[q].ready, __ATOMIC_ACQUIRE))
		return NULL;
	return &t->queues[q].vq;
}

void virtio_mmio_notify_used(struct virtio_mmio *t, u32 q)
{
	struct virtq *vq = virtio_mmio_queue(t, q);

	if (vq && virtq_need_notify(vq))
		virtio_mmio_raise(t, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	/*
	 * Bump first: a driver that sees the notification, or that re-reads
	 * ConfigGeneration after reading the new contents, sees a new value.
	 */
	atomic_fetch_add(&t->config_gen, 1);
	/* 2.1.2: no notifications before DRIVER_OK. */
	if (virtio_mmio_driver_ok(t))
		virtio_mmio_raise(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_renotify(struct virtio_mmio *t, u32 q)
{
	if (t->renotify)
		t->renotify(t->renotify_ctx, q);
}

u64 virtio_mmio_features(const struct virtio_mmio *t)
{
	return t->features;
}

/* Device reset (Status = 0): 4.2.2.1, 2.4. */
static void virtio_mmio_reset(struct virtio_mmio *t)
{
	u32 i;

	/* The device lets go of the queues before they are forgotten. */
	if (t->ops->reset)
		t->ops->reset(t);
	for (i = 0; i < t->ops->num_queues; i++) {
		struct virtio_mmio_queue *q = &t->queues[i];

		__atomic_store_n(&q->ready, false, __ATOMIC_RELEASE);
		virtq_reset(&q->vq);
		q->num = 0;
		q->desc = q->driver = q->device = 0;
	}
	virtio_mmio_set_status(t, 0);
	t->dev_features_sel = 0;
	t->drv_features_sel = 0;
	t->queue_sel = 0;
	t->driver_features = 0;
	t->features = 0;

	pthread_mutex_lock(&t->irq_lock);
	atomic_store(&t->needs_reset, false);
	t->fail_reason[0] = '\0';
	t->isr = 0;
	virtio_mmio_update_irq(t);
	pthread_mutex_unlock(&t->irq_lock);
}

static u64 virtio_mmio_offered(const struct virtio_mmio *t)
{
	return (t->ops->features & VIRTIO_DEVICE_FEATURES_MASK) | VIRTIO_MMIO_TRANSPORT_FEATURES;
}

/* FEATURES_OK requested: may we set it? (2.2.1, 2.2.2, 6) */
static bool virtio_mmio_features_acceptable(struct virtio_mmio *t)
{
	u64 drv = t->driver_features;

	if (drv & ~virtio_mmio_offered(t))
		return false;
	/*
	 * No legacy interface: "A device MAY fail to operate further if
	 * VIRTIO_F_VERSION_1 is not accepted" (6.2).
	 */
	if (!(drv & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return false;
	if (t->ops->features_ok && !t->ops->features_ok(t, drv))
		return false;
	return true;
}

static void virtio_mmio_write_status(struct virtio_mmio *t, u32 val)
{
	u32 old = virtio_mmio_status(t), new;

	if (val == 0) {
		virtio_mmio_reset(t);
		return;
	}
	/* DEVICE_NEEDS_RESET is ours; the driver writes back what it read. */
	new = (val & 0xff & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	if (old & ~new) {
		virtio_mmio_fail(t, "%s: status 0x%x clears bits of 0x%x", t->region.name, val,
				 old);
		return;
	}
	if ((new & ~old) & VIRTIO_STATUS_FEATURES_OK) {
		/* 3.1.1: features are negotiated after ACKNOWLEDGE and DRIVER. */
		bool order = (new &VIRTIO_STATUS_ACKNOWLEDGE) && (new &VIRTIO_STATUS_DRIVER);

		if (order && virtio_mmio_features_acceptable(t))
			t->features = t->driver_features;
		else
			new &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if (!((new & ~old) & VIRTIO_STATUS_DRIVER_OK)) {
		virtio_mmio_set_status(t, new);
		return;
	}
	if (!(new &VIRTIO_STATUS_FEATURES_OK)) {
		virtio_mmio_set_status(t, new & ~VIRTIO_STATUS_DRIVER_OK);
		virtio_mmio_fail(t, "%s: DRIVER_OK without FEATURES_OK", t->region.name);
		return;
	}
	virtio_mmio_set_status(t, new);
	/*
	 * A device that already failed during setup is not started; the
	 * driver now gets the notification 2.1.2 asks for.
	 */
	if (atomic_load(&t->needs_reset))
		virtio_mmio_raise(t, VIRTIO_MMIO_INT_CONFIG);
	else if (t->ops->activate)
		t->ops->activate(t);
}

static struct virtio_mmio_queue *virtio_mmio_selected(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->queues[t->queue_sel] : NULL;
}

static void virtio_mmio_write_ready(struct virtio_mmio *t, struct virtio_mmio_queue *q, u32 val)
{
	u32 idx = (u32)(q - t->queues);

	if (!(val & 1)) {
		if (!q->ready)
			return;
		if (virtio_mmio_driver_ok(t)) {
			virtio_mmio_fail(t, "%s: queue %u stopped while running", t->region.name,
					 idx);
			return;
		}
		__atomic_store_n(&q->ready, false, __ATOMIC_RELEASE);
		virtq_reset(&q->vq);
		return;
	}
	if (q->ready)
		return;
	if (!(virtio_mmio_status(t) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_mmio_fail(t, "%s: queue %u ready before FEATURES_OK", t->region.name, idx);
		return;
	}
	if (virtq_setup(&q->vq, q->num, t->ops->queue_max, q->desc, q->driver, q->device,
			t->features)) {
		virtio_mmio_fail(t, "%s: queue %u: %s", t->region.name, idx, q->vq.error);
		return;
	}
	/* Release: device threads that see ready see the set-up virtq. */
	__atomic_store_n(&q->ready, true, __ATOMIC_RELEASE);
}

/* Writes to the queue layout registers; ignored while the queue is ready (4.2.2.2). */
static void virtio_mmio_write_queue_reg(struct virtio_mmio *t, u64 off, u32 val)
{
	struct virtio_mmio_queue *q = virtio_mmio_selected(t);
	u64 *addr;

	if (!q || q->ready)
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = val;
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		addr = &q->desc;
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		addr = &q->driver;
		break;
	default:
		addr = &q->device;
		break;
	}
	if (off & 4)
		*addr = (*addr & 0xffffffffULL) | ((u64)val << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | val;
}

/* QueueNotify (4.2.3.3); also the ioeventfd path. Called with t->lock held. */
static void __virtio_mmio_queue_notify(struct virtio_mmio *t, u32 q)
{
	/* 2.1.2: no buffers are consumed before DRIVER_OK; none after a failure. */
	if (!virtio_mmio_driver_ok(t) || atomic_load(&t->needs_reset))
		return;
	/* Spurious or misdirected notifications are harmless (2.7.10). */
	if (!virtio_mmio_queue(t, q))
		return;
	t->ops->queue_notify(t, q);
}

void virtio_mmio_queue_notify(struct virtio_mmio *t, u32 q)
{
	pthread_mutex_lock(&t->lock);
	__virtio_mmio_queue_notify(t, q);
	pthread_mutex_unlock(&t->lock);
}

static void virtio_mmio_write(struct virtio_mmio *t, u64 off, u32 val)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Negotiation is over once FEATURES_OK is set (2.2). */
		if (virtio_mmio_status(t) & VIRTIO_STATUS_FEATURES_OK || t->drv_features_sel > 1)
			break;
		if (t->drv_features_sel)
			t->driver_features =
			    (t->driver_features & 0xffffffffULL) | ((u64)val << 32);
		else
			t->driver_features = (t->driver_features & ~0xffffffffULL) | val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		virtio_mmio_write_queue_reg(t, off, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (virtio_mmio_selected(t))
			virtio_mmio_write_ready(t, virtio_mmio_selected(t), val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
		__virtio_mmio_queue_notify(t, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		virtio_mmio_ack(t, val);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_mmio_write_status(t, val);
		break;
	}
	/* Everything else is read-only or unused (SHMSel, QueueReset: not offered). */
}

static u32 virtio_mmio_read(struct virtio_mmio *t, u64 off)
{
	struct virtio_mmio_queue *q = virtio_mmio_selected(t);
	u64 features;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		features = virtio_mmio_offered(t);
		if (t->dev_features_sel == 0)
			return (u32)features;
		if (t->dev_features_sel == 1)
			return (u32)(features >> 32);
		return 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		pthread_mutex_lock(&t->irq_lock);
		features = t->isr;
		pthread_mutex_unlock(&t->irq_lock);
		return (u32)features;
	case VIRTIO_MMIO_STATUS:
		return virtio_mmio_status(t) |
		       (atomic_load(&t->needs_reset) ? VIRTIO_STATUS_DEVICE_NEEDS_RESET : 0);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* No shared memory regions: length and base read as -1 (4.2.2). */
		return 0xffffffff;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return atomic_load(&t->config_gen);
	}
	return 0;
}

/* Configuration space (4.2.2.2): 8-, 16- or 32-bit, aligned, within config_len. */
static void virtio_mmio_config(struct virtio_mmio *t, u32 off, u8 *data, u32 len, bool is_write)
{
	bool ok =
	    (len == 1 || len == 2 || len == 4) && off % len == 0 && off + len <= t->ops->config_len;

	if (is_write) {
		if (ok && t->ops->config_write)
			t->ops->config_write(t, off, data, len);
		return;
	}
	memset(data, 0, len);
	if (ok && t->ops->config_read)
		t->ops->config_read(t, off, data, len);
}

static void virtio_mmio_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			       bool is_write)
{
	struct virtio_mmio *t = container_of(r, struct virtio_mmio, region);
	u32 val;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_mmio_config(t, (u32)(off - VIRTIO_MMIO_CONFIG), data, len, is_write);
	} else if (len != 4 || off % 4) {
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		/* Registers are little-endian (4.2.2), as bus data is. */
		val = (u32)data[0] | (u32)data[1] << 8 | (u32)data[2] << 16 | (u32)data[3] << 24;
		virtio_mmio_write(t, off, val);
	} else {
		val = virtio_mmio_read(t, off);
		data[0] = (u8)val;
		data[1] = (u8)(val >> 8);
		data[2] = (u8)(val >> 16);
		data[3] = (u8)(val >> 24);
	}
	pthread_mutex_unlock(&t->lock);
}

int virtio_mmio_init(struct virtio_mmio *t, const char *name, u64 base,
		     const struct virtio_dev_ops *ops, const struct virtq_mem *mem,
		     virtio_mmio_irq_fn irq, void *irq_ctx)
{
	u32 i;
	int ret;

	if (!ops->device_id || !ops->queue_notify || !ops->num_queues ||
	    ops->num_queues > VIRTIO_MMIO_MAX_QUEUES || !ops->queue_max ||
	    ops->queue_max > VIRTIO_QUEUE_SIZE_MAX || (ops->queue_max & (ops->queue_max - 1)) ||
	    ops->config_len > VIRTIO_MMIO_CONFIG_MAX)
		return error_host(-EINVAL, "virtio-mmio %s: invalid device description", name);

	memset(t, 0, sizeof(*t));
	ret = pthread_mutex_init(&t->lock, NULL);
	if (ret)
		return error_host(-ret, "virtio-mmio %s: cannot initialise lock: %s", name,
				  strerror(ret));
	ret = pthread_mutex_init(&t->irq_lock, NULL);
	if (ret) {
		pthread_mutex_destroy(&t->lock);
		return error_host(-ret, "virtio-mmio %s: cannot initialise lock: %s", name,
				  strerror(ret));
	}
	t->region.name = name;
	t->region.base = base;
	t->region.len = VIRTIO_MMIO_REGION_SIZE;
	t->region.access = virtio_mmio_access;
	t->ops = ops;
	t->irq = irq;
	t->irq_ctx = irq_ctx;
	atomic_init(&t->config_gen, 0);
	atomic_init(&t->needs_reset, false);
	for (i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_init(&t->queues[i].vq, mem, virtio_mmio_vq_broken, t);
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->irq_lock);
	pthread_mutex_destroy(&t->lock);
}

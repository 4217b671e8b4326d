/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio console with multiport (virtio 1.2 5.3), on the virtio-mmio
 * transport (mmio.h).
 *
 * Port 0 is the console port: Linux makes it hvc0 once we announce it with
 * CONSOLE_PORT. Ports 1.. are "generic" ports with an optional name (PORT_NAME),
 * which Linux shows as /sys/class/virtio-ports/vportNpM/name and /dev/vportNpM
 * (udev adds /dev/virtio-ports/<name>).
 *
 * Guest -> host: every byte the driver transmits on port p reaches the sink
 * cfg->rx(ctx, p, data, len), in order, as a host copy (never a pointer into
 * guest memory, so the sink may read it twice). Host -> guest:
 * virtio_console_send() queues bytes per port; they enter the port's receive
 * buffers once the driver has posted some and opened the port (PORT_OPEN 1:
 * Linux drops data that arrives on a closed generic port, and its console
 * port opens itself when it becomes hvc0).
 *
 * Threads and locks. The transport calls our ops with t->lock held; we
 * take the device lock inside it (order: t->lock, device lock, interrupt
 * lock, as mmio.h says). virtio_console_send() and virtio_console_stats()
 * take only the device lock and may be called from any thread.
 * virtio_console_drain() takes the device lock. The sink runs with the
 * device lock (and usually t->lock) held, on the thread that delivered the
 * queue notification (the VMM's I/O thread, or a vCPU without ioeventfd),
 * on a vCPU for emerg_wr, or in virtio_console_drain(); never in
 * virtio_console_send(). It must not call back into this device (the device
 * lock is not recursive) and should not block for long: the guest's
 * accesses to the device wait for it.
 *
 * A device reset (the driver writes status 0, also once when the driver
 * first probes) forgets the driver's state: which ports are open, control
 * messages not yet delivered, and host bytes not yet delivered (they were
 * meant for the driver instance that is gone; stats.bytes_discarded counts
 * them). Statistics are kept.
 */
#ifndef KTVM_DEVICES_VIRTIO_CONSOLE_H
#define KTVM_DEVICES_VIRTIO_CONSOLE_H

#include "core/base/types.h"
#include "devices/virtio/mmio.h"

/* Feature bits, virtio 1.2 5.3.3. SIZE is not offered (no window size). */
#define VIRTIO_CONSOLE_F_SIZE	     0
#define VIRTIO_CONSOLE_F_MULTIPORT   1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/*
 * Configuration space, virtio 1.2 5.3.4: le16 cols, le16 rows, le32
 * max_nr_ports, le32 emerg_wr. cols and rows read as 0 (no F_SIZE).
 */
#define VIRTIO_CONSOLE_CONFIG_COLS	   0
#define VIRTIO_CONSOLE_CONFIG_ROWS	   2
#define VIRTIO_CONSOLE_CONFIG_MAX_NR_PORTS 4
#define VIRTIO_CONSOLE_CONFIG_EMERG_WR	   8
#define VIRTIO_CONSOLE_CONFIG_LEN	   12

/*
 * Control messages, virtio 1.2 5.3.6.2: le32 id, le16 event, le16 value,
 * then (PORT_NAME) the name. Linux calls DEVICE_ADD/REMOVE PORT_ADD/REMOVE.
 */
#define VIRTIO_CONSOLE_CTRL_LEN	     8
#define VIRTIO_CONSOLE_DEVICE_READY  0 /* driver: value 1 ready, 0 failed */
#define VIRTIO_CONSOLE_DEVICE_ADD    1 /* device: port id exists */
#define VIRTIO_CONSOLE_DEVICE_REMOVE 2 /* device: port id is gone */
#define VIRTIO_CONSOLE_PORT_READY    3 /* driver: value 1 port set up, 0 failed */
#define VIRTIO_CONSOLE_CONSOLE_PORT  4 /* device: port id is a console */
#define VIRTIO_CONSOLE_RESIZE	     5 /* device: console size */
#define VIRTIO_CONSOLE_PORT_OPEN     6 /* both: value 1 open, 0 closed */
#define VIRTIO_CONSOLE_PORT_NAME     7 /* device: the name follows the header */

/*
 * Queues with MULTIPORT (5.3.2): port 0 receiveq/transmitq, control
 * receiveq/transmitq, then a receiveq/transmitq pair per port from 1 on;
 * 2 + 2 * nr_ports in all, which virtio-mmio's queue count bounds.
 */
#define VIRTIO_CONSOLE_MAX_PORTS ((VIRTIO_MMIO_MAX_QUEUES - 2) / 2)
#define VIRTIO_CONSOLE_CTRL_RXQ	 2
#define VIRTIO_CONSOLE_CTRL_TXQ	 3
/* QueueNumMax of every queue. */
#define VIRTIO_CONSOLE_QUEUE_MAX 128

/* A port name: 1..63 bytes of [A-Za-z0-9._-] (it becomes a udev symlink). */
#define VIRTIO_CONSOLE_NAME_MAX 63
/* Host -> guest bytes each port holds before virtio_console_send() says -EAGAIN (the default). */
#define VIRTIO_CONSOLE_SEND_BUF (1 * MiB)
#define VIRTIO_CONSOLE_SEND_BUF_MAX (64 * MiB)
/* Control messages waiting for control receive buffers; more are dropped. */
#define VIRTIO_CONSOLE_CTRL_PENDING 64

/* Guest -> host bytes of port `port`; see the rules for sinks above. */
typedef void (*virtio_console_rx_fn)(void *ctx, u32 port, const u8 *data, size_t len);

struct virtio_console_config {
	u32 nr_ports; /* 1..VIRTIO_CONSOLE_MAX_PORTS; also max_nr_ports */
	/* names[0] must be NULL (port 0 is the console); NULL: an unnamed port. */
	const char *names[VIRTIO_CONSOLE_MAX_PORTS];
	virtio_console_rx_fn rx; /* NULL: guest output is counted and dropped */
	void *rx_ctx;
	/* per-port send buffer, 1..VIRTIO_CONSOLE_SEND_BUF_MAX; 0: VIRTIO_CONSOLE_SEND_BUF */
	size_t send_buf;
};

struct virtio_console_port_stats {
	u64 bytes_in;	   /* guest -> host, handed to the sink */
	u64 bytes_out;	   /* host -> guest, written into receive buffers */
	u64 bytes_pending; /* host -> guest, sent and not yet delivered */
	bool guest_open;   /* the driver's last PORT_OPEN said open */
};

struct virtio_console_stats {
	u32 nr_ports;
	struct virtio_console_port_stats port[VIRTIO_CONSOLE_MAX_PORTS];
	u64 ctrl_msgs;	     /* control messages from the driver, bad ones included */
	u64 bad_ctrl;	     /* ... of which refused: short, unknown event, bad id or value */
	u64 ctrl_sent;	     /* control messages delivered to the driver */
	u64 ctrl_dropped;    /* ... not delivered: the pending list was full */
	u32 ctrl_pending;    /* ... waiting for receive buffers now */
	u64 bad_chains;	     /* chains with buffers in the wrong direction or no room */
	u64 bytes_discarded; /* host -> guest bytes forgotten at device reset */
};

struct virtio_console;

/*
 * Create the device and its transport at mmio_base; interrupts go to
 * irq(t, level) with t->irq_ctx == irq_ctx. The caller puts
 * virtio_console_transport(c)->region on its MMIO bus. Returns -errno with
 * the error message set (core/base/error.h).
 */
int virtio_console_create(struct virtio_console **out, const struct virtio_console_config *cfg,
			  u64 mmio_base, const struct virtq_mem *mem, virtio_mmio_irq_fn irq,
			  void *irq_ctx);
/* No guest access or other call may be in progress. NULL is ignored. */
void virtio_console_destroy(struct virtio_console *c);
struct virtio_mmio *virtio_console_transport(struct virtio_console *c);

/*
 * Queue len bytes for port `port`, to be delivered in order. All or
 * nothing: -EAGAIN (never blocks) if they do not fit in what is left of
 * the port's send buffer, -EINVAL for a port that does not exist. Any
 * thread except the sink's.
 */
int virtio_console_send(struct virtio_console *c, u32 port, const void *data, size_t len);
/*
 * Hand every chain waiting in the transmit queues to the sink now, whether
 * or not the driver notified. For after the vCPUs have stopped: Linux's
 * port write returns once the buffer is in the ring.
 */
void virtio_console_drain(struct virtio_console *c);
/* Hold the device lock: no queue is used, so no guest memory written, until resume. */
void virtio_console_pause(struct virtio_console *c);
void virtio_console_resume(struct virtio_console *c);
/* A consistent snapshot. Any thread except the sink's. */
void virtio_console_stats(struct virtio_console *c, struct virtio_console_stats *out);

#endif

// SPDX-License-Identifier: GPL-2.0
/* The run's device list (devlist.h). */
#include <string.h>

#include "core/base/json.h"
#include "core/run/channel.h"
#include "core/vm/vm.h"
#include "tools/devlist.h"

static int devlist_channel_send(void *ctx, const void *data, size_t len)
{
	return console_attach_send(ctx, data, len);
}

static void devlist_disk(struct devlist *d, const struct devopts_disk *od)
{
	struct blk_attach *a = &d->disk[d->nr_disks];

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "virtio-blk%u", d->nr_disks);
	a->cfg = (struct virtio_blk_config){
	    .fd = od->fd,
	    .size = od->size,
	    .read_only = od->ro,
	    .direct = od->direct,
	};
	/* GET_ID: what the guest shows as /sys/block/vdX/serial. */
	snprintf(a->cfg.id, sizeof(a->cfg.id), "ktvm-disk%u", d->nr_disks);
	blk_attach_device(a, &d->list[d->n++]);
	d->nr_disks++;
}

static void devlist_net(struct devlist *d, const struct devopts_net *on)
{
	struct net_attach *a = &d->net;

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "virtio-net0");
	a->cfg = (struct virtio_net_config){
	    .mode = on->mode == DEVOPTS_NET_TAP ? VIRTIO_NET_TAP : VIRTIO_NET_LOOPBACK,
	    .mtu = on->mtu,
	    .csum = on->csum,
	    .tap_fd = on->tap_fd,
	};
	memcpy(a->cfg.mac, on->mac, sizeof(a->cfg.mac));
	net_attach_device(a, &d->list[d->n++]);
	d->have_net = true;
}

void devlist_build(struct devlist *d, struct channel *ch, const struct devopts *o,
		   struct vm_config *cfg)
{
	u32 i;

	d->n = 0;
	d->nr_disks = 0;
	d->have_net = false;
	d->opts = o;
	d->console.rx = channel_feed;
	d->console.rx_ctx = ch;
	console_attach_device(&d->console, &d->list[d->n++]);
	ch->send = devlist_channel_send;
	ch->send_ctx = &d->console;
	for (i = 0; i < o->nr_disks; i++)
		devlist_disk(d, &o->disk[i]);
	if (o->net.mode != DEVOPTS_NET_NONE)
		devlist_net(d, &o->net);
	cfg->devices = d->list;
	cfg->nr_devices = d->n;
}

static void devlist_json_disk(FILE *f, struct devlist *d, u32 i)
{
	const struct devopts_disk *od = &d->opts->disk[i];
	struct virtio_blk_stats s;

	blk_attach_stats(&d->disk[i], &s);
	fprintf(f, "%s    {\"name\": \"vd%c\", \"path\": ", i ? ",\n" : "", 'a' + i);
	if (od->path[0])
		json_string(f, od->path, strlen(od->path));
	else
		fputs("null", f);
	fprintf(f,
		", \"bytes\": %llu, \"ro\": %s, \"cache\": \"%s\", \"requests\": %llu, "
		"\"reads\": %llu, \"writes\": %llu, \"flushes\": %llu, \"discards\": %llu, "
		"\"write_zeroes\": %llu, \"bytes_read\": %llu, \"bytes_written\": %llu, "
		"\"errors\": %llu, \"unsupported\": %llu, \"bad_chains\": %llu, "
		"\"in_flight_max\": %u}",
		(unsigned long long)od->size, od->ro ? "true" : "false",
		od->direct ? "none" : "writeback", (unsigned long long)s.requests,
		(unsigned long long)s.reads, (unsigned long long)s.writes,
		(unsigned long long)s.flushes, (unsigned long long)s.discards,
		(unsigned long long)s.write_zeroes, (unsigned long long)s.bytes_read,
		(unsigned long long)s.bytes_written, (unsigned long long)s.errors,
		(unsigned long long)s.unsupported, (unsigned long long)s.bad_chains,
		s.in_flight_max);
}

void devlist_json(FILE *f, struct devlist *d)
{
	struct virtio_net_stats s;
	const struct devopts_net *on;
	u32 i;

	if (d->nr_disks) {
		fputs(",\n  \"disks\": [\n", f);
		for (i = 0; i < d->nr_disks; i++)
			devlist_json_disk(f, d, i);
		fputs("\n  ]", f);
	}
	if (!d->have_net)
		return;
	on = &d->opts->net;
	net_attach_stats(&d->net, &s);
	fprintf(f, ",\n  \"net\": {\"mode\": \"%s\", \"ifname\": ",
		on->mode == DEVOPTS_NET_TAP ? "tap" : "loopback");
	if (on->mode == DEVOPTS_NET_TAP)
		json_string(f, on->ifname, strlen(on->ifname));
	else
		fputs("null", f);
	fprintf(f,
		", \"mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\", \"tx_frames\": %llu, "
		"\"tx_bytes\": %llu, \"rx_frames\": %llu, \"rx_bytes\": %llu, "
		"\"tx_dropped\": %llu, \"rx_dropped\": %llu, \"rx_pending\": %u, "
		"\"bad_chains\": %llu, \"csum_fixed\": %llu}",
		on->mac[0], on->mac[1], on->mac[2], on->mac[3], on->mac[4], on->mac[5],
		(unsigned long long)s.tx_frames, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_frames, (unsigned long long)s.rx_bytes,
		(unsigned long long)s.tx_dropped, (unsigned long long)s.rx_dropped, s.rx_pending,
		(unsigned long long)s.bad_chains, (unsigned long long)s.csum_fixed);
}

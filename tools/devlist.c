// SPDX-License-Identifier: GPL-2.0
/* The run's device list (devlist.h). */
#include "core/run/channel.h"
#include "core/vm/vm.h"
#include "tools/devlist.h"

static int devlist_channel_send(void *ctx, const void *data, size_t len)
{
	return console_attach_send(ctx, data, len);
}

void devlist_build(struct devlist *d, struct channel *ch, struct vm_config *cfg)
{
	d->n = 0;
	d->console.rx = channel_feed;
	d->console.rx_ctx = ch;
	console_attach_device(&d->console, &d->list[d->n++]);
	ch->send = devlist_channel_send;
	ch->send_ctx = &d->console;
	cfg->devices = d->list;
	cfg->nr_devices = d->n;
}

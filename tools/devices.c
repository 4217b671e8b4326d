// SPDX-License-Identifier: GPL-2.0
/* The run's device list (devices.h). */
#include "core/run/channel.h"
#include "core/vm/vm.h"
#include "tools/devices.h"

static int devices_channel_send(void *ctx, const void *data, size_t len)
{
	return console_attach_send(ctx, data, len);
}

void devices_build(struct devices *d, struct channel *ch, struct vm_config *cfg)
{
	d->n = 0;
	d->console.rx = channel_feed;
	d->console.rx_ctx = ch;
	console_attach_device(&d->console, &d->list[d->n++]);
	ch->send = devices_channel_send;
	ch->send_ctx = &d->console;
	cfg->devices = d->list;
	cfg->nr_devices = d->n;
}

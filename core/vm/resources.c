// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "core/vm/cmdline.h"
#include "core/base/error.h"
#include "core/vm/resources.h"

void resources_init(struct resources *r, u64 mmio_base, u64 mmio_size, u32 irq_first, u32 irq_count)
{
	r->mmio_start = r->mmio_next = mmio_base;
	r->mmio_end = mmio_base + mmio_size;
	r->irq_first = r->irq_next = irq_first;
	r->irq_end = irq_first + irq_count;
	r->nr_devs = 0;
}

int resources_alloc_mmio(struct resources *r, const char *who, u64 size, u64 align, u64 *base)
{
	u64 at;

	if (!size || !align || (align & (align - 1)))
		return error_host(-EINVAL, "%s: bad MMIO request (size 0x%llx, align 0x%llx)", who,
				  (unsigned long long)size, (unsigned long long)align);
	at = ALIGN_UP(r->mmio_next, align);
	if (at < r->mmio_next || at > r->mmio_end || size > r->mmio_end - at)
		return error_host(-ENOSPC, "%s: no room for 0x%llx bytes of MMIO", who,
				  (unsigned long long)size);
	r->mmio_next = at + size;
	*base = at;
	return 0;
}

int resources_alloc_irq(struct resources *r, const char *who, u32 *irq)
{
	if (r->irq_next >= r->irq_end)
		return error_host(-ENOSPC, "%s: no free interrupt line (%u in use)", who,
				  r->irq_end - r->irq_first);
	*irq = r->irq_next++;
	return 0;
}

int resources_add_device(struct resources *r, const struct resource_device *d)
{
	if (r->nr_devs == RESOURCES_MAX_DEVICES)
		return error_host(-ENOSPC, "%s: too many devices (%u)", d->name,
				  RESOURCES_MAX_DEVICES);
	r->devs[r->nr_devs++] = *d;
	return 0;
}

void resources_virtio_cmdline(const struct resources *r, struct cmdline *cl)
{
	char buf[96];
	u32 i;

	for (i = 0; i < r->nr_devs; i++) {
		const struct resource_device *d = &r->devs[i];

		if (d->kind != RESOURCE_VIRTIO_MMIO)
			continue;
		snprintf(buf, sizeof(buf), "virtio_mmio.device=0x%llx@0x%llx:%u",
			 (unsigned long long)d->size, (unsigned long long)d->base, d->irq);
		cmdline_add(cl, buf);
	}
}

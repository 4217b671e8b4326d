// SPDX-License-Identifier: GPL-2.0
/* Guest-virtual reads through a vCPU's page tables (gva.h). */
#include <string.h>

#include "core/debug/arch.h"
#include "core/debug/gva.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

/* Copy len bytes between buf and guest virtual gva, a page at a time. */
static int gva_copy(struct vcpu *vcpu, u64 gva, u8 *out, size_t len, bool write)
{
	while (len) {
		u64 gpa, chunk = 4096 - (gva & 4095);
		void *p;
		int ret;

		if (chunk > len)
			chunk = len;
		ret = arch_vcpu_gva_to_gpa(vcpu, gva, &gpa);
		if (ret < 0)
			return ret;
		p = vm_gpa(vcpu->vm, gpa, chunk);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, out, chunk);
		else
			memcpy(out, p, chunk);
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int gva_read(struct vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	return gva_copy(vcpu, gva, buf, len, false);
}

int gva_write(struct vcpu *vcpu, u64 gva, const void *buf, size_t len)
{
	return gva_copy(vcpu, gva, (u8 *)buf, len, true);
}

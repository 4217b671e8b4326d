// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio notify path (devices/virtio/attach.h): the guest's QueueNotify
 * write reaches the device through its ioeventfd and the I/O thread (no
 * MMIO exit, the bytes arrive off every vCPU thread), and the used-buffer
 * interrupt reaches the guest through the irqfd.
 */
#include <pthread.h>
#include <string.h>

#include <linux/kvm.h>

#include "core/vm/arch.h"
#include "core/vm/resources.h"
#include "tests/kvm/kvm.h"

static const char notify_msg[] = "hello from a raw guest";

struct notify_rx {
	pthread_t main;
	char buf[64];
	size_t len;
	u32 calls;
	bool on_main, on_vcpu;
};

static void notify_rx(void *ctx, const u8 *data, size_t len)
{
	struct notify_rx *rx = ctx;
	char name[16] = "";

	rx->calls++;
	if (pthread_equal(pthread_self(), rx->main))
		rx->on_main = true;
	pthread_getname_np(pthread_self(), name, sizeof(name));
	if (!strncmp(name, "ktvm-vcpu", 9))
		rx->on_vcpu = true;
	len = MIN(len, sizeof(rx->buf) - 1 - rx->len);
	memcpy(rx->buf + rx->len, data, len);
	rx->len += len;
}

TEST(kvm_virtio_notify)
{
	struct kvm_guest g = KVM_GUEST(virtio);
	struct notify_rx rx = {.main = pthread_self()};
	const struct resource_device *con = NULL;
	struct vm_config cfg;
	struct kvm_console kc;
	struct vm_result res;
	struct vm *vm;
	u16 *used_idx;

	kvm_require();
	kvm_config(&cfg, &g, 1);
	cfg.timeout_ms = 20000;
	kvm_console(&cfg, &kc, notify_rx, &rx);
	vm = kvm_create(&cfg);
	for (u32 i = 0; i < vm->res.nr_devs; i++)
		if (vm->res.devs[i].kind == RESOURCE_VIRTIO_MMIO)
			con = &vm->res.devs[i];
	ASSERT_TRUE(con != NULL);
	kvm_set64(vm, G_MMIO, con->base);
	kvm_set64(vm, G_IRQ, con->irq);
	kvm_set64(vm, G_MSG_LEN, sizeof(notify_msg) - 1);
	memcpy(vm_gpa(vm, arch_raw_gpa() + G_BUF, G_BUF_MAX), notify_msg, sizeof(notify_msg) - 1);
	used_idx = vm_gpa(vm, arch_raw_gpa() + G_VQ_USED + 2, 2);

	EXPECT_EQ(vm_run(vm, &res), 0);
	/* The guest powers off only once its interrupt handler ran. */
	EXPECT_EQ(res.end, VM_END_POWEROFF);
	EXPECT_EQ(kvm_get32(vm, G_IRQ_COUNT), 1);
	EXPECT_EQ(kvm_get32(vm, G_IRQ_STATUS) & 1, 1); /* used buffer notification */
	EXPECT_EQ(*used_idx, 1);
	/* Every register access but QueueNotify exited to ktvm: that one went to the ioeventfd. */
	EXPECT_GT(kvm_get32(vm, G_MMIO_OPS), 10);
	EXPECT_EQ(res.exits[KVM_EXIT_MMIO], kvm_get32(vm, G_MMIO_OPS));
	EXPECT_STREQ(rx.buf, notify_msg);
	EXPECT_GE(rx.calls, 1);
	/* Delivered by the I/O thread: not a vCPU's (bus path), not the drain after the run. */
	EXPECT_FALSE(rx.on_vcpu);
	EXPECT_FALSE(rx.on_main);
	vm_result_free(&res);
	vm_destroy(vm);
}

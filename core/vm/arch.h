/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an architecture backend must provide to the VM runtime: the
 * platform, the boot, the vCPUs. Each arch/<name>/ directory defines every
 * hook below once, and embeds its state in struct vm and struct vcpu
 * through its include/ktvm-arch.h (struct arch_vm, struct arch_vcpu); the
 * core never tests the arch. The optional debug hooks (watchpoints, debug
 * exits, page walks, register dumps) are core/debug/arch.h.
 */
#ifndef KTVM_CORE_ARCH_H
#define KTVM_CORE_ARCH_H

#include <stdio.h>

#include "core/base/types.h"

struct vm;
struct vcpu;
struct kvm_run;
struct cmdline;
struct resources;

const char *arch_name(void);
/* Largest vCPU count the backend supports. */
u32 arch_max_vcpus(void);
struct topology;
/*
 * Refuse a finished topology (core/vm/topology.h) the backend cannot describe
 * to the guest: 0, or a negative errno with an input error set.
 */
int arch_topology_check(const struct topology *t);
/*
 * The guest-physical window and interrupt lines ktvm's own devices are
 * placed in (resources_init()). Line numbers are what KVM_IRQFD takes: a GSI
 * on x86, an SPI index on aarch64.
 */
void arch_resources_init(struct resources *r);
/* Refuse a /dev/kvm that cannot run stock kernels; error message set. */
int arch_kvm_check(int kvm_fd);
/*
 * The host queries the vCPUs' setup needs, asked through kvm_fd (a
 * /dev/kvm descriptor of the caller's) while the build thread creates the
 * VM (x86: KVM_GET_SUPPORTED_CPUID, about 0.2-0.4 ms). Failing here is not
 * an error: arch_vcpu_init() asks again and says what failed.
 * arch_kvm_prefetch_end() drops the result when setup unwinds. May do nothing.
 */
void arch_kvm_prefetch(struct vm *vm, int kvm_fd);
void arch_kvm_prefetch_end(struct vm *vm);

/* Add RAM slots (vm_mem_add()) for vm->cfg.mem_size (the arch places holes). */
int arch_vm_memory_layout(struct vm *vm);
/*
 * After KVM_CREATE_VM and memory, on the build thread (vm.h vm_begin()):
 * interrupt controller, timers. It may read vm->topo, vm->fd and
 * vm->kvm_fd, not vm->cfg (the caller's thread may be writing it).
 */
int arch_vm_init(struct vm *vm);
void arch_vm_exit(struct vm *vm);
/* The platform devices the arch always has (UARTs, RTC, reset/power). */
int arch_devices_init(struct vm *vm);
void arch_devices_exit(struct vm *vm);
/*
 * ktvm's default kernel parameters for this arch (console, reboot method),
 * and what the guest must be told on the command line about the devices in
 * r (x86: virtio_mmio.device=..., arm64: nothing, the device tree says it).
 */
void arch_cmdline_defaults(struct cmdline *cl, const struct resources *r);
/*
 * Check vm->kernel_img (format, entry point, memory it needs against
 * vm->cfg.mem_size) before any KVM object exists; input errors set.
 */
int arch_kernel_check(struct vm *vm);
/* Kernel, initrd, command line (vm->cmdline) and firmware tables into guest memory. */
int arch_boot_load(struct vm *vm);
/*
 * Raw boot (vm_config.raw, tests/kvm), instead of arch_boot_load(): the
 * core has copied the code (at most VM_RAW_MAX bytes) to arch_raw_gpa();
 * the arch starts every vCPU there at the kernel's privilege level with
 * interrupts masked; the guest's address space maps
 * virtual to physical 1:1 (x86_64: long mode, identity-mapped first 4 GiB;
 * aarch64: EL1h, MMU off). Registers: the vCPU index in rdi / x0 and
 * arch_raw_gpa() in rsi / x1; x86_64 also a stack below
 * arch_raw_gpa() + 0x20000 - index * 0x1000 in rsp. The code, its data page
 * and the stacks lie in [arch_raw_gpa(), + 128 KiB), which must be RAM.
 * 0, or a negative errno with an error set.
 */
u64 arch_raw_gpa(void);
int arch_boot_raw(struct vm *vm);
/*
 * The kernel itself inside the image img (len bytes; name for messages),
 * for reading its kallsyms before boot (core/image/kallsyms_image.h): *out is img
 * for an uncompressed kernel, else a decompressed copy that *owned points
 * to as well (free() it; NULL when nothing was allocated). 0, or a negative
 * errno with an input error set (-ENOEXEC: not a kernel image of this
 * arch, or a compression ktvm cannot undo).
 */
int arch_kernel_unpack(const u8 *img, size_t len, const char *name, const u8 **out, size_t *out_len,
		       u8 **owned);
/*
 * Can the uncompressed kernel img (arch_kernel_unpack()'s *out) be booted
 * as it is, instead of the image it came from? x86_64: an ELF vmlinux with
 * a PVH entry note; aarch64: an Image. The kernel cache (tools/kcache.c)
 * boots it then, skipping the guest's own decompression.
 */
bool arch_kernel_boots_unpacked(const u8 *img, size_t len);
/*
 * What a kernel file's first n bytes (head; ARCH_KERNEL_HEAD or the whole
 * file if shorter) say it is, without reading further: PLAIN, the
 * uncompressed kernel's magic (x86_64: ELF; aarch64: an Image's ARM\x64);
 * PACKED, a form arch_kernel_unpack() may decompress (a bzImage; an
 * Image.gz or EFI zboot image); else OTHER. The kernel cache reads only
 * this much of a kernel it has nothing to do for.
 */
enum arch_kernel_form {
	ARCH_KERNEL_OTHER,
	ARCH_KERNEL_PLAIN,
	ARCH_KERNEL_PACKED,
};
#define ARCH_KERNEL_HEAD 4096
enum arch_kernel_form arch_kernel_form(const u8 *head, size_t n);

/*
 * The vcpu_id KVM_CREATE_VCPU gets for vCPU index (0..nr_cpus-1; the core
 * keeps using the index). x86: the APIC ID, which KVM derives from it.
 */
u32 arch_vcpu_kvm_id(const struct vm *vm, u32 index);
/*
 * On the caller's thread, vCPU by vCPU in order, each once the build
 * thread has created it (the later ones may still be being created; all
 * exist when the last one's runs): CPUID, boot registers, local interrupt
 * controller, or whatever of that must be done before the VM's next
 * setup phase (arm64: KVM_ARM_VCPU_INIT of every vCPU before the GIC is
 * initialised, by the last one's).
 */
int arch_vcpu_init(struct vcpu *vcpu);
/*
 * The rest, on the vCPU's own thread just before its first KVM_RUN, while
 * the vCPUs started before it may already run: so the boot vCPU starts
 * without waiting for the others' setup (x86: an application processor
 * waits for the guest's INIT and SIPI, which KVM holds for it until it
 * runs). 0, or a negative errno with the error message set (the VM then
 * stops with it).
 */
int arch_vcpu_prepare(struct vcpu *vcpu);
void arch_vcpu_exit(struct vcpu *vcpu);
/* An exit reason the core does not handle. 0: run again; <0: stop the VM. */
int arch_vcpu_handle_exit(struct vcpu *vcpu, struct kvm_run *run);

#endif

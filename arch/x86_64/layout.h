/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 guest physical memory map. Everything ktvm places below 1 MiB or in
 * the BIOS area is here, so the e820 map, the loaders and the firmware
 * tables agree.
 *
 *   0x00000500  GDT (6 entries: null, code32, code64, data, 16-byte TSS)
 *   0x00000530  an empty IDT (the kernel installs its own before enabling interrupts)
 *   0x00006000  PVH hvm_start_info, module list, memory map (one page)
 *   0x00007000  zero page (struct boot_params)
 *   0x00009000  page tables for the 64-bit entry: PML4, PDPT, 4 PDs (4 GiB, 2 MiB pages)
 *   0x00020000  kernel command line (up to 64 KiB)
 *   0x0009fc00  EBDA (1 KiB), reserved in e820
 *   0x000e0000  ACPI tables (RSDP first, so the kernel's BIOS-area scan finds it)
 *   0x000f0000  MP floating pointer and MP configuration table
 *   0x00100000  kernel (bzImage protected-mode part, or PVH ELF at its p_paddr)
 *   ...         RAM up to min(memory, 3 GiB); the initrd sits at its top
 *   0xc0000000  32-bit MMIO hole (virtio-mmio windows, IOAPIC, LAPIC)
 *   0x100000000 RAM above 3 GiB, if any
 */
#ifndef KTVM_ARCH_X86_64_LAYOUT_H
#define KTVM_ARCH_X86_64_LAYOUT_H

#define X86_GDT_ADDR	   0x500ULL
#define X86_IDT_ADDR	   0x530ULL
#define X86_PVH_INFO_ADDR  0x6000ULL
#define X86_ZERO_PAGE_ADDR 0x7000ULL
#define X86_PML4_ADDR	   0x9000ULL
#define X86_PDPT_ADDR	   0xa000ULL
#define X86_PD_ADDR	   0xb000ULL /* 4 pages */
#define X86_CMDLINE_ADDR   0x20000ULL
#define X86_CMDLINE_MAX	   0x10000ULL
#define X86_EBDA_ADDR	   0x9fc00ULL
#define X86_LOWMEM_END	   0xa0000ULL /* end of conventional memory */
#define X86_BIOS_START	   0xe0000ULL
#define X86_ACPI_ADDR	   0xe0000ULL
#define X86_ACPI_SIZE	   0x10000ULL
#define X86_MPTABLE_ADDR   0xf0000ULL
#define X86_MPTABLE_SIZE   0x10000ULL
#define X86_HIMEM_START	   0x100000ULL
#define X86_KERNEL_ADDR	   0x100000ULL
#define X86_MMIO_HOLE	   0xc0000000ULL
#define X86_4G		   0x100000000ULL
#define X86_IOAPIC_ADDR	   0xfec00000ULL
/*
 * virtio-mmio windows, allocated by core/vm/resources.c, and their interrupt
 * lines: the IOAPIC pins above the 16 ISA IRQs (KVM's IOAPIC has 24).
 */
#define X86_VIRTIO_MMIO_BASE 0xd0000000ULL
#define X86_VIRTIO_MMIO_SIZE 0x01000000ULL
#define X86_VIRTIO_GSI_FIRST 16
#define X86_VIRTIO_GSI_COUNT 8
#define X86_LAPIC_ADDR	     0xfee00000ULL

/* RAM below the 32-bit MMIO hole for a guest of mem bytes; the rest sits at 4 GiB. */
#define x86_ram_below_4g(mem) ((mem) < X86_MMIO_HOLE ? (mem) : X86_MMIO_HOLE)

/* KVM needs three pages for the VMX TSS and one for the EPT identity map. */
#define X86_TSS_ADDR	      0xfffbd000ULL
#define X86_IDENTITY_MAP_ADDR 0xfffbc000ULL

/* Legacy I/O ports ktvm emulates. */
#define X86_COM1_PORT  0x3f8
#define X86_COM1_IRQ   4
#define X86_COM2_PORT  0x2f8
#define X86_COM2_IRQ   3
#define X86_CMOS_PORT  0x70 /* index 0x70, data 0x71 */
#define X86_I8042_PORT 0x60 /* data 0x60, command/status 0x64 */

/* ACPI fixed hardware (FADT PM1a event/control blocks, reset register). */
#define X86_ACPI_PM1A_EVT  0x600 /* 4 bytes: status, enable */
#define X86_ACPI_PM1A_CNT  0x604 /* 2 bytes */
#define X86_ACPI_RESET	   0x608 /* 1 byte; writing X86_ACPI_RESET_VAL resets */
#define X86_ACPI_RESET_VAL 0x0e
#define X86_ACPI_SCI_IRQ   9

#endif

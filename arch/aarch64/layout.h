/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aarch64 guest's physical memory map. Everything below RAM is device
 * space; the addresses follow the conventions of QEMU's "virt" board so a
 * reader can compare, but nothing depends on that.
 *
 *   0x08000000  GICv3 distributor, 64 KiB
 *   0x080a0000  GICv3 redistributors, 128 KiB per vCPU (123 fit below the UARTs)
 *   0x09000000  UART 0: 16550A, kernel console (ttyS0), SPI 1
 *   0x09001000  UART 1: 16550A, ktvm's guest init log (ttyS1), SPI 2
 *   0x0a000000  ktvm's own devices (virtio-mmio), 16 MiB, SPIs 16..31
 *   0x40000000  RAM (cfg.mem_size bytes)
 *
 * Interrupt numbers here are SPI indexes (GIC INTID - 32), the form the
 * device tree's <GIC_SPI n flags> and KVM_IRQFD's gsi take.
 */
#ifndef KTVM_ARCH_AARCH64_LAYOUT_H
#define KTVM_ARCH_AARCH64_LAYOUT_H

#include "core/base/types.h"

#define A64_GICD_BASE	   0x08000000ULL
#define A64_GICD_SIZE	   0x10000ULL
#define A64_GICR_BASE	   0x080a0000ULL
#define A64_GICR_STRIDE	   0x20000ULL /* RD_base + SGI_base frames */
#define A64_GICR_LIMIT	   0x09000000ULL
#define A64_GICR_MAX_VCPUS ((A64_GICR_LIMIT - A64_GICR_BASE) / A64_GICR_STRIDE)

#define A64_UART0_BASE 0x09000000ULL
#define A64_UART1_BASE 0x09001000ULL
#define A64_UART_SIZE  0x1000ULL
#define A64_UART0_SPI  1
#define A64_UART1_SPI  2
#define A64_UART_CLOCK 1843200 /* the 16550's usual crystal; baud divisors only */

#define A64_DEVICES_BASE   0x0a000000ULL
#define A64_DEVICES_SIZE   0x01000000ULL
#define A64_DEVICES_SPI	   16
#define A64_DEVICES_SPI_NR 16

#define A64_RAM_BASE 0x40000000ULL

/* GIC INTIDs: SPIs start at 32, PPIs at 16. */
#define A64_SPI_INTID(spi) ((spi) + 32)
/* Architected timer PPIs (Documentation: arm,armv8-timer): secure, non-secure, virtual, hyp. */
#define A64_TIMER_PPI_SEC    13
#define A64_TIMER_PPI_NONSEC 14
#define A64_TIMER_PPI_VIRT   11
#define A64_TIMER_PPI_HYP    10

#endif

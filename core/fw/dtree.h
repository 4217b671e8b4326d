/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arch-neutral part of the device tree a kernel boots with: the nodes
 * whose bindings do not depend on the CPU architecture, written with the
 * fdtw.h writer from one description of the machine.
 *
 *   dtree_root()        the root's compatible, model and cell sizes
 *   dtree_chosen()      /aliases (serial0, serial1) and /chosen (bootargs,
 *                       stdout-path, linux,initrd-*)
 *   dtree_topo_memory() memory@ nodes, NUMA numa-node-id and /distance-map
 *   dtree_cpus()        /cpus: cpu nodes, L2/L3 cache nodes, cpu-map
 *   dtree_devices()     16550 UARTs and the registry's virtio-mmio windows
 *
 * The arch's build function orders these and its own nodes (interrupt
 * controller, timer, firmware interface) in one pass: dtree_check(),
 * fdtw_create(), dtree_root(), its root properties (interrupt-parent),
 * then the nodes, then dtree_finish().
 *
 * What an arch supplies, in a struct dtree_arch:
 *   - name, for messages ("arm64"), and cmdline_max, its COMMAND_LINE_SIZE;
 *   - the cpu nodes' #address-cells (1 or 2) and each one's reg, the unit
 *     address the kernel matches against the CPU's hardware id (arm64:
 *     MPIDR_EL1 affinity; riscv: the hart id);
 *   - cpu_props(): the cpu node's own properties, written after
 *     device_type and before reg (arm64: compatible, enable-method "psci";
 *     riscv: compatible "riscv", riscv,isa, mmu-type), and, optional,
 *     cpus_props() for /cpus itself (riscv: timebase-frequency);
 *   - irq(): the interrupts property for one line, in the format its
 *     interrupt controller's #interrupt-cells defines (GICv3: <GIC_SPI n
 *     flags>; PLIC: <n>; APLIC: <n type>), and the range of valid lines
 *     (irq_first..irq_end, at most DTREE_MAX_IRQS) named irq_name ("SPI").
 * The arch writes its interrupt controller (phandles below
 * DTREE_PHANDLE_FIRST) and the root's interrupt-parent itself, and embeds
 * struct dtree_desc in its own description (container_of() in the hooks).
 */
#ifndef KTVM_CORE_FW_DTREE_H
#define KTVM_CORE_FW_DTREE_H

#include <stddef.h>

#include "core/base/types.h"
#include "core/fw/fdtw.h"
#include "core/vm/resources.h"
#include "core/vm/topology.h"

/*
 * Phandles of vCPU n's cpu node, core n's L2 and LLC n's L3 cache node (n
 * machine-wide); the arch's own phandles stay below DTREE_PHANDLE_FIRST.
 */
#define DTREE_PHANDLE_FIRST  0x100
#define DTREE_PHANDLE_CPU(n) (0x100 + (n))
#define DTREE_PHANDLE_L2(n)  (0x200 + (n))
#define DTREE_PHANDLE_L3(n)  (0x300 + (n))
/* So that the three ranges do not overlap. */
#define DTREE_MAX_CPUS 0x100

#define DTREE_NR_UARTS 2
/* Interrupt lines the checks track; GIC SPIs (988) and PLIC sources (1024) fit. */
#define DTREE_MAX_IRQS 1024

/* How a line signals; the arch turns it into its controller's flags. */
enum dtree_trigger {
	DTREE_LEVEL_HIGH,
	DTREE_EDGE_RISING,
};

struct dtree_desc;

struct dtree_arch {
	const char *name; /* "arm64", in messages */
	u32 cmdline_max;  /* COMMAND_LINE_SIZE, NUL included */
	u32 cpu_addr_cells;
	u64 (*cpu_reg)(const struct dtree_desc *d, u32 cpu);
	void (*cpu_props)(struct fdtw *w, const struct dtree_desc *d, u32 cpu);
	void (*cpus_props)(struct fdtw *w, const struct dtree_desc *d); /* NULL: none */
	void (*irq)(struct fdtw *w, const struct dtree_desc *d, u32 irq, enum dtree_trigger t);
	const char *irq_name;	/* "SPI" */
	u32 irq_first, irq_end; /* valid lines: [irq_first, irq_end) */
};

struct dtree_desc {
	const struct dtree_arch *arch;
	u64 ram_base, ram_size;
	/*
	 * The guest topology (core/vm/topology.h, finished), nr_cpus vCPUs in
	 * its numbering: cpu-map, cache nodes, and with more than one node
	 * the NUMA nodes, whose memory then sums to ram_size.
	 */
	u32 nr_cpus;
	const struct topology *topo;
	/* Two 16550A UARTs, serial0 and serial1 in /aliases; level-high lines. */
	u64 uart_base[DTREE_NR_UARTS], uart_size;
	u32 uart_irq[DTREE_NR_UARTS];
	u32 uart_clock; /* Hz, the 16550's input clock */
	/* The resource registry's devices (resources.h); each virtio-mmio one gets a node. */
	const struct resource_device *devs;
	u32 nr_devs;
	const char *bootargs;	      /* NULL: "" */
	u64 initrd_start, initrd_end; /* guest-physical, end exclusive; 0, 0: no initrd */
	const char *stdout_path;      /* e.g. "serial0:115200n8"; NULL: none */
};

/*
 * 0, or -EINVAL with the error set when d is inconsistent (topology, RAM,
 * initrd outside RAM, UARTs, devices, interrupt lines out of the arch's
 * range or used twice), -E2BIG when the command line is too long.
 */
int dtree_check(const struct dtree_desc *d);
void dtree_root(struct fdtw *w, const char *compatible);
void dtree_chosen(struct fdtw *w, const struct dtree_desc *d);
void dtree_cpus(struct fdtw *w, const struct dtree_desc *d);
void dtree_devices(struct fdtw *w, const struct dtree_desc *d);
/* fdtw_finish(), its -ENOSPC naming what did not fit. */
int dtree_finish(struct fdtw *w, const struct dtree_desc *d);

/* dtree_topo.c: at the root, the memory nodes and, with more than one node, /distance-map. */
void dtree_topo_memory(struct fdtw *w, const struct dtree_desc *d);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm btf: a kernel image's BTF on the host (core/image/btf_image.h): is a
 * type there (sched_ext_ops: can this kernel run sched_ext schedulers), the
 * raw blob, or vmlinux.h for BPF programs built against the kernel.
 */
#ifndef KTVM_TOOLS_BTF_H
#define KTVM_TOOLS_BTF_H

/* argv[0] is "btf". Returns the exit status. */
int btf_main(int argc, char **argv);
struct scx_layout;
/*
 * Can kernel run sched_ext schedulers (1 or 0, or a negative errno with an
 * input error: no BTF)? With lay, also its exit trigger's layout
 * (core/run/scx_btf.h): -ENOENT with an input error when it cannot be
 * resolved.
 */
int btf_kernel_scx_layout(const char *kernel, struct scx_layout *lay);
struct monitor_layout;
/*
 * The host-side monitor's layout of kernel (core/run/monitor_layout.h): 0
 * or -errno with the error set; -ENODATA: the file holds no BTF at all.
 */
int btf_kernel_monitor_layout(const char *kernel, struct monitor_layout *lay);

#endif

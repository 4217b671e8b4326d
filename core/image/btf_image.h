/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF Type Format (BTF) description of a kernel, read from its image on
 * the host: sched_ext schedulers are built against the guest kernel's types
 * (vmlinux.h), and whether a kernel can run one at all shows in them
 * (struct sched_ext_ops exists only with CONFIG_SCHED_CLASS_EXT).
 *
 * Kernels built with CONFIG_DEBUG_INFO_BTF carry it in the section .BTF. An
 * ELF vmlinux (x86_64, extracted from a bzImage) names that section; an
 * arm64 Image is the raw loaded kernel without section headers, so the blob
 * is found by its header (Documentation/bpf/btf.rst, "2. BTF Type and
 * String Encoding": magic 0xEB9F, version 1, hdr_len 24, then type and
 * string sections whose offsets and lengths lie inside the blob). Either
 * way the bytes are validated by libbpf's parser (btf__new()) before use.
 * Little-endian blobs only, as both of ktvm's arches are.
 */
#ifndef KTVM_CORE_BTF_IMAGE_H
#define KTVM_CORE_BTF_IMAGE_H

#include "core/base/types.h"

struct btf;

/* Largest BTF blob accepted (a Debian 7.x kernel's is ~6 MiB). */
#define BTF_IMAGE_MAX (256u << 20)

/* A kernel's BTF: the blob inside the caller's buffer and libbpf's parse of it. */
struct btf_image {
	size_t off;	 /* where the blob starts in the buffer */
	size_t len;	 /* its length: header, types and strings */
	bool from_elf;	 /* found through an ELF .BTF section, else by its header */
	struct btf *btf; /* libbpf's parsed copy; btf_image_close() frees it */
	const u8 *blob;	 /* buf + off: valid while the buffer is */
};

/*
 * Find and parse the BTF in buf (len bytes): the .BTF section of an ELF
 * file (any machine), else the first blob in the buffer whose header is
 * consistent and which libbpf accepts. Never reads outside buf.
 *
 * Returns 0 or, with an input error (core/base/error.h) naming the reason:
 *   -ENOENT   no BTF header anywhere (a kernel without CONFIG_DEBUG_INFO_BTF,
 *             or compressed: a bzImage must be unpacked first)
 *   -EBADMSG  a .BTF section or header found, but libbpf refused every
 *             candidate, or the section is cut short (truncated file)
 *   -ENOMEM
 */
int btf_image_open(const u8 *buf, size_t len, struct btf_image *bi);
/*
 * buf must be exactly one raw blob, header at offset 0 (what
 * /sys/kernel/btf/vmlinux holds): for BTF from the guest, which gets no
 * search through ELF files or for headers. 0 or -EBADMSG with an input
 * error.
 */
int btf_image_open_blob(const u8 *buf, size_t len, struct btf_image *bi);
void btf_image_close(struct btf_image *bi);

/*
 * Does the BTF describe a struct (or union) called name? (sched_ext_ops: a
 * kernel that can run sched_ext schedulers.) Returns true or false.
 */
bool btf_image_has_struct(const struct btf_image *bi, const char *name);

/* Number of types (ids 1..n) in the BTF. */
u32 btf_image_type_count(const struct btf_image *bi);

/*
 * Write the BTF as a C header (vmlinux.h for BPF programs) to fd, every
 * type through libbpf's btf_dump, inside the include guard __VMLINUX_H__
 * and clang's preserve_access_index attribute for CO-RE, as bpftool's
 * "btf dump format c" writes it. 0, or a negative errno with a host error.
 */
int btf_image_write_c_header(const struct btf_image *bi, int fd);

#endif

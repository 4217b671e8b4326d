/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one ELF file says about loading it, for the shared-library closure
 * (core/image/elfdeps.c): class, byte order and machine, PT_INTERP, and from
 * PT_DYNAMIC the DT_NEEDED, DT_RPATH, DT_RUNPATH and DT_SONAME strings
 * (System V gABI, "Dynamic Section"). Read through libelf; every offset is
 * checked against the file.
 */
#ifndef KTVM_CORE_INITRAMFS_ELF_H
#define KTVM_CORE_INITRAMFS_ELF_H

#include "core/base/types.h"

#define INITRAMFS_ELF_MAX_NEEDED 256

struct initramfs_elf {
	u8 class, data; /* EI_CLASS, EI_DATA */
	u16 machine, type;
	char *interp, *rpath, *runpath, *soname; /* NULL when absent */
	char **needed;
	size_t nneeded;
};

/* Whether path starts with the ELF magic. */
bool initramfs_elf_is_elf(const char *path);
/* Parse path; -ENOEXEC (with a message) for a malformed file. */
int initramfs_elf_read(const char *path, struct initramfs_elf *e);
void initramfs_elf_free(struct initramfs_elf *e);
/* Whether path is a shared object (ET_DYN) of this class, byte order and machine. */
bool initramfs_elf_is_lib(const char *path, u8 class, u8 data, u16 machine);
/* Debian multiarch triplet ("aarch64-linux-gnu"), or NULL if unknown. */
const char *initramfs_elf_triplet(u8 class, u8 data, u16 machine);

#endif

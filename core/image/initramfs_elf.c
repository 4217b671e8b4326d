// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/initramfs_elf.h"

bool initramfs_elf_is_elf(const char *path)
{
	u8 magic[SELFMAG];
	int fd = file_open_ro(path);
	bool elf;

	if (fd < 0)
		return false;
	elf = pread(fd, magic, SELFMAG, 0) == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
	close(fd);
	return elf;
}

void initramfs_elf_free(struct initramfs_elf *e)
{
	free(e->interp);
	free(e->rpath);
	free(e->runpath);
	free(e->soname);
	for (size_t i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	free(e->needed);
	memset(e, 0, sizeof(*e));
}

static char *initramfs_elf_str(Elf_Data *strtab, u64 off)
{
	const char *s;

	if (!strtab || off >= strtab->d_size)
		return NULL;
	s = (const char *)strtab->d_buf + off;
	if (strnlen(s, strtab->d_size - off) == strtab->d_size - off)
		return NULL;
	return strdup(s);
}

/* PT_INTERP, and from PT_DYNAMIC: DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME. */
static int initramfs_elf_parse(Elf *elf, const char *path, struct initramfs_elf *in)
{
	GElf_Phdr ph, dyn_ph = {0};
	u64 strtab = 0, strsz = 0;
	Elf_Data *d, *strs = NULL;
	GElf_Dyn dyn;
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum))
		return -ENOEXEC;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type == PT_DYNAMIC)
			dyn_ph = ph;
		if (ph.p_type != PT_INTERP)
			continue;
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (!d || !d->d_size || !(in->interp = strndup(d->d_buf, d->d_size)))
			return -ENOEXEC;
	}
	if (dyn_ph.p_type != PT_DYNAMIC)
		return 0;
	d = elf_getdata_rawchunk(elf, (int64_t)dyn_ph.p_offset, dyn_ph.p_filesz, ELF_T_DYN);
	if (!d)
		return -ENOEXEC;
	for (int i = 0; gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
		if (dyn.d_tag == DT_STRTAB)
			strtab = dyn.d_un.d_ptr;
		else if (dyn.d_tag == DT_STRSZ)
			strsz = dyn.d_un.d_val;
	}
	/* DT_STRTAB is an address: find the file offset through PT_LOAD */
	for (size_t i = 0; i < phnum && strsz; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    strtab < ph.p_vaddr || strtab - ph.p_vaddr >= ph.p_filesz)
			continue;
		strsz = MIN(strsz, ph.p_filesz - (strtab - ph.p_vaddr));
		strs = elf_getdata_rawchunk(elf, (int64_t)(strtab - ph.p_vaddr + ph.p_offset),
					    strsz, ELF_T_BYTE);
		break;
	}
	for (int i = 0; gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
		char **slot = dyn.d_tag == DT_RPATH	? &in->rpath
			      : dyn.d_tag == DT_RUNPATH ? &in->runpath
			      : dyn.d_tag == DT_SONAME	? &in->soname
							: NULL;

		if (dyn.d_tag == DT_NEEDED) {
			char **v, *name;

			if (in->nneeded >= INITRAMFS_ELF_MAX_NEEDED)
				return error_input(-E2BIG, "%s: more than %d DT_NEEDED entries",
						   path, INITRAMFS_ELF_MAX_NEEDED);
			name = initramfs_elf_str(strs, dyn.d_un.d_val);
			v = name ? realloc(in->needed, (in->nneeded + 1) * sizeof(*v)) : NULL;
			if (!v) {
				free(name);
				return -ENOEXEC;
			}
			in->needed = v;
			v[in->nneeded++] = name;
		} else if (slot && !*slot && !(*slot = initramfs_elf_str(strs, dyn.d_un.d_val))) {
			return -ENOEXEC;
		}
	}
	return 0;
}

int initramfs_elf_read(const char *path, struct initramfs_elf *in)
{
	const char *ident;
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd, ret = -ENOEXEC;

	memset(in, 0, sizeof(*in));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return error_host(-ENOSYS, "libelf: %s", elf_errmsg(-1));
	fd = file_open_ro(path);
	if (fd < 0)
		return error_input(fd, "%s: %s", path, file_open_why(fd));
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    !(ident = elf_getident(elf, NULL)))
		goto out;
	in->class = (u8)ident[EI_CLASS];
	in->data = (u8)ident[EI_DATA];
	in->machine = eh.e_machine;
	in->type = eh.e_type;
	ret = in->type == ET_EXEC || in->type == ET_DYN ? initramfs_elf_parse(elf, path, in) : 0;
out:
	if (ret == -ENOEXEC) {
		int e = elf_errno();

		ret = error_input(ret, "%s: bad ELF file: %s", path,
				  e ? elf_errmsg(e) : "bad program headers or dynamic section");
	}
	if (ret)
		initramfs_elf_free(in);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

bool initramfs_elf_is_lib(const char *path, u8 class, u8 data, u16 machine)
{
	u8 h[20];
	u16 m, type;
	int fd = file_open_ro(path);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, h, sizeof(h), 0) == sizeof(h) && !memcmp(h, ELFMAG, SELFMAG);
	close(fd);
	if (!ok || h[EI_CLASS] != class || h[EI_DATA] != data)
		return false;
	/* e_type at 16 and e_machine at 18, in the file's byte order */
	m = data == ELFDATA2LSB ? (u16)(h[18] | h[19] << 8) : (u16)(h[18] << 8 | h[19]);
	type = data == ELFDATA2LSB ? (u16)(h[16] | h[17] << 8) : (u16)(h[16] << 8 | h[17]);
	return m == machine && type == ET_DYN;
}

const char *initramfs_elf_triplet(u8 class, u8 data, u16 machine)
{
	switch (machine) {
	case EM_X86_64:
		return class == ELFCLASS64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
	case EM_386:
		return "i386-linux-gnu";
	case EM_AARCH64:
		return "aarch64-linux-gnu";
	case EM_ARM:
		return "arm-linux-gnueabihf";
	case EM_RISCV:
		return class == ELFCLASS64 ? "riscv64-linux-gnu" : NULL;
	case EM_PPC64:
		return data == ELFDATA2LSB ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu";
	case EM_S390:
		return "s390x-linux-gnu";
	}
	return NULL;
}

// SPDX-License-Identifier: GPL-2.0
/* Kernel symbol addresses from a vmlinux or a System.map (ksyms_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/ksyms_file.h"
#include "wire/wire.h"

/*
 * What Debian's kernel packages install as /boot/System.map-<version>
 * (debian/rules.real in the linux source package): one line, 83 bytes,
 * "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg
 * package", with "<version>" as written.
 */
#define KSYMS_FILE_DEBIAN_STUB "The real System.map is in the linux-image-"

/* The first defined symbol of that name in one SHT_SYMTAB section. */
static int ksyms_file_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
			     u64 *addr)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t symsz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

	if (!d || !symsz)
		return -ENOEXEC;
	for (size_t i = 0; i < d->d_size / symsz; i++) {
		const char *s;
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_OBJECT && type != STT_FUNC && type != STT_NOTYPE)
			continue;
		/* NULL for an offset outside the string table */
		s = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (s && !strcmp(s, name)) {
			*addr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

static int ksyms_file_elf(int fd, const char *path, const char *name, u64 *addr)
{
	bool have_symtab = false;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	int ret = -ENOENT;
	size_t shnum;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return error_host(-ENOSYS, "libelf: %s", elf_errmsg(-1));
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return error_input(-ENOEXEC, "vmlinux %s: bad ELF: %s", path, elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		ret = error_input(-ENOEXEC, "vmlinux %s: bad ELF header: %s", path, elf_errmsg(-1));
		goto out;
	}
	/*
	 * libelf counts no sections when the section header table does not
	 * fit in the file; that is a damaged file, not a stripped one.
	 */
	if (elf_getshdrnum(elf, &shnum) || (eh.e_shoff && !shnum)) {
		ret = error_input(-ENOEXEC,
				  "vmlinux %s: bad ELF: the section header table (%u at offset "
				  "%llu) lies outside the file",
				  path, eh.e_shnum, (unsigned long long)eh.e_shoff);
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh)) {
			ret = error_input(-ENOEXEC, "vmlinux %s: bad section header %zu: %s", path,
					  elf_ndxscn(scn), elf_errmsg(-1));
			goto out;
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		have_symtab = true;
		ret = ksyms_file_symtab(elf, scn, &sh, name, addr);
		if (ret == -ENOEXEC) {
			ret = error_input(-ENOEXEC, "vmlinux %s: unreadable symbol table: %s", path,
					  elf_errmsg(-1));
			goto out;
		}
		if (!ret)
			goto out;
	}
	if (!have_symtab)
		ret = error_input(-ENOEXEC,
				  "vmlinux %s: no symbol table (stripped, as Debian's kernels are; "
				  "the vmlinux in linux-image-<version>-dbg has one)",
				  path);
	else
		ret = error_input(-ENOENT, "vmlinux %s: no symbol %s in its symbol table", path,
				  name);
out:
	elf_end(elf);
	return ret;
}

/*
 * Read one line into buf; one that does not fit is consumed to its end and
 * reported as 0, so that its tail is never taken for a line. 1 for a line,
 * -1 at the end of the file.
 */
static int ksyms_file_read_line(FILE *f, char *buf, int size)
{
	size_t len;
	int c;

	if (!fgets(buf, size, f))
		return -1;
	len = strlen(buf);
	if ((len && buf[len - 1] == '\n') || feof(f))
		return 1;
	while ((c = getc(f)) != EOF && c != '\n')
		;
	return 0;
}

/*
 * "ADDR TYPE NAME": up to 16 hex digits, one space, a type letter, one
 * space, the name up to the end of the line. Sets *name and *name_len to
 * the name in line. 0 or -EINVAL.
 */
static int ksyms_file_parse_line(const char *line, u64 *addr, const char **name, size_t *name_len)
{
	const char *p = line;
	int digits = 0;
	u64 a = 0;
	size_t len;

	for (; digits < 16; p++, digits++) {
		int v;

		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			break;
		a = a << 4 | (u64)v;
	}
	if (!digits || p[0] != ' ' || p[1] == ' ' || p[1] == '\0' || p[1] == '\n' || p[2] != ' ')
		return -EINVAL;
	p += 3;
	len = strcspn(p, "\r\n");
	if (!len || p[len + strspn(p + len, "\r\n")] != '\0' || memchr(p, ' ', len) ||
	    memchr(p, '\t', len))
		return -EINVAL;
	*addr = a;
	*name = p;
	*name_len = len;
	return 0;
}

static int ksyms_file_map(FILE *f, const char *path, const char *name, u64 *addr)
{
	char line[KSYMS_FILE_LINE_MAX];
	size_t want = strlen(name);
	bool first = true;
	int r;

	while ((r = ksyms_file_read_line(f, line, sizeof(line))) >= 0) {
		const char *sym;
		size_t len;
		u64 a;

		if (first && r && strstr(line, KSYMS_FILE_DEBIAN_STUB))
			return error_input(-EINVAL,
					   "System.map %s: Debian's placeholder, not a symbol map "
					   "(\"The real System.map is in the "
					   "linux-image-<version>-dbg package\")",
					   path);
		/*
		 * Judge the file by its first line, so that a vmlinuz or any
		 * other large file given by mistake is not read to its end.
		 */
		if (!r || ksyms_file_parse_line(line, &a, &sym, &len)) {
			if (first)
				return error_input(-EINVAL,
						   "%s: neither an ELF vmlinux nor a System.map "
						   "(the first line is not \"ADDRESS TYPE NAME\")",
						   path);
			continue;
		}
		first = false;
		if (len == want && !memcmp(sym, name, len)) {
			*addr = a;
			return 0;
		}
	}
	if (ferror(f))
		return error_host(-EIO, "System.map %s: read error", path);
	if (first)
		return error_input(-EINVAL, "%s: empty, neither an ELF vmlinux nor a System.map",
				   path);
	return error_input(-ENOENT, "System.map %s: no symbol %s", path, name);
}

int ksyms_file_lookup(const char *path, const char *name, u64 *addr)
{
	u8 magic[SELFMAG];
	struct stat st;
	ssize_t n;
	FILE *f;
	int fd, ret;

	if (!wire_ksym_name_valid(name, strlen(name)))
		return error_input(-EINVAL,
				   "symbol \"%s\": not a kernel symbol name (1 to %d characters "
				   "from A-Z a-z 0-9 _ . $)",
				   name, WIRE_KSYM_NAME_MAX);
	fd = file_open_ro(path);
	if (fd < 0)
		return error_input(fd, "symbols %s: %s", path, file_open_why(fd));
	if (fstat(fd, &st)) {
		ret = error_host(-errno, "symbols %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return error_input(-EINVAL, "symbols %s: not a regular file", path);
	}
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		ret = error_host(-errno, "symbols %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (n == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG)) {
		ret = ksyms_file_elf(fd, path, name, addr);
		close(fd);
		return ret;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = error_host(-errno, "symbols %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	ret = ksyms_file_map(f, path, name, addr);
	fclose(f);
	return ret;
}

u64 ksyms_file_place(u64 addr, u64 text, u64 live_text)
{
	if (!addr || !live_text)
		return 0;
	return addr >= text ? addr + (live_text - text) : addr;
}

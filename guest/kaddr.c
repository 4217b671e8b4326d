// SPDX-License-Identifier: GPL-2.0
/* Kernel addresses from /proc/kallsyms and /proc/kcore (kaddr.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "guest/kaddr.h"
#include "guest/log.h"
#include "guest/readfile.h"

/* "ffffffff81000000 T _text\t[mod]\n" with room for long symbol names */
#define KADDR_LINE_MAX 1024
/* Segments looked at; /proc/kcore has one per RAM range plus a few. */
#define KADDR_PHNUM_MAX 65536
#define KADDR_PH_BATCH	64

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KADDR_ELFDATA ELFDATA2LSB
#else
#define KADDR_ELFDATA ELFDATA2MSB
#endif

int kaddr_parse_line(const char *line, u64 *addr, char *name, size_t size)
{
	const char *p = line, *end;
	u64 a = 0;
	int digits = 0;
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
	/* ADDR, one space, a one-letter type, one space, NAME */
	if (!digits || p[0] != ' ' || !p[1] || p[1] == ' ' || p[2] != ' ' || !p[3])
		return -EINVAL;
	p += 3;
	end = p + strcspn(p, "\t\n");
	if (end == p || memchr(p, ' ', end - p))
		return -EINVAL;
	if (*end == '\t')
		return -ENOENT; /* "\t[module]" */
	len = end - p;
	if (len >= size)
		return -EINVAL;
	memcpy(name, p, len);
	name[len] = '\0';
	*addr = a;
	return 0;
}

size_t kaddr_lookup(FILE *kallsyms, const char *const *names, u64 *addrs, bool *found, size_t n)
{
	char line[KADDR_LINE_MAX], name[KADDR_LINE_MAX];
	size_t hits = 0;
	u64 addr;

	for (size_t i = 0; i < n; i++) {
		addrs[i] = 0;
		found[i] = false;
	}
	while (hits < n && fgets(line, sizeof(line), kallsyms)) {
		if (kaddr_parse_line(line, &addr, name, sizeof(name)))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (found[i] || strcmp(name, names[i]))
				continue;
			found[i] = true;
			addrs[i] = addr;
			hits++;
		}
	}
	return hits;
}

/* All len bytes at off: 0, -EFAULT past the end of the file, or -errno. */
static int kaddr_pread_all(int fd, void *buf, size_t len, u64 off)
{
	ssize_t n = pread_full(fd, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* The number of program headers; past PN_XNUM it lives in section 0 (elf(5)). */
static int kaddr_phnum(int fd, const Elf64_Ehdr *eh, u64 *phnum)
{
	Elf64_Shdr sh;
	int r;

	if (eh->e_phnum != PN_XNUM) {
		*phnum = eh->e_phnum;
		return 0;
	}
	if (!eh->e_shoff || eh->e_shentsize < sizeof(sh))
		return -ENOEXEC;
	r = kaddr_pread_all(fd, &sh, sizeof(sh), eh->e_shoff);
	if (r)
		return r;
	*phnum = sh.sh_info;
	return 0;
}

int kaddr_kcore_read(int fd, u64 addr, void *buf, size_t len)
{
	Elf64_Phdr ph[KADDR_PH_BATCH];
	Elf64_Ehdr eh;
	u64 phnum;
	int r;

	r = kaddr_pread_all(fd, &eh, sizeof(eh), 0);
	if (r)
		return r == -EFAULT ? -ENOEXEC : r;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != KADDR_ELFDATA || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	r = kaddr_phnum(fd, &eh, &phnum);
	if (r)
		return r;
	phnum = MIN(phnum, (u64)KADDR_PHNUM_MAX);

	for (u64 i = 0; i < phnum; i += KADDR_PH_BATCH) {
		size_t batch = MIN(phnum - i, (u64)KADDR_PH_BATCH);

		if (eh.e_phoff > UINT64_MAX - (i + batch) * sizeof(Elf64_Phdr))
			return -ENOEXEC;
		r = kaddr_pread_all(fd, ph, batch * sizeof(Elf64_Phdr),
				    eh.e_phoff + i * sizeof(Elf64_Phdr));
		if (r)
			return r == -EFAULT ? -ENOEXEC : r;
		for (size_t j = 0; j < batch; j++) {
			const Elf64_Phdr *p = &ph[j];
			u64 off;

			if (p->p_type != PT_LOAD || addr < p->p_vaddr)
				continue;
			off = addr - p->p_vaddr;
			if (off >= p->p_memsz || len > p->p_memsz - off)
				continue;
			/* kcore's segments have p_filesz == p_memsz; nothing to zero-fill */
			if (off + len > p->p_filesz || p->p_offset > UINT64_MAX - off)
				return -EFAULT;
			return kaddr_pread_all(fd, buf, len, p->p_offset + off);
		}
	}
	return -EFAULT;
}

#if defined(__x86_64__)
static const unsigned int kaddr_arch[] = {WIRE_KA_PHYS_BASE, WIRE_KA_PAGE_OFFSET_BASE};
#elif defined(__aarch64__)
static const unsigned int kaddr_arch[] = {WIRE_KA_KIMAGE_VOFFSET, WIRE_KA_MEMSTART_ADDR};
#else
static const unsigned int kaddr_arch[1]; /* none; only its type is used */
#endif

int kaddr_collect_fields(struct wire_kern_addrs *ka, const char *kallsyms, const char *kcore,
			 const unsigned int *fields, size_t n)
{
	const char *names[WIRE_KA_NR];
	u64 addrs[WIRE_KA_NR];
	bool found[WIRE_KA_NR];
	int missing = 0, fd = -1, kcore_err = 0;
	FILE *f;

	memset(ka, 0, sizeof(*ka));
	if (n > WIRE_KA_NR)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		names[i] = wire_ka_name(fields[i]);
		if (!names[i])
			return -EINVAL;
	}
	if (!n)
		return 0;
	f = fopen(kallsyms, "re");
	if (!f) {
		log_msg("kernel addresses: %s: %s", kallsyms, strerror(errno));
		return (int)n;
	}
	kaddr_lookup(f, names, addrs, found, n);
	fclose(f);

	for (size_t i = 0; i < n; i++) {
		u64 v;
		int r;

		if (!found[i]) {
			log_msg("kernel addresses: %s not in %s (no CONFIG_KALLSYMS_ALL, or no "
				"such variable in this kernel)",
				names[i], kallsyms);
			missing++;
			continue;
		}
		if (!addrs[i]) {
			log_msg("kernel addresses: %s reads as 0 in %s (kptr_restrict)", names[i],
				kallsyms);
			missing++;
			continue;
		}
		if (fd < 0 && !kcore_err) {
			fd = open(kcore, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				kcore_err = -errno;
		}
		r = fd < 0 ? kcore_err : kaddr_kcore_read(fd, addrs[i], &v, sizeof(v));
		if (r) {
			log_msg("kernel addresses: %s at 0x%llx: %s: %s", names[i],
				(unsigned long long)addrs[i], kcore, strerror(-r));
			missing++;
			continue;
		}
		ka->val[fields[i]] = v;
		ka->known |= 1u << fields[i];
	}
	if (fd >= 0)
		close(fd);
	return missing;
}

int kaddr_collect(struct wire_kern_addrs *ka, const char *kallsyms, const char *kcore)
{
	return kaddr_collect_fields(ka, kallsyms, kcore, kaddr_arch, KADDR_ARCH_FIELDS);
}

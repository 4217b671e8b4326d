// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/kmod.h"
#include "core/image/unpack.h"
#include "core/image/zboot.h"

/* Bounds for the index files and for one module decompressed in memory. */
#define KMOD_MAX_INDEX	(64 * MiB)
#define KMOD_MAX_MODULE (256 * MiB)

struct kmod_node {
	char *name; /* tree key; normalized */
	char *path;
	char **dep; /* names */
	size_t ndep;
	bool deps_known;
	u8 state; /* 0 unvisited, 1 on the DFS stack, 2 done */
};

struct kmod_index {
	const char *moddir;
	void *nodes;   /* tsearch tree of struct kmod_node, by name */
	void *builtin; /* tsearch tree of char *, normalized names */
	bool have_dep; /* from modules.dep, else modules.order + .modinfo */
};

static int kmod_node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kmod_node *)a)->name, ((const struct kmod_node *)b)->name);
}

static int kmod_str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void kmod_norm(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

/* "kernel/drivers/virtio/virtio-mmio.ko.xz" -> "virtio_mmio" (malloc'd) */
static char *kmod_path_name(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *ko = strstr(base, ".ko");
	char *name = strndup(base, ko ? (size_t)(ko - base) : strlen(base));

	if (name)
		kmod_norm(name);
	return name;
}

static struct kmod_node *kmod_find(struct kmod_index *ix, const char *name)
{
	struct kmod_node key = {.name = (char *)name}, **n;

	n = tfind(&key, &ix->nodes, kmod_node_cmp);
	return n ? *n : NULL;
}

static void kmod_node_free(void *p)
{
	struct kmod_node *n = p;

	for (size_t i = 0; i < n->ndep; i++)
		free(n->dep[i]);
	free(n->dep);
	free(n->name);
	free(n->path);
	free(n);
}

static int kmod_add_dep(struct kmod_node *n, char *name)
{
	char **v;

	if (!name)
		return -ENOMEM;
	v = realloc(n->dep, (n->ndep + 1) * sizeof(*v));
	if (!v) {
		free(name);
		return -ENOMEM;
	}
	n->dep = v;
	n->dep[n->ndep++] = name;
	return 0;
}

/* Reads moddir/file into a NUL-terminated buffer; -ENOENT if absent. */
static int kmod_read_index(struct kmod_index *ix, const char *file, char **buf)
{
	char path[4096];
	struct stat st;
	ssize_t r = 0;
	size_t got = 0;
	int fd, ret = 0;

	*buf = NULL;
	snprintf(path, sizeof(path), "%s/%s", ix->moddir, file);
	fd = file_open_ro(path);
	if (fd < 0)
		return fd == -ENOENT ? -ENOENT : error_input(fd, "%s: %s", path, file_open_why(fd));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (u64)st.st_size > KMOD_MAX_INDEX) {
		ret = error_input(-EINVAL, "%s: not a regular file under %llu MiB", path,
				  KMOD_MAX_INDEX / MiB);
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		ret = error_host(-ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (r < 0) {
		ret = error_input(-errno, "%s: %s", path, strerror(errno));
		free(*buf);
		*buf = NULL;
		goto out;
	}
	(*buf)[got] = '\0';
out:
	close(fd);
	return ret;
}

/* Is p a path inside the modules directory: relative, with no ".." component? */
static bool kmod_path_inside(const char *p)
{
	if (*p == '/')
		return false;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += n + (c[n] == '/');
	}
	return true;
}

/* One line of modules.dep ("a.ko: b.ko c.ko") or modules.order ("a.ko"). */
static int kmod_index_line(struct kmod_index *ix, char *line)
{
	char *colon = strchr(line, ':'), *tok, *save;
	struct kmod_node *n;
	int ret = -ENOMEM;

	if (colon)
		*colon = '\0';
	if (!*line)
		return 0;
	if (!kmod_path_inside(line))
		return error_input(-EINVAL, "modules directory %s: entry %.200s leaves it",
				   ix->moddir, line);
	n = calloc(1, sizeof(*n));
	if (!n || !(n->path = strdup(line)) || !(n->name = kmod_path_name(line)))
		goto fail;
	n->deps_known = ix->have_dep;
	for (tok = colon ? strtok_r(colon + 1, " \t", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t", &save))
		if (kmod_add_dep(n, kmod_path_name(tok)))
			goto fail;
	if (kmod_find(ix, n->name)) {
		kmod_node_free(n); /* the first listing wins, as in modprobe */
		return 0;
	}
	if (tsearch(n, &ix->nodes, kmod_node_cmp))
		return 0;
fail:
	if (n)
		kmod_node_free(n);
	return ret;
}

static int kmod_index_load(struct kmod_index *ix)
{
	char *buf, *line, *save;
	struct stat st;
	int ret;

	if (stat(ix->moddir, &st))
		return error_input(-errno, "modules directory %s: %s", ix->moddir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return error_input(-ENOTDIR, "modules directory %s: not a directory", ix->moddir);
	ret = kmod_read_index(ix, "modules.dep", &buf);
	ix->have_dep = !ret;
	if (ret == -ENOENT)
		ret = kmod_read_index(ix, "modules.order", &buf);
	if (ret == -ENOENT)
		return error_input(-ENOENT, "modules directory %s: no modules.dep or modules.order",
				   ix->moddir);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save))
		ret = kmod_index_line(ix, line);
	free(buf);
	if (ret == -EINVAL)
		return ret; /* the line's own input error */
	if (ret)
		return error_host(ret, "modules directory %s: out of memory", ix->moddir);

	ret = kmod_read_index(ix, "modules.builtin", &buf);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name = kmod_path_name(line), **slot;

		slot = name ? tsearch(name, &ix->builtin, kmod_str_cmp) : NULL;
		if (!slot) {
			free(name);
			free(buf);
			return error_host(-ENOMEM, "modules directory %s: out of memory",
					  ix->moddir);
		}
		if (*slot != name)
			free(name);
	}
	free(buf);
	return 0;
}

/* Decompress a module by its suffix into a malloc'd buffer (core/image/unpack.h). */
static int kmod_decompress(const char *path, const u8 *in, size_t len, u8 **out, size_t *out_len)
{
	const char *ext = strrchr(path, '.') ? strrchr(path, '.') : "";
	enum unpack_format f = !strcmp(ext, ".xz")    ? UNPACK_XZ
			       : !strcmp(ext, ".zst") ? UNPACK_ZSTD
			       : !strcmp(ext, ".gz")  ? UNPACK_GZIP
						      : UNPACK_NONE;
	if (f == UNPACK_NONE)
		return error_input(-ENOTSUP, "module %s: unknown compression %s", path, ext);
	int ret = unpack(f, in, len, 0, KMOD_MAX_MODULE, out, out_len);
	if (ret < 0)
		return error_prefix(ERROR_INPUT, ret, "module %s", path);
	return 0;
}

/* The "depends=" field of a module's .modinfo section (ELF relocatable). */
static int kmod_modinfo_deps(struct kmod_index *ix, struct kmod_node *n)
{
	char path[4096];
	u8 *file = NULL, *img, *raw = NULL;
	size_t flen = 0, len, shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", ix->moddir, n->path);
	ret = file_map(path, "module", KMOD_MAX_MODULE, &file, &flen);
	if (ret)
		return ret;
	img = file;
	len = flen;
	if (strstr(n->path, ".ko.")) {
		ret = kmod_decompress(path, file, flen, &raw, &len);
		if (ret)
			goto out;
		img = raw;
	}
	ret = error_input(-ENOEXEC, "module %s: not an ELF module with .modinfo", path);
	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_memory((char *)img, len)) ||
	    elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sname = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(sname, ".modinfo") || !(d = elf_getdata(scn, NULL)))
			continue;
		/* NUL-separated "key=value" strings */
		for (size_t off = 0; off < d->d_size;) {
			const char *s = (const char *)d->d_buf + off;
			size_t slen = strnlen(s, d->d_size - off);

			if (slen == d->d_size - off)
				break;
			if (!strncmp(s, "depends=", 8)) {
				char *list = strdup(s + 8), *tok, *save;

				ret = list ? 0 : -ENOMEM;
				for (tok = list ? strtok_r(list, ",", &save) : NULL; tok && !ret;
				     tok = strtok_r(NULL, ",", &save)) {
					char *dep = strdup(tok);

					if (dep)
						kmod_norm(dep);
					ret = kmod_add_dep(n, dep);
				}
				free(list);
				if (ret)
					ret = error_host(ret, "module %s: out of memory", path);
				goto out;
			}
			off += slen + 1;
		}
		ret = 0; /* no depends= field: no dependencies */
		goto out;
	}
out:
	if (elf)
		elf_end(elf);
	free(raw);
	file_unmap(file, flen);
	return ret;
}

/* Without modules.dep: find the file as shipped and read its dependencies. */
static int kmod_load_deps(struct kmod_index *ix, struct kmod_node *n)
{
	static const char *const suffix[] = {"", ".xz", ".zst", ".gz"};
	char path[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffix); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", ix->moddir, n->path, suffix[i]);
		if (!access(path, F_OK))
			break;
	}
	if (i == ARRAY_SIZE(suffix))
		return error_input(-ENOENT,
				   "module %s: listed in %s/modules.order but %s is missing",
				   n->name, ix->moddir, n->path);
	if (i) {
		char *p;

		if (asprintf(&p, "%s%s", n->path, suffix[i]) < 0)
			return error_host(-ENOMEM, "module %s: out of memory", n->name);
		free(n->path);
		n->path = p;
	}
	n->deps_known = true;
	return kmod_modinfo_deps(ix, n);
}

static int kmod_append(struct kmod_list *out, struct kmod_node *n)
{
	struct kmod_module *v = realloc(out->v, (out->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	out->v = v;
	v[out->n].name = strdup(n->name);
	v[out->n].path = strdup(n->path);
	if (!v[out->n].name || !v[out->n].path) {
		free(v[out->n].name);
		free(v[out->n].path);
		return -ENOMEM;
	}
	out->n++;
	return 0;
}

static int kmod_cycle(struct kmod_node **stack, unsigned int depth, struct kmod_node *n)
{
	char msg[400];
	size_t len = 0;
	unsigned int i = 0;

	while (i < depth && stack[i] != n)
		i++;
	for (; i < depth && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s -> ", stack[i]->name);
	return error_input(-ELOOP, "module %s: dependency cycle %s%s", n->name,
			   len < sizeof(msg) ? msg : "... -> ", n->name);
}

/* Depth-first: dependencies are appended before the module needing them. */
static int kmod_visit(struct kmod_index *ix, struct kmod_node *n, struct kmod_node **stack,
		      unsigned int depth, struct kmod_list *out)
{
	int ret;

	if (n->state == 2)
		return 0;
	if (n->state == 1)
		return kmod_cycle(stack, depth, n);
	if (depth >= KMOD_MAX_DEPTH)
		return error_input(-ELOOP, "module %s: dependency chain deeper than %d", n->name,
				   KMOD_MAX_DEPTH);
	if (!n->deps_known) {
		ret = kmod_load_deps(ix, n);
		if (ret)
			return ret;
	}
	n->state = 1;
	stack[depth] = n;
	for (size_t i = 0; i < n->ndep; i++) {
		struct kmod_node *d = kmod_find(ix, n->dep[i]);

		if (!d && tfind(n->dep[i], &ix->builtin, kmod_str_cmp))
			continue;
		if (!d)
			return error_input(-ENOENT, "module %s (needed by %s): not found in %s",
					   n->dep[i], n->name, ix->moddir);
		ret = kmod_visit(ix, d, stack, depth + 1, out);
		if (ret)
			return ret;
	}
	n->state = 2;
	if (kmod_append(out, n))
		return error_host(-ENOMEM, "module %s: out of memory", n->name);
	return 0;
}

int kmod_resolve(struct kmod_list *out, const char *moddir, const char *const *names, size_t n)
{
	struct kmod_index ix = {.moddir = moddir};
	struct kmod_node *stack[KMOD_MAX_DEPTH];
	int ret;

	out->v = NULL;
	out->n = 0;
	ret = kmod_index_load(&ix);
	for (size_t i = 0; i < n && !ret; i++) {
		char *name = strdup(names[i]);
		struct kmod_node *m;

		if (!name) {
			ret = error_host(-ENOMEM, "module %s: out of memory", names[i]);
			break;
		}
		kmod_norm(name);
		m = kmod_find(&ix, name);
		if (m)
			ret = kmod_visit(&ix, m, stack, 0, out);
		else if (!tfind(name, &ix.builtin, kmod_str_cmp))
			ret = error_input(-ENOENT, "module %s: not found in %s (nor built in)",
					  names[i], moddir);
		free(name);
	}
	tdestroy(ix.nodes, kmod_node_free);
	tdestroy(ix.builtin, free);
	if (ret)
		kmod_list_free(out);
	return ret;
}

void kmod_list_free(struct kmod_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A release is one word of printable characters that starts with a digit. */
static int kmod_copy_release(const u8 *s, size_t avail, char *buf, size_t size)
{
	size_t n = 0;

	while (n < avail && s[n] > ' ' && s[n] < 0x7f)
		n++;
	if (!n || n >= size || n > 64 || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int kmod_release_mem(const u8 *img, size_t len, const char *name, char *buf, size_t size)
{
	static const char banner[] = "Linux version ";
	const size_t blen = sizeof(banner) - 1;

	/* x86 boot protocol (Documentation/arch/x86/boot.rst): "HdrS" at 0x202 */
	if (len > 0x210 && !memcmp(img + 0x202, "HdrS", 4)) {
		u16 ver = (u16)(img[0x206] | img[0x207] << 8);
		u16 kv = (u16)(img[0x20e] | img[0x20f] << 8);
		size_t at = (size_t)kv + 0x200;

		if (ver < 0x0200 || !kv || at >= len)
			return error_input(
			    -EINVAL, "kernel %s: no kernel_version in the setup header", name);
		if (kmod_copy_release(img + at, len - at, buf, size))
			return error_input(-EINVAL, "kernel %s: bad kernel_version string", name);
		return 0;
	}
	/* ELF vmlinux or arm64 Image: the linux_banner string in .rodata */
	for (const u8 *p = img, *end = img + len; (p = memmem(p, (size_t)(end - p), banner, blen));
	     p += blen)
		if (!kmod_copy_release(p + blen, (size_t)(end - p) - blen, buf, size))
			return 0;
	if (len > 2 && img[0] == 0x1f && img[1] == 0x8b)
		return error_input(-EINVAL,
				   "kernel %s: gzip-compressed; give the uncompressed image", name);
	if (zboot_is(img, len))
		return error_input(
		    -EINVAL,
		    "kernel %s: an EFI zboot image (compressed); give the uncompressed "
		    "image",
		    name);
	return error_input(-EINVAL, "kernel %s: no \"Linux version\" banner (compressed image?)",
			   name);
}

int kmod_release(const char *image, char *buf, size_t size)
{
	u8 *img;
	size_t len;
	int ret;

	ret = file_map(image, "kernel", 1 * GiB, &img, &len);
	if (ret)
		return ret;
	ret = kmod_release_mem(img, len, image, buf, size);
	file_unmap(img, len);
	return ret;
}

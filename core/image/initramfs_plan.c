// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/error.h"
#include "core/image/initramfs_plan.h"

struct initramfs_plan_key {
	size_t i;
	char name[];
};

static int initramfs_plan_cmp(const void *a, const void *b)
{
	return strcmp(((const struct initramfs_plan_key *)a)->name,
		      ((const struct initramfs_plan_key *)b)->name);
}

int initramfs_plan_add(struct initramfs_plan *p, enum initramfs_kind kind, const char *guest,
		       const char *src, size_t len, mode_t mode, const char *what)
{
	struct initramfs_entry *v = realloc(p->v, (p->n + 1) * sizeof(*v)), *e;
	char name[CPIO_MAX_NAME + 1];
	struct initramfs_plan_key *k, **slot;

	if (!v)
		return error_host(-ENOMEM, "initramfs: out of memory");
	p->v = v;
	switch (cpio_name(guest, name)) {
	case 0:
		break;
	case -EPERM:
		return error_input(
		    -EINVAL,
		    "%s %s: the name that ends a cpio archive (the kernel would stop "
		    "unpacking there)",
		    what, guest);
	default:
		return error_input(-EINVAL, "%s %s: not a valid guest path", what, guest);
	}
	k = malloc(sizeof(*k) + strlen(name) + 1);
	if (!k)
		return error_host(-ENOMEM, "initramfs: out of memory");
	k->i = p->n;
	strcpy(k->name, name);
	slot = tsearch(k, &p->index, initramfs_plan_cmp);
	if (!slot || *slot != k) {
		free(k);
		return slot ? error_input(-EEXIST, "%s %s: already in the initramfs", what, guest)
			    : error_host(-ENOMEM, "initramfs: out of memory");
	}
	e = &v[p->n];
	*e = (struct initramfs_entry){.kind = kind, .mode = mode, .what = what};
	e->guest = strdup(guest);
	if (kind == INITRAMFS_DATA) {
		e->src = malloc(len + 1);
		if (e->src)
			memcpy(e->src, src, len);
		e->len = len;
	} else if (src) {
		e->src = strdup(src);
	}
	if (!e->guest || (src && !e->src)) {
		tdelete(k, &p->index, initramfs_plan_cmp);
		free(k);
		free(e->guest);
		free(e->src);
		return error_host(-ENOMEM, "initramfs: out of memory");
	}
	p->n++;
	return 0;
}

const struct initramfs_entry *initramfs_plan_find(const struct initramfs_plan *p, const char *guest)
{
	struct initramfs_plan_key *k = alloca(sizeof(*k) + CPIO_MAX_NAME + 1), **found;

	if (cpio_name(guest, k->name))
		return NULL;
	found = tfind(k, &p->index, initramfs_plan_cmp);
	return found ? &p->v[(*found)->i] : NULL;
}

int initramfs_plan_write(const struct initramfs_plan *p, struct cpio *c)
{
	int ret = 0;

	for (size_t i = 0; i < p->n && !ret; i++) {
		const struct initramfs_entry *e = &p->v[i];

		switch (e->kind) {
		case INITRAMFS_DIR:
			ret = cpio_add_dir(c, e->guest, e->mode);
			break;
		case INITRAMFS_FILE:
			ret = cpio_add_file(c, e->guest, e->mode, e->src, e->what);
			break;
		case INITRAMFS_DATA:
			ret = cpio_add_data(c, e->guest, e->mode, e->src, e->len);
			break;
		case INITRAMFS_LINK:
			ret = cpio_add_symlink(c, e->guest, e->src);
			break;
		case INITRAMFS_NODE:
			ret = cpio_add_node(c, e->guest, e->mode & S_IFMT, e->mode & 07777,
					    e->major, e->minor);
			break;
		}
	}
	return ret;
}

void initramfs_plan_free(struct initramfs_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].guest);
		free(p->v[i].src);
	}
	free(p->v);
	tdestroy(p->index, free);
	p->v = NULL;
	p->n = 0;
	p->index = NULL;
}

/* FNV-1a, 64 bit: a cache key, not a defence; hits are checked against the manifest. */
static u64 initramfs_plan_hash(const void *data, size_t len)
{
	const u8 *s = data;
	u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

int initramfs_plan_manifest(const struct initramfs_plan *p, const char *head, char **text,
			    char key[17])
{
	size_t size = 0;
	FILE *f = open_memstream(text, &size);
	int ret = 0;

	if (!f)
		return error_host(-ENOMEM, "initramfs: out of memory");
	fprintf(f, "%s\n", head);
	for (size_t i = 0; i < p->n && !ret; i++) {
		const struct initramfs_entry *e = &p->v[i];
		struct stat st;

		fprintf(f, "%d %s %o", (int)e->kind, e->guest, (unsigned int)e->mode);
		switch (e->kind) {
		case INITRAMFS_FILE:
			/*
			 * Identity and times, not contents: hashing every module
			 * and library on each build would cost more than a rebuild
			 * saves. Replacing or rewriting a file changes ino, size,
			 * mtime or ctime (which a user cannot set back).
			 */
			if (stat(e->src, &st)) {
				ret = error_input(-errno, "%s %s: %s", e->what, e->src,
						  strerror(errno));
				break;
			}
			fprintf(
			    f, " %s dev=%llx ino=%llu size=%lld mtime=%lld.%09ld ctime=%lld.%09ld",
			    e->src, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			    (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			    (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
			break;
		case INITRAMFS_DATA:
			fprintf(f, " len=%zu fnv=%016llx", e->len,
				(unsigned long long)initramfs_plan_hash(e->src, e->len));
			break;
		case INITRAMFS_LINK:
			fprintf(f, " -> %s", e->src);
			break;
		case INITRAMFS_NODE:
			fprintf(f, " %u:%u", e->major, e->minor);
			break;
		case INITRAMFS_DIR:
			break;
		}
		fputc('\n', f);
	}
	if (fclose(f) && !ret)
		ret = error_host(-ENOMEM, "initramfs: out of memory");
	if (ret) {
		free(*text);
		*text = NULL;
		return ret;
	}
	snprintf(key, 17, "%016llx", (unsigned long long)initramfs_plan_hash(*text, size));
	return 0;
}

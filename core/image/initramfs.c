// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image/cpio.h"
#include "core/image/elfdeps.h"
#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/initramfs.h"
#include "core/image/initramfs_plan.h"
#include "core/image/kmod.h"

#define INITRAMFS_FORMAT      "ktvm-initramfs 1"
#define INITRAMFS_MAX_DEPTH   32    /* directory levels in one include */
#define INITRAMFS_MAX_ENTRIES 65536 /* entries in one part */

struct initramfs_ctx {
	const struct initramfs_spec *spec;
	struct initramfs_info *info;
	struct elfdeps_opts libs;
	struct initramfs_plan base, payload;
	int level; /* 0: plain cpio, else the gzip level */
};

/* Executable on the host: 0755 in the guest, else 0644. */
static mode_t initramfs_perm(const struct stat *st)
{
	return st->st_mode & 0111 ? 0755 : 0644;
}

/* Add the shared libraries exe needs to p, except what p or skip already has. */
static int initramfs_libs(struct initramfs_ctx *c, struct initramfs_plan *p, const char *exe,
			  const char *guest, const struct initramfs_plan *skip)
{
	struct elfdeps d = {0};
	int ret = elfdeps_resolve(&d, exe, guest, &c->libs);

	for (size_t i = 0; i < d.n && !ret; i++) {
		const struct elfdeps_file *f = &d.v[i];
		struct stat st;

		if (initramfs_plan_find(p, f->guest) ||
		    (skip && initramfs_plan_find(skip, f->guest)))
			continue;
		if (f->link) {
			ret = initramfs_plan_add(p, INITRAMFS_LINK, f->guest, f->link, 0, 0777,
						 "library");
		} else if (stat(f->host, &st)) {
			ret = error_input(-errno, "library %s: %s", f->host, strerror(errno));
		} else {
			ret = initramfs_plan_add(p, INITRAMFS_FILE, f->guest, f->host, 0,
						 initramfs_perm(&st), "library");
		}
		c->info->libraries += !ret;
	}
	elfdeps_free(&d);
	return ret;
}

static int initramfs_release(struct initramfs_ctx *c)
{
	const struct initramfs_spec *s = c->spec;
	char *r = c->info->release;

	if (s->release)
		snprintf(r, sizeof(c->info->release), "%s", s->release);
	else if (s->kernel) {
		int ret = kmod_release(s->kernel, r, sizeof(c->info->release));

		if (ret)
			return ret;
	} else {
		return error_input(-EINVAL, "initramfs: modules asked for, but neither a kernel "
					    "release nor a kernel image given");
	}
	if (!*r || strchr(r, '/') || !strcmp(r, "..") || strlen(r) >= sizeof(c->info->release) - 1)
		return error_input(-EINVAL, "kernel release \"%s\": not a valid release", r);
	return 0;
}

static int initramfs_modules(struct initramfs_ctx *c)
{
	const struct initramfs_spec *s = c->spec;
	const char *root = s->lib_root && strcmp(s->lib_root, "/") ? s->lib_root : "";
	char dir[PATH_MAX] = "", guest[PATH_MAX];
	struct kmod_list l = {0};
	size_t n = 0, olen = 0;
	char *order = NULL;
	FILE *f;
	int ret = 0;

	while (s->modules && s->modules[n])
		n++;
	if (n) {
		ret = initramfs_release(c);
		if (ret)
			return ret;
		if (s->modules_dir) {
			snprintf(dir, sizeof(dir), "%s", s->modules_dir);
		} else {
			snprintf(dir, sizeof(dir), "%s/lib/modules/%s", root, c->info->release);
			if (access(dir, F_OK))
				snprintf(dir, sizeof(dir), "%s/usr/lib/modules/%s", root,
					 c->info->release);
		}
		ret = kmod_resolve(&l, dir, s->modules, n);
		if (ret)
			return ret;
	} else if (s->release) {
		snprintf(c->info->release, sizeof(c->info->release), "%s", s->release);
	}
	f = open_memstream(&order, &olen);
	if (!f) {
		kmod_list_free(&l);
		return error_host(-ENOMEM, "initramfs: out of memory");
	}
	for (size_t i = 0; i < l.n && !ret; i++) {
		char host[PATH_MAX];

		if (snprintf(host, sizeof(host), "%s/%s", dir, l.v[i].path) >= PATH_MAX ||
		    snprintf(guest, sizeof(guest), "/lib/modules/%s/%s", c->info->release,
			     l.v[i].path) >= PATH_MAX) {
			ret = error_input(-ENAMETOOLONG, "module %s: path too long", l.v[i].name);
			break;
		}
		fprintf(f, "%s\n", guest);
		ret = initramfs_plan_add(&c->base, INITRAMFS_FILE, guest, host, 0, 0644, "module");
	}
	c->info->modules = l.n;
	kmod_list_free(&l);
	if (fclose(f) && !ret)
		ret = error_host(-ENOMEM, "initramfs: out of memory");
	if (!ret)
		ret = initramfs_plan_add(&c->base, INITRAMFS_DATA, INITRAMFS_MODULES_ORDER, order,
					 olen, 0644, "modules order");
	free(order);
	return ret;
}

static int initramfs_plan_base(struct initramfs_ctx *c)
{
	static const char *const dirs[] = {"/dev", "/proc", "/sys", "/run"};
	const char *init = c->spec->init;
	struct stat st;
	int ret = 0;

	if (!init)
		return error_input(-EINVAL, "initramfs: no init given");
	if (stat(init, &st))
		return error_input(-errno, "init %s: %s", init, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error_input(-EINVAL, "init %s: not a regular file", init);
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !ret; i++)
		ret = initramfs_plan_add(&c->base, INITRAMFS_DIR, dirs[i], NULL, 0, 0755, "dir");
	if (!ret)
		ret = initramfs_plan_add(&c->base, INITRAMFS_DIR, "/tmp", NULL, 0, 01777, "dir");
	if (!ret)
		ret = initramfs_plan_add(&c->base, INITRAMFS_NODE, "/dev/console", NULL, 0,
					 S_IFCHR | 0600, "console");
	if (ret)
		return ret;
	/* the kernel opens it as stdin/stdout/stderr of init (init/main.c) */
	c->base.v[c->base.n - 1].major = 5;
	c->base.v[c->base.n - 1].minor = 1;
	ret = initramfs_plan_add(&c->base, INITRAMFS_FILE, "/init", init, 0, 0755, "init");
	if (!ret)
		ret = initramfs_modules(c);
	if (!ret)
		ret = initramfs_libs(c, &c->base, init, "/init", NULL);
	return ret;
}

static int initramfs_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name); /* not strcoll: same order in any locale */
}

static int initramfs_skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static int initramfs_include(struct initramfs_ctx *c, const char *host, const char *guest,
			     int depth)
{
	const struct initramfs_entry *e;
	struct dirent **names;
	struct stat st;
	int n, ret = 0;

	if (depth ? lstat(host, &st) : stat(host, &st))
		return error_input(-errno, "include %s: %s", host, strerror(errno));
	e = initramfs_plan_find(&c->base, guest) ?: initramfs_plan_find(&c->payload, guest);
	if (e && !(S_ISDIR(st.st_mode) && e->kind == INITRAMFS_DIR))
		return error_input(-EEXIST, "include %s: %s is already in the initramfs (%s)", host,
				   guest, e->what);
	if (c->payload.n >= INITRAMFS_MAX_ENTRIES)
		return error_input(-E2BIG, "include %s: more than %d files", host,
				   INITRAMFS_MAX_ENTRIES);
	if (S_ISREG(st.st_mode)) {
		ret = initramfs_plan_add(&c->payload, INITRAMFS_FILE, guest, host, 0,
					 initramfs_perm(&st), "include");
		return ret ?: initramfs_libs(c, &c->payload, host, guest, &c->base);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(host, target, sizeof(target) - 1);

		if (len <= 0)
			return error_input(-EINVAL, "include %s: unreadable symlink", host);
		target[len] = '\0';
		return initramfs_plan_add(&c->payload, INITRAMFS_LINK, guest, target, 0, 0777,
					  "include");
	}
	if (!S_ISDIR(st.st_mode))
		return error_input(-EINVAL, "include %s: not a file, directory or symlink", host);
	if (depth >= INITRAMFS_MAX_DEPTH)
		return error_input(-ELOOP, "include %s: more than %d directory levels", host,
				   INITRAMFS_MAX_DEPTH);
	if (!e)
		ret =
		    initramfs_plan_add(&c->payload, INITRAMFS_DIR, guest, NULL, 0, 0755, "include");
	n = ret ? 0 : scandir(host, &names, initramfs_skip_dots, initramfs_name_cmp);
	if (n < 0)
		return error_input(-errno, "include %s: %s", host, strerror(errno));
	for (int i = 0; i < n; i++) {
		char h[PATH_MAX], g[PATH_MAX];

		if (!ret && (snprintf(h, sizeof(h), "%s/%s", host, names[i]->d_name) >= PATH_MAX ||
			     snprintf(g, sizeof(g), "%s/%s", guest, names[i]->d_name) >= PATH_MAX))
			ret = error_input(-ENAMETOOLONG, "include %s/%s: path too long", host,
					  names[i]->d_name);
		if (!ret)
			ret = initramfs_include(c, h, g, depth + 1);
		free(names[i]);
	}
	free(n > 0 ? names : NULL);
	return ret;
}

/* "HOST[:GUEST]": no GUEST is /bin/<name>; a GUEST ending in '/' gets <name>. */
static int initramfs_include_spec(struct initramfs_ctx *c, const char *spec)
{
	char host[PATH_MAX], guest[PATH_MAX], *colon, *name;
	size_t hl;

	if (snprintf(host, sizeof(host), "%s", spec) >= PATH_MAX)
		return error_input(-ENAMETOOLONG, "include %.64s...: too long", spec);
	colon = strchr(host, ':');
	if (colon)
		*colon = '\0';
	for (hl = strlen(host); hl > 1 && host[hl - 1] == '/';)
		host[--hl] = '\0';
	name = strrchr(host, '/') ? strrchr(host, '/') + 1 : host;
	if (!*host || !*name)
		return error_input(-EINVAL, "include \"%s\": no host path", spec);
	if (colon && !colon[1])
		return error_input(-EINVAL, "include \"%s\": empty guest path", spec);
	if ((!colon ? snprintf(guest, sizeof(guest), "/bin/%s", name)
		    : snprintf(guest, sizeof(guest), "%s%s%s", colon[1] == '/' ? "" : "/",
			       colon + 1, colon[strlen(colon + 1)] == '/' ? name : "")) >= PATH_MAX)
		return error_input(-ENAMETOOLONG, "include %s: guest path too long", spec);
	return initramfs_include(c, host, guest, 0);
}

static int initramfs_plan_payload(struct initramfs_ctx *c)
{
	const struct initramfs_spec *s = c->spec;
	struct stat st;
	int ret = 0;

	if (s->payload) {
		if (stat(s->payload, &st))
			return error_input(-errno, "payload %s: %s", s->payload, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return error_input(-EINVAL, "payload %s: not a regular file", s->payload);
		/* The host's permission carries over: a non-executable payload fails in the guest, as it would here. */
		ret = initramfs_plan_add(&c->payload, INITRAMFS_FILE, INITRAMFS_PAYLOAD, s->payload,
					 0, initramfs_perm(&st), "payload");
		if (!ret)
			ret =
			    initramfs_libs(c, &c->payload, s->payload, INITRAMFS_PAYLOAD, &c->base);
	}
	for (size_t i = 0; !ret && s->includes && s->includes[i]; i++)
		ret = initramfs_include_spec(c, s->includes[i]);
	return ret;
}

/* A temporary file beside path, to be renamed over it. */
static int initramfs_tmpfile(const char *path, char *tmp)
{
	int fd;

	if (snprintf(tmp, PATH_MAX, "%s.tmp.XXXXXX", path) >= PATH_MAX)
		return error_input(-ENAMETOOLONG, "initramfs %s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return error_input(-errno, "initramfs %s: cannot create %s: %s", path, tmp,
				   strerror(errno));
	cleanup_add(tmp, false);
	return fd;
}

/* Close fd and rename tmp to path, or remove tmp if ret is an error. */
static int initramfs_commit(int fd, const char *tmp, const char *path, int ret)
{
	if (!ret && fchmod(fd, 0644))
		ret = error_host(-errno, "initramfs %s: chmod: %s", tmp, strerror(errno));
	if (close(fd) && !ret)
		ret = error_host(-errno, "initramfs %s: close: %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = error_input(-errno, "initramfs %s: rename: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	cleanup_forget(tmp);
	return ret;
}

static int initramfs_write_plan(struct initramfs_ctx *c, const struct initramfs_plan *p, int fd,
				const char *what)
{
	struct cpio *cp;
	int ret = cpio_open(&cp, fd, what, c->level);

	if (!ret)
		ret = initramfs_plan_write(p, cp);
	if (!ret)
		ret = cpio_finish(cp);
	cpio_free(cp);
	return ret;
}

static int initramfs_write_all(int fd, const char *buf, size_t len, const char *what)
{
	int ret = file_write_all(fd, buf, len);

	if (ret < 0)
		return error_host(ret, "initramfs %s: write: %s", what, strerror(-ret));
	return 0;
}

static int initramfs_mkdirs(const char *dir)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", dir) >= PATH_MAX)
		return error_input(-ENAMETOOLONG, "initramfs cache %s: path too long", dir);
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char end = *s;

		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return error_host(-errno, "initramfs cache %s: %s", p, strerror(errno));
		if (!end)
			return 0;
		*s = '/';
	}
}

/* Whether file holds exactly text. */
static bool initramfs_same(const char *file, const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	int fd = file_open_ro(file);
	bool same = false;

	if (buf && fd >= 0)
		same = read(fd, buf, len + 1) == (ssize_t)len && !memcmp(buf, text, len);
	if (fd >= 0)
		close(fd);
	free(buf);
	return same;
}

/* Find the base in the cache, or build it there; its path goes to info->base. */
static int initramfs_cache(struct initramfs_ctx *c)
{
	const char *env = getenv("KTVM_CACHE"), *home = getenv("HOME");
	char dir[PATH_MAX - 32], head[64], key[17], key2[17], mpath[PATH_MAX], tmp[PATH_MAX];
	char *path = c->info->base, *text = NULL, *text2 = NULL;
	int fd, n, ret;

	if (c->spec->cache_dir)
		n = snprintf(dir, sizeof(dir), "%s", c->spec->cache_dir);
	else if (env && *env)
		n = snprintf(dir, sizeof(dir), "%s/initramfs", env);
	else if (home && *home)
		n = snprintf(dir, sizeof(dir), "%s/.cache/ktvm/initramfs", home);
	else
		return error_input(-EINVAL, "initramfs cache: neither KTVM_CACHE nor HOME is set");
	if (n >= (int)sizeof(dir))
		return error_input(-ENAMETOOLONG, "initramfs cache %s: path too long", dir);
	ret = initramfs_mkdirs(dir);
	if (ret)
		return ret;
	snprintf(head, sizeof(head), "%s level=%d", INITRAMFS_FORMAT, c->level);
	ret = initramfs_plan_manifest(&c->base, head, &text, key);
	if (ret)
		return ret;
	snprintf(path, PATH_MAX, "%s/%s.cpio%s", dir, key, c->level ? ".gz" : "");
	snprintf(mpath, sizeof(mpath), "%s/%s.manifest", dir, key);
	if (!access(path, R_OK) && initramfs_same(mpath, text)) {
		c->info->cache_hit = true;
		goto out;
	}
	fd = initramfs_tmpfile(path, tmp);
	ret = fd < 0 ? fd : initramfs_write_plan(c, &c->base, fd, tmp);
	/* a file that changed while it was copied must not be cached under the old key */
	if (!ret)
		ret = initramfs_plan_manifest(&c->base, head, &text2, key2);
	if (!ret && strcmp(text, text2))
		ret = error_input(-EAGAIN, "initramfs: inputs changed while it was being built");
	if (fd >= 0)
		ret = initramfs_commit(fd, tmp, path, ret);
	if (ret)
		goto out;
	fd = initramfs_tmpfile(mpath, tmp);
	ret = fd < 0 ? fd : initramfs_write_all(fd, text, strlen(text), tmp);
	if (fd >= 0)
		ret = initramfs_commit(fd, tmp, mpath, ret);
out:
	free(text);
	free(text2);
	return ret;
}

static int initramfs_copy(int out, const char *path)
{
	char buf[64 * 1024];
	int in = file_open_ro(path), ret = 0;
	ssize_t n;

	if (in < 0)
		return error_host(in, "initramfs cache %s: %s", path, file_open_why(in));
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
		while ((n = read(in, buf, sizeof(buf))) > 0 &&
		       !(ret = initramfs_write_all(out, buf, (size_t)n, path)))
			;
	if (n < 0 && !ret)
		ret = error_host(-errno, "initramfs cache %s: copy: %s", path, strerror(errno));
	close(in);
	return ret;
}

int initramfs_build(const struct initramfs_spec *spec, const char *out, struct initramfs_info *info)
{
	struct initramfs_info local;
	struct initramfs_ctx c = {.spec = spec, .info = info ? info : &local};
	char tmp[PATH_MAX];
	int fd = -1, ret;

	memset(c.info, 0, sizeof(*c.info));
	c.libs.root = spec->lib_root;
	c.level = spec->level < 0 ? 0 : spec->level == 0 ? 6 : MIN(spec->level, 9);
	ret = initramfs_plan_base(&c);
	if (!ret)
		ret = initramfs_plan_payload(&c);
	if (!ret && !spec->no_cache)
		ret = initramfs_cache(&c);
	if (!ret) {
		fd = initramfs_tmpfile(out, tmp);
		ret = fd < 0	       ? fd
		      : spec->no_cache ? initramfs_write_plan(&c, &c.base, fd, out)
		      : spec->split    ? 0
				       : initramfs_copy(fd, c.info->base);
	}
	/* the payload is a second archive after the base (buffer-format.rst) */
	if (!ret && c.payload.n)
		ret = initramfs_write_plan(&c, &c.payload, fd, out);
	if (fd >= 0)
		ret = initramfs_commit(fd, tmp, out, ret);
	initramfs_plan_free(&c.base);
	initramfs_plan_free(&c.payload);
	return ret;
}

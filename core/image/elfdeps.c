// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image/elfdeps.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/initramfs_elf.h"

#define ELFDEPS_MAX_CONF   256
#define ELFDEPS_CONF_DEPTH 8

struct elfdeps_strv {
	char **v;
	size_t n;
};

struct elfdeps_obj {
	char *host;			  /* the ELF file itself */
	char *origin_host, *origin_guest; /* $ORIGIN on each side */
	char *rpath, *runpath;
	int parent;
};

struct elfdeps_ctx {
	const char *root; /* "" for "/" */
	/* With a --root: its real path; libraries must resolve inside it. */
	char root_real[PATH_MAX];
	bool confine;
	const struct elfdeps_opts *opts;
	u8 class, data;
	u16 machine;
	const char *triplet;
	struct elfdeps_strv conf;   /* ld.so.conf directories */
	struct elfdeps_strv loaded; /* names (and sonames) already resolved */
	struct elfdeps_obj *obj;
	size_t nobj;
	struct elfdeps *out;
};

/*
 * Does host path p, symlinks and ".." resolved, lie inside --root? (Always
 * without one; a path that does not resolve is left to the callers, which
 * then do not find it.)
 */
static bool elfdeps_inside(const struct elfdeps_ctx *c, const char *p)
{
	char real[PATH_MAX];
	size_t n = strlen(c->root_real);

	if (!c->confine || !realpath(p, real))
		return true;
	return !strncmp(real, c->root_real, n) && (real[n] == '/' || real[n] == '\0');
}

static void elfdeps_strv_free(struct elfdeps_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Takes ownership of str (which may be NULL after a failed allocation). */
static int elfdeps_strv_add(struct elfdeps_strv *s, char *str)
{
	char **v = str ? realloc(s->v, (s->n + 1) * sizeof(*v)) : NULL;

	if (!v) {
		free(str);
		return -ENOMEM;
	}
	s->v = v;
	s->v[s->n++] = str;
	return 0;
}

static bool elfdeps_strv_has(const struct elfdeps_strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

static char *__printf(1, 2) elfdeps_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* Collapse "//", "." and ".." of an absolute path, in place. */
static char *elfdeps_norm(char *p)
{
	size_t w = 0, r = 0, len;

	if (!p)
		return NULL;
	len = strlen(p);
	while (r < len) {
		size_t start, n;

		while (r < len && p[r] == '/')
			r++;
		start = r;
		while (r < len && p[r] != '/')
			r++;
		n = r - start;
		if (n == 0 || (n == 1 && p[start] == '.'))
			continue;
		if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
			while (w > 0 && p[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			continue;
		}
		/* w < start: each component written takes no more room than it did */
		p[w++] = '/';
		memmove(p + w, p + start, n);
		w += n;
	}
	if (w == 0)
		p[w++] = '/';
	p[w] = '\0';
	return p;
}

static char *elfdeps_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* ld.so.conf: directories, "include GLOB" (relative to the file's directory). */
static int elfdeps_conf(struct elfdeps_ctx *c, const char *file, int depth)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0, fd;

	/* Regular files only: a FIFO there would block the open. */
	if (depth > ELFDEPS_CONF_DEPTH || (fd = file_open_ro(file)) < 0)
		return 0;
	if (!(f = fdopen(fd, "re"))) {
		close(fd);
		return 0;
	}
	while (!ret && getline(&line, &cap, f) > 0) {
		char *s = line, *end;

		s[strcspn(s, "#\n")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		for (end = s + strlen(s); end > s && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		if (!strncmp(s, "include", 7) && isspace((unsigned char)s[7])) {
			char *pat, *dir = elfdeps_dirname(file);
			glob_t g;

			for (s += 8; isspace((unsigned char)*s);)
				s++;
			pat = !dir	  ? NULL
			      : *s == '/' ? elfdeps_fmt("%s%s", c->root, s)
					  : elfdeps_fmt("%s/%s", dir, s);
			free(dir);
			if (!pat)
				ret = -ENOMEM;
			else if (!glob(pat, 0, NULL, &g)) {
				for (size_t i = 0; i < g.gl_pathc && !ret; i++)
					ret = elfdeps_conf(c, g.gl_pathv[i], depth + 1);
				globfree(&g);
			}
			free(pat);
		} else if (*s == '/' && c->conf.n < ELFDEPS_MAX_CONF) {
			s[strcspn(s, " \t=:,")] = '\0';
			if (!elfdeps_strv_has(&c->conf, s))
				ret = elfdeps_strv_add(&c->conf, strdup(s));
		}
	}
	free(line);
	fclose(f);
	return ret;
}

static int elfdeps_add(struct elfdeps_ctx *c, const char *guest, const char *host, const char *link)
{
	struct elfdeps *o = c->out;
	struct elfdeps_file *v;

	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].guest, guest))
			return 0;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->v = v;
	v += o->n;
	v->guest = strdup(guest);
	v->host = host ? strdup(host) : NULL;
	v->link = link ? strdup(link) : NULL;
	if (!v->guest || (host && !v->host) || (link && !v->link)) {
		free(v->guest);
		free(v->host);
		free(v->link);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

/*
 * Pack guest (found at host) and what its symlinks lead to. deref packs the
 * final file at guest instead (for host-only directories). *final gets the
 * regular file's host path.
 */
static int elfdeps_pack(struct elfdeps_ctx *c, const char *host, const char *guest, bool deref,
			char **final)
{
	char *h = strdup(host), *g = strdup(guest), target[PATH_MAX];
	struct stat st;
	int ret = -ENOMEM;

	for (int hops = 0; h && g; hops++) {
		char *hd, *gd;
		ssize_t n;

		if (lstat(h, &st)) {
			ret = error_input(-errno, "library %s: %s", h, strerror(errno));
			break;
		}
		if (!S_ISLNK(st.st_mode) || deref) {
			if (deref && (!realpath(h, target) || stat(target, &st))) {
				ret = error_input(-errno, "library %s: %s", h, strerror(errno));
				break;
			}
			if (!S_ISREG(st.st_mode)) {
				ret = error_input(-EINVAL, "library %s: not a regular file", h);
				break;
			}
			if (!elfdeps_inside(c, deref ? target : h)) {
				ret = error_input(-EINVAL, "library %s: resolves outside --root %s",
						  guest, c->root_real);
				break;
			}
			ret = elfdeps_add(c, g, deref ? target : h, NULL);
			*final = ret ? NULL : strdup(deref ? target : h);
			if (!ret && !*final)
				ret = -ENOMEM;
			break;
		}
		if (hops >= ELFDEPS_MAX_LINKS) {
			ret = error_input(-ELOOP, "library %s: more than %d symlinks", host,
					  ELFDEPS_MAX_LINKS);
			break;
		}
		n = readlink(h, target, sizeof(target) - 1);
		if (n <= 0) {
			ret = error_input(-EINVAL, "library %s: unreadable symlink", h);
			break;
		}
		target[n] = '\0';
		if (elfdeps_add(c, g, NULL, target))
			break;
		hd = elfdeps_dirname(h);
		gd = elfdeps_dirname(g);
		free(h);
		free(g);
		h = !hd		     ? NULL
		    : *target == '/' ? elfdeps_fmt("%s%s", c->root, target)
				     : elfdeps_fmt("%s/%s", hd, target);
		g = !gd ? NULL
			: elfdeps_norm(*target == '/' ? strdup(target)
						      : elfdeps_fmt("%s/%s", gd, target));
		free(hd);
		free(gd);
	}
	free(h);
	free(g);
	return ret == -ENOMEM ? error_host(ret, "library %s: out of memory", guest) : ret;
}

/* A library ld.so would take: where it is, where it goes in the guest. */
struct elfdeps_hit {
	char *host, *guest;
	bool deref; /* found in a host-only directory */
};

/* Try dir/name on both sides: 1 (and *hit filled) if ld.so would take it. */
static int elfdeps_try(struct elfdeps_ctx *c, const char *hdir, const char *gdir, const char *name,
		       bool deref, struct elfdeps_hit *hit)
{
	char *h = elfdeps_fmt("%s/%s", hdir, name);
	char *g = elfdeps_norm(elfdeps_fmt("%s/%s", gdir, name));

	/* A name or RPATH with ".." (or a symlink) must not reach outside --root. */
	if (h && g && elfdeps_inside(c, h) &&
	    initramfs_elf_is_lib(h, c->class, c->data, c->machine)) {
		*hit = (struct elfdeps_hit){h, g, deref};
		return 1;
	}
	free(h);
	free(g);
	return h && g ? 0 : -ENOMEM;
}

/* An RPATH/RUNPATH list, $ORIGIN expanded on both sides. */
static int elfdeps_try_path(struct elfdeps_ctx *c, const char *list, const struct elfdeps_obj *o,
			    const char *name, struct elfdeps_hit *hit)
{
	char *copy = strdup(list), *save, *e;
	int ret = copy ? 0 : -ENOMEM;

	for (e = copy ? strtok_r(copy, ":", &save) : NULL; e && !ret;
	     e = strtok_r(NULL, ":", &save)) {
		const char *rest = !strncmp(e, "$ORIGIN", 7)	 ? e + 7
				   : !strncmp(e, "${ORIGIN}", 9) ? e + 9
								 : NULL;
		char *hd, *gd;

		if (rest ? strchr(rest, '$') != NULL : (strchr(e, '$') || *e != '/'))
			continue;
		hd = rest ? elfdeps_fmt("%s%s", o->origin_host, rest)
			  : elfdeps_fmt("%s%s", c->root, e);
		gd = rest ? elfdeps_fmt("%s%s", o->origin_guest, rest) : strdup(e);
		ret = hd && gd ? elfdeps_try(c, hd, gd, name, false, hit) : -ENOMEM;
		free(hd);
		free(gd);
	}
	free(copy);
	return ret;
}

static int elfdeps_try_dir(struct elfdeps_ctx *c, const char *dir, const char *name,
			   struct elfdeps_hit *hit)
{
	char *hd = elfdeps_fmt("%s%s", c->root, dir);
	int ret = hd ? elfdeps_try(c, hd, dir, name, false, hit) : -ENOMEM;

	free(hd);
	return ret;
}

/* The system directories (4-7 in elfdeps.h), after RPATH/RUNPATH. */
static int elfdeps_find_system(struct elfdeps_ctx *c, const char *name, struct elfdeps_hit *hit)
{
	const char *const *extra = c->opts && c->opts->dirs ? c->opts->dirs : NULL;
	const char *t = c->triplet;
	char *dirs[6] = {NULL}, *hd;
	int ret = 0, n = 0;

	for (size_t i = 0; i < c->conf.n && !ret; i++)
		ret = elfdeps_try_dir(c, c->conf.v[i], name, hit);
	if (t) {
		dirs[n++] = elfdeps_fmt("/lib/%s", t);
		dirs[n++] = elfdeps_fmt("/usr/lib/%s", t);
	}
	if (c->class == ELFCLASS64) {
		dirs[n++] = strdup("/lib64");
		dirs[n++] = strdup("/usr/lib64");
	}
	dirs[n++] = strdup("/lib");
	dirs[n++] = strdup("/usr/lib");
	for (int i = 0; i < n && !ret; i++)
		ret = dirs[i] ? elfdeps_try_dir(c, dirs[i], name, hit) : -ENOMEM;
	for (int i = 0; i < n; i++)
		free(dirs[i]);
	for (; extra && *extra && !ret; extra++)
		ret = elfdeps_try_dir(c, *extra, name, hit);
	if (ret || !t)
		return ret;
	hd = elfdeps_fmt("%s/usr/%s/lib", c->root, t);
	dirs[0] = elfdeps_fmt("/lib/%s", t);
	ret = hd && dirs[0] ? elfdeps_try(c, hd, dirs[0], name, true, hit) : -ENOMEM;
	free(hd);
	free(dirs[0]);
	return ret;
}

/* Where ld.so would find DT_NEEDED name of object i. */
static int elfdeps_find(struct elfdeps_ctx *c, int i, const char *name, struct elfdeps_hit *hit)
{
	const struct elfdeps_obj *o = &c->obj[i];
	int ret = 0;

	/* a path (relative ones taken from "/", where the guest's init runs) */
	if (strchr(name, '/'))
		return elfdeps_try(c, c->root, "/", name, false, hit);
	for (int j = i; !ret && !o->runpath && j >= 0; j = c->obj[j].parent)
		if (!c->obj[j].runpath && c->obj[j].rpath)
			ret = elfdeps_try_path(c, c->obj[j].rpath, &c->obj[j], name, hit);
	if (!ret && o->runpath)
		ret = elfdeps_try_path(c, o->runpath, o, name, hit);
	if (!ret)
		ret = elfdeps_find_system(c, name, hit);
	return ret;
}

/* Pack what was found and queue it; name joins the loaded names. */
static int elfdeps_take(struct elfdeps_ctx *c, struct elfdeps_hit *hit, const char *guest,
			const char *name, int parent)
{
	struct elfdeps_obj *o;
	char *final = NULL;
	int ret;

	if (c->nobj >= ELFDEPS_MAX_OBJECTS)
		ret = error_input(-E2BIG, "%s: more than %d libraries", c->obj[0].host,
				  ELFDEPS_MAX_OBJECTS);
	else
		ret = elfdeps_pack(c, hit->host, guest, hit->deref, &final);
	if (!ret) {
		o = &c->obj[c->nobj++];
		*o = (struct elfdeps_obj){.host = final, .parent = parent};
		o->origin_host = elfdeps_dirname(hit->host);
		o->origin_guest = elfdeps_dirname(guest);
		ret = o->origin_host && o->origin_guest ? 0 : -ENOMEM;
	}
	if (!ret)
		ret = elfdeps_strv_add(&c->loaded, strdup(name));
	free(hit->host);
	free(hit->guest);
	return ret == -ENOMEM ? error_host(ret, "%s: out of memory", name) : ret;
}

/* PT_INTERP: at its path under root, else found by name and packed at its path. */
static int elfdeps_interp(struct elfdeps_ctx *c, const char *interp)
{
	const char *base = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
	struct elfdeps_hit hit = {elfdeps_fmt("%s%s", c->root, interp), NULL, false};
	int ret;

	if (!hit.host)
		return error_host(-ENOMEM, "%s: out of memory", interp);
	if (initramfs_elf_is_lib(hit.host, c->class, c->data, c->machine))
		return elfdeps_take(c, &hit, interp, base, 0);
	free(hit.host);
	ret = elfdeps_find_system(c, base, &hit);
	if (ret == 0)
		return error_input(-ENOENT, "%s: interpreter %s not found under %s", c->obj[0].host,
				   interp, *c->root ? c->root : "/");
	if (ret < 0)
		return error_host(ret, "%s: out of memory", interp);
	hit.deref = true;
	return elfdeps_take(c, &hit, interp, base, 0);
}

/* Read object i and queue what it needs (breadth first, as ld.so loads). */
static int elfdeps_object(struct elfdeps_ctx *c, int i)
{
	struct initramfs_elf in;
	struct elfdeps_hit hit;
	int ret;

	ret = initramfs_elf_read(c->obj[i].host, &in);
	if (ret)
		return ret;
	c->obj[i].rpath = in.rpath;
	c->obj[i].runpath = in.runpath;
	in.rpath = in.runpath = NULL;
	if (in.soname && !elfdeps_strv_has(&c->loaded, in.soname)) {
		ret = elfdeps_strv_add(&c->loaded, in.soname);
		in.soname = NULL;
	}
	if (!ret && i == 0 && in.interp)
		ret = elfdeps_interp(c, in.interp);
	for (size_t k = 0; k < in.nneeded && !ret; k++) {
		const char *name = in.needed[k];

		if (elfdeps_strv_has(&c->loaded, name))
			continue;
		ret = elfdeps_find(c, i, name, &hit);
		if (ret == 0)
			ret = error_input(
			    -ENOENT, "%s needs %s: not found for %s under %s", c->obj[i].host, name,
			    c->triplet ? c->triplet : "this ELF machine", *c->root ? c->root : "/");
		else if (ret == 1)
			ret = elfdeps_take(c, &hit, hit.guest, name, i);
		else if (ret == -ENOMEM)
			ret = error_host(ret, "%s: out of memory", c->obj[i].host);
	}
	initramfs_elf_free(&in);
	return ret;
}

int elfdeps_resolve(struct elfdeps *out, const char *exe, const char *exe_guest,
		    const struct elfdeps_opts *opts)
{
	struct elfdeps_ctx c = {.opts = opts, .out = out};
	char root[PATH_MAX], *conf = NULL, real[PATH_MAX];
	struct initramfs_elf in;
	size_t len;
	int ret;

	if (!realpath(exe, real))
		return error_input(-errno, "%s: %s", exe, strerror(errno));
	if (!initramfs_elf_is_elf(real))
		return 0;
	ret = initramfs_elf_read(real, &in);
	if (ret)
		return ret;
	c.class = in.class;
	c.data = in.data;
	c.machine = in.machine;
	c.triplet = initramfs_elf_triplet(in.class, in.data, in.machine);
	/* not an executable, or static: nothing to load */
	ret = in.interp || in.nneeded ? 1 : 0;
	initramfs_elf_free(&in);
	if (!ret)
		return 0;

	snprintf(root, sizeof(root), "%s", opts && opts->root ? opts->root : "/");
	for (len = strlen(root); len && root[len - 1] == '/';)
		root[--len] = '\0';
	c.root = root;
	c.confine = *root && realpath(root, c.root_real);
	c.obj = calloc(ELFDEPS_MAX_OBJECTS, sizeof(*c.obj));
	conf = elfdeps_fmt("%s/etc/ld.so.conf", root);
	if (c.obj) {
		c.obj[0].host = strdup(real);
		c.obj[0].origin_host = elfdeps_dirname(real);
		c.obj[0].origin_guest = elfdeps_norm(elfdeps_dirname(exe_guest));
		c.obj[0].parent = -1;
		c.nobj = 1;
	}
	if (!c.obj || !conf || !c.obj[0].host || !c.obj[0].origin_host || !c.obj[0].origin_guest)
		ret = -ENOMEM;
	else
		ret = elfdeps_conf(&c, conf, 0);
	if (ret == -ENOMEM)
		ret = error_host(ret, "%s: out of memory", exe);
	for (size_t i = 0; i < c.nobj && !ret; i++)
		ret = elfdeps_object(&c, (int)i);

	for (size_t i = 0; c.obj && i < c.nobj; i++) {
		free(c.obj[i].host);
		free(c.obj[i].origin_host);
		free(c.obj[i].origin_guest);
		free(c.obj[i].rpath);
		free(c.obj[i].runpath);
	}
	free(c.obj);
	free(conf);
	elfdeps_strv_free(&c.conf);
	elfdeps_strv_free(&c.loaded);
	return ret;
}

void elfdeps_free(struct elfdeps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].guest);
		free(d->v[i].host);
		free(d->v[i].link);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

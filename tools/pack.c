// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/image/initramfs.h"
#include "core/vm/arch.h"
#include "core/image/initramfs_elf.h"
#include "core/base/json.h"
#include "core/image/kmod.h"
#include "guest/init-blob.h"
#include "tools/pack.h"
#include "wire/wire.h"

/* What the guest channel needs when the kernel has it as modules (Debian). */
static const char *const pack_base_modules[] = {"virtio_mmio", "virtio_console"};

static bool pack_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/*
 * PROG as a shell finds it: with a '/' as given, else the first $PATH hit.
 * An empty element, a trailing ':' too, is the current directory (POSIX
 * XBD 8.3), and so is an empty PATH, as in bash and dash.
 */
static bool pack_find(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(prog, '/')) {
		snprintf(out, size, "%s", prog);
		return pack_is_file(prog);
	}
	for (p = path ? path : "/usr/bin:/bin";; p = colon + 1) {
		int len;

		colon = strchrnul(p, ':');
		len = (int)(colon - p);
		if (snprintf(out, size, "%.*s%s%s", len, p, len ? "/" : "", prog) < (int)size &&
		    pack_is_file(out) && !access(out, X_OK))
			return true;
		if (!*colon)
			break;
	}
	return false;
}

static int pack_write(const char *path, const char *const *strs, const char *what)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return error_host(-errno, "%s: %s", path, strerror(errno));
	for (; *strs; strs++)
		fwrite(*strs, 1, strlen(*strs) + 1, f);
	if (ferror(f))
		err = errno ?: EIO;
	if (fclose(f) && !err)
		err = errno;
	if (err)
		return error_host(-err, "%s (%s): %s", path, what, strerror(err));
	return 0;
}

static int pack_cache_dir(char *out, size_t size, const char *sub)
{
	const char *env = getenv("KTVM_CACHE"), *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(out, size, "%s/%s", env, sub);
	else if (home && *home)
		n = snprintf(out, size, "%s/.cache/ktvm/%s", home, sub);
	else
		return error_input(-EINVAL, "ktvm cache: neither KTVM_CACHE nor HOME is set");
	return n < (int)size ? 0 : error_input(-ENAMETOOLONG, "ktvm cache: path too long");
}

static int pack_mkdirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			int err = errno;

			*p = '/';
			return error_host(-err, "%s: %s", dir, strerror(err));
		}
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return error_host(-errno, "%s: %s", dir, strerror(errno));
	return 0;
}

/*
 * The init embedded in ktvm, as a file the initramfs builder can pack. Named
 * after its checksum and size, so the cached initramfs base stays valid
 * until ktvm's init changes.
 */
static int pack_init_file(char *out, size_t size)
{
	char dir[PATH_MAX - 64], tmp[PATH_MAX + 32];
	u32 crc = wire_crc32(ktvm_init_blob, ktvm_init_blob_size);
	int fd, ret;

	ret = pack_cache_dir(dir, sizeof(dir), "init");
	if (ret < 0)
		return ret;
	snprintf(out, size, "%s/ktvm-init-%08x-%lu", dir, crc, ktvm_init_blob_size);
	if (pack_is_file(out))
		return 0;
	ret = pack_mkdirs(dir);
	if (ret < 0)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0)
		return error_host(-errno, "%s: %s", tmp, strerror(errno));
	ret = write(fd, ktvm_init_blob, ktvm_init_blob_size) == (ssize_t)ktvm_init_blob_size
		  ? 0
		  : -(errno ?: EIO);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, out))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return error_host(ret, "%s: %s", out, strerror(-ret));
	}
	return 0;
}

/*
 * Where the kernel's modules are: beside a kernel unpacked from a Debian
 * package (ktvm's cache: DIR/vmlinux with DIR/root/lib/modules), beside an
 * installed one (/boot/vmlinuz-R with /lib/modules/R), or the host's.
 */
static bool pack_modules_dir(const char *kernel, const char *rel, char *out, size_t size)
{
	static const char *const fmts[] = {
	    "%s/root/lib/modules/%s",	"%s/root/usr/lib/modules/%s", "%s/../lib/modules/%s",
	    "%s/../usr/lib/modules/%s", "%s/lib/modules/%s",
	};
	char dir[PATH_MAX];
	struct stat st;
	const char *slash = strrchr(kernel, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - kernel) : 1, slash ? kernel : ".");
	if (slash == kernel)
		snprintf(dir, sizeof(dir), "/");
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		snprintf(out, size, fmts[i], i == ARRAY_SIZE(fmts) - 1 ? "" : dir, rel);
		if (!stat(out, &st) && S_ISDIR(st.st_mode))
			return true;
	}
	out[0] = '\0';
	return false;
}

/*
 * --scheduler: a host ELF program for the guest's arch (a script or another
 * arch's binary could not run there), packed with its libraries as
 * PACK_SCHED_PATH; its command written to DIR/sched. The two "HOST:GUEST"
 * includes into inc and cmd_inc (PATH_MAX + 32 bytes each).
 */
static int pack_sched(const struct pack_opts *o, const char *dir, char *inc, char *cmdf,
		      char *cmd_inc)
{
	const char *cmd[PACK_MAX_SCHED_ARGS + 3];
	char host[PATH_MAX];
	struct initramfs_elf e;
	const char *triplet;
	size_t n = 0;

	if (!pack_find(o->sched, host, sizeof(host)))
		return error_input(-ENOENT, "--scheduler %s: %s", o->sched,
				   strchr(o->sched, '/') ? "no such file" : "not found in PATH");
	if (!initramfs_elf_is_elf(host) || initramfs_elf_read(host, &e) < 0)
		return error_input(-ENOEXEC, "--scheduler %s: not an ELF program", host);
	triplet = initramfs_elf_triplet(e.class, e.data, e.machine);
	initramfs_elf_free(&e);
	if (!triplet || strncmp(triplet, arch_name(), strlen(arch_name())) ||
	    triplet[strlen(arch_name())] != '-')
		return error_input(-ENOEXEC, "--scheduler %s: not a program for %s (%s)", host,
				   arch_name(), triplet ? triplet : "unknown machine");
	snprintf(inc, PATH_MAX + 32, "%s:%s", host, PACK_SCHED_PATH);
	cmd[n++] = PACK_SCHED_PATH;
	cmd[n++] = o->sched;
	for (u32 i = 0; i < o->nr_sched_args; i++)
		cmd[n++] = o->sched_args[i];
	cmd[n] = NULL;
	snprintf(cmdf, PATH_MAX + 16, "%s/sched", dir);
	snprintf(cmd_inc, PATH_MAX + 32, "%s:/ktvm/sched", cmdf);
	return pack_write(cmdf, cmd, "scheduler command");
}

int pack_prepare(const struct pack_opts *o, struct pack_files *f)
{
	const char *includes[PACK_MAX_INCLUDES + 5];
	char sched_inc[PATH_MAX + 32], schedf[PATH_MAX + 16], schedf_inc[PATH_MAX + 32];
	char host[PATH_MAX], init[PATH_MAX], cmdf[PATH_MAX + 16], envf[PATH_MAX + 16];
	char cmd_inc[PATH_MAX + 32], env_inc[PATH_MAX + 32];
	const char *tmpdir = getenv("TMPDIR"), *exec_path;
	const char **cmd;
	const char *modules[ARRAY_SIZE(pack_base_modules) + PACK_MAX_MODULES + 1];
	u32 i, nr_modules = 0;
	struct initramfs_spec spec;
	struct initramfs_info info;
	struct stat st;
	size_t argc = 0, n = 0;
	u64 t0 = clock_now_ns();
	bool on_host;
	int ret;

	memset(f, 0, sizeof(*f));
	on_host = pack_find(o->argv[0], host, sizeof(host));
	if (!on_host && o->argv[0][0] != '/')
		return error_input(-ENOENT, "%s: %s", o->argv[0],
				   strchr(o->argv[0], '/') ? "no such file" : "not found in PATH");
	exec_path = on_host ? INITRAMFS_PAYLOAD : o->argv[0];

	/* Its files are named to the initramfs builder as "HOST:GUEST" includes. */
	if (tmpdir && strchr(tmpdir, ':'))
		return error_input(-EINVAL, "TMPDIR %s: a ':' in it is not supported", tmpdir);
	snprintf(f->dir, sizeof(f->dir), "%s/ktvm-run.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(f->dir)) {
		ret = error_host(-errno, "%s: %s", f->dir, strerror(errno));
		f->dir[0] = '\0';
		return ret;
	}
	/* Removed with what is in it if ktvm must end at once (a second SIGINT). */
	cleanup_add(f->dir, true);
	while (o->argv[argc])
		argc++;
	cmd = calloc(argc + 2, sizeof(*cmd));
	if (!cmd)
		return error_host(-ENOMEM, "out of memory");
	cmd[0] = exec_path;
	memcpy(cmd + 1, o->argv, argc * sizeof(*cmd));
	snprintf(cmdf, sizeof(cmdf), "%s/cmd", f->dir);
	ret = pack_write(cmdf, cmd, "payload command");
	free(cmd);
	if (ret < 0)
		return ret;

	for (u32 i = 0; i < o->nr_includes; i++)
		includes[n++] = o->includes[i];
	snprintf(cmd_inc, sizeof(cmd_inc), "%s:/ktvm/cmd", cmdf);
	includes[n++] = cmd_inc;
	if (o->nr_env) {
		snprintf(envf, sizeof(envf), "%s/env", f->dir);
		ret = pack_write(envf, o->env, "payload environment");
		if (ret < 0)
			return ret;
		snprintf(env_inc, sizeof(env_inc), "%s:/ktvm/env", envf);
		includes[n++] = env_inc;
	}
	if (o->sched) {
		ret = pack_sched(o, f->dir, sched_inc, schedf, schedf_inc);
		if (ret < 0)
			return ret;
		includes[n++] = sched_inc;
		includes[n++] = schedf_inc;
	}
	includes[n] = NULL;

	ret = pack_init_file(init, sizeof(init));
	if (ret < 0)
		return ret;
	/*
	 * A bzImage's header names its release at once; the cache's copy is
	 * searched for the banner (5 ms for 66 MB), which an Image.gz or a
	 * zboot image has only inside its compressed payload.
	 */
	ret = kmod_release(o->kernel, f->release, sizeof(f->release));
	if (ret < 0 && o->booted) {
		error_clear();
		ret = kmod_release(o->booted, f->release, sizeof(f->release));
	}
	if (ret < 0)
		return ret;
	if (o->modules_dir)
		snprintf(f->modules_dir, sizeof(f->modules_dir), "%s", o->modules_dir);
	else
		pack_modules_dir(o->kernel, f->release, f->modules_dir, sizeof(f->modules_dir));

	memset(&spec, 0, sizeof(spec));
	spec.init = init;
	spec.payload = on_host ? host : NULL;
	spec.includes = includes;
	for (i = 0; i < ARRAY_SIZE(pack_base_modules); i++)
		modules[nr_modules++] = pack_base_modules[i];
	for (i = 0; i < o->nr_modules; i++)
		modules[nr_modules++] = o->modules[i];
	modules[nr_modules] = NULL;
	if (f->modules_dir[0]) {
		spec.modules = modules;
		spec.modules_dir = f->modules_dir;
		spec.release = f->release;
	}
	spec.kernel = o->kernel;
	/*
	 * Uncompressed by default: gzip costs more time (here to compress, in
	 * the guest to inflate) than the guest saves reading fewer bytes from
	 * RAM. --initramfs-compress gzip is there to measure that.
	 */
	spec.level = o->gzip ? 0 : -1;
	if (snprintf(f->initrd, sizeof(f->initrd), "%s/initrd.cpio", f->dir) >=
	    (int)sizeof(f->initrd))
		return error_input(-ENAMETOOLONG, "%s: path too long", f->dir);
	spec.split = o->split;
	ret = initramfs_build(&spec, f->initrd, &info);
	if (ret < 0)
		return ret;
	f->cache_hit = info.cache_hit;
	f->gzip = o->gzip;
	if (stat(f->initrd, &st) == 0)
		f->bytes = (u64)st.st_size;
	if (o->split && info.base[0]) {
		snprintf(f->base, sizeof(f->base), "%s", info.base);
		if (stat(f->base, &st) == 0)
			f->bytes += (u64)st.st_size;
		if (stat(f->initrd, &st) == 0 && st.st_size == 0) {
			unlink(f->initrd);
			f->initrd[0] = '\0';
		}
	}
	f->modules = info.modules;
	f->libraries = info.libraries;
	f->build_ns = clock_now_ns() - t0;
	return 0;
}

void pack_write_json(FILE *f, const void *ctx)
{
	const struct pack_files *pf = ctx;

	fprintf(f, ",\n  \"initramfs\": {\"cache_hit\": %s, \"build_ms\": %llu, ",
		pf->cache_hit ? "true" : "false", (unsigned long long)(pf->build_ns / 1000000));
	fprintf(f, "\"compress\": \"%s\", \"bytes\": %llu, ", pf->gzip ? "gzip" : "none",
		(unsigned long long)pf->bytes);
	fprintf(f, "\"modules\": %zu, \"libraries\": %zu, \"release\": ", pf->modules,
		pf->libraries);
	json_string(f, pf->release, strlen(pf->release));
	fprintf(f, ", \"modules_dir\": ");
	json_string(f, pf->modules_dir, strlen(pf->modules_dir));
	fprintf(f, "}");
}

void pack_cleanup(struct pack_files *f)
{
	static const char *const names[] = {"cmd", "env", "sched", "initrd.cpio"};
	char path[PATH_MAX + 16];

	if (!f->dir[0])
		return;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		unlink(path);
	}
	rmdir(f->dir);
	cleanup_forget(f->dir);
	f->dir[0] = '\0';
}

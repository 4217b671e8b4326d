/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ktvm run ... -- PROG [ARGS]`: the guest initramfs that runs PROG under
 * ktvm's init (guest/), built from the init embedded in ktvm, PROG, the
 * --include files, the kernel modules the guest channel needs, and the
 * files that tell init what to run:
 *   /ktvm/cmd  NUL-terminated: the path to exec, then argv[0], argv[1], ...
 *   /ktvm/env  NUL-terminated KEY=VALUE strings (only with --env)
 *   /ktvm/sched  with --scheduler: NUL-terminated, the path to exec
 *              (PACK_SCHED_PATH, the scheduler's host file), argv[0] (its name
 *              as given), its --sched-arg arguments
 * PROG is looked up like a shell does (a name without '/' in $PATH); a host
 * file is packed as /ktvm/payload. An absolute path that is not a host file
 * is run as a guest path (a file an --include put there): if it is missing
 * there too, the guest reports it.
 */
#ifndef KTVM_TOOLS_PACK_H
#define KTVM_TOOLS_PACK_H

#include <limits.h>
#include <stdio.h>

#include "core/base/types.h"

#define PACK_MAX_INCLUDES   64
#define PACK_MAX_ENV	    64
#define PACK_MAX_SCHED_ARGS 32
#define PACK_MAX_MODULES    8
#define PACK_SCHED_PATH	    "/ktvm/scheduler"

struct pack_opts {
	const char *kernel;
	/*
	 * The kernel that boots, whose banner gives the release: the kernel
	 * cache's uncompressed copy of kernel (an Image.gz or zboot image has
	 * no banner to read); NULL: kernel. The modules lie beside kernel.
	 */
	const char *booted;
	char **argv; /* PROG and its arguments, NULL-terminated */
	const char *includes[PACK_MAX_INCLUDES + 1];
	u32 nr_includes;
	const char *env[PACK_MAX_ENV + 1];
	u32 nr_env;
	const char *modules_dir; /* NULL: found next to the kernel (payload.c) */
	bool gzip;		 /* --initramfs-compress gzip (default: none) */
	bool have_compress;	 /* --initramfs-compress was given */
	/* Modules the run's devices need beyond the guest channel's (virtio_blk, ...) */
	const char *modules[PACK_MAX_MODULES + 1];
	u32 nr_modules;
	/* --scheduler: packed as PACK_SCHED_PATH, its command in /ktvm/sched (guest/sched.h) */
	const char *sched;
	const char *sched_args[PACK_MAX_SCHED_ARGS + 1];
	u32 nr_sched_args;
	/*
	 * Leave the cached base archive out of initrd: the caller boots it in
	 * front (pack_files.base, vm_config.initrd_base), mapped rather than
	 * copied, so a run copies only what is its own.
	 */
	bool split;
};

struct pack_files {
	char dir[PATH_MAX];    /* private temporary directory, removed by cleanup */
	char initrd[PATH_MAX]; /* the initramfs to boot; with split, after base ("": nothing) */
	char base[PATH_MAX];   /* with split: the initramfs cache's base, "" when not split */
	char modules_dir[PATH_MAX]; /* "" when the kernel's modules were not found */
	char release[65];
	bool cache_hit;
	bool gzip; /* the initramfs is gzip-compressed */
	u64 bytes; /* its size (with split: the base's and initrd's) */
	size_t modules, libraries;
	u64 build_ns; /* pack_prepare()'s wall time */
};

/* Build the initramfs; error message set (core/base/error.h) on failure. */
int pack_prepare(const struct pack_opts *o, struct pack_files *f);
/*
 * The "initramfs" member of ktvm's JSON result (result_write_json()'s more
 * callback; ctx is the struct pack_files).
 */
void pack_write_json(FILE *f, const void *ctx);
/* Remove the temporary files. Safe on a partly prepared f. */
void pack_cleanup(struct pack_files *f);

#endif

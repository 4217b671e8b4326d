/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files an ELF executable needs to start in a guest: its dynamic loader
 * (PT_INTERP) and its DT_NEEDED libraries, recursively, found the way
 * glibc's ld.so would find them for the executable's own ELF class and
 * machine (which need not be the host's):
 *
 *   1. a name containing '/' is a path;
 *   2. DT_RPATH of the object, then of the objects that loaded it up to the
 *      executable, unless the object has DT_RUNPATH;
 *   3. DT_RUNPATH of the object;
 *   4. the directories in /etc/ld.so.conf (with "include" globs), standing
 *      in for ld.so.cache;
 *   5. /lib/<triplet>, /usr/lib/<triplet>, /lib64 and /usr/lib64 (64-bit),
 *      /lib, /usr/lib;
 *   6. opts->dirs;
 *   7. the cross toolchain's /usr/<triplet>/lib (not a guest path: what is
 *      found there is packed under /lib/<triplet>, symlinks resolved).
 *
 * A candidate whose ELF class, byte order or e_machine differs is skipped,
 * as ld.so does. $ORIGIN and ${ORIGIN} expand to the object's directory: on
 * the host where it was found, and in the guest where it is packed; entries
 * with other tokens ($LIB, $PLATFORM) are ignored, as are glibc-hwcaps
 * subdirectories. A name already loaded (by the name asked for or by an
 * object's DT_SONAME) is not searched again.
 *
 * Every path is looked up under opts->root, which stands for the guest's "/"
 * (default "/"): an extracted Debian root or a sysroot for tests and cross
 * builds. A library reached through a symlink is packed as the symlink plus
 * its target (chains followed, at most ELFDEPS_MAX_LINKS). Directory
 * symlinks on the host (merged /usr) are not reproduced: the guest gets real
 * directories at the paths the loader asks for.
 */
#ifndef KTVM_CORE_ELFDEPS_H
#define KTVM_CORE_ELFDEPS_H

#include "core/base/types.h"

#define ELFDEPS_MAX_OBJECTS 512
#define ELFDEPS_MAX_LINKS   16

struct elfdeps_file {
	char *guest; /* absolute path in the guest */
	char *host;  /* regular file to copy, or NULL for a symlink */
	char *link;  /* symlink target, or NULL */
};

struct elfdeps {
	struct elfdeps_file *v;
	size_t n;
};

struct elfdeps_opts {
	const char *root;	 /* host directory standing for the guest's "/"; NULL: "/" */
	const char *const *dirs; /* more guest library directories, NULL-terminated */
};

/*
 * Append to out (zero-initialized by the caller, or holding earlier results,
 * which are not repeated) the files that exe, packed at exe_guest, needs.
 * A file that is not ELF, a relocatable object and a static executable need
 * nothing. -ENOENT names a library that was not found and who needs it.
 */
int elfdeps_resolve(struct elfdeps *out, const char *exe, const char *exe_guest,
		    const struct elfdeps_opts *opts);
void elfdeps_free(struct elfdeps *d);

#endif

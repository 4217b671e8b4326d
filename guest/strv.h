/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files of NUL-terminated strings (/ktvm/cmd, /ktvm/env), read into a
 * NULL-terminated vector ready for execve(). The host writes these files,
 * but they are parsed as untrusted anyway: size and count are capped.
 */
#ifndef KTVM_GUEST_STRV_H
#define KTVM_GUEST_STRV_H

#include "core/base/types.h"

/* Together about the kernel's limit for argv plus envp (MAX_ARG_STRLEN * 16). */
#define STRV_BYTES_MAX (2u << 20)
#define STRV_COUNT_MAX 65536u

struct strv {
	char *buf; /* the bytes, NUL-terminated */
	char **v;  /* n pointers into buf, then NULL */
	size_t n;
};

/*
 * Split buf[0..len) (malloc'd with room for len + 1 bytes; sv owns it from
 * here on, also on error) at each NUL. Empty strings are kept ("a\0\0b\0" is
 * "a", "", "b"); a last string without its NUL still counts. 0, -ENOMEM or
 * -E2BIG (more than STRV_COUNT_MAX strings).
 */
int strv_parse(struct strv *sv, char *buf, size_t len);
/* Read and split a file: 0, -ENOENT when it is missing, -EFBIG, or -errno. */
int strv_read(struct strv *sv, const char *path);
void strv_free(struct strv *sv);
/*
 * A command file (/ktvm/cmd, /ktvm/sched): the path to exec, then argv[0],
 * argv[1], ... into sv; *exec the path, *argv the arguments ({ path } when
 * only the path is there). 0; -ENOENT when the file is missing (why empty);
 * another -errno with why filled in ("PATH: REASON") and sv freed.
 */
int strv_read_cmd(struct strv *sv, const char *path, const char **exec, char *const **argv,
		  char *why, size_t why_size);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the text and ELF files ktvm reads from the user's
 * tree: a --symbols file (System.map text or an ELF vmlinux's symbol
 * table: core/image/ksyms_file.c, libelf) and a modules directory's
 * modules.dep and modules.builtin (core/image/kmod.c, with its dependency
 * walk and cycle check).
 *
 * Input: [0] which (0: symbols, 1: modules.dep, 2: modules.builtin with a
 * fixed modules.dep, 3: a guest tag made a dump's file name by
 * core/debug/dumpname.c), then the file's bytes, written to a scratch
 * directory. Checks: a resolved module list is consistent; a dump name
 * keeps to its character set; nothing crashes or leaks (ASan).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/types.h"
#include "core/debug/dumpname.h"
#include "core/image/kmod.h"
#include "core/image/ksyms_file.h"
#include "tests/fuzz/fuzz.h"

static char fz_dir[64];

/* The scratch directory goes when the fuzzer exits. */
static void fz_cleanup(void)
{
	static const char *const files[] = {"System.map", "modules.dep", "modules.builtin"};
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fz_dir, files[i]);
		unlink(path);
	}
	rmdir(fz_dir);
}

static void fz_write(const char *name, const u8 *data, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const char *const names[] = {"virtio_console", "virtio-mmio", "kvm_amd", "a"};
	static const char dep[] = "kernel/a.ko: kernel/b.ko\nkernel/b.ko:\n";
	struct kmod_list l;
	char path[128];
	u64 addr = 0;

	if (!fz_dir[0]) {
		snprintf(fz_dir, sizeof(fz_dir), "/tmp/ktvm-fuzz-files.%d", (int)getpid());
		CHECK(mkdir(fz_dir, 0700) == 0 || access(fz_dir, W_OK) == 0);
		atexit(fz_cleanup);
	}
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fz_write("System.map", data + 1, size - 1);
		snprintf(path, sizeof(path), "%s/System.map", fz_dir);
		/* Any address, 0 included: x86_64's zero-based per-CPU symbols have it. */
		(void)ksyms_file_lookup(path, "jiffies", &addr);
		break;
	case 1:
		fz_write("modules.dep", data + 1, size - 1);
		fz_write("modules.builtin", (const u8 *)"", 0);
		if (kmod_resolve(&l, fz_dir, names, 4) == 0) {
			CHECK(l.n == 0 || l.v != NULL);
			kmod_list_free(&l);
		}
		break;
	case 2:
		fz_write("modules.dep", (const u8 *)dep, sizeof(dep) - 1);
		fz_write("modules.builtin", data + 1, size - 1);
		if (kmod_resolve(&l, fz_dir, names + 3, 1) == 0)
			kmod_list_free(&l);
		break;
	case 3: {
		/* A dump's name from a guest tag (core/debug/dumpname.c). */
		char out[DUMPNAME_MAX + 1];
		int n = dumpname_sanitize(out, sizeof(out), (const char *)data + 1, size - 1);

		CHECK(n > 0 && (size_t)n == strlen(out) && out[0] != '.');
		CHECK(strspn(out,
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
		      (size_t)n);
		break;
	}
	}
	error_clear();
	return 0;
}

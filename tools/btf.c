// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm btf --kernel K [--check STRUCT]... [--raw OUT] [--c-header OUT]
 *
 * Reads K's BTF wherever it is: an ELF vmlinux's .BTF section, a raw arm64
 * Image (found by its header), or an x86 bzImage (unpacked first, on an
 * x86_64 build). Without an action, prints where the BTF is and its size.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/btf_image.h"
#include "core/run/monitor_layout.h"
#include "core/run/scx_btf.h"
#include "core/vm/arch.h"
#include "tools/btf.h"
#include "tools/ktvm.h"

static const char usage_btf[] =
    "usage: ktvm btf --kernel PATH [--check STRUCT]... [--raw OUT] [--c-header OUT]\n"
    "\n"
    "Read the BTF type information of a kernel image: an ELF vmlinux (.BTF\n"
    "section), an arm64 Image (found by its header) or, on x86_64, a bzImage.\n"
    "Without an action, print where the BTF is, its size and type count.\n"
    "\n"
    "  --kernel PATH     the kernel image\n"
    "  --check STRUCT    is there a struct or union STRUCT (e.g. sched_ext_ops:\n"
    "                    the kernel can run sched_ext schedulers)? One line.\n"
    "  --raw OUT         write the raw BTF blob to OUT (what /sys/kernel/btf/vmlinux holds)\n"
    "  --c-header OUT    write vmlinux.h (every type, libbpf's btf_dump) to OUT\n"
    "\n"
    "Exit status: 0 done (every --check STRUCT present); 1 a --check STRUCT is\n"
    "absent; 2 usage error or bad input (no BTF, truncated or refused by libbpf);\n"
    "125 writing an output failed.\n";

#define BTF_MAX_CHECKS 16

struct btf_opts {
	const char *kernel, *raw, *c_header;
	const char *check[BTF_MAX_CHECKS];
	unsigned int nr_checks;
};

static int btf_usage_error(const char *fmt, const char *arg)
{
	fputs("ktvm: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see 'ktvm btf --help')\n", stderr);
	return KTVM_EXIT_USAGE;
}

static int btf_parse(struct btf_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"kernel", required_argument, NULL, 'k'}, {"check", required_argument, NULL, 'c'},
	    {"raw", required_argument, NULL, 'r'},    {"c-header", required_argument, NULL, 'H'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			o->kernel = optarg;
			break;
		case 'c':
			if (o->nr_checks == BTF_MAX_CHECKS)
				return btf_usage_error("--check: at most 16 (%s)", optarg);
			if (!optarg[0])
				return btf_usage_error("--check: empty struct name%s", "");
			o->check[o->nr_checks++] = optarg;
			break;
		case 'r':
			o->raw = optarg;
			break;
		case 'H':
			o->c_header = optarg;
			break;
		case 'h':
			fputs(usage_btf, stdout);
			return -1;
		case ':':
			return btf_usage_error("%s needs a value", argv[optind - 1]);
		default:
			return btf_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return btf_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->kernel)
		return btf_usage_error("--kernel is required%s", "");
	return 0;
}

/* Writes OUT through OUT.tmp and a rename, so a reader never sees half of it. */
static int btf_write(const char *out, const struct btf_image *bi, bool header)
{
	char tmp[4096];
	ssize_t n;
	size_t done = 0;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= (int)sizeof(tmp)) {
		fprintf(stderr, "ktvm: %s: path too long\n", out);
		return KTVM_EXIT_USAGE;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "ktvm: %s: %s\n", tmp, strerror(errno));
		return KTVM_EXIT_HOST;
	}
	if (header) {
		if (btf_image_write_c_header(bi, fd) < 0) {
			fprintf(stderr, "ktvm: %s: %s\n", out, error_msg());
			ret = KTVM_EXIT_HOST;
		}
	} else {
		while (done < bi->len) {
			n = write(fd, bi->blob + done, bi->len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fprintf(stderr, "ktvm: %s: %s\n", tmp,
					strerror(n < 0 ? errno : EIO));
				ret = KTVM_EXIT_HOST;
				break;
			}
			done += (size_t)n;
		}
	}
	if (close(fd) && !ret) {
		fprintf(stderr, "ktvm: %s: %s\n", tmp, strerror(errno));
		ret = KTVM_EXIT_HOST;
	}
	if (!ret && rename(tmp, out)) {
		fprintf(stderr, "ktvm: %s: %s\n", out, strerror(errno));
		ret = KTVM_EXIT_HOST;
	}
	if (ret)
		unlink(tmp);
	return ret;
}

/*
 * The BTF of the kernel in file: as it is (ELF, raw Image), else unpacked
 * by the arch (an x86 bzImage's compressed kernel), *owned the copy.
 */
static int btf_open_kernel(const char *kernel, const u8 *file, size_t flen, struct btf_image *bi,
			   u8 **owned)
{
	const u8 *img;
	size_t len;
	int ret;

	ret = btf_image_open(file, flen, bi);
	if (ret != -ENOENT || (flen >= 4 && !memcmp(file, "\177ELF", 4)))
		return ret;
	if (arch_kernel_unpack(file, flen, kernel, &img, &len, owned) < 0 || img == file) {
		/* Not an image the arch unpacks: the first reason stands. */
		error_clear();
		return btf_image_open(file, flen, bi);
	}
	return btf_image_open(img, len, bi);
}

int btf_kernel_scx_layout(const char *kernel, struct scx_layout *lay)
{
	struct btf_image bi;
	u8 *file, *owned = NULL;
	size_t flen;
	int ret;

	ret = file_map(kernel, "kernel", 1 * GiB, &file, &flen);
	if (ret < 0)
		return ret;
	ret = btf_open_kernel(kernel, file, flen, &bi, &owned);
	if (ret >= 0) {
		ret = btf_image_has_struct(&bi, "sched_ext_ops");
		if (ret && lay && scx_btf_layout(bi.btf, lay) < 0)
			ret = -ENOENT;
		btf_image_close(&bi);
	}
	free(owned);
	file_unmap(file, flen);
	return ret;
}

int btf_kernel_monitor_layout(const char *kernel, struct monitor_layout *lay)
{
	struct btf_image bi;
	u8 *file, *owned = NULL;
	size_t flen;
	int ret;

	ret = file_map(kernel, "kernel", 1 * GiB, &file, &flen);
	if (ret < 0)
		return ret;
	ret = btf_open_kernel(kernel, file, flen, &bi, &owned);
	if (ret == -ENOENT)
		ret = -ENODATA; /* no BTF at all, not a field the layout lacks */
	if (ret >= 0) {
		ret = monitor_layout_get(bi.btf, lay);
		btf_image_close(&bi);
	}
	free(owned);
	file_unmap(file, flen);
	return ret;
}

int btf_main(int argc, char **argv)
{
	struct btf_opts o = {0};
	struct btf_image bi;
	u8 *file, *owned = NULL;
	size_t flen;
	int status;

	status = btf_parse(&o, argc, argv);
	if (status)
		return status < 0 ? KTVM_EXIT_OK : status;
	if (file_map(o.kernel, "kernel", 1 * GiB, &file, &flen) < 0) {
		fprintf(stderr, "ktvm: %s\n", error_msg());
		return KTVM_EXIT_USAGE;
	}
	if (btf_open_kernel(o.kernel, file, flen, &bi, &owned) < 0) {
		fprintf(stderr, "ktvm: kernel %s: %s\n", o.kernel, error_msg());
		status = KTVM_EXIT_USAGE;
		goto out;
	}
	for (unsigned int i = 0; i < o.nr_checks; i++) {
		bool has = btf_image_has_struct(&bi, o.check[i]);

		printf("kernel %s: %s %s\n", o.kernel, o.check[i],
		       has ? "present" : "absent (no such struct or union in its BTF)");
		if (!has)
			status = 1;
	}
	if (!status && o.raw)
		status = btf_write(o.raw, &bi, false);
	if (!status && o.c_header)
		status = btf_write(o.c_header, &bi, true);
	if (!o.nr_checks && !o.raw && !o.c_header)
		printf("kernel %s: BTF at %#zx%s%s, %zu bytes, %u types\n", o.kernel, bi.off,
		       owned ? " of the unpacked kernel" : "",
		       bi.from_elf ? " (ELF section .BTF)" : " (found by its header)", bi.len,
		       btf_image_type_count(&bi));
	btf_image_close(&bi);
out:
	free(owned);
	file_unmap(file, flen);
	return status;
}

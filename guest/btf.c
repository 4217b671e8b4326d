// SPDX-License-Identifier: GPL-2.0
/* The guest kernel's BTF to the host (btf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/btf.h"
#include "guest/log.h"
#include "guest/readfile.h"

/* Tell the host why it gets no BTF: one frame with total 0. */
static __printf(2, 3) int btf_refuse(struct chan *ch, const char *fmt, ...)
{
	u8 buf[WIRE_BTF_HDR + WIRE_REASON_MAX];
	char why[WIRE_REASON_MAX + 1];
	ssize_t n;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_msg("BTF: %s", why);
	n = wire_btf_build(buf, sizeof(buf), 0, 0, why, strlen(why));
	if (n < 0)
		return (int)n;
	r = chan_send(ch, WIRE_BTF, buf, (size_t)n);
	return r ? r : 1;
}

int btf_send(struct chan *ch, const char *path)
{
	static u8 frame[WIRE_BTF_HDR + WIRE_BTF_CHUNK];
	static u8 chunk[WIRE_BTF_CHUNK];
	struct stat st;
	u32 total, off = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return btf_refuse(ch, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = btf_refuse(ch, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* sysfs gives the blob's size as the file's */
	if (st.st_size <= 0 || (unsigned long long)st.st_size > WIRE_BTF_MAX) {
		r = btf_refuse(ch, "%s: %lld bytes (1 to %u taken)", path, (long long)st.st_size,
			       WIRE_BTF_MAX);
		goto out;
	}
	total = (u32)st.st_size;
	while (off < total) {
		size_t want = total - off < WIRE_BTF_CHUNK ? total - off : WIRE_BTF_CHUNK;
		ssize_t n = pread_full(fd, chunk, want, off);

		if (n < 0 || (size_t)n != want) {
			/* the host drops what came before on this frame */
			r = n < 0 ? btf_refuse(ch, "%s: read at %u: %s", path, off, strerror((int)-n))
				  : btf_refuse(ch, "%s: ends at %u of %u bytes", path,
					       off + (u32)n, total);
			goto out;
		}
		n = wire_btf_build(frame, sizeof(frame), total, off, chunk, want);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		r = chan_send(ch, WIRE_BTF, frame, (size_t)n);
		if (r)
			goto out;
		off += (u32)want;
	}
	log_msg("BTF: %u bytes of %s sent", total, path);
out:
	close(fd);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * garbage: writes hostile bytes into the guest channel (the descriptor ktvm's
 * init passes in $KTVM_WIRE_FD): random bytes, a frame with a bad CRC, a
 * header announcing a 4 GiB payload, a header with the reserved field set,
 * and then one good STDOUT frame "after-garbage\n" that the host must still
 * find. With an argument N it also floods the port before that good
 * frame: N headers that announce the largest payload (1 MiB) followed by
 * 1 MiB of random bytes each (bad CRCs), then N MiB of random bytes, to show
 * that the host's memory stays bounded. Exits 0. Frame format: wire/wire.h (written out by hand here, so a
 * bug in wire.c cannot hide itself).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * One write() per piece where possible: a frame must not be split between
 * writers. The channel descriptor is non-blocking: wait on EAGAIN.
 */
static int put(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static size_t frame(unsigned char *out, uint32_t type, const char *payload, uint32_t crc,
		    uint32_t len, uint32_t reserved)
{
	le32(out, type);
	le32(out + 4, len);
	le32(out + 8, crc);
	le32(out + 12, reserved);
	if (payload)
		memcpy(out + 16, payload, strlen(payload));
	return 16 + (payload ? strlen(payload) : 0);
}

static uint32_t rng = 12345;

static void fill_random(unsigned char *p, size_t n)
{
	while (n--) {
		rng = rng * 1103515245u + 12345u;
		*p++ = (unsigned char)(rng >> 16);
	}
}

/* n MiB of random bytes, in 64 KiB writes. */
static int put_random_mib(int fd, unsigned n)
{
	static unsigned char chunk[65536];

	for (unsigned i = 0; i < n * 16; i++) {
		fill_random(chunk, sizeof(chunk));
		if (put(fd, chunk, sizeof(chunk)))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flood = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 0;
	const char *env = getenv("KTVM_WIRE_FD");
	unsigned char buf[4096];
	const char *good = "after-garbage\n";
	int fd;

	if (!env) {
		fprintf(stderr, "garbage: KTVM_WIRE_FD is not set\n");
		return 2;
	}
	fd = atoi(env);
	fill_random(buf, 3000);
	if (put(fd, buf, 3000))
		goto fail;
	/* STDOUT "lost" with a wrong CRC */
	if (put(fd, buf, frame(buf, 4, "lost\n", 0xdeadbeef, 5, 0)))
		goto fail;
	/* STDOUT announcing 0xffffffff bytes */
	if (put(fd, buf, frame(buf, 4, NULL, 0, 0xffffffffu, 0)))
		goto fail;
	/* reserved field set */
	if (put(fd, buf,
		frame(buf, 4, "bad-reserved\n",
		      crc32_bytes((const unsigned char *)"bad-reserved\n", 13), 13, 7)))
		goto fail;
	for (unsigned i = 0; i < flood; i++) {
		if (put(fd, buf, frame(buf, 4, NULL, 0xdeadbeef, 1u << 20, 0)) ||
		    put_random_mib(fd, 1))
			goto fail;
	}
	if (put_random_mib(fd, flood))
		goto fail;
	if (put(fd, buf,
		frame(buf, 4, good, crc32_bytes((const unsigned char *)good, strlen(good)),
		      (uint32_t)strlen(good), 0)))
		goto fail;
	return 0;
fail:
	perror("garbage: write");
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * pattern N: writes N bytes of a fixed pseudo-random sequence to stdout, in
 * writes of varying size. The integration tests run it in the guest and on
 * the host side of the relay and compare checksums: byte-identical or not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	unsigned long long left = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t chunk = 1;

	while (left > 0) {
		size_t n = chunk < left ? chunk : (size_t)left, off = 0;

		for (size_t i = 0; i < n; i++) {
			/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (unsigned char)(x >> 32);
		}
		while (off < n) {
			ssize_t w = write(STDOUT_FILENO, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return 1;
			off += (size_t)w;
		}
		left -= n;
		/* 1, 3, 7, ... up to 64 KiB: exercises small and full frames */
		chunk = chunk * 2 + 1 > sizeof(buf) ? 1000 : chunk * 2 + 1;
	}
	return 0;
}

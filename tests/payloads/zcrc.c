// SPDX-License-Identifier: GPL-2.0
/*
 * zcrc ARGS...: prints "zcrc <zlib crc32 of the arguments, space-separated>".
 * Linked dynamically against zlib on purpose: the integration tests run it
 * in the guest to show that ktvm packs a program's shared libraries.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	for (int i = 1; i < argc; i++) {
		if (i > 1)
			crc = crc32(crc, (const Bytef *)" ", 1);
		crc = crc32(crc, (const Bytef *)argv[i], (uInt)strlen(argv[i]));
	}
	printf("zcrc %08lx (zlib %s)\n", crc, zlibVersion());
	return 0;
}

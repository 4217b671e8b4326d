// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl_write FILE N [START]: writes the integers START, START+1, ...
 * (N of them; START defaults to 10) to the sysctl FILE, one open/write/close
 * each, so each is one store to the kernel variable behind it. Prints
 *
 *   text 0xSTART 0xEND        the kernel's text (_stext, _etext in /proc/kallsyms)
 *   wrote N last V            what it wrote
 *
 * for the watchpoint tests (tests/integration/watch.sh) to check the hits
 * the host saw. Exits 1 if a write failed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long sym(const char *name)
{
	char line[512], n[256], type;
	unsigned long long a, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, n) == 3 && !strcmp(n, name))
			found = a;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
	long start = argc > 3 ? strtol(argv[3], NULL, 0) : 10, v = start;

	if (argc < 3 || n < 0) {
		fprintf(stderr, "usage: sysctl_write FILE N [START]\n");
		return 2;
	}
	printf("text 0x%llx 0x%llx\n", sym("_stext"), sym("_etext"));
	for (long i = 0; i < n; i++, v++) {
		char buf[32];
		int fd = open(argv[1], O_WRONLY);
		int len = snprintf(buf, sizeof(buf), "%ld\n", v);

		if (fd < 0 || write(fd, buf, (size_t)len) != len) {
			perror(argv[1]);
			return 1;
		}
		close(fd);
	}
	printf("wrote %ld last %ld\n", n, n ? v - 1 : -1);
	return 0;
}

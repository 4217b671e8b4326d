// SPDX-License-Identifier: GPL-2.0
/*
 * bench-floor [CPUS [MIB [cpuid]]]: the raw KVM floor that ktvm's setup is measured
 * against: the least any VMM does before its first KVM_RUN on x86_64
 * (open /dev/kvm, KVM_CREATE_VM, one memory slot of MIB MiB (default
 * 256), the in-kernel irqchip and PIT, CPUS vCPUs (default 4) with their kvm_run
 * mapped, and a first KVM_RUN on vCPU 0 of a guest that spins).
 * A lower bound: a VMM that boots Linux also sets each vCPU's CPUID, MSRs
 * and registers and writes the boot tables, which this does not.
 * With a third argument "cpuid", also the CPUID a Linux guest needs
 * before its boot vCPU runs, which ktvm cannot leave out:
 * KVM_GET_SUPPORTED_CPUID, and KVM_SET_CPUID2 with it on vCPU 0 (each
 * other vCPU's may wait until it first runs, as ktvm's do): a second
 * reference in make bench (BENCH_CPUID=1); the goal's ratio stays against
 * the raw floor.
 * Prints the milliseconds from main() to the start of that KVM_RUN, as
 * ktvm's setup_ms counts from its main(). Raw ioctls on purpose: nothing
 * of ktvm is linked in. Host-only, for `make bench` (tests/bench-host.sh),
 * x86_64 only: the Makefile builds it for that arch alone.
 */
#include <fcntl.h>
#include <signal.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_alarm(int sig)
{
	(void)sig; /* KVM_RUN returns EINTR */
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	double t0 = now_ms();

	/* bench-floor spin MS: busy for MS ms (the gap tests/bench-host.sh leaves between runs). */
	if (argc == 3 && !strcmp(argv[1], "spin")) {
		double until = t0 + atof(argv[2]);

		while (now_ms() < until)
			;
		return 0;
	}
	int cpus = argc > 1 ? atoi(argv[1]) : 4, mib = argc > 2 ? atoi(argv[2]) : 256;
	bool with_cpuid = argc > 3 && !strcmp(argv[3], "cpuid");
	struct kvm_cpuid2 *cpuid = NULL;
	struct kvm_userspace_memory_region mr = {0};
	struct kvm_pit_config pit = {0};
	struct kvm_sregs sr;
	struct kvm_regs regs = {0};
	int kvm, vm, size, fd0 = -1;
	void *mem;

	if (cpus < 1 || cpus > 64 || mib < 1 || mib > 4096 || (argc > 3 && !with_cpuid) ||
	    argc > 4) {
		fprintf(stderr, "usage: bench-floor [CPUS 1..64 [MIB 1..4096 [cpuid]]]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	if (with_cpuid) {
		cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return fail("calloc");
		cpuid->nent = 256;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
			return fail("KVM_GET_SUPPORTED_CPUID");
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	mr.memory_size = (unsigned long long)mib << 20;
	mr.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	/*
	 * jmp $: the vCPU stays busy for the second below, as a guest of
	 * ktvm's does; one that halts leaves the machine idle, and the next
	 * process measured after it starts cold (tests/bench-host.sh).
	 */
	((unsigned char *)mem)[0x1000] = 0xeb;
	((unsigned char *)mem)[0x1001] = 0xfe;
	/* After the slot: the other order costs a kvm_pvm host 4-10 ms in the slot's ioctl. */
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		return fail("irqchip");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < cpus; i++) {
		int fd = ioctl(vm, KVM_CREATE_VCPU, i);

		if (fd < 0)
			return fail("KVM_CREATE_VCPU");
		if (mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
		    MAP_FAILED)
			return fail("mmap kvm_run");
		if (cpuid && !i && ioctl(fd, KVM_SET_CPUID2, cpuid) < 0)
			return fail("KVM_SET_CPUID2");
		if (!i)
			fd0 = fd;
	}
	if (ioctl(fd0, KVM_GET_SREGS, &sr) < 0)
		return fail("KVM_GET_SREGS");
	sr.cs.base = 0;
	sr.cs.selector = 0;
	if (ioctl(fd0, KVM_SET_SREGS, &sr) < 0)
		return fail("KVM_SET_SREGS");
	regs.rip = 0x1000;
	regs.rflags = 2;
	if (ioctl(fd0, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	printf("%.2f\n", now_ms() - t0);
	fflush(stdout);
	/* Whatever the guest does (a kvm_pvm host makes no progress) is not measured. */
	signal(SIGALRM, on_alarm);
	alarm(1);
	ioctl(fd0, KVM_RUN, 0);
	return 0;
}

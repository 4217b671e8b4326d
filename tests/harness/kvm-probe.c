// SPDX-License-Identifier: GPL-2.0
/*
 * Checks that /dev/kvm can create a VM and a vCPU, so the nested harness can
 * tell "KVM is missing in L1" apart from a ktvm failure. Prints one line;
 * exit status 0 when usable, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm, vcpu, api;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("kvm-probe: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		printf("kvm-probe: KVM_GET_API_VERSION: expected %d, got %d (%s)\n",
		       KVM_API_VERSION, api, api < 0 ? strerror(errno) : "wrong version");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("kvm-probe: KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		printf("kvm-probe: KVM_CREATE_VCPU: %s\n", strerror(errno));
		return 1;
	}
	printf("kvm-probe: /dev/kvm api %d, KVM_CREATE_VM and KVM_CREATE_VCPU ok\n", api);
	return 0;
}

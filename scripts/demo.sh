#!/bin/sh
# ktvm's main job on a default kernel, from a fresh Debian 12 machine:
# install what is needed, build ktvm, fetch Debian's 6.1 kernel, and boot it
# with a small test init that prints what it sees and reboots.
#
# Where this host has hardware virtualization, ktvm runs directly. Where it
# has not (or /dev/kvm is the paravirtual kvm_pvm), it runs inside an
# emulated L1 machine with nested KVM (tests/harness/run.sh) and says so.
#
#   scripts/demo.sh [--cpus N] [--memory MIB] [--elf]
set -eu
cd "$(dirname "$0")/.."

cpus=2 mem=256 kernel='$KERNEL_BZIMAGE'
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=$2; shift ;;
	--memory) mem=$2; shift ;;
	--elf) kernel='$KERNEL_VMLINUX' ;;
	*) echo "demo: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

scripts/deps.sh
make -j"$(nproc)" >/dev/null
arch=$(uname -m)
echo "demo: booting Debian's kernel with $cpus vCPUs and $mem MiB in ktvm"
exec env ARCH="$arch" BUILD="build/$arch" tests/harness/run.sh --exec \
	"\$KTVM run --kernel $kernel --initrd \$FIXTURES/marker-init.cpio --cpus $cpus --memory $mem --timeout 120 --console"

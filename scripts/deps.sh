#!/bin/sh
# Install what building and testing ktvm needs, on Debian 12. Idempotent:
# only missing packages are installed, and apt-get update runs only then.
#   scripts/deps.sh [x86_64|aarch64]     (default: $ARCH, else this host's)
set -eu

arch=${1:-${ARCH:-$(uname -m)}}
cache=${KTVM_CACHE:-$HOME/.cache/ktvm}
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Build and host-side test tools, whatever the target arch. clang-19 (bookworm
# main) builds the sched_ext schedulers' BPF programs (make schedulers);
# xmllint (libxml2-utils) checks the monitor's SVG in the unit tests and
# rsvg-convert (librsvg2-bin, the SVG renderer of GNOME and Wikipedia) draws
# it, so the test looks at the picture a viewer would show. liburing-dev:
# make bench compares virtio-blk's thread pool with io_uring (ktvm itself
# does not link it).
pkgs="make gcc libc6-dev pkg-config libelf-dev zlib1g-dev libbpf-dev libfdt-dev cpio xz-utils
      zstd gzip binutils busybox-static device-tree-compiler qemu-system-x86 ca-certificates
      clang libclang-rt-14-dev clang-19 libxml2-utils librsvg2-bin liburing-dev"

case "$arch" in
x86_64 | amd64) ;;
aarch64 | arm64)
	# liblzma5:arm64: ktvm dlopen()s it for .ko.xz modules (Debian 6.12);
	# the nested harness copies it, with ktvm's other arm64 libraries, into L1.
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-arm
	      libelf-dev:arm64 zlib1g-dev:arm64 libbpf-dev:arm64 libfdt1:arm64 liblzma5:arm64"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		need_update=1
	fi
	;;
*)
	echo "deps: unknown arch '$arch' (x86_64 or aarch64)" >&2
	exit 2
	;;
esac

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	$SUDO apt-get update -q
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing
elif [ "${need_update:-0}" = 1 ]; then
	$SUDO apt-get update -q
fi

# libfdt-dev is not multi-arch in Debian 12 (installing the arm64 one removes
# the amd64 one): extract the arm64 package into a private sysroot instead.
case "$arch" in
aarch64 | arm64)
	sysroot="$cache/sysroot-arm64"
	if [ ! -f "$sysroot/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q libfdt-dev:arm64)
		mkdir -p "$sysroot"
		dpkg-deb -x "$tmp"/libfdt-dev_*_arm64.deb "$sysroot"
		rm -rf "$tmp"
	fi
	# Link the static archive; the .so symlink points outside the sysroot.
	rm -f "$sysroot/usr/lib/aarch64-linux-gnu/libfdt.so"
	echo "deps: arm64 libfdt in $sysroot"
	;;
esac
echo "deps: ready for $arch"

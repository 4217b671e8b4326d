#!/bin/sh
# Seeds made at run time for a libFuzzer target (scripts/fuzz.sh): too big
# or not ours to commit. scripts/fuzz-seeds.sh NAME DIR adds them to DIR.
#   image   the first 64 KiB of Debian's cached 6.1 bzImage and ELF vmlinux
#           (setup header, ELF and program headers, the PVH note's offsets),
#           and an EFI zboot image of the first 16 KiB of the arm64 Image
#           (tests/integration/zboot.sh)
set -u
name=$1 dir=$2
cache=${KTVM_CACHE:-$HOME/.cache/ktvm}/debian/amd64/linux-6.1
arm64=${KTVM_CACHE:-$HOME/.cache/ktvm}/debian/arm64/linux-6.1/Image
case "$name" in
image)
	for f in bzImage vmlinux; do
		[ -f "$cache/$f" ] && [ ! -f "$dir/debian-6.1-$f" ] &&
			head -c 65536 "$cache/$f" >"$dir/debian-6.1-$f"
	done
	if [ -f "$arm64" ] && [ ! -f "$dir/debian-6.1-arm64-zboot" ]; then
		# shellcheck source=tests/integration/zboot.sh
		. "$(dirname "$0")/../tests/integration/zboot.sh"
		head -c 16384 "$arm64" >"$dir/zboot.in" &&
			zboot_wrap "$dir/zboot.in" "$dir/debian-6.1-arm64-zboot"
		rm -f "$dir/zboot.in"
	fi
	;;
esac
exit 0

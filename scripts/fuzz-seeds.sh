#!/bin/sh
# Seeds made at run time for a libFuzzer target (scripts/fuzz.sh): too big
# or not ours to commit. scripts/fuzz-seeds.sh NAME DIR adds them to DIR.
#   image   the first 64 KiB of Debian's cached 6.1 bzImage and ELF vmlinux
#           (setup header, ELF and program headers, the PVH note's offsets)
set -u
name=$1 dir=$2
cache=${KTVM_CACHE:-$HOME/.cache/ktvm}/debian/amd64/linux-6.1
case "$name" in
image)
	for f in bzImage vmlinux; do
		[ -f "$cache/$f" ] && [ ! -f "$dir/debian-6.1-$f" ] &&
			head -c 65536 "$cache/$f" >"$dir/debian-6.1-$f"
	done
	;;
esac
exit 0

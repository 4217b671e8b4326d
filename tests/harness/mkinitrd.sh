#!/bin/sh
# Packs a guest initramfs: a newc cpio with INIT as /init, a dev/console
# character node (5,1) and optional extra files.
#
#   tests/harness/mkinitrd.sh [-z] OUT INIT [SRC[:DEST]]...
#
#   -z        gzip the archive (default: uncompressed, which boots faster
#             under emulation)
#   SRC:DEST  copy SRC to DEST inside the image (DEST relative to /; a
#             trailing / keeps SRC's name); plain SRC goes to /bin/NAME
#
# Creating the console node needs root; without it the image has no
# dev/console and the fixtures mount devtmpfs themselves.
set -eu

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

gz=0
if [ "${1:-}" = -z ]; then
	gz=1
	shift
fi
[ $# -ge 2 ] || usage
out=$1
init=$2
shift 2
[ -f "$init" ] || {
	echo "mkinitrd: $init: no such file" >&2
	exit 2
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/ktvm-initrd.XXXXXX")
tmp=$out.tmp.$$
trap 'rm -rf "$stage" "$tmp" "$tmp.gz"' EXIT INT TERM
mkdir -p "$stage/dev" "$stage/bin" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$init" "$stage/init"
chmod 755 "$stage/init"
for spec in "$@"; do
	case "$spec" in
	*:*) src=${spec%%:*} dest=${spec#*:} ;;
	*) src=$spec dest=bin/ ;;
	esac
	case "$dest" in */) dest=$dest$(basename "$src") ;; esac
	dest=${dest#/}
	mkdir -p "$stage/$(dirname "$dest")"
	cp -a "$src" "$stage/$dest"
done
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$stage/dev/console" c 5 1
else
	echo "mkinitrd: not root, $out gets no dev/console node" >&2
fi

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp"
if [ $gz = 1 ]; then
	gzip -n -6 <"$tmp" >"$tmp.gz"
	mv "$tmp.gz" "$tmp"
fi
mv "$tmp" "$out"

#!/bin/bash
# Builds upstream sched_ext schedulers (tools/sched_ext of the Debian 7.x
# kernel's own linux-source) for ARCH, against that kernel's BTF, as static
# programs: the sched_ext API changes between kernel series, so schedulers
# come from the same tree as the kernel they run on.
#
#   scripts/build-schedulers.sh [--optional] ARCH OUTDIR
#
# ARCH is x86_64 or aarch64; the programs land in OUTDIR (make schedulers:
# build/$ARCH/schedulers). With --optional, a missing 7.x kernel is a one-line
# note and status 0 (make all); without, it is an error.
#
# What is built, each once, and reused while its inputs are unchanged:
#   bpftool for this host, from the tree (only its bootstrap part: gen
#     object/skeleton)                -> $KTVM_CACHE/tools/bpftool-UPSTREAM/
#   libbpf from the tree for ARCH, static        -> OUTDIR/obj/libbpf/
#   vmlinux.h from the kernel's BTF (ktvm btf --c-header, HOST_KTVM)
#                                                -> OUTDIR/obj/include/
#   each scheduler's BPF object (clang, -target bpf), its skeleton, and the
#   loader linked statically with libbpf, libelf and zlib -> OUTDIR/NAME
#
# Environment: KTVM_CACHE (~/.cache/ktvm), HOST_KTVM (ktvm built for this
# host: required), CROSS_COMPILE (target compiler prefix; empty on a native
# build), CLANG (clang-19), SCHEDULERS (scx_simple scx_qmap; a scheduler
# other than the first that does not build is a note, not an error), JOBS (2).
set -eu

optional=0
if [ "${1:-}" = --optional ]; then
	optional=1
	shift
fi
[ $# = 2 ] || {
	sed -n '7,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
arch=$1 out=$2
cache=${KTVM_CACHE:-$HOME/.cache/ktvm}
clang=${CLANG:-clang-19}
jobs=${JOBS:-2}
scheds=${SCHEDULERS:-scx_simple scx_qmap}
cross=${CROSS_COMPILE:-}

say() { echo "schedulers: $*" >&2; }
die() {
	say "$*"
	exit 1
}

case "$arch" in
x86_64) debarch=amd64 karch=x86 image=vmlinux ;;
aarch64) debarch=arm64 karch=arm64 image=Image ;;
*) die "ARCH=$arch is not supported (x86_64, aarch64)" ;;
esac
kdir=$cache/debian/$debarch/linux-7
if [ ! -f "$kdir/.stamp" ] || [ ! -d "$kdir/src/tools/sched_ext" ]; then
	why="no Debian 7.x kernel with its source for $debarch in $kdir (scripts/fetch-debian.sh kernel $debarch 7)"
	if [ $optional = 1 ]; then
		say "skipped: $why"
		exit 0
	fi
	die "$why"
fi
src=$(cd "$kdir/src" && pwd -P)
up=${src##*/linux-}
kernel=$kdir/$image
: "${HOST_KTVM:?HOST_KTVM must name ktvm built for this host}"
command -v "$clang" >/dev/null || die "$clang not found (scripts/deps.sh installs clang-19)"
command -v "${cross}gcc" >/dev/null || die "${cross}gcc not found (scripts/deps.sh $arch)"
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)
obj=$out/obj
log=$obj/build.log
: >"$log"
# run CMD...: quiet unless it fails; then its last lines and the log's name.
run() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 25 "$log" >&2
		die "failed: $* (whole log: $log)"
	fi
}
t0=$(date +%s)

# Host bpftool, shared by every ARCH; built under a lock so that two builds
# at once do not race on it.
bpftool_dir=$cache/tools/bpftool-$up
bpftool=$bpftool_dir/bootstrap/bpftool
mkdir -p "$bpftool_dir"
(
	flock 9
	if [ ! -x "$bpftool" ] || [ "$(cat "$bpftool_dir/.stamp" 2>/dev/null)" != "$src" ]; then
		say "building the host bpftool from $src (once, into $bpftool_dir)"
		run make -C "$src/tools/bpf/bpftool" -j"$jobs" OUTPUT="$bpftool_dir/" \
			ARCH= CROSS_COMPILE= SKIP_CRYPTO=1 EXTRA_CFLAGS=-O2 bootstrap
		echo "$src" >"$bpftool_dir/.stamp"
	fi
) 9>"$bpftool_dir/.lock"
[ -x "$bpftool" ] || die "no bpftool at $bpftool"

# libbpf for the target, static, with its headers in $obj/include/bpf.
stamp="$src $cross"
if [ ! -f "$obj/libbpf/libbpf.a" ] || [ "$(cat "$obj/libbpf/.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "building libbpf for $arch from $src"
	mkdir -p "$obj/libbpf"
	run make -C "$src/tools/lib/bpf" -j"$jobs" OUTPUT="$obj/libbpf/" ARCH="$karch" \
		CROSS_COMPILE="$cross" CC="${cross}gcc" EXTRA_CFLAGS='-g -O2' \
		DESTDIR="$obj" prefix= "$obj/libbpf/libbpf.a" install_headers
	echo "$stamp" >"$obj/libbpf/.stamp"
fi

# vmlinux.h from the kernel's own BTF.
mkdir -p "$obj/include"
if [ ! "$obj/include/vmlinux.h" -nt "$kdir/.stamp" ] || [ "$HOST_KTVM" -nt "$obj/include/vmlinux.h" ]; then
	run "$HOST_KTVM" btf --kernel "$kernel" --check sched_ext_ops
	run "$HOST_KTVM" btf --kernel "$kernel" --c-header "$obj/vmlinux.h.new"
	# The same header again (a relinked ktvm) leaves the schedulers built.
	if cmp -s "$obj/vmlinux.h.new" "$obj/include/vmlinux.h"; then
		rm "$obj/vmlinux.h.new"
		touch "$obj/include/vmlinux.h"
	else
		mv "$obj/vmlinux.h.new" "$obj/include/vmlinux.h"
		touch "$obj/vmlinux.h.changed"
	fi
fi

# clang's own system include directories, after the BPF ones, as
# tools/sched_ext/Makefile adds them (asm/ headers the BPF target lacks).
sys_includes=$("$clang" -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
scx=$src/tools/sched_ext
# shellcheck disable=SC2206 # word splitting intended
bpf_cflags=(-g -O2 -mcpu=v3 -mlittle-endian -D__TARGET_ARCH_$karch
	-I"$scx/include" -I"$scx/include/bpf-compat" -I"$obj/include"
	-I"$src/tools/include/uapi" $sys_includes
	-Wall -Wno-compare-distinct-pointer-types -Wno-microsoft-anon-tag -fms-extensions)
cflags=(-g -O2 -pthread -Wall -I"$obj/include" -I"$src/tools/lib" -I"$src/tools/include"
	-I"$src/tools/include/uapi" -I"$scx/include")

built=() failed=()
first=1
for s in $scheds; do
	if [ "$out/$s" -nt "$obj/vmlinux.h.changed" ] && [ "$out/$s" -nt "$obj/libbpf/libbpf.a" ] &&
		[ "$out/$s" -nt "$scx/$s.c" ]; then
		built+=("$s")
		first=0
		continue
	fi
	ok=1
	{
		"$clang" "${bpf_cflags[@]}" -target bpf -c "$scx/$s.bpf.c" -o "$obj/$s.bpf.o" &&
			"$bpftool" gen object "$obj/$s.linked.o" "$obj/$s.bpf.o" &&
			"$bpftool" gen skeleton "$obj/$s.linked.o" name "$s" >"$obj/include/$s.bpf.skel.h" &&
			"${cross}gcc" "${cflags[@]}" -c "$scx/$s.c" -o "$obj/$s.o" &&
			"${cross}gcc" -static -o "$out/$s.tmp" "$obj/$s.o" "$obj/libbpf/libbpf.a" \
				-lelf -lz -lpthread &&
			mv "$out/$s.tmp" "$out/$s"
	} >>"$log" 2>&1 || ok=0
	if [ $ok = 1 ]; then
		built+=("$s")
	elif [ $first = 1 ]; then
		tail -n 25 "$log" >&2
		die "$s did not build (whole log: $log)"
	else
		failed+=("$s")
		say "note: $s did not build (see $log); going on without it"
	fi
	first=0
done
say "${built[*]} for $arch in $out (Linux $up, $(($(date +%s) - t0)) s)${failed[*]:+; not built: ${failed[*]}}"

#!/bin/sh
# Host-side setup time of ktvm on this machine, without nesting: process
# start to the first KVM_RUN (setup_ms in --json), for the Debian kernel as
# bzImage and as ELF vmlinux on 1 and 4 vCPUs. Where /dev/kvm cannot run
# stock kernels (kvm_pvm), KTVM_ALLOW_PVM=1 lets ktvm set the VM up anyway;
# the guest then makes no progress and the 1 s timeout ends each run, which
# does not affect what is measured here. Also the check of --watch names
# in the kernel image before boot.
#   env: BUILD, KTVM_CACHE; BENCH_RUNS (default 5)
set -eu
ktvm=${BUILD:-build/$(uname -m)}/ktvm
kdir=${KTVM_CACHE:-$HOME/.cache/ktvm}/debian/amd64/linux-6.1
initrd=${BUILD:-build/$(uname -m)}/fixtures/marker-init.cpio
runs=${BENCH_RUNS:-5}
json=$(mktemp)
trap 'rm -f "$json"' EXIT INT TERM

# The check of --watch names against the kernel image's kallsyms table
# before boot: ms from process start to the refusal of an unknown name (no
# KVM needed). A bzImage's kernel is decompressed first.
if [ "$(uname -m)" = x86_64 ] && [ -x "$ktvm" ]; then
	echo "symbol check before boot (ms to refuse an unknown --watch name), $runs runs each:"
	printf '%-18s %6s %6s %6s\n' kernel min mean max
	for k in linux-6.1/bzImage linux-6.12/bzImage linux-6.1/vmlinux linux-6.12/vmlinux; do
		f=${kdir%/*}/$k
		[ -f "$f" ] || continue
		i=0 all=
		while [ $i -lt "$runs" ]; do
			t0=$(date +%s%N)
			st=0
			"$ktvm" run --kernel "$f" --watch ktvm_bench_no_such_symbol -- /bin/true \
				2>/dev/null || st=$?
			t1=$(date +%s%N)
			[ $st -eq 2 ] || { echo "bench: $k: status $st, expected 2" >&2; exit 1; }
			all="$all $(((t1 - t0) / 1000000))"
			i=$((i + 1))
		done
		echo "$all" | awk -v k=$k '{ min = $1; max = $1; s = 0
			for (i = 1; i <= NF; i++) { s += $i; if ($i < min) min = $i; if ($i > max) max = $i }
			printf "%-18s %6d %6.1f %6d\n", k, min, s / NF, max }'
	done
fi

if [ ! -r /dev/kvm ] || [ "$(uname -m)" != x86_64 ] || [ ! -f "$kdir/bzImage" ]; then
	echo "skip host setup bench: needs /dev/kvm, x86_64 and the fetched Debian kernel"
	exit 0
fi
echo "host setup time (ms, process start to first KVM_RUN), $runs runs each:"
printf '%-8s %4s  %6s %6s %6s\n' kernel cpus min mean max
for k in bzImage vmlinux; do
	for cpus in 1 4; do
		i=0 all=
		while [ $i -lt "$runs" ]; do
			KTVM_ALLOW_PVM=1 "$ktvm" run --kernel "$kdir/$k" --initrd "$initrd" \
				--cpus $cpus --timeout 1 --json "$json" 2>/dev/null || true
			all="$all $(sed -n 's/.*"setup_ms": \([0-9]*\).*/\1/p' "$json")"
			i=$((i + 1))
		done
		echo "$all" | awk -v k=$k -v c=$cpus '{ min = $1; max = $1; s = 0
			for (i = 1; i <= NF; i++) { s += $i; if ($i < min) min = $i; if ($i > max) max = $i }
			printf "%-8s %4s  %6d %6.1f %6d\n", k, c, min, s / NF, max }'
	done
done

# virtio-blk's file side: a thread pool (what blk_io.c does) against
# io_uring, random 4 KiB reads of a 256 MiB file (tests/bench-blkio.c).
blkio=${BUILD:-build/$(uname -m)}/bench-blkio
if [ -x "$blkio" ]; then
	img=${TMPDIR:-/var/tmp}/ktvm-bench-blkio.$$
	echo
	echo "virtio-blk's I/O: thread pool vs io_uring, random 4 KiB reads of a 256 MiB file in ${img%/*}:"
	if dd if=/dev/urandom of="$img" bs=1M count=256 2>/dev/null; then
		"$blkio" "$img" || echo "bench-host.sh: bench-blkio failed" >&2
	fi
	rm -f "$img"
fi

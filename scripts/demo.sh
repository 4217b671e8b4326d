#!/bin/sh
# ktvm's main job on a default kernel, from a fresh Debian 12 machine:
# install what is needed, build ktvm, fetch Debian's newest 7.x kernel (it
# has sched_ext) and build ktvm's fixture sched_ext scheduler against it,
# boot the kernel with ktvm on a 2-LLC, 4-CPU topology, run the scheduler
# and a small workload under it:
#
#   ktvm run --kernel KERNEL --topology 1,2,2,1 --scheduler ktvm_fifo \
#       -- /bin/busybox sh -c SCRIPT
#
# The scheduler's own lines come back as "ktvm: sched: ..." (its dispatches
# per CPU when it detaches). Where no 7.x kernel can be fetched, the demo
# says so and runs the workload under Debian 6.1's EEVDF instead.
#
# The script prints what the guest kernel sees (release, CPUs, memory, which
# scheduler runs), starts one CPU-bound loop per CPU for 2 s and prints the
# per-CPU run time and schedule() calls from /proc/schedstat. Its output and
# exit status come back to the host over ktvm's virtio console channel.
#
# Where this host has hardware virtualization, ktvm runs directly. Where it
# has not (or /dev/kvm is the paravirtual kvm_pvm), it runs inside an
# emulated L1 machine with nested KVM (tests/harness/run.sh) and says so.
#
#   scripts/demo.sh [--cpus N] [--memory MIB] [--kernel 7|6.1|6.12] [--console]
#   scripts/demo.sh --boot-only [--bzimage] [--cpus N] [--memory MIB]
#
# --boot-only boots the kernel with a test init (tests/fixtures/marker-init)
# that prints a line and reboots, with the kernel console shown; --bzimage
# boots the compressed bzImage instead of the ELF vmlinux (x86_64,
# --boot-only only). On an aarch64 host the kernel is Debian's arm64 Image.
# --console also shows the guest kernel's console in payload mode.
set -eu
cd "$(dirname "$0")/.."

cpus= mem=512 kver=7 boot_only=0 bzimage=0 console=
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus | --memory | --kernel)
		[ $# -ge 2 ] || {
			echo "demo: $1 needs a value" >&2
			exit 2
		}
		case "$1" in
		--cpus) cpus=$2 ;;
		--memory) mem=$2 ;;
		--kernel) kver=$2 ;;
		esac
		shift
		;;
	--boot-only) boot_only=1 ;;
	--bzimage) bzimage=1 ;;
	--console) console=--console ;;
	-h | --help)
		sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "demo: unknown argument $1 (see --help)" >&2
		exit 2
		;;
	esac
	shift
done
case "$cpus" in '') ;; *[!0-9]*)
	echo "demo: --cpus wants a number, not \"$cpus\"" >&2
	exit 2
	;;
esac
case "$mem" in '' | *[!0-9]*)
	echo "demo: --memory wants a number of MiB, not \"$mem\"" >&2
	exit 2
	;;
esac
arch=$(uname -m)
case "$arch" in aarch64) debarch=arm64 ;; *) debarch=amd64 ;; esac
scripts/deps.sh
if [ "$kver" = 7 ] && ! scripts/fetch-debian.sh --quiet kernel "$debarch" 7; then
	echo "demo: no Debian 7.x kernel could be fetched: running under Debian 6.1 without a BPF scheduler" >&2
	kver=6.1
fi
case "$kver" in
7) kernel='$KERNEL_7_IMAGE' ;;
6.1) kernel='$KERNEL_IMAGE' ;;
6.12) kernel='$KERNEL_612_IMAGE' ;;
*)
	echo "demo: --kernel is 7, 6.1 or 6.12, not \"$kver\"" >&2
	exit 2
	;;
esac

make -j"$(nproc)" >/dev/null

if [ $boot_only = 1 ]; then
	if [ $bzimage = 1 ]; then
		[ "$arch" = x86_64 ] || {
			echo "demo: --bzimage is for x86_64 hosts" >&2
			exit 2
		}
		kernel='$KERNEL_BZIMAGE'
	fi
	[ "$kver" != 7 ] || kver=6.1 kernel='$KERNEL_IMAGE'
	[ "$kver" = 6.1 ] || {
		echo "demo: --boot-only uses the 6.1 kernel" >&2
		exit 2
	}
	: "${cpus:=2}"
	echo "demo: booting Debian's $kver kernel with $cpus vCPUs and $mem MiB in ktvm (test init only)"
	exec env ARCH="$arch" BUILD="build/$arch" tests/harness/run.sh --exec \
		"\$KTVM run --kernel $kernel --initrd \$FIXTURES/marker-init.cpio --cpus $cpus --memory $mem --timeout 120 --console"
fi
[ $bzimage = 0 ] || {
	echo "demo: --bzimage goes with --boot-only" >&2
	exit 2
}

# The guest payload: busybox ash. No single quotes in it (it is passed
# inside single quotes); \$ stays for the guest's shell.
guest_script='
echo "guest: Linux $(uname -r), $(nproc) CPUs online, $(awk "/^MemTotal/ { printf \"%d MiB\", \$2 / 1024 }" /proc/meminfo) RAM"
case $(uname -r) in [1-5].* | 6.[0-5].*) fair=CFS ;; *) fair=EEVDF ;; esac
if [ -r /sys/kernel/sched_ext/root/ops ]; then
	echo "guest: sched_ext is $(cat /sys/kernel/sched_ext/state): the BPF scheduler \"$(cat /sys/kernel/sched_ext/root/ops)\" runs tasks (switch_all $(cat /sys/kernel/sched_ext/switch_all))"
elif [ -r /sys/kernel/sched_ext/state ]; then
	echo "guest: sched_ext is $(cat /sys/kernel/sched_ext/state); without a BPF scheduler, $fair runs every task"
else
	echo "guest: this kernel has no sched_ext; $fair (the fair class) runs every task"
fi
echo 1 >/proc/sys/kernel/sched_schedstats 2>/dev/null
cat /proc/schedstat >/tmp/before
n=$(nproc) i=0
while [ $i -lt $n ]; do
	busybox timeout 2 sh -c "while :; do :; done" &
	i=$((i + 1))
done
wait
cat /proc/schedstat >/tmp/after
echo "guest: $n CPU-bound loops ran for 2 s; per CPU in that time (/proc/schedstat):"
awk "FNR == NR { if (/^cpu[0-9]/) { t[\$1] = \$8; w[\$1] = \$9; s[\$1] = \$4 }; next }
/^cpu[0-9]/ { printf \"guest:   %s ran tasks %5d ms, tasks waited %5d ms, %5d schedule() calls\n\",
	\$1, (\$8 - t[\$1]) / 1e6, (\$9 - w[\$1]) / 1e6, \$4 - s[\$1] }" /tmp/before /tmp/after
'
if [ "$kver" = 7 ]; then
	# 2 LLCs of 2 cores; --cpus N: one LLC of N cores instead.
	shape="--topology 1,2,2,1"
	[ -z "$cpus" ] || shape="--topology 1,1,$cpus,1"
	sched='--scheduler $SCHEDULERS/ktvm_fifo --sched-arg normal'
	echo "demo: booting Debian's 7.x kernel ($shape, $mem MiB) in ktvm with ktvm's fixture sched_ext scheduler, and running a workload under it"
else
	shape="--cpus ${cpus:-2}" sched=
	echo "demo: booting Debian's $kver kernel with ${cpus:-2} vCPUs and $mem MiB in ktvm and running a workload in it"
fi
rc=0
env ARCH="$arch" BUILD="build/$arch" tests/harness/run.sh --exec \
	"\$KTVM run --kernel $kernel $shape --memory $mem --timeout 180 $console $sched -v -- /bin/busybox sh -c '$guest_script'" ||
	rc=$?
if [ $rc = 0 ]; then
	echo "demo: the payload ran in the guest and exited with status 0"
else
	echo "demo: failed: status $rc (see ktvm --help for exit statuses)" >&2
fi
exit $rc

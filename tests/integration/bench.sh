#!/bin/sh
# ktvm's boot benchmark: the Debian kernel as bzImage and as ELF vmlinux, on
# 1 and 4 vCPUs, 3 runs each (BENCH_RUNS). Prints one table row per run
# (setup_ms: ktvm's setup before the first vCPU runs; init_ms: until the
# guest's init started; duration_ms: the whole guest run; exits by reason),
# then the mean per configuration, and ends with "N passed, N failed"
# counting runs that did not reboot cleanly.
#
# Same environment as run.sh (see lib.sh).
set -eu
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

check_env marker-init
runs=${BENCH_RUNS:-3}
rows=$work/rows

# bench_run LABEL KERNEL CPUS RUN
bench_run() {
	ktvm_run run --kernel "$2" --initrd "$FIXTURES/marker-init.cpio" --cpus "$3" \
		--memory 256 --timeout 120 --json "$json"
	end=$(json_get "$json.flat" end)
	exits=$(awk -F'\t' '$1 ~ /^exits\./ { sub(/^exits\./, "", $1); printf "%s%s=%s", sep, $1, $2; sep = " " }' "$json.flat")
	printf '%-8s %4s %3s  %-8s %8s %8s %11s  %s\n' "$1" "$3" "$4" "$end" \
		"$(json_get "$json.flat" setup_ms)" "$(json_get "$json.flat" init_ms)" \
		"$(json_get "$json.flat" duration_ms)" "${exits:-none}" | tee -a "$rows"
	if [ "$rc" = 0 ] && [ "$end" = reboot ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: $1 cpus=$3 run $4: exit status $rc: $(ktvm_summary)" >&2
	fi
}

printf '%-8s %4s %3s  %-8s %8s %8s %11s  %s\n' kernel cpus run end setup_ms init_ms \
	duration_ms "exits by reason"
for k in bzImage vmlinux; do
	if [ $k = bzImage ]; then kernel=$KERNEL_BZIMAGE; else kernel=$KERNEL_VMLINUX; fi
	for cpus in 1 4; do
		i=1
		while [ $i -le "$runs" ]; do
			json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
			rm -f "$json"
			bench_run $k "$kernel" $cpus $i
			i=$((i + 1))
		done
	done
done

echo
echo "mean over the runs that rebooted:"
awk '$4 == "reboot" {
	key = $1 " " $2; if (!(key in n)) order[++keys] = key
	n[key]++; s[key] += $5; t[key] += $6; d[key] += $7
}
END {
	printf "%-8s %4s  %8s %8s %11s\n", "kernel", "cpus", "setup_ms", "init_ms", "duration_ms"
	for (i = 1; i <= keys; i++) {
		k = order[i]; split(k, f, " ")
		printf "%-8s %4s  %8.0f %8.0f %11.0f\n", f[1], f[2], s[k] / n[k], t[k] / n[k], d[k] / n[k]
	}
}' "$rows"
summary

# shellcheck shell=sh
# Topology cases of the integration tests (sourced by run.sh): ktvm run
# --topology NODES,LLCS,CORES,THREADS [--numa-mem ...] [--numa-dist ...]
# boots a guest whose kernel must see exactly that machine. The payload
# $PAYLOADS/topo (tests/payloads/topo.c) prints what the guest kernel sees;
# topo_expect writes what it should see, worked out here from the request
# alone (nested loops over nodes, LLCs, cores and threads: none of ktvm's
# code), and the two must agree line by line. Node memory is checked
# within bounds (below). The bad-input cases need no boot.

# The level of the last-level cache ktvm describes to the guest. Both
# arches give L1d and L1i and L2 per core and L3 per LLC: x86_64 in the
# CPUID cache leaves (arch/x86_64/cpuid_topo.c), aarch64 as device-tree
# cache nodes.
topo_llc_level=3
# The backend's vCPU limit, which topology_finish() is given
# (arch_max_vcpus(), ARCH_MAX_VCPUS in arch/*/include/ktvm-arch.h).
case "$KTVM_ARCH" in
x86_64) topo_max_vcpus=240 ;;
aarch64) topo_max_vcpus=123 ;;
*) topo_max_vcpus=1 ;;
esac

# topo_split MEMORY NODES: the default memory split, "M0,M1,...": MEMORY MiB
# evenly over the nodes, the remainder to node 0.
topo_split() {
	awk -v mem="$1" -v nodes="$2" 'BEGIN {
		each = int(mem / nodes)
		printf "%d", each + mem - each * nodes
		for (n = 1; n < nodes; n++)
			printf ",%d", each
		print ""
	}'
}

# topo_expect NODES,LLCS,CORES,THREADS M0,M1,... DIST [LAT BW]: the lines
# the payload must print, without the node memory fields. The memory list
# gives the number of nodes (those past NODES have no CPUs); DIST is the
# distance matrix as rows split by ";" (empty: 10 to itself, 20 elsewhere).
# LAT and BW (rows: nodes with CPUs; empty: not given): with either, each
# node shows the figures from its initiator, the node itself or, for a
# memory-only node, the nearest node with CPUs (the lowest of equals).
topo_expect() {
	awk -v shape="$1" -v mems="$2" -v dist="$3" -v lat="${4:-}" -v bw="${5:-}" \
	    -v level="$topo_llc_level" '
	function range(a, b) { return a == b ? a : a "-" b }
	BEGIN {
		split(shape, s, ",")
		nodes = s[1]; llcs = s[2]; cores = s[3]; threads = s[4]
		nr = split(mems, m, ",")
		cpu = 0
		for (n = 0; n < nr; n++) {
			first[n] = cpu
			for (l = 0; n < nodes && l < llcs / nodes; l++) {
				lfirst = cpu
				for (c = 0; c < cores; c++)
					for (t = 0; t < threads; t++) {
						node[cpu] = n; core[cpu] = cpu - t; llc[cpu] = lfirst
						cpu++
					}
				for (x = lfirst; x < cpu; x++)
					llc_last[x] = cpu - 1
			}
			last[n] = cpu - 1
		}
		print "cpus " cpu " online " range(0, cpu - 1)
		for (x = 0; x < cpu; x++)
			print "cpu " x " smt " range(core[x], core[x] + threads - 1) \
			    " llc_level " level " llc " range(llc[x], llc_last[x]) " node " node[x]
		print "nodes " nr " online " range(0, nr - 1)
		if (dist != "")
			split(dist, row, ";")
		for (n = 0; n < nr; n++) {
			if (dist != "") {
				d = row[n + 1]
			} else {
				d = ""
				for (j = 0; j < nr; j++)
					d = d (j ? "," : "") (j == n ? 10 : 20)
			}
			split(d, dd, ",")
			for (j = 0; j < nr; j++)
				dm[n, j] = dd[j + 1]
			line[n] = "node " n " cpus " \
			    (last[n] < first[n] ? "none" : range(first[n], last[n])) " dist " d
		}
		nl = split(lat, lrow, ";"); nb = split(bw, brow, ";")
		for (n = 0; n < nr; n++) {
			if (lat != "" || bw != "") {
				init = n
				if (n >= nodes) {
					init = 0
					for (i = 1; i < nodes; i++)
						if (dm[n, i] < dm[n, init])
							init = i
				}
				l = 0; b = 0
				if (lat != "") { split(lrow[init + 1], v, ","); l = v[n + 1] }
				if (bw != "") { split(brow[init + 1], v, ","); b = v[n + 1] }
				line[n] = line[n] " access0 " init " lat " l " bw " b
			}
			print line[n]
		}
		print "end"
	}'
}

# topo_compare EXPECTED ACTUAL: prints the first line where the files
# differ, as "line N (expected \"X\", got \"Y\")", or nothing.
topo_compare() {
	awk '
	NR == FNR { want[FNR] = $0; nwant = FNR; next }
	{ got[FNR] = $0; ngot = FNR }
	END {
		n = nwant > ngot ? nwant : ngot
		for (i = 1; i <= n; i++) {
			w = i <= nwant ? "\"" want[i] "\"" : "the end of the output"
			g = i <= ngot ? "\"" got[i] "\"" : "the end of the output"
			if (w != g) {
				printf "line %d (expected %s, got %s)\n", i, w, g
				exit
			}
		}
	}' "$1" "$2"
}

# topo_memory M0,M1,... ACTUAL: checks each "node N ... present_kib P
# memtotal_kib T" line of the payload against the MiB node N was given:
# the node's physical memory (present pages) within 5%; MemTotal (what the
# kernel did not keep for itself) at most that, and within 5% except on
# node 0, which holds the kernel. Prints the first problem, or nothing.
topo_memory() {
	awk -v mems="$1" '
	BEGIN { nr = split(mems, m, ",") }
	$1 == "node" {
		n = $2; want = m[n + 1] * 1024; p = "-"; t = "-"
		for (i = 3; i < NF; i++) {
			if ($i == "present_kib") p = $(i + 1)
			if ($i == "memtotal_kib") t = $(i + 1)
		}
		if (n + 1 > nr) { printf "node %d: not requested\n", n; exit }
		if (p !~ /^[0-9]+$/ || t !~ /^[0-9]+$/) {
			printf "node %d memory (expected present_kib and memtotal_kib, got %s and %s)\n", n, p, t
			exit
		}
		if (p * 100 < want * 95 || p * 100 > want * 105) {
			printf "node %d present_kib (expected %d +- 5%%, got %d)\n", n, want, p
			exit
		}
		if (t + 0 > want || (n > 0 && t * 100 < want * 95)) {
			what = (n > 0) ? "95-100% of " : "at most "
			printf "node %d memtotal_kib (expected %s%d, got %d)\n", n, what, want, t
			exit
		}
	}' "$2"
}

# topo_boot SHAPE MEMORY NUMA-MEM NUMA-DIST [LAT BW [KERNEL]]: boots the
# payload with that topology (NUMA-MEM, NUMA-DIST, LAT, BW: empty for the
# defaults) and checks the guest's view, its memory and the vCPUs in the
# JSON result.
topo_boot() {
	shape=$1 mem=$2 nmem=$3 ndist=$4 nlat=${5:-} nbw=${6:-} kernel=${7:-$KERNEL_IMAGE}
	set -- --topology "$shape" --memory "$mem"
	[ -z "$nmem" ] || set -- "$@" --numa-mem "$nmem"
	[ -z "$ndist" ] || set -- "$@" --numa-dist "$ndist"
	[ -z "$nlat" ] || set -- "$@" --numa-latency "$nlat"
	[ -z "$nbw" ] || set -- "$@" --numa-bandwidth "$nbw"
	ktvm_run run --kernel "$kernel" "$@" --timeout 240 --json "$json" \
		-- "$PAYLOADS/topo"
	# For the log: what the guest saw.
	sed "s/^/    $name: /" "$out" >&2
	expect_status 0 || return 0
	expect_json channel.exit_status 0 || return 0
	ncpu=$(echo "$shape" | awk -F, '{ print $2 * $3 * $4 }')
	expect_json vcpus "$ncpu" || return 0
	expect_json threads_joined "$ncpu" || return 0
	[ -n "$nmem" ] || nmem=$(topo_split "$mem" "${shape%%,*}")
	topo_expect "$shape" "$nmem" "$ndist" "$nlat" "$nbw" >"$work/topo.want"
	sed 's/ present_kib .*//' "$out" >"$work/topo.got"
	d=$(topo_compare "$work/topo.want" "$work/topo.got")
	[ -z "$d" ] || fail "guest view $d" || return 0
	d=$(topo_memory "$nmem" "$out")
	[ -z "$d" ] || fail "$d" || return 0
}

topo_612_case() {
	if [ ! -f "${KERNEL_612_IMAGE:-}" ]; then
		skip_why="no Debian 6.12 kernel (KERNEL_612_IMAGE)"
		return 0
	fi
	# With an HMAT on x86_64 (6.12 keeps its figures differently from 6.1).
	if [ "$KTVM_ARCH" = x86_64 ]; then
		topo_boot 2,2,2,2 512 '' '' '70,130;130,70' '30000,12000;12000,30000' \
			"$KERNEL_612_IMAGE"
	else
		topo_boot 2,2,2,2 512 '' '' '' '' "$KERNEL_612_IMAGE"
	fi
	[ -z "$why" ] || return 0
	r=$(json_get "$json.flat" initramfs.release)
	case "$r" in 6.12.*) ;; *) fail "initramfs.release (expected 6.12.*, got $r)" ;; esac
}

# Memory latency and bandwidth: on x86_64 an HMAT the guest must show in
# nodeN/access0 (a memory-only node's figures from its nearest CPU node,
# here node 1); aarch64 refuses them before boot (no device-tree binding).
topo_hmat_case() {
	set -- 2,2,1,1 640 256,256,128 '10,20,25;20,10,15;25,15,10' \
		'80,140,200;140,80,120' '20000,10000,5000;10000,20000,8000'
	if [ "$KTVM_ARCH" = aarch64 ]; then
		topo_bad "--numa-latency aarch64" --topology "$1" --numa-mem "$3" \
			--numa-dist "$4" --numa-latency "$5" --numa-bandwidth "$6"
		return 0
	fi
	topo_boot "$@"
}

# Bad input: status 2 and one "ktvm:" line that names the option and, where
# given, the value at fault (bad(), run.sh). WORDS as for bad().
topo_bad() { # WORDS ARGS...
	words=$1
	shift
	bad "$words" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		--timeout 30 "$@"
}

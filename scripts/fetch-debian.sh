#!/bin/bash
# Fetch Debian packages that ktvm's tests need, without installing them.
#
#   scripts/fetch-debian.sh [--refresh] [--quiet] [ITEM [DEBARCH [VERSION]]]
#
#   ITEM     all (default: kernel 6.1, busybox and qemu), kernel, busybox, qemu
#   DEBARCH  Debian architecture of the guest: amd64 (default), arm64
#   VERSION  kernel series for ITEM=kernel: 6.1 (bookworm, default), 6.12
#            (trixie) or 7 (the newest 7.x of trixie-backports, forky and
#            sid: sched_ext; with the tools part of its linux-source)
#
# Examples: scripts/fetch-debian.sh
#           scripts/fetch-debian.sh kernel amd64 6.12
#           scripts/fetch-debian.sh kernel arm64 7
#
# Packages come from the Debian mirror already configured in this system's apt
# sources (no host name is written here), through a private apt state so the
# system's package state is untouched. Everything lives in the cache
# ${KTVM_CACHE:-$HOME/.cache/ktvm}/debian:
#
#   apt/                          private apt state: lists-DEBARCH (one per
#                                 architecture), archives, sources, status
#   debs/                         downloaded .deb files
#   DEBARCH/linux-VERSION/        root/ (the extracted image package),
#                                 release (uname -r); amd64: bzImage (the
#                                 /boot/vmlinuz) and vmlinux (its ELF payload,
#                                 PVH entry); arm64: Image
#                                 7: also src, the link to its source tree
#   src/linux-UPSTREAM/           linux-source-X.Y, only tools/sched_ext,
#                                 tools/lib/bpf, tools/bpf/bpftool and what
#                                 they build from (any DEBARCH)
#   DEBARCH/busybox/root/bin/busybox
#   host-HOSTARCH/qemu-TARGET/    root/ (QEMU from bookworm-backports) and
#                                 qemu-system-TARGET: a wrapper that runs it, or
#                                 the system's QEMU when it cannot run here
#
# Each item has a .stamp file; with all stamps present the script does no
# network access and returns at once. --refresh re-resolves the versions;
# --quiet prints nothing about items already cached.
set -eu
shopt -s extglob

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

refresh=0
quiet=0
args=()
for a in "$@"; do
	case "$a" in
	--refresh) refresh=1 ;;
	--quiet) quiet=1 ;;
	-h | --help) usage ;;
	-*)
		echo "fetch-debian: unknown option $a" >&2
		usage
		;;
	*) args+=("$a") ;;
	esac
done
item=${args[0]:-all}
debarch=${args[1]:-amd64}
kver=${args[2]:-6.1}
case "$item" in all | kernel | busybox | qemu) ;; *) usage ;; esac
case "$debarch" in
amd64) qemu_target=x86_64 qemu_pkg=qemu-system-x86 ;;
arm64) qemu_target=aarch64 qemu_pkg=qemu-system-arm ;;
*)
	echo "fetch-debian: unsupported architecture $debarch (amd64, arm64)" >&2
	exit 2
	;;
esac
host_debarch=$(dpkg --print-architecture)

cache=${KTVM_CACHE:-$HOME/.cache/ktvm}/debian
apt_dir=$cache/apt
debs=$cache/debs

say() { echo "fetch-debian: $*" >&2; }
cached() { [ $quiet = 1 ] || say "$@"; }
die() {
	say "$*"
	exit 1
}

# --- mirror discovery ------------------------------------------------------

# Prints "URI SIGNED-BY" for the first enabled deb source serving SUITE with
# component main, from one-line .list files and deb822 .sources files.
find_source() {
	local suite=$1 files=() f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v want="$suite" '
	function has(list, w,   n, i, a) {
		n = split(list, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] == w) return 1
		return 0
	}
	function flush() {
		if (types != "" && has(types, "deb") && has(suites, want) &&
		    has(comps, "main") && enabled !~ /^[Nn][Oo]/ && uri != "" && !found) {
			split(uri, u, /[ \t]+/)
			print u[1], (signed == "" ? "-" : signed)
			found = 1
		}
		types = suites = comps = uri = signed = enabled = ""
	}
	FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
	/^[ \t]*#/ { next }
	deb822 && /^[ \t]*$/ { flush(); next }
	deb822 {
		key = tolower($1); sub(/:$/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uri = val
		else if (key == "suites") suites = val
		else if (key == "components") comps = val
		else if (key == "signed-by") signed = val
		else if (key == "enabled") enabled = val
		next
	}
	$1 == "deb" {
		line = $0; opts = ""
		if (match(line, /\[[^]]*\]/)) {
			opts = substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
		}
		n = split(line, f, /[ \t]+/)
		types = "deb"; uri = f[2]; suites = f[3]; comps = ""
		for (i = 4; i <= n; i++) comps = comps " " f[i]
		if (match(opts, /signed-by=[^ \t]+/))
			signed = substr(opts, RSTART + 10, RLENGTH - 10)
		flush()
	}
	END { flush() }' "${files[@]}"
}

# Writes the private sources.list: the system's Debian mirror for bookworm,
# bookworm-updates, bookworm-backports, trixie, trixie-backports, forky and
# sid, and the security mirror if one is configured.
write_sources() {
	local main sec uri key suri skey keyopt
	main=$(find_source bookworm)
	[ -n "$main" ] || die "no apt source serves Debian bookworm/main (looked in /etc/apt/sources.list and /etc/apt/sources.list.d/*.list, *.sources)"
	read -r uri key <<<"$main"
	[ "$key" != - ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	keyopt="[signed-by=$key]"
	mkdir -p "$apt_dir/lists-amd64/partial" "$apt_dir/lists-arm64/partial" \
		"$apt_dir/archives/partial" \
		"$apt_dir/sources.list.d" "$apt_dir/preferences.d"
	: >"$apt_dir/status.new"
	[ -f "$apt_dir/status" ] || mv "$apt_dir/status.new" "$apt_dir/status"
	rm -f "$apt_dir/status.new"
	{
		echo "# Written by scripts/fetch-debian.sh from the system's apt sources."
		echo "deb $keyopt $uri bookworm main"
		echo "deb $keyopt $uri bookworm-updates main"
		echo "deb $keyopt $uri bookworm-backports main"
		echo "deb $keyopt $uri trixie main"
		# Debian's 7.x kernels (sched_ext enabled) are only here.
		echo "deb $keyopt $uri trixie-backports main"
		echo "deb $keyopt $uri forky main"
		echo "deb $keyopt $uri sid main"
		sec=$(find_source bookworm-security)
		if [ -n "$sec" ]; then
			read -r suri skey <<<"$sec"
			[ "$skey" != - ] || skey=$key
			echo "deb [signed-by=$skey] $suri bookworm-security main"
		fi
	} >"$apt_dir/sources.list.new"
	mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
}

apt_opts() {
	printf '%s\n' \
		-o "Dir::State=$apt_dir" \
		-o "Dir::State::Lists=$apt_dir/lists-$1" \
		-o "Dir::State::status=$apt_dir/status" \
		-o "Dir::Cache=$apt_dir" \
		-o "Dir::Cache::archives=$apt_dir/archives" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
		-o "Dir::Etc::sourcelist=$apt_dir/sources.list" \
		-o "Dir::Etc::sourceparts=$apt_dir/sources.list.d" \
		-o "Dir::Etc::preferences=$apt_dir/preferences" \
		-o "Dir::Etc::preferencesparts=$apt_dir/preferences.d" \
		-o "APT::Architecture=$1" \
		-o "APT::Default-Release=" \
		-o "APT::Sandbox::User=root" -o "Acquire::Languages=none" -o "Debug::NoLocking=1"
}

updated=""
apt_update() {
	local arch=$1 opts
	case " $updated " in *" $arch "*) return 0 ;; esac
	write_sources
	# Lists fetched in the last 6 hours from the same sources are fresh enough.
	if [ $refresh = 0 ] && [ -f "$apt_dir/updated-$arch" ] &&
		cmp -s "$apt_dir/sources.list" "$apt_dir/updated-$arch" &&
		[ -n "$(find "$apt_dir/updated-$arch" -mmin -360)" ]; then
		updated="$updated $arch"
		return 0
	fi
	mapfile -t opts < <(apt_opts "$arch")
	say "updating private apt lists for $arch ($(awk '/^deb/ {print $3 "@" $4}' "$apt_dir/sources.list" | tr '\n' ' '))"
	apt-get "${opts[@]}" -qq update >&2 || die "apt-get update failed"
	cp "$apt_dir/sources.list" "$apt_dir/updated-$arch"
	updated="$updated $arch"
}

# apt_cache ARCH ARGS...: apt-cache on the private state.
apt_cache() {
	local arch=$1 opts
	shift
	mapfile -t opts < <(apt_opts "$arch")
	apt-cache "${opts[@]}" "$@"
}

# download ARCH PKG=VER...: fetches .deb files into $debs, prints their paths.
download() {
	local arch=$1 opts spec name ver f glob
	shift
	mapfile -t opts < <(apt_opts "$arch")
	mkdir -p "$debs"
	for spec in "$@"; do
		name=${spec%%=*} ver=${spec#*=}
		# The architecture is part of the name: busybox-static has the same
		# version for amd64 and arm64.
		glob="$debs/${name}_${ver//:/%3a}_@($arch|all).deb"
		f=$(compgen -G "$glob" | head -n1 || true)
		if [ -z "$f" ]; then
			(cd "$debs" && apt-get "${opts[@]}" -qq download "$spec" >&2) ||
				die "apt-get download $spec ($arch) failed"
			f=$(compgen -G "$glob" | head -n1 || true)
			[ -n "$f" ] || die "apt-get download $spec did not produce a .deb in $debs"
		fi
		echo "$f"
	done
}

# extract DEST DEB...: unpacks the packages' data into DEST (replaced).
extract() {
	local dest=$1 d
	shift
	rm -rf "$dest.new"
	mkdir -p "$dest.new"
	for d in "$@"; do
		dpkg-deb -x "$d" "$dest.new" || die "dpkg-deb -x $d failed"
	done
	rm -rf "$dest"
	mv "$dest.new" "$dest"
}

# Highest version of PKG (for ARCH) whose upstream part starts with PREFIX,
# among the suites matching the extended regex SUITES (e.g. "bookworm(-updates)?").
pick_version() {
	local arch=$1 pkg=$2 prefix=$3 suites=$4
	apt_cache "$arch" madison "$pkg" | awk -F'|' -v p="$prefix" -v re="^($suites)/" '
		{ gsub(/[ \t]/, "", $2); n = split($3, f, /[ \t]+/) }
		index($2, p) == 1 && f[n - 2] ~ re { print $2 }' |
		sort -V | tail -n1
}

# --- items -----------------------------------------------------------------

# Extracts the kernel's ELF vmlinux from a bzImage: the protected-mode payload
# starts at (setup_sects+1)*512 + payload_offset and is payload_length bytes
# (Linux boot protocol 2.08+, Documentation/arch/x86/boot.rst: setup_sects at
# 0x1f1, payload_offset at 0x248, payload_length at 0x24c).
bzimage_to_vmlinux() {
	local bz=$1 out=$2 sects off len start magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	off=$(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
	[ "$(od -An -c -j $((0x202)) -N4 "$bz" | tr -d ' ')" = HdrS ] ||
		die "$bz: not a bzImage (no HdrS magic at 0x202)"
	[ "$sects" -gt 0 ] || sects=4
	start=$(((sects + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$start" -N4 "$bz" | tr -d ' ')
	# The kernel build appends the uncompressed size (4 bytes) after the
	# xz/zstd/lzma streams; gzip carries its own size.
	case "$magic" in
	fd377a58) tail -c +$((start + 1)) "$bz" | head -c "$len" | xz -dc --single-stream >"$out.new" ;;
	1f8b*) tail -c +$((start + 1)) "$bz" | head -c "$len" | { gzip -dc >"$out.new" || [ $? -eq 2 ]; } ;;
	28b52ffd) tail -c +$((start + 1)) "$bz" | head -c $((len - 4)) | zstd -qdc >"$out.new" ;;
	*) die "$bz: payload compression with magic $magic is not supported (gzip, xz, zstd)" ;;
	esac || die "$bz: decompressing the payload failed"
	[ "$(head -c4 "$out.new" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		die "$bz: the payload is not an ELF file"
	# PVH entry: an ELF note owned by "Xen" with type XEN_ELFNOTE_PHYS32_ENTRY (18).
	readelf -n "$out.new" | grep -Eq '^ *Xen .*(0x00000012|PHYS32_ENTRY)' ||
		die "$bz: the ELF payload has no PVH entry note (Xen note 0x12)"
	mv "$out.new" "$out"
}

# Names of the packages PKG=VER depends on at exactly version VER whose
# names match the extended regex RE, as NAME=VER lines.
exact_deps() {
	local arch=$1 spec=$2 re=$3
	apt_cache "$arch" show "$spec" | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n' |
		sed -n 's/^ *\([^ ]*\) *(= *\([^)]*\)).*/\1=\2/p' | grep -E "^($re)=" || true
}

fetch_kernel() {
	local arch=$1 series=$2 dir meta suites ver img imgver deb rel bz files mods
	local pkgs
	dir=$cache/$arch/linux-$series
	if [ $refresh = 0 ] && [ -f "$dir/.stamp" ]; then
		cached "kernel $series $arch: cached in $dir ($(cat "$dir/.stamp"))"
		[ "$series" != 7 ] || fetch_source "$(cat "$dir/source-version")"
		return 0
	fi
	apt_update "$arch"
	meta=linux-image-$arch
	case "$series" in
	6.1) suites='bookworm(-updates|-security)?' ;;
	6.12) suites='trixie(-updates|-security)?' ;;
	# The newest 7.x wherever it is: backports drop old versions.
	7) suites='trixie-backports|forky|sid' ;;
	*) suites='[a-z-]+' ;;
	esac
	ver=$(pick_version "$arch" "$meta" "$series." "$suites")
	if [ -z "$ver" ]; then
		[ "$series" != 7 ] || die "no Debian 7.x kernel for $arch: no $meta of version 7.* in $suites (sched_ext needs one; Debian's 6.x kernels do not enable it)"
		die "no $meta with a $series.x kernel in suites $suites"
	fi
	img=$(exact_deps "$arch" "$meta=$ver" 'linux-image-[^ ]*' | head -n1)
	[ -n "$img" ] || die "cannot resolve the image package from $meta=$ver Depends"
	imgver=${img#*=}
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$img" ]; then
		say "kernel $series $arch: up to date in $dir ($img)"
		[ "$series" != 7 ] || fetch_source "$imgver"
		return 0
	fi
	# From 7.x on, linux-image-REL is empty and depends on linux-binary-REL
	# (the kernel), linux-modules-REL and linux-base-REL.
	mapfile -t pkgs < <(exact_deps "$arch" "$img" 'linux-(binary|modules|base)-[^ ]*')
	say "kernel $series $arch: fetching $img${pkgs[*]:+ ${pkgs[*]}}"
	mapfile -t deb < <(download "$arch" "$img" "${pkgs[@]}")
	mkdir -p "$dir"
	extract "$dir/root" "${deb[@]}"
	bz=$(compgen -G "$dir/root/boot/vmlinuz-*" | head -n1 || true)
	if [ -n "$bz" ]; then
		rel=${bz##*/vmlinuz-}
	else
		bz=$(compgen -G "$dir/root/usr/lib/modules/*/vmlinuz" | head -n1 || true)
		[ -n "$bz" ] || die "${deb[*]}: no /boot/vmlinuz-* nor /usr/lib/modules/*/vmlinuz"
		rel=${bz%/vmlinuz}
		rel=${rel##*/}
	fi
	echo "$rel" >"$dir/release"
	case "$arch" in
	amd64)
		ln -sfn "${bz#"$dir"/}" "$dir/bzImage"
		bzimage_to_vmlinux "$bz" "$dir/vmlinux"
		files="bzImage, vmlinux (ELF)"
		;;
	arm64)
		# Debian's arm64 vmlinuz is the uncompressed Image ("ARM\x64" at 0x38).
		[ "$(od -An -c -j 56 -N4 "$bz" | tr -d ' ')" = ARMd ] ||
			die "$bz: not an arm64 Image (no ARM\\x64 magic at 0x38)"
		ln -sfn "${bz#"$dir"/}" "$dir/Image"
		files="Image"
		;;
	esac
	mods=lib/modules/$rel
	[ -d "$dir/root/$mods" ] || mods=usr/lib/modules/$rel
	if [ "$series" = 7 ]; then
		echo "$imgver" >"$dir/source-version"
		fetch_source "$imgver"
		ln -sfn "../../src/linux-$(source_dirname "$imgver")" "$dir/src"
		files="$files, source tree src/"
	fi
	echo "$img" >"$dir/.stamp"
	say "kernel $series $arch: $rel ($imgver) in $dir: $files, modules in root/$mods"
}

# The source directory's name for Debian version VER: the upstream part.
source_dirname() {
	local v=${1#*:}
	echo "${v%%-*}"
}

# The parts of linux-source's tree that tools/sched_ext, tools/lib/bpf and
# tools/bpf/bpftool build from: their make includes and headers, the BPF
# helper generator and the verifier's disassembler (bpftool links it).
source_parts='tools/sched_ext tools/lib/bpf tools/bpf/bpftool tools/bpf/Makefile.helpers
tools/include tools/arch/x86/include tools/arch/arm64/include tools/build tools/scripts
tools/lib/str_error_r.c tools/lib/string.c tools/lib/ctype.c tools/lib/hweight.c
tools/lib/find_bit.c tools/lib/list_sort.c tools/lib/rbtree.c tools/lib/zalloc.c
tools/lib/bitmap.c
scripts/bpf_doc.py kernel/bpf/disasm.c kernel/bpf/disasm.h
include/uapi/linux/bpf.h include/linux/compiler-version.h
arch/arm64/include/uapi/asm/bpf_perf_event.h'

# Fetches linux-source-X.Y=VER (the tarball inside) and extracts only
# $source_parts into src/linux-UPSTREAM/ (shared by every architecture).
fetch_source() {
	local ver=$1 up series dir deb tarball top parts p stamp
	up=$(source_dirname "$ver")
	series=$(echo "$up" | cut -d. -f1,2)
	dir=$cache/src/linux-$up
	# The stamp names the package and the parts: a changed list extracts again.
	stamp="linux-source-$series=$ver parts:$(echo "$source_parts" | md5sum | cut -c1-8)"
	if [ $refresh = 0 ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
		cached "source $up: cached in $dir ($(cat "$dir/.stamp"))"
		return 0
	fi
	apt_update "$host_debarch"
	say "source $up: fetching linux-source-$series=$ver"
	deb=$(download "$host_debarch" "linux-source-$series=$ver")
	rm -rf "$dir.deb"
	mkdir -p "$dir.deb"
	dpkg-deb -x "$deb" "$dir.deb" || die "dpkg-deb -x $deb failed"
	tarball=$(compgen -G "$dir.deb/usr/src/linux-source-$series.tar.*" | head -n1 || true)
	[ -n "$tarball" ] || die "$deb has no /usr/src/linux-source-$series.tar.*"
	top=linux-source-$series
	parts=()
	for p in $source_parts; do
		parts+=("$top/$p")
	done
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	# A part missing from this version's tree is no error here; the build
	# names what it lacks.
	tar -xf "$tarball" -C "$dir.new" --strip-components=1 --wildcards \
		--no-wildcards-match-slash "${parts[@]}" 2>"$dir.new/.tar-errors" ||
		grep -v 'Not found in archive\|Exiting with failure' "$dir.new/.tar-errors" >&2 || true
	rm -f "$dir.new/.tar-errors"
	rm -rf "$dir.deb"
	[ -f "$dir.new/tools/sched_ext/Makefile" ] || die "$tarball: no tools/sched_ext/Makefile"
	echo "$stamp" >"$dir.new/.stamp"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	say "source $up: tools/sched_ext, tools/lib/bpf, tools/bpf/bpftool and what they need in $dir ($(du -sh "$dir" | cut -f1))"
}

# Whether FILE is an ELF executable for Debian architecture ARCH (e_machine
# at byte 18: 62 x86-64, 183 AArch64).
elf_for_arch() {
	local want
	case "$2" in amd64) want=62 ;; arm64) want=183 ;; *) return 1 ;; esac
	[ "$(od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' ')" = "$want" ]
}

fetch_busybox() {
	local arch=$1 dir ver deb
	dir=$cache/$arch/busybox
	# A cache that an earlier version of this script filled with the other
	# architecture's busybox (same version, same .deb name but the arch) is stale.
	if [ -f "$dir/.stamp" ] && ! elf_for_arch "$dir/root/bin/busybox" "$arch"; then
		say "busybox $arch: cached binary is not for $arch; fetching again"
		rm -f "$dir/.stamp"
	fi
	if [ $refresh = 0 ] && [ -f "$dir/.stamp" ]; then
		cached "busybox $arch: cached in $dir ($(cat "$dir/.stamp"))"
		return 0
	fi
	apt_update "$arch"
	ver=$(pick_version "$arch" busybox-static "" 'bookworm(-updates|-security)?')
	[ -n "$ver" ] || die "busybox-static not found for $arch"
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "busybox-static=$ver" ]; then
		say "busybox $arch: up to date in $dir ($ver)"
		return 0
	fi
	deb=$(download "$arch" "busybox-static=$ver")
	mkdir -p "$dir"
	extract "$dir/root" "$deb"
	[ -x "$dir/root/bin/busybox" ] || die "$deb has no /bin/busybox"
	elf_for_arch "$dir/root/bin/busybox" "$arch" || die "$deb: /bin/busybox is not an $arch program"
	echo "busybox-static=$ver" >"$dir/.stamp"
	say "busybox $arch: $ver in $dir/root/bin/busybox"
}

# Writes the wrapper $dir/qemu-system-TARGET. QEMU from bookworm-backports (10.x)
# runs from its extracted tree when the host has its shared libraries (the
# system's qemu-system-x86 brings most); otherwise the system QEMU is used.
write_qemu_wrapper() {
	local dir=$1 bin=$2 mode=$3 w
	w=$dir/qemu-system-$qemu_target
	if [ "$mode" = backports ]; then
		cat >"$w.new" <<-EOF
			#!/bin/sh
			# QEMU from bookworm-backports, run from $dir/root (scripts/fetch-debian.sh).
			QEMU_MODULE_DIR='$dir/root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/qemu'
			export QEMU_MODULE_DIR
			exec '$bin' -L '$dir/root/usr/share/qemu' -L /usr/share/qemu -audio none "\$@"
		EOF
	else
		cat >"$w.new" <<-EOF
			#!/bin/sh
			# The system's QEMU (the one from bookworm-backports cannot run here).
			exec '$bin' "\$@"
		EOF
	fi
	chmod +x "$w.new"
	mv "$w.new" "$w"
}

fetch_qemu() {
	local dir ver dver debs_ qbin missing sys
	dir=$cache/host-$host_debarch/qemu-$qemu_target
	if [ $refresh = 0 ] && [ -f "$dir/.stamp" ]; then
		cached "qemu $qemu_target: cached in $dir ($(cat "$dir/.stamp"))"
		return 0
	fi
	apt_update "$host_debarch"
	ver=$(pick_version "$host_debarch" "$qemu_pkg" "1:" bookworm-backports)
	mkdir -p "$dir"
	sys=$(command -v "qemu-system-$qemu_target" || true)
	dver=$(pick_version "$host_debarch" qemu-system-data "1:" bookworm-backports)
	if [ -n "$ver" ] && [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$qemu_pkg=$ver" ]; then
		say "qemu $qemu_target: up to date in $dir ($ver)"
		return 0
	fi
	if [ -n "$ver" ] && [ -n "$dver" ]; then
		mapfile -t debs_ < <(download "$host_debarch" "$qemu_pkg=$ver" \
			"qemu-system-common=$ver" "qemu-system-data=$dver")
		extract "$dir/root" "${debs_[@]}"
		qbin=$dir/root/usr/bin/qemu-system-$qemu_target
		write_qemu_wrapper "$dir" "$qbin" backports
		missing=$(ldd "$qbin" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
		if "$dir/qemu-system-$qemu_target" -version >/dev/null 2>&1; then
			echo "$qemu_pkg=$ver" >"$dir/.stamp"
			say "qemu $qemu_target: $("$dir/qemu-system-$qemu_target" -version | head -n1) via $dir/qemu-system-$qemu_target"
			return 0
		fi
		say "qemu $qemu_target: QEMU $ver from bookworm-backports does not run here${missing:+ (missing libraries: $missing)}"
	else
		say "qemu $qemu_target: no $qemu_pkg in bookworm-backports"
	fi
	[ -n "$sys" ] || die "no usable QEMU: install qemu-system-${qemu_pkg#qemu-system-} (make deps)"
	write_qemu_wrapper "$dir" "$sys" system
	echo "system:$("$sys" -version | head -n1)" >"$dir/.stamp"
	say "notice: using the system's $("$sys" -version | head -n1) (QEMU >= 9.1 is needed only by the watchpoint tests)"
}

case "$item" in
all)
	fetch_kernel "$debarch" "$kver"
	fetch_busybox "$debarch"
	fetch_qemu
	;;
kernel) fetch_kernel "$debarch" "$kver" ;;
busybox) fetch_busybox "$debarch" ;;
qemu) fetch_qemu ;;
esac

#!/bin/sh
# The layering rules of README.md ("Architecture"), checked on the sources:
# which folder may include which, and no include circle in the VM runtime
# but vm/vcpu/freeze. One line per rule, then "N passed, N failed".
#   tests/layers.sh [LIBVM]   LIBVM: build/ARCH/libktvm-vm.a, whose link
#                             test (tests/layers/vm_only.c) ran already
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0

# The quoted includes of the files under DIR (FILE:PATH lines).
includes() {
	find "$1" -name '*.[chS]' | sort | while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | sed "s|^|$f:|"
	done
}

# rule NAME DIR ALLOWED-REGEX [EXCLUDE-REGEX]: every include of DIR's files
# matches ALLOWED (files matching EXCLUDE are not checked).
rule() {
	bad=$(includes "$2" | { if [ -n "${4:-}" ]; then grep -Ev "$4"; else cat; fi; } |
		grep -Ev "^[^:]*:($3)$")
	if [ -z "$bad" ]; then
		echo "ok   $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1: forbidden includes (expected only $3):"
		echo "$bad" | sed 's/^/       /'
		fail=$((fail + 1))
	fi
}

rule core_base_is_a_leaf core/base 'core/base/.*'
rule core_vm_on_base core/vm 'core/(base|vm)/.*|ktvm-arch\.h'
rule core_debug_on_vm core/debug 'core/(base|vm|debug)/.*|wire/.*|ktvm-arch\.h'
rule core_image_on_base core/image 'core/(base|image)/.*|wire/.*'
rule core_fw_on_vm core/fw 'core/(base|vm|fw)/.*|ktvm-arch\.h'
rule core_run_on_core core/run 'core/.*|wire/.*|ktvm-arch\.h'
rule wire_self_contained wire 'wire/.*'
rule guest_on_wire_and_base guest 'guest/.*|wire/.*|core/base/.*'
# Device models see their bus and the base, never the VM; the device
# manager (devices/virtio/*attach*) wires them to it.
rule device_models_see_no_vm devices 'devices/.*|core/base/.*|core/vm/(bus|ioloop)\.h' \
	'^devices/virtio/([a-z]+_)?attach\.[ch]:'
rule device_manager_on_vm devices 'devices/.*|core/(base|vm)/.*|ktvm-arch\.h'
rule arch_below_tools arch 'arch/.*|core/.*|devices/.*|wire/.*|ktvm-arch\.h'

# Include circles among core/vm's modules (a file includes another's
# header): only the intrinsic vm/vcpu/freeze one is allowed.
loops=$(includes core/vm | sed -n 's|^core/vm/\([^.]*\)\.[ch]:core/vm/\([^.]*\)\.h$|\1 \2|p' |
	awk '$1 != $2' | tsort 2>&1 >/dev/null | grep -v 'input contains a loop' |
	sed 's/^tsort: //' | grep -Evx 'vm|vcpu|freeze' | sort -u)
if [ -z "$loops" ]; then
	echo "ok   core_vm_no_circle_but_vm_vcpu_freeze"
	pass=$((pass + 1))
else
	echo "FAIL core_vm_no_circle_but_vm_vcpu_freeze: modules in an include circle: $(echo "$loops" | tr '\n' ' ')"
	fail=$((fail + 1))
fi

if [ -n "${1:-}" ]; then
	# core/debug's and core/run's objects, and the arch's page walker.
	dbg=$(ar t "$1" | grep -E '^(debug|dump|watch|gva|dumpname|arch_none|agent|channel|result|ptwalk)\.o$' |
		tr '\n' ' ')
	if [ -z "$dbg" ]; then
		echo "ok   core_vm_links_without_core_debug ($(basename "$1"): tests/layers/vm_only linked)"
		pass=$((pass + 1))
	else
		echo "FAIL core_vm_links_without_core_debug: $1 holds $dbg"
		fail=$((fail + 1))
	fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

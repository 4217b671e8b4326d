#!/bin/sh
# make check: unit tests, then the KVM integration tests (nested harness or
# direct), then one total line "N passed, N failed[, N skipped]".
#   env: ARCH BUILD KTVM_CACHE TARGET_RUN; args: unit-test binaries
set -u
# shellcheck source=tests/summary.sh
. "$(dirname "$0")/summary.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

echo "### unit tests ($ARCH)"
tests/run-unit.sh "${TARGET_RUN:-}" "$@" | tee "$log"
summary_add "$log" "unit tests"

echo "### integration tests ($ARCH)"
tests/harness/run.sh | tee "$log"
summary_add "$log" "integration tests"

echo "### total ($ARCH)"
summary_print
summary_ok

# shellcheck shell=sh
# Totals over test runs that each end with "N passed, N failed[, N skipped]".
# Source it, then: summary_add LOG WHAT (adds LOG's last summary line, or
# counts one failure when there is none), summary_pass / summary_fail for a
# single check, and summary_print to print the total line. summary_ok tells
# whether nothing failed.
sum_p=0 sum_f=0 sum_s=0

summary_add() { # LOG WHAT
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$last" ]; then
		echo "FAIL $2: no summary line"
		sum_f=$((sum_f + 1))
		return
	fi
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.*, \([0-9]*\) skipped$/\1/p')
	sum_p=$((sum_p + p)) sum_f=$((sum_f + f)) sum_s=$((sum_s + ${s:-0}))
}

summary_pass() { sum_p=$((sum_p + 1)); }
summary_fail() { sum_f=$((sum_f + 1)); }

summary_print() {
	if [ "$sum_s" -gt 0 ]; then
		echo "$sum_p passed, $sum_f failed, $sum_s skipped"
	else
		echo "$sum_p passed, $sum_f failed"
	fi
}

summary_ok() { [ "$sum_f" -eq 0 ]; }

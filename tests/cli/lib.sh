# lib.sh -- helpers shared by the CLI test scripts (sourced, not run).
#
#   setup NAME          $work: a fresh temporary directory, removed at exit
#   ok MSG / bad MSG    report one check; bad counts a failure
#   expect NAME WANT ARGS...
#                       `mlcc compile ARGS... OUT` fails with exit status 1,
#                       prints exactly WANT on stderr and leaves OUT empty
#   finish              summary line; the script's exit status
#   in_mount_ns CMD...  run CMD as root of a private mount namespace (so a
#                       test can mount a tmpfs); status 77 when impossible
set -u
fails=0
n=0

setup() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/mlcc-$1-XXXXXX")
	trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
}

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

expect() {
	name=$1
	want=$2
	shift 2
	n=$((n + 1))
	out="$work/out-$n"
	mkdir -p "$out"
	"$mlcc" compile "$@" "$out" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	left=$(ls -A "$out")
	if [ "$rc" != 1 ] || [ "$got" != "$want" ] || [ -n "$left" ]; then
		bad "$name"
		echo "  exit:     $rc (want 1)"
		echo "  stderr:   $got"
		echo "  want:     $want"
		[ -n "$left" ] && echo "  left behind: $left"
	else
		ok "$name"
	fi
}

finish() {
	echo "$(basename "$0" .sh): $fails failed"
	[ "$fails" = 0 ]
}

in_mount_ns() {
	if unshare -rm true 2>/dev/null; then
		unshare -rm "$@"
	else
		return 77
	fi
}

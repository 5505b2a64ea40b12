#!/bin/sh
# tools/check-format.sh SRCDIR -- every C file of the tree laid out as
# .clang-format says (`clang-format --dry-run --Werror`).  The layout is
# fixed with Debian 12's clang-format 14; another major version may lay
# out some lines differently, so it reports SKIPPED (exit 77) rather than
# fail -- except under CI=true, where a missing or different clang-format
# is a failure.
set -eu
src=${1:?usage: check-format.sh SRCDIR}
cd "$src"
cf=$(command -v clang-format-14 || command -v clang-format || true)
skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $1 (CI=true)"
		exit 1
	fi
	echo "SKIPPED: $1"
	exit 77
}
[ -n "$cf" ] || skip "no clang-format (apt-get install clang-format)"
major=$("$cf" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
[ "$major" = 14 ] || skip "clang-format $major found, the layout is fixed with clang-format 14"
if [ -d .git ] || [ -f .git ]; then
	files=$(git ls-files '*.c' '*.h')
else
	files=$(find src cli include tests fuzz bench examples -name '*.[ch]' | sort)
fi
n=$(echo "$files" | wc -l)
if echo "$files" | xargs "$cf" --dry-run --Werror 2>/tmp/check-format.$$; then
	rm -f /tmp/check-format.$$
	echo "clang-format: $n files laid out as .clang-format says"
	exit 0
fi
head -40 /tmp/check-format.$$
rm -f /tmp/check-format.$$
echo "FAIL: run clang-format -i on the files above"
exit 1

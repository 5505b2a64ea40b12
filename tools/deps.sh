#!/bin/sh
# tools/deps.sh -- make sure the Debian packages mlcc builds with are present.
#
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails.  Used by the Makefile before
# every build; `tools/deps.sh deb` also wants what `make deb` needs.
set -eu

# package:file-or-command that proves it is installed
NEEDS="
gcc:cmd:gcc
make:cmd:make
cmake:cmd:cmake
pkg-config:cmd:pkg-config
protobuf-c-compiler:cmd:protoc-c
libprotobuf-c-dev:pc:libprotobuf-c
libjansson-dev:pc:jansson
nettle-dev:pc:nettle
mandoc:cmd:mandoc
libyaml-dev:pc:yaml-0.1
clang-format:cmd:clang-format
"

# `make deb` only: the Debian packaging tools.
if [ "${1:-}" = deb ]; then
	NEEDS="$NEEDS debhelper:cmd:dh dpkg-dev:cmd:dpkg-buildpackage"
fi

missing=""
for spec in $NEEDS; do
	pkg=${spec%%:*}
	rest=${spec#*:}
	kind=${rest%%:*}
	what=${rest#*:}
	case $kind in
	cmd) command -v "$what" >/dev/null 2>&1 || missing="$missing $pkg" ;;
	pc) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$what" ||
		missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: install them with:  sudo apt-get install -y$missing" >&2
exit 1

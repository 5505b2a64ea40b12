#!/bin/sh
# tools/make-deb.sh OUT_DIR -- `make deb`: the Debian packages mlcc,
# libmlcc0 and libmlcc-dev, built with `dpkg-buildpackage -us -uc -b` from
# a copy of the source tree in OUT_DIR/mlcc-VERSION (dpkg-buildpackage
# writes its results into the parent of the tree it builds, so they land
# in OUT_DIR, not beside the checkout).  Offline; needs debhelper and
# dpkg-dev (tools/deps.sh deb installs them) and the build dependencies
# of debian/control.  Prints the .deb paths.
set -eu
out=${1:?usage: tools/make-deb.sh OUT_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || {
		echo "make deb: needs ${tool#*:} (apt-get install debhelper dpkg-dev)" >&2
		exit 1
	}
done
version=$(sed -n 's/^#define MLCC_VERSION_STRING "\(.*\)"/\1/p' "$src/include/mlcc.h")
changelog=$(sed -n '1s/^mlcc (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ "$version" != "$changelog" ]; then
	echo "make deb: mlcc.h says $version, debian/changelog says $changelog" >&2
	exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/mlcc-$version
rm -rf "$tree" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$tree"
# The working tree as it is, without build directories or git metadata.
(cd "$src" && tar --exclude='./build*' --exclude=./.git --exclude='./python/*.egg-info' \
	--exclude='__pycache__' -cf - .) | (cd "$tree" && tar -xf -)
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b) \
	>"$out/build.log" 2>&1 || {
	tail -30 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
}
rm -rf "$tree"
ls "$out"/*.deb

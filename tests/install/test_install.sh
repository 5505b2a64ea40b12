#!/bin/sh
# test_install.sh BUILD_DIR MKPKG CC "CFLAGS" -- install the library into a
# scratch prefix (`cmake --install`, DESTDIR honoured), then check that
# libmlcc.so (SONAME libmlcc.so.0) and libmlcc.a export only mlcc_*
# symbols, and build and run tests/install/client.c against the INSTALLED
# library through pkg-config, linked dynamically and statically.
set -u
build=$1 mkpkg=$2 cc=$3 cflags=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
setup install

command -v pkg-config >/dev/null || { echo "SKIPPED: no pkg-config"; exit 77; }
prefix=/opt/mlcc-test
DESTDIR=$work/dest cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 &&
	ok "cmake --install with DESTDIR" || bad "install: $(tail -3 "$work/install.log")"
root=$work/dest$prefix
for f in lib/libmlcc.so.0 lib/libmlcc.a include/mlcc.h lib/pkgconfig/mlcc.pc bin/mlcc \
	share/man/man1/mlcc.1 share/man/man1/compile_models.1 share/man/man3/mlcc.3 \
	share/bash-completion/completions/mlcc share/bash-completion/completions/compile_models \
	share/zsh/vendor-completions/_mlcc; do
	[ -e "$root/$f" ] && ok "installed $f" || bad "missing $f"
done
readelf -d "$root/lib/libmlcc.so" | grep -q 'SONAME.*\[libmlcc\.so\.0\]' &&
	ok "SONAME libmlcc.so.0" || bad "SONAME: $(readelf -d "$root/lib/libmlcc.so" | grep SONAME)"
grep -q "^prefix=$prefix\$" "$root/lib/pkgconfig/mlcc.pc" && ok "mlcc.pc prefix" ||
	bad "mlcc.pc: $(head -1 "$root/lib/pkgconfig/mlcc.pc")"

# Exported symbols: only mlcc_*.
others=$(nm -D --defined-only "$root/lib/libmlcc.so" | awk '{print $3}' |
	grep -v '^mlcc_' | grep -v '^_init$\|^_fini$' | head -5)
n=$(nm -D --defined-only "$root/lib/libmlcc.so" | awk '$3 ~ /^mlcc_/' | wc -l)
[ -z "$others" ] && [ "$n" -gt 10 ] && ok "libmlcc.so exports $n symbols, all mlcc_*" ||
	bad "libmlcc.so exports non-mlcc symbols: $others"
others=$(nm -g --defined-only "$root/lib/libmlcc.a" 2>/dev/null | awk 'NF == 3 {print $3}' |
	grep -v '^mlcc_' | head -5)
[ -z "$others" ] && ok "libmlcc.a: only mlcc_* global" || bad "libmlcc.a globals: $others"

# The client, through pkg-config, against the installed files (the
# prefix moved under DESTDIR: pkg-config's sysroot rewrites the paths).
export PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$work/dest
"$mkpkg" "$work/tiny.mlpackage" || bad "mkpkg"
# shellcheck disable=SC2086
if $cc $cflags $(pkg-config --cflags mlcc) "$here/client.c" -o "$work/client" \
	$(pkg-config --libs mlcc) -Wl,-rpath,"$root/lib" 2>"$work/cc.log"; then
	ok "client builds against libmlcc.so"
	LD_LIBRARY_PATH=$root/lib "$work/client" "$work/tiny.mlpackage" "$work/out" >"$work/run" 2>&1 &&
		grep -q "/out/tiny.mlmodelc\$" "$work/run" && ok "client compiles through libmlcc.so" ||
		bad "client (shared): $(cat "$work/run")"
	ldd "$work/client" | grep -q "libmlcc.so.0 => $root/lib" && ok "client uses the installed libmlcc.so.0" ||
		bad "client links: $(ldd "$work/client" | grep mlcc)"
else
	bad "client (shared) does not build: $(head -5 "$work/cc.log")"
fi
# shellcheck disable=SC2086
if $cc $cflags $(pkg-config --cflags mlcc) "$here/client.c" -o "$work/client-static" \
	"$root/lib/libmlcc.a" $(pkg-config --static --libs-only-l mlcc | sed 's/-lmlcc//') \
	2>"$work/cc.log"; then
	ok "client builds against libmlcc.a"
	"$work/client-static" "$work/tiny.mlpackage" "$work/out2" >"$work/run" 2>&1 &&
		ok "client compiles through libmlcc.a" || bad "client (static): $(cat "$work/run")"
else
	bad "client (static) does not build: $(head -5 "$work/cc.log")"
fi
finish

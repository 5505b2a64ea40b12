#!/bin/sh
# test_deb.sh SRCDIR MKPKG -- `make deb`'s packages (tools/make-deb.sh):
# build them from SRCDIR, unpack each .deb into a scratch root (dpkg -x),
# run the unpacked mlcc and compile_models on a package, read the man
# pages, check the library's SONAME, build a client against the unpacked
# libmlcc-dev.  About a minute (a Release build).  SKIPPED without
# dpkg-buildpackage and debhelper.
set -u
srcdir=$1 mkpkg=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
setup deb

for t in dpkg-buildpackage dh dpkg-deb; do
	command -v $t >/dev/null 2>&1 || { echo "SKIPPED: no $t (apt-get install debhelper dpkg-dev)"; exit 77; }
done
if sh "$srcdir/tools/make-deb.sh" "$work/deb" >"$work/debs" 2>"$work/err"; then
	ok "make-deb.sh builds: $(for f in $(cat "$work/debs"); do basename "$f"; done | grep -v dbgsym | tr '\n' ' ')"
else
	bad "make-deb.sh: $(tail -5 "$work/err")"
	finish
	exit 1
fi
version=$(sed -n 's/^#define MLCC_VERSION_STRING "\(.*\)"/\1/p' "$srcdir/include/mlcc.h")
arch=$(dpkg --print-architecture)
multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
root=$work/root
for p in mlcc libmlcc0 libmlcc-dev; do
	deb=$work/deb/${p}_${version}_$arch.deb
	if [ -f "$deb" ] && dpkg -x "$deb" "$root"; then ok "dpkg -x $(basename "$deb")"; else bad "no $deb"; fi
done
[ "$(ls "$work/deb"/*.deb 2>/dev/null | grep -vc dbgsym)" = 3 ] && ok "exactly three packages" ||
	bad "packages: $(ls "$work/deb")"
[ -z "$(ls "$work/deb" | grep -v '\.\(deb\|changes\|buildinfo\|log\)$')" ] && ok "no build tree left in the output" ||
	bad "left in output: $(ls "$work/deb")"

# Who holds what.
contents() { dpkg-deb -c "$work/deb/${1}_${version}_$arch.deb" | awk '{print $6}'; }
for f in ./usr/bin/mlcc ./usr/bin/compile_models ./usr/share/man/man1/mlcc.1.gz \
	./usr/share/man/man1/compile_models.1.gz ./usr/share/bash-completion/completions/mlcc \
	./usr/share/zsh/vendor-completions/_mlcc; do
	contents mlcc | grep -qx "$f" && ok "mlcc holds $f" || bad "mlcc lacks $f"
done
contents libmlcc0 | grep -qx "./usr/lib/$multi/libmlcc.so.$version" && ok "libmlcc0 holds libmlcc.so.$version" ||
	bad "libmlcc0: $(contents libmlcc0 | tr '\n' ' ')"
for f in ./usr/include/mlcc.h ./usr/lib/$multi/libmlcc.a ./usr/lib/$multi/pkgconfig/mlcc.pc \
	./usr/share/man/man3/mlcc.3.gz; do
	contents libmlcc-dev | grep -qx "$f" && ok "libmlcc-dev holds $f" || bad "libmlcc-dev lacks $f"
done
dpkg-deb -f "$work/deb/libmlcc-dev_${version}_$arch.deb" Depends | grep -q "libmlcc0 (= $version)" &&
	ok "libmlcc-dev depends on libmlcc0 (= $version)" || bad "libmlcc-dev Depends"

# Installable: apt resolves every dependency of the three (a simulation; nothing is installed).
if command -v apt-get >/dev/null 2>&1; then
	(cd "$work/deb" && apt-get install -s "./mlcc_${version}_$arch.deb" "./libmlcc0_${version}_$arch.deb" \
		"./libmlcc-dev_${version}_$arch.deb") >"$work/apt" 2>&1
	rc=$?
	# (already installed here in this version: apt says so instead of Inst)
	n=$(grep -c '^Inst \(mlcc\|libmlcc0\|libmlcc-dev\) \|^\(mlcc\|libmlcc0\|libmlcc-dev\) is already the newest' "$work/apt")
	[ $rc = 0 ] && [ "$n" = 3 ] &&
		ok "apt-get install -s: the three packages are installable" ||
		bad "apt-get install -s (exit $rc): $(tail -5 "$work/apt")"
fi

# Run what was unpacked.
lib=$root/usr/lib/$multi
readelf -d "$lib/libmlcc.so.0" | grep -q 'SONAME.*\[libmlcc\.so\.0\]' && ok "SONAME libmlcc.so.0" || bad "SONAME"
"$mkpkg" "$work/tiny.mlpackage" || bad "mkpkg"
got=$(LD_LIBRARY_PATH=$lib "$root/usr/bin/mlcc" compile "$work/tiny.mlpackage" "$work/out" 2>&1)
[ "$got" = "$work/out/tiny.mlmodelc" ] && [ -f "$work/out/tiny.mlmodelc/model.mil" ] &&
	ok "unpacked mlcc compiles" || bad "unpacked mlcc: $got"
got=$(LD_LIBRARY_PATH=$lib "$root/usr/bin/mlcc" version)
[ "$got" = "mlcc $version" ] && ok "unpacked mlcc version" || bad "version: $got"
mkdir -p "$work/cm"
cp -r "$work/tiny.mlpackage" "$work/cm/llama_embeddings.mlpackage"
LD_LIBRARY_PATH=$lib "$root/usr/bin/compile_models" 1 --input "$work/cm" --quiet >"$work/log" 2>&1 &&
	[ -d "$work/cm/llama_embeddings.mlmodelc" ] && ok "unpacked compile_models compiles" ||
	bad "compile_models: $(cat "$work/log")"
[ "$(readlink "$root/usr/bin/coremlcompiler")" = mlcc ] && ok "coremlcompiler -> mlcc" || bad "coremlcompiler link"
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$root/usr/share/man/man1/mlcc.1.gz" 2>/dev/null | grep -q 'mlcc compile \[options\] in outdir' &&
		ok "man -l mlcc.1.gz" || bad "man -l mlcc.1.gz"
	MANWIDTH=80 man -l "$root/usr/share/man/man3/mlcc.3.gz" 2>/dev/null | grep -q 'mlcc_compile' &&
		ok "man -l mlcc.3.gz" || bad "man -l mlcc.3.gz"
fi
grep -q '^prefix=/usr$' "$lib/pkgconfig/mlcc.pc" && ok "mlcc.pc prefix=/usr" || bad "mlcc.pc: $(head -2 "$lib/pkgconfig/mlcc.pc")"

# A client built against the unpacked development files.
if cc -I"$root/usr/include" "$here/client.c" -o "$work/client" -L"$lib" -lmlcc 2>"$work/cc.log"; then
	LD_LIBRARY_PATH=$lib "$work/client" "$work/tiny.mlpackage" "$work/out2" >"$work/run" 2>&1 &&
		ok "client against libmlcc-dev compiles" || bad "client: $(cat "$work/run")"
else
	bad "client does not build: $(head -3 "$work/cc.log")"
fi
finish

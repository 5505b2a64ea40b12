#!/bin/sh
# test_pip.sh LIBMLCC MLCC MKPKG [PRELOAD] -- `pip install ./python` offline
# (--no-index: nothing may be downloaded) into a fresh venv, then the
# installed package finds libmlcc three ways: $MLCC_LIBRARY, a copy bundled
# in the wheel (MLCC_BUNDLE_LIBRARY at build time), and lib/ beside the
# `mlcc` program on PATH.  SKIPPED without python3 with venv and pip.
set -u
lib=$1 mlcc=$2 mkpkg=$3 preload=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
setup pip

py=
for c in ${MLCC_PYTHON:-} /usr/bin/python3 python3; do
	command -v "$c" >/dev/null 2>&1 && "$c" -c 'import venv, ensurepip' 2>/dev/null && { py=$c; break; }
done
[ -n "$py" ] || { echo "SKIPPED: no python3 with venv and ensurepip"; exit 77; }
"$py" -m venv "$work/venv" >"$work/venv.log" 2>&1 ||
	{ echo "SKIPPED: python3 -m venv fails: $(tail -1 "$work/venv.log")"; exit 77; }
vpy=$work/venv/bin/python

# The source is copied: the build must not need to write into python/.
cp -r "$here/../../python" "$work/src"
chmod -R a-w "$work/src"
if "$vpy" -m pip install --no-index --no-cache-dir "$work/src" >"$work/pip.log" 2>&1; then
	ok "pip install --no-index ./python (offline)"
else
	bad "pip install: $(tail -5 "$work/pip.log")"
fi
chmod -R u+w "$work/src"

"$mkpkg" "$work/tiny.mlpackage" || bad "mkpkg"
if [ -n "$preload" ]; then
	export LD_PRELOAD=$preload ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
cd "$work" || exit 1
# pyexec ENV... -- CODE: the venv's python, outside the source tree.
got=$(env MLCC_LIBRARY="$lib" "$vpy" -c '
import mlcc, sys
print(mlcc.__file__.startswith(sys.prefix), mlcc.compile(sys.argv[1], sys.argv[2]))' \
	"$work/tiny.mlpackage" "$work/out1" 2>&1)
[ "$got" = "True $work/out1/tiny.mlmodelc" ] && ok "installed package compiles (MLCC_LIBRARY)" ||
	bad "installed: $got"

# An installed prefix (make install PREFIX=P): P/bin/mlcc on PATH, P/lib/libmlcc.so.0.
mkdir -p "$work/p/bin" "$work/p/lib"
ln -s "$mlcc" "$work/p/bin/mlcc"
ln -s "$lib" "$work/p/lib/libmlcc.so.0"
got=$(env -u MLCC_LIBRARY PATH="$work/p/bin:/usr/bin:/bin" "$vpy" -c '
import mlcc; print(mlcc.library_path())' 2>&1)
[ "$got" = "$work/p/lib/libmlcc.so.0" ] && ok "library found beside the mlcc program on PATH" ||
	bad "PATH prefix: $got"

got=$(env MLCC_LIBRARY="$work/none.so" "$vpy" -c '
import mlcc
try:
    mlcc.version()
except mlcc.Error as e:
    print(e.status, e.message)' 2>&1)
[ "$got" = "1 libmlcc not found; set MLCC_LIBRARY to its path. Tried: $work/none.so (absent)" ] &&
	ok "a missing library is an mlcc.Error naming what was tried" || bad "missing library: $got"
# Bundled: a wheel with the library inside; no MLCC_LIBRARY, nothing on PATH.
MLCC_BUNDLE_LIBRARY=$lib "$vpy" -m pip install --no-index --no-cache-dir --force-reinstall "$work/src" >"$work/pip.log" 2>&1 ||
	bad "pip install (bundled): $(tail -3 "$work/pip.log")"
got=$(env -u MLCC_LIBRARY PATH=/usr/bin:/bin "$vpy" -c '
import mlcc, os, sys
print(mlcc.library_path() == os.path.join(os.path.dirname(mlcc.__file__), "libmlcc.so.0"),
      mlcc.compile(sys.argv[1], sys.argv[2]))' "$work/tiny.mlpackage" "$work/out2" 2>&1)
[ "$got" = "True $work/out2/tiny.mlmodelc" ] && ok "bundled library found beside the package" ||
	bad "bundled: $got"

finish

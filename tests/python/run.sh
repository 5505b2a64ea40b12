#!/bin/sh
# run.sh TEST.py LIBMLCC MLCC [PRELOAD] -- run one Python test file of
# tests/python on the build's library ($MLCC_LIBRARY=LIBMLCC), with the
# package from python/ on sys.path.  PRELOAD: the sanitizer runtimes an
# instrumented libmlcc needs loaded first (python itself is not built with
# them).  Python: $MLCC_PYTHON, else the first python3 on PATH or in
# /usr/bin that has numpy, else any python3 (tests that need numpy then
# report SKIPPED); none at all: SKIPPED (exit 77).
set -u
test=$1 lib=$2 mlcc=$3 preload=${4:-}
here=$(cd "$(dirname "$0")" && pwd)

py=${MLCC_PYTHON:-}
if [ -z "$py" ]; then
	for c in python3 /usr/bin/python3; do
		command -v "$c" >/dev/null 2>&1 && "$c" -c 'import numpy' 2>/dev/null && { py=$c; break; }
	done
fi
if [ -z "$py" ]; then
	for c in python3 /usr/bin/python3; do
		command -v "$c" >/dev/null 2>&1 && { py=$c; break; }
	done
fi
[ -n "$py" ] || { echo "SKIPPED: no python3"; exit 77; }

export MLCC_LIBRARY=$lib MLCC=$mlcc MLCC_PYTHON_EXE=$py
export PYTHONPATH=$here/../../python${PYTHONPATH:+:$PYTHONPATH}
export PYTHONDONTWRITEBYTECODE=1
if [ -n "$preload" ]; then
	# Python's own allocations are not ours to check for leaks.
	export LD_PRELOAD=$preload ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
"$py" "$here/$test"
rc=$?
# A test file exits 77 itself when all it could do was skip.
exit $rc

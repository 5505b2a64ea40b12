"""mlcc: a portable Core ML model compiler, from Python.

Bindings (ctypes) to libmlcc, the C library of the mlcc project; no compiled
extension.  The library is found as _lib.candidates() says: $MLCC_LIBRARY,
beside this package, next to the `mlcc` program on PATH, or the system's.

    import mlcc
    bundle = mlcc.compile("Model.mlpackage", "out")      # out/Model.mlmodelc
    info = mlcc.inspect(bundle)                           # docs/inspect-json.md
    outputs = mlcc.run(bundle, {"x": numpy_array})        # needs the runtime

Every failure raises mlcc.Error, with the library's status (.status, an int of
enum mlcc_status) and its one-line message (.message).
"""

import ctypes
import json
import os
import tempfile
import warnings

from . import _lib

__version__ = "0.2.0"

__all__ = [
    "Error",
    "compile",
    "compile_model",
    "decompile",
    "assemble",
    "inspect",
    "diff",
    "DiffResult",
    "run",
    "Model",
    "State",
    "version",
    "known_coremlc_versions",
    "library_path",
]

# enum mlcc_status
OK, E_IO, E_CORRUPT, E_UNSUPPORTED, E_NOMEM, E_USAGE, E_INTERNAL = range(7)


class Error(Exception):
    """A failed mlcc operation: .status (enum mlcc_status) and .message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def status_name(self):
        """The library's name of the status ("malformed input", ...)."""
        try:
            return _lib.load().lib.mlcc_status_name(self.status).decode()
        except OSError:
            return str(self.status)

    def __str__(self):
        return self.message


def _library():
    """The loaded library, or Error (status E_IO) when it cannot be found."""
    try:
        return _lib.load()
    except OSError as e:
        raise Error(E_IO, str(e)) from None


def _path(p, what):
    """A file-system path argument as bytes for C; Error(E_USAGE) if it is not one."""
    if isinstance(p, bytes):
        return p
    try:
        return os.fsencode(os.fspath(p))
    except TypeError:
        raise Error(E_USAGE, f"{what}: expected a path, got {type(p).__name__}") from None


def _opt(s):
    return None if s is None else str(s).encode()


def _check(rc, diag):
    if rc != OK:
        raise Error(rc, diag.message.decode("utf-8", "replace"))


def library_path():
    """The path of the libmlcc in use."""
    return _library().path


def version():
    """The version of the loaded library ("0.2.0")."""
    return _library().lib.mlcc_version().decode()


def known_coremlc_versions():
    """Every compiler stamp mlcc can write, oldest first: [(coremlc, mil), ...]."""
    lib = _library().lib
    out = []
    mil = ctypes.c_char_p()
    i = 0
    while True:
        v = lib.mlcc_known_coremlc_version(i, ctypes.byref(mil))
        if v is None:
            return out
        out.append((v.decode(), (mil.value or b"").decode()))
        i += 1


class _Warnings:
    """Collects the library's warning events (they may arrive on another
    thread) and re-issues them as Python warnings after the call; passes
    progress events to 'progress' (subject, done, total) when given."""

    def __init__(self, progress=None):
        self.messages = []
        self.progress = progress
        self.error = None
        self.fn = _lib.EVENT_FN(self._on_event)

    def _on_event(self, _ctx, ev):
        e = ev.contents
        if e.kind == _lib.EVENT_WARNING and e.message:
            self.messages.append(e.message.decode("utf-8", "replace"))
        elif e.kind == _lib.EVENT_PROGRESS and self.progress is not None and self.error is None:
            try:
                self.progress(os.fsdecode(e.subject or b""), e.done, e.total)
            except BaseException as exc:  # re-raised after the call: C cannot unwind
                self.error = exc

    def emit(self):
        for m in self.messages:
            warnings.warn(m, RuntimeWarning, stacklevel=3)


def compile(src, out_dir, coremlc_version=None, link="copy", mil_version=None, progress=None):
    """Compile 'src' (an .mlpackage directory or .mlmodel file) into
    'out_dir'/<stem>.mlmodelc, byte-identical to Apple's coremlcompiler;
    returns the bundle's path.  'coremlc_version' picks the compiler stamp
    (None: the newest known, see known_coremlc_versions()); 'link' is how
    weight files reach the bundle: "copy", "reflink", "hard" or "auto".
    'progress', if given, is called as progress(file, done, total) while
    weight files are copied (from the copying thread); an exception it
    raises is raised again when the compile returns."""
    lib = _library().lib
    mode = lib.mlcc_link_mode_parse(str(link).encode())
    if mode < 0:
        raise Error(E_USAGE, f"link must be copy, reflink, hard or auto, not '{link}'")
    w = _Warnings(progress)
    o = _lib.CompileOptions(
        _path(src, "src"), _path(out_dir, "out_dir"), _opt(coremlc_version), _opt(mil_version),
        mode, w.fn, None,
    )
    r = _lib.CompileResult()
    d = _lib.Diag()
    rc = lib.mlcc_compile(ctypes.byref(o), ctypes.byref(r), ctypes.byref(d))
    _check(rc, d)
    try:
        bundle = os.fsdecode(ctypes.string_at(r.bundle))
    finally:
        lib.mlcc_compile_result_free(ctypes.byref(r))
    w.emit()
    if w.error is not None:
        raise w.error
    return bundle


def decompile(bundle, out):
    """Read the compiled 'bundle' back into the package (or .mlmodel) 'out'
    that compiles to the same bundle; returns 'out'."""
    d = _lib.Diag()
    _check(_library().lib.mlcc_decompile(_path(bundle, "bundle"), _path(out, "out"), ctypes.byref(d)), d)
    return os.fspath(out)


def assemble(mil, output, weights_dir=None, spec_version=0, description_from=None):
    """Turn the MIL text file 'mil' into the package 'output'; returns 'output'."""
    o = _lib.AssembleOptions(
        _path(mil, "mil"),
        None if weights_dir is None else _path(weights_dir, "weights_dir"),
        int(spec_version),
        None if description_from is None else _path(description_from, "description_from"),
        _path(output, "output"),
    )
    d = _lib.Diag()
    _check(_library().lib.mlcc_assemble(ctypes.byref(o), ctypes.byref(d)), d)
    return os.fspath(output)


def _to_text(call):
    """Run call(FILE *) on a temporary file; returns (status, text)."""
    libc = _lib.libc()
    with tempfile.TemporaryFile() as f:
        fp = libc.fdopen(os.dup(f.fileno()), b"w")
        if not fp:
            raise Error(E_IO, f"fdopen: {os.strerror(ctypes.get_errno())}")
        try:
            rc = call(fp)
        finally:
            libc.fclose(fp)
        f.seek(0)
        return rc, f.read().decode("utf-8", "replace")


def inspect(path):
    """Describe a package, .mlmodel or bundle: the dict of docs/inspect-json.md."""
    lib = _library().lib
    d = _lib.Diag()
    rc, text = _to_text(lambda fp: lib.mlcc_inspect(_path(path, "path"), 1, fp, ctypes.byref(d)))
    _check(rc, d)
    return json.loads(text)


class DiffResult:
    """What diff() found: .different (bool) and .report (the text mlcc diff prints)."""

    def __init__(self, different, report):
        self.different = different
        self.report = report

    def __repr__(self):
        return f"DiffResult(different={self.different!r}, report={self.report!r})"


def diff(a, b, interface=False):
    """Compare two models (packages, .mlmodel files, bundles, in any mix);
    interface=True compares only functions, inputs, outputs and states."""
    lib = _library().lib
    d = _lib.Diag()
    different = ctypes.c_int(0)
    rc, text = _to_text(
        lambda fp: lib.mlcc_diff(
            _path(a, "a"), _path(b, "b"), 1 if interface else 0, fp, ctypes.byref(different),
            ctypes.byref(d),
        )
    )
    _check(rc, d)
    return DiffResult(bool(different.value), text)


from ._run import Model, State, run  # noqa: E402  (needs Error, defined above)
from ._coremltools import compile_model  # noqa: E402

"""Finding libmlcc.so and declaring its C interface (include/mlcc.h) for ctypes.

Only what the package calls is declared.  Structures mirror mlcc.h field by
field: a change there must be made here too (tests/python checks the
behaviour through every structure).  Option structures may carry trailing
fields newer than the library (always NULL), never fewer than it has.
"""

import ctypes
import ctypes.util
import os
import shutil
import threading

MAX_RANK = 8


class Diag(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 1024)]


class Event(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int),
        ("message", ctypes.c_char_p),
        ("subject", ctypes.c_char_p),
        ("done", ctypes.c_uint64),
        ("total", ctypes.c_uint64),
    ]


EVENT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Event))
EVENT_PROGRESS = 1
EVENT_WARNING = 2


class CompileOptions(ctypes.Structure):
    _fields_ = [
        ("input", ctypes.c_char_p),
        ("output_dir", ctypes.c_char_p),
        ("coremlc_version", ctypes.c_char_p),
        ("mil_version", ctypes.c_char_p),
        ("link", ctypes.c_int),
        ("on_event", EVENT_FN),
        ("event_ctx", ctypes.c_void_p),
        # Trailing fields that are left NULL: a library whose struct is
        # shorter never reads them; one whose struct has them reads NULL.
        ("partial_info_plist", ctypes.c_char_p),
    ]


class CompileResult(ctypes.Structure):
    _fields_ = [
        ("bundle", ctypes.c_void_p),  # char *, malloc'd: freed by mlcc_compile_result_free
        ("coremlc_version", ctypes.c_char * 32),
        ("mil_version", ctypes.c_char * 32),
        ("bytes_copied", ctypes.c_uint64),
        ("bytes_cloned", ctypes.c_uint64),
        ("bytes_linked", ctypes.c_uint64),
    ]


class AssembleOptions(ctypes.Structure):
    _fields_ = [
        ("mil", ctypes.c_char_p),
        ("weights_dir", ctypes.c_char_p),
        ("spec_version", ctypes.c_int),
        ("description_from", ctypes.c_char_p),
        ("output", ctypes.c_char_p),
        ("on_event", EVENT_FN),  # trailing, left NULL (see CompileOptions)
        ("event_ctx", ctypes.c_void_p),
    ]


class Tensor(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("data", ctypes.c_void_p),
    ]


class Feature(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int),
        ("shape", ctypes.c_int64 * MAX_RANK),
    ]


class Signature(ctypes.Structure):
    _fields_ = [
        ("function", ctypes.c_char_p),
        ("ninputs", ctypes.c_size_t),
        ("noutputs", ctypes.c_size_t),
        ("nstates", ctypes.c_size_t),
        ("inputs", ctypes.POINTER(Feature)),
        ("outputs", ctypes.POINTER(Feature)),
        ("states", ctypes.POINTER(Feature)),
    ]


class Prediction(ctypes.Structure):
    _fields_ = [
        ("noutputs", ctypes.c_size_t),
        ("outputs", ctypes.POINTER(Tensor)),
        ("internal", ctypes.c_void_p),
    ]


class LoadOptions(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_int), ("on_event", EVENT_FN), ("event_ctx", ctypes.c_void_p)]


_P = ctypes.POINTER
_c = ctypes
# name: (restype, argtypes)
_COMPILER = {
    "mlcc_version": (_c.c_char_p, []),
    "mlcc_status_name": (_c.c_char_p, [_c.c_int]),
    "mlcc_link_mode_parse": (_c.c_int, [_c.c_char_p]),
    "mlcc_compile": (_c.c_int, [_P(CompileOptions), _P(CompileResult), _P(Diag)]),
    "mlcc_compile_result_free": (None, [_P(CompileResult)]),
    "mlcc_known_coremlc_version": (_c.c_char_p, [_c.c_size_t, _P(_c.c_char_p)]),
    "mlcc_decompile": (_c.c_int, [_c.c_char_p, _c.c_char_p, _P(Diag)]),
    "mlcc_assemble": (_c.c_int, [_P(AssembleOptions), _P(Diag)]),
    "mlcc_inspect": (_c.c_int, [_c.c_char_p, _c.c_int, _c.c_void_p, _P(Diag)]),
    "mlcc_diff": (_c.c_int, [_c.c_char_p, _c.c_char_p, _c.c_int, _c.c_void_p, _P(_c.c_int), _P(Diag)]),
}
_RUNTIME = {
    "mlcc_model_load": (_c.c_int, [_c.c_char_p, _P(LoadOptions), _P(_c.c_void_p), _P(Diag)]),
    "mlcc_model_free": (None, [_c.c_void_p]),
    "mlcc_model_default_function": (_c.c_char_p, [_c.c_void_p]),
    "mlcc_model_function_count": (_c.c_size_t, [_c.c_void_p]),
    "mlcc_model_function_name": (_c.c_char_p, [_c.c_void_p, _c.c_size_t]),
    "mlcc_model_signature": (_c.c_int, [_c.c_void_p, _c.c_char_p, _P(Signature), _P(Diag)]),
    "mlcc_state_new": (_c.c_int, [_c.c_void_p, _c.c_char_p, _P(_c.c_void_p), _P(Diag)]),
    "mlcc_state_free": (None, [_c.c_void_p]),
    "mlcc_state_get": (_c.c_int, [_c.c_void_p, _c.c_char_p, _P(Tensor), _P(Diag)]),
    "mlcc_state_set": (_c.c_int, [_c.c_void_p, _P(Tensor), _P(Diag)]),
    "mlcc_predict": (
        _c.c_int,
        [_c.c_void_p, _c.c_char_p, _P(Tensor), _c.c_size_t, _c.c_void_p, _P(Prediction), _P(Diag)],
    ),
    "mlcc_prediction_free": (None, [_P(Prediction)]),
}


def _declare(lib, table):
    """Set restype/argtypes of every function of 'table'; False if one is absent."""
    for name, (res, args) in table.items():
        try:
            f = getattr(lib, name)
        except AttributeError:
            return False
        f.restype = res
        f.argtypes = args
    return True


def candidates():
    """Where libmlcc is looked for, in order: $MLCC_LIBRARY; beside this package
    (an installed copy with the library bundled); the lib/ folder next to the
    `mlcc` program on PATH (`make install PREFIX=...`); the system's
    (ctypes.util.find_library, then the SONAME through the loader's path)."""
    out = []
    env = os.environ.get("MLCC_LIBRARY")
    if env:
        return [env]  # an explicit choice is never second-guessed
    here = os.path.dirname(os.path.abspath(__file__))
    out.append(os.path.join(here, "libmlcc.so.0"))
    prog = shutil.which("mlcc")
    if prog:
        # The prefix of the program as found on PATH, then of what it links to.
        for p in dict.fromkeys([os.path.abspath(prog), os.path.realpath(prog)]):
            prefix = os.path.dirname(os.path.dirname(p))
            for libdir in ("lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"):
                out.append(os.path.join(prefix, libdir, "libmlcc.so.0"))
    found = ctypes.util.find_library("mlcc")
    if found:
        out.append(found)
    out.append("libmlcc.so.0")
    return out


class Library:
    """The loaded library: 'lib' (the CDLL), 'path', 'has_runtime'."""

    def __init__(self, lib, path):
        self.lib = lib
        self.path = path
        self.has_runtime = _declare(lib, _RUNTIME)


_lock = threading.Lock()
_loaded = None


def load():
    """The library (loaded once); raises OSError naming every place tried."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        tried = []
        for path in candidates():
            if os.sep in path and not os.path.exists(path):
                tried.append(f"{path} (absent)")
                continue
            try:
                lib = ctypes.CDLL(path)
            except OSError as e:
                tried.append(f"{path} ({e})")
                continue
            if not _declare(lib, _COMPILER):
                tried.append(f"{path} (not libmlcc: no mlcc_compile)")
                continue
            _loaded = Library(lib, path)
            return _loaded
        raise OSError("libmlcc not found; set MLCC_LIBRARY to its path. Tried: " + "; ".join(tried))


_libc = None


def libc():
    """The C library, for fdopen/fclose around the functions that write on a FILE *."""
    global _libc
    if _libc is None:
        c = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        c.fdopen.restype = ctypes.c_void_p
        c.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
        c.fclose.restype = ctypes.c_int
        c.fclose.argtypes = [ctypes.c_void_p]
        _libc = c
    return _libc

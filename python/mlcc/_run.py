"""Running models on the CPU through the runtime API of mlcc.h
(mlcc_model_load, mlcc_predict, states).  NumPy arrays in and out; numpy is
imported only here, so the compiler functions work without it."""

import ctypes
import os

from . import _lib
from . import Error, E_UNSUPPORTED, E_USAGE, _check, _library, _path

# enum mlcc_dtype -> numpy type name
_DTYPES = {
    1: "float16", 2: "float32", 3: "float64", 4: "int8", 5: "uint8", 6: "int16",
    7: "uint16", 8: "int32", 9: "uint32", 10: "int64", 11: "uint64", 12: "bool",
}
_CODES = {v: k for k, v in _DTYPES.items()}


def _np():
    try:
        import numpy
    except ImportError:
        raise Error(E_UNSUPPORTED, "mlcc.run needs numpy (Debian: apt-get install python3-numpy)") from None
    return numpy


def _runtime():
    lib = _library()
    if not lib.has_runtime:
        raise Error(
            E_UNSUPPORTED,
            f"the runtime (mlcc_model_load, mlcc_predict) is not in this library: {lib.path}",
        )
    return lib.lib


def _feature(f):
    return {
        "name": f.name.decode(),
        "dtype": _DTYPES.get(f.dtype, str(f.dtype)),
        "shape": tuple(f.shape[i] for i in range(f.rank)),
    }


def _tensor_in(np, name, value, keep):
    """A Tensor viewing 'value' (converted to a C-ordered little-endian array,
    kept alive in 'keep')."""
    a = np.ascontiguousarray(value)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    code = _CODES.get(a.dtype.name)
    if code is None:
        raise Error(E_USAGE, f"input '{name}': numpy dtype {a.dtype} has no mlcc type")
    if a.ndim > _lib.MAX_RANK:
        raise Error(E_USAGE, f"input '{name}': rank {a.ndim} is more than {_lib.MAX_RANK}")
    keep.append(a)
    t = _lib.Tensor()
    t.name = name.encode()
    keep.append(t.name)
    t.dtype = code
    t.rank = a.ndim
    for i, n in enumerate(a.shape):
        t.shape[i] = n
    t.data = a.ctypes.data
    return t


def _tensor_out(np, t):
    """A numpy copy of the tensor 't' (which the library owns)."""
    dtype = _DTYPES.get(t.dtype)
    if dtype is None:
        raise Error(E_UNSUPPORTED, f"output has unknown mlcc dtype {t.dtype}")
    shape = tuple(t.shape[i] for i in range(t.rank))
    count = 1
    for n in shape:
        count *= n
    size = count * np.dtype(dtype).itemsize
    buf = ctypes.string_at(t.data, size) if size else b""
    return np.frombuffer(buf, dtype=dtype).reshape(shape).copy()


class State:
    """The states of a model function (Core ML's MLState), kept between calls."""

    def __init__(self, model, function=None):
        lib = _runtime()
        self._lib = lib
        self._model = model  # the state may outlive the model, but keep it for get()
        self._ptr = ctypes.c_void_p()
        d = _lib.Diag()
        fn = None if function is None else function.encode()
        _check(lib.mlcc_state_new(model._ptr, fn, ctypes.byref(self._ptr), ctypes.byref(d)), d)

    def get(self, name):
        """A numpy copy of state 'name'."""
        np = _np()
        t = _lib.Tensor()
        d = _lib.Diag()
        _check(self._lib.mlcc_state_get(self._ptr, name.encode(), ctypes.byref(t), ctypes.byref(d)), d)
        return _tensor_out(np, t)

    def set(self, name, value):
        """Copy 'value' into state 'name' (same type and shape)."""
        np = _np()
        keep = []
        t = _tensor_in(np, name, value, keep)
        d = _lib.Diag()
        _check(self._lib.mlcc_state_set(self._ptr, ctypes.byref(t), ctypes.byref(d)), d)

    def close(self):
        if self._ptr:
            self._lib.mlcc_state_free(self._ptr)
            self._ptr = ctypes.c_void_p()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class Model:
    """A model loaded for running (a compiled bundle or a package)."""

    def __init__(self, path, threads=0):
        lib = _runtime()
        self._lib = lib
        self._ptr = ctypes.c_void_p()
        self.path = os.fspath(path)
        o = _lib.LoadOptions(int(threads), _lib.EVENT_FN(), None)
        d = _lib.Diag()
        _check(lib.mlcc_model_load(_path(path, "path"), ctypes.byref(o), ctypes.byref(self._ptr), ctypes.byref(d)), d)

    @property
    def functions(self):
        """The function names, in source order."""
        n = self._lib.mlcc_model_function_count(self._ptr)
        return [self._lib.mlcc_model_function_name(self._ptr, i).decode() for i in range(n)]

    @property
    def default_function(self):
        name = self._lib.mlcc_model_default_function(self._ptr)
        return name.decode() if name else None

    def signature(self, function=None):
        """{'function', 'inputs', 'outputs', 'states'}: each feature a dict of
        name, dtype (numpy name) and shape (-1 where flexible)."""
        s = _lib.Signature()
        d = _lib.Diag()
        fn = None if function is None else function.encode()
        _check(self._lib.mlcc_model_signature(self._ptr, fn, ctypes.byref(s), ctypes.byref(d)), d)
        return {
            "function": s.function.decode() if s.function else function,
            "inputs": [_feature(s.inputs[i]) for i in range(s.ninputs)],
            "outputs": [_feature(s.outputs[i]) for i in range(s.noutputs)],
            "states": [_feature(s.states[i]) for i in range(s.nstates)],
        }

    def new_state(self, function=None):
        return State(self, function)

    def predict(self, inputs, function=None, state=None):
        """Run 'function' on 'inputs' (dict name -> array); returns a dict
        name -> numpy array in the function's output order.  'state' (a
        State) is updated in place."""
        np = _np()
        keep = []
        items = list(inputs.items())
        arr = (_lib.Tensor * max(len(items), 1))()
        for i, (name, value) in enumerate(items):
            arr[i] = _tensor_in(np, str(name), value, keep)
        p = _lib.Prediction()
        d = _lib.Diag()
        fn = None if function is None else function.encode()
        sp = state._ptr if state is not None else None
        _check(self._lib.mlcc_predict(self._ptr, fn, arr, len(items), sp, ctypes.byref(p), ctypes.byref(d)), d)
        try:
            return {p.outputs[i].name.decode(): _tensor_out(np, p.outputs[i]) for i in range(p.noutputs)}
        finally:
            self._lib.mlcc_prediction_free(ctypes.byref(p))

    def close(self):
        if self._ptr:
            self._lib.mlcc_model_free(self._ptr)
            self._ptr = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def run(bundle, inputs, function=None, states=None):
    """Load 'bundle' (X.mlmodelc or X.mlpackage), run 'function' (None: the
    default) once on 'inputs' (dict of numpy arrays) and return its outputs
    (dict of numpy arrays).  'states' (dict name -> numpy array) gives the
    starting values of the function's states (missing ones start at zero);
    after the call each given array holds the updated value, so passing the
    same dict again continues where the last call ended."""
    with Model(bundle) as m:
        sig = m.signature(function)
        state = None
        if sig["states"]:
            state = m.new_state(function)
            for name, value in (states or {}).items():
                state.set(name, value)
        elif states:
            raise Error(E_USAGE, f"function '{sig['function']}' declares no states")
        try:
            out = m.predict(inputs, function, state)
            if state is not None and states:
                np = _np()
                for name, value in states.items():
                    np.copyto(value, state.get(name))
            return out
        finally:
            if state is not None:
                state.close()

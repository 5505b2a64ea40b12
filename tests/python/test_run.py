"""mlcc.run on the build's libmlcc.so: while the library has no runtime,
run() must raise mlcc.Error saying so; with the runtime, y = x + x is
computed on a package the test assembles.  (The marshalling of every
dtype, shape and state is tested on a stand-in library: test_run_fake.py.)"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ADD_MIL, Scratch  # noqa: E402

import mlcc  # noqa: E402
from mlcc import _lib  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None

HAS_RUNTIME = _lib.load().has_runtime


class Run(unittest.TestCase):
    def setUp(self):
        self.s = Scratch()
        self.pkg = mlcc.assemble(self.s.write("add.mil", ADD_MIL), self.s.join("add.mlpackage"))
        self.bundle = mlcc.compile(self.pkg, self.s.join("out"))

    def tearDown(self):
        self.s.close()

    @unittest.skipIf(HAS_RUNTIME, "the library has the runtime")
    def test_without_runtime_run_says_so(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.run(self.bundle, {})
        self.assertEqual(c.exception.status, mlcc.E_UNSUPPORTED)
        self.assertEqual(
            c.exception.message,
            "the runtime (mlcc_model_load, mlcc_predict) is not in this library: "
            + os.environ["MLCC_LIBRARY"],
        )

    @unittest.skipUnless(HAS_RUNTIME, "the runtime is not in this library yet (mlcc_model_load absent)")
    @unittest.skipIf(np is None, "numpy is not installed")
    def test_add_on_bundle_and_package(self):
        x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
        for path in (self.bundle, self.pkg):
            out = mlcc.run(path, {"x": x})
            self.assertEqual(list(out), ["y"])
            self.assertEqual(out["y"].dtype, np.float32)
            self.assertEqual(out["y"].shape, (2, 3))
            self.assertEqual(out["y"].tolist(), (x * 2).tolist())

    @unittest.skipUnless(HAS_RUNTIME, "the runtime is not in this library yet (mlcc_model_load absent)")
    @unittest.skipIf(np is None, "numpy is not installed")
    def test_model_signature(self):
        with mlcc.Model(self.bundle) as m:
            self.assertEqual(m.functions, ["main"])
            self.assertEqual(m.default_function, "main")
            sig = m.signature()
            self.assertEqual(sig["inputs"], [{"name": "x", "dtype": "float32", "shape": (2, 3)}])
            self.assertEqual(sig["outputs"], [{"name": "y", "dtype": "float32", "shape": (2, 3)}])


if __name__ == "__main__":
    r = unittest.main(verbosity=2, exit=False).result
    # What could not be tested (not the no-runtime check, moot once the runtime is there).
    for reason in sorted({reason for _, reason in r.skipped if not reason.startswith("the library has")}):
        print("SKIPPED:", reason)
    sys.exit(0 if r.wasSuccessful() else 1)

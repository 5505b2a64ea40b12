"""mlcc.run, mlcc.Model and mlcc.State marshalling on a stand-in library
(fake_runtime.c, given as $MLCC_FAKE_LIBRARY): dtypes, shapes, a scalar
output, flexible shapes, states across calls, and the library's error
messages passed through unchanged."""

import os
import sys
import unittest

os.environ["MLCC_LIBRARY"] = os.environ["MLCC_FAKE_LIBRARY"]
import mlcc  # noqa: E402

try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is not installed")
    sys.exit(77)


class RunFake(unittest.TestCase):
    def test_library_has_runtime(self):
        self.assertTrue(mlcc._lib.load().has_runtime)
        self.assertEqual(mlcc.version(), "0.0.0-fake")

    def test_run_main(self):
        x = np.array([[1.5, -2.0, 3.25], [0.0, 7.0, -0.5]], dtype=np.float32)
        out = mlcc.run("m.fake", {"x": x})
        self.assertEqual(list(out), ["y", "n"])
        self.assertEqual(out["y"].dtype, np.float32)
        self.assertEqual(out["y"].shape, (2, 3))
        self.assertEqual(out["y"].tolist(), [[3.0, -4.0, 6.5], [0.0, 14.0, -1.0]])
        self.assertEqual(out["n"].shape, ())
        self.assertEqual(out["n"].dtype, np.int32)
        self.assertEqual(int(out["n"]), 6)

    def test_non_contiguous_and_big_endian_inputs(self):
        x = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
        self.assertEqual(mlcc.run("m.fake", {"x": x})["y"].tolist(), (2 * x).tolist())
        be = np.array([1.0, 2.0], dtype=">f4")
        self.assertEqual(mlcc.run("m.fake", {"x": be})["y"].tolist(), [2.0, 4.0])

    def test_empty_input(self):
        out = mlcc.run("m.fake", {"x": np.zeros((0, 3), dtype=np.float32)})
        self.assertEqual(out["y"].shape, (0, 3))
        self.assertEqual(int(out["n"]), 0)

    def test_wrong_dtype_message(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.run("m.fake", {"x": np.zeros(2, dtype=np.float16)})
        self.assertEqual((c.exception.status, c.exception.message),
                         (mlcc.E_USAGE, "function 'main': input 'x' must be fp32, not fp16"))

    def test_unmappable_dtype(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.run("m.fake", {"x": np.zeros(2, dtype=np.complex64)})
        self.assertEqual(c.exception.message, "input 'x': numpy dtype complex64 has no mlcc type")

    def test_load_error(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.run("m.mlmodelc", {})
        self.assertEqual((c.exception.status, c.exception.message), (mlcc.E_IO, "m.mlmodelc: not a fake model"))

    def test_states_persist_through_the_dict(self):
        states = {"s": np.array([10, 20], dtype=np.int32)}
        out = mlcc.run("m.fake", {}, function="count", states=states)
        self.assertEqual(out["n"].tolist(), [11, 22])
        self.assertEqual(states["s"].tolist(), [11, 22])
        out = mlcc.run("m.fake", {}, function="count", states=states)
        self.assertEqual(out["n"].tolist(), [12, 24])
        self.assertEqual(mlcc.run("m.fake", {}, function="count")["n"].tolist(), [1, 2])

    def test_states_for_a_function_without(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.run("m.fake", {"x": np.ones(1, np.float32)}, states={"s": np.zeros(2, np.int32)})
        self.assertEqual(c.exception.message, "function 'main' declares no states")

    def test_model_and_state_objects(self):
        with mlcc.Model("m.fake") as m:
            self.assertEqual(m.functions, ["main", "count"])
            self.assertEqual(m.default_function, "main")
            self.assertEqual(m.signature("count")["states"], [{"name": "s", "dtype": "int32", "shape": (2,)}])
            self.assertEqual(m.signature()["inputs"], [{"name": "x", "dtype": "float32", "shape": (-1,)}])
            st = m.new_state("count")
            self.assertEqual(st.get("s").tolist(), [0, 0])
            m.predict({}, "count", st)
            self.assertEqual(m.predict({}, "count", st)["n"].tolist(), [2, 4])
            self.assertEqual(st.get("s").tolist(), [2, 4])
            with self.assertRaises(mlcc.Error) as c:
                st.set("s", np.zeros(3, np.int32))
            self.assertEqual(c.exception.message, "state 's' is int32 [2]")
            with self.assertRaises(mlcc.Error) as c:
                m.signature("nope")
            self.assertEqual(c.exception.message, "no function 'nope'")
            st.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""mlcc's Python API on the build's libmlcc.so ($MLCC_LIBRARY): compile,
decompile, inspect, diff, assemble, errors, compile_model with stand-ins for
coremltools objects.  Run by tests/python/run.sh."""

import importlib.util
import os
import shutil
import subprocess
import sys
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ADD_MIL, Scratch  # noqa: E402

import mlcc  # noqa: E402


class Api(unittest.TestCase):
    def setUp(self):
        self.s = Scratch()
        self.mil = self.s.write("add.mil", ADD_MIL)
        self.pkg = mlcc.assemble(self.mil, self.s.join("add.mlpackage"))

    def tearDown(self):
        self.s.close()

    def test_library_is_the_one_named(self):
        self.assertEqual(mlcc.library_path(), os.environ["MLCC_LIBRARY"])
        self.assertEqual(mlcc.version(), mlcc.__version__)

    def test_assemble_returns_output(self):
        self.assertEqual(self.pkg, self.s.join("add.mlpackage"))
        self.assertTrue(os.path.isfile(self.s.join("add.mlpackage", "Manifest.json")))

    def test_compile_returns_bundle_and_stamp(self):
        bundle = mlcc.compile(self.pkg, self.s.join("out"))
        self.assertEqual(bundle, self.s.join("out", "add.mlmodelc"))
        newest = mlcc.known_coremlc_versions()[-1]
        with open(os.path.join(bundle, "model.mil")) as f:
            text = f.read()
        self.assertIn(f'{{"coremlc-version", "{newest[0]}"}}', text)
        self.assertIn('y = add(x = x, y = x)[name = tensor<string, []>("y")];', text)

    def test_compile_stamp_and_link(self):
        bundle = mlcc.compile(self.pkg, self.s.join("o2"), coremlc_version="3500.32.1", link="auto")
        self.assertEqual(mlcc.inspect(bundle)["compiler"], {"coremlc": "3500.32.1", "mil": "3500.14.1"})

    def test_compile_same_as_cli(self):
        # The bindings and the mlcc program produce the same bytes.
        bundle = mlcc.compile(self.pkg, self.s.join("py"))
        cli = self.s.join("cli")
        rc = os.spawnv(os.P_WAIT, os.environ["MLCC"], ["mlcc", "compile", self.pkg, cli])
        self.assertEqual(rc, 0)
        for name in ("model.mil", "coremldata.bin"):
            with open(os.path.join(bundle, name), "rb") as a, open(os.path.join(cli, "add.mlmodelc", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_progress_of_weight_copies(self):
        pkg = self.s.join("w.mlpackage")
        self.assertEqual(subprocess.call([os.environ["MLCC_MKPKG"], pkg]), 0)
        events = []
        mlcc.compile(pkg, self.s.join("out"), progress=lambda *e: events.append(e))
        self.assertEqual(events, [("weight.bin", 0, 144), ("weight.bin", 144, 144)])

    def test_progress_exception_is_raised_after_the_compile(self):
        pkg = self.s.join("w.mlpackage")
        self.assertEqual(subprocess.call([os.environ["MLCC_MKPKG"], pkg]), 0)

        def stop(*_):
            raise KeyboardInterrupt("stop")

        with self.assertRaises(KeyboardInterrupt):
            mlcc.compile(pkg, self.s.join("out"), progress=stop)

    def test_inspect_dict(self):
        info = mlcc.inspect(self.pkg)
        self.assertEqual(info["inspectVersion"], 1)
        self.assertEqual(info["format"], "mlpackage")
        self.assertEqual(info["modelType"], "mlProgram")
        self.assertIsNone(info["compiler"])
        (fn,) = info["functions"]
        self.assertEqual((fn["name"], fn["opset"], fn["operations"]), ("main", "ios16", 1))
        self.assertEqual(fn["inputs"][0]["name"], "x")
        self.assertEqual(fn["inputs"][0]["shape"], [2, 3])
        self.assertEqual(fn["operationTypes"], {"add": 1})

    def test_decompile_then_diff(self):
        bundle = mlcc.compile(self.pkg, self.s.join("out"))
        back = mlcc.decompile(bundle, self.s.join("back.mlpackage"))
        self.assertEqual(back, self.s.join("back.mlpackage"))
        d = mlcc.diff(bundle, back)
        self.assertFalse(d.different)
        self.assertIn("equivalent (0 semantic differences)", d.report)

    def test_diff_finds_a_difference(self):
        other = self.s.write("mul.mil", ADD_MIL.replace("add(", "mul("))
        mul = mlcc.assemble(other, self.s.join("mul.mlpackage"))
        d = mlcc.diff(self.pkg, mul)
        self.assertTrue(d.different)
        self.assertFalse(mlcc.diff(self.pkg, mul, interface=True).different)

    def test_error_status_and_exact_message(self):
        missing = self.s.join("missing.mlpackage")
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile(missing, self.s.join("out"))
        e = c.exception
        self.assertEqual(e.status, mlcc.E_IO)
        self.assertEqual(e.message, f"{missing}: cannot open model: No such file or directory")
        self.assertEqual(str(e), e.message)
        self.assertEqual(e.status_name, "I/O error")
        self.assertFalse(os.path.exists(self.s.join("out", "missing.mlmodelc")))

    def test_error_unknown_stamp_is_usage(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile(self.pkg, self.s.join("out"), coremlc_version="1.2.3")
        self.assertEqual(c.exception.status, mlcc.E_USAGE)
        self.assertTrue(c.exception.message.startswith("unknown --coremlc-version '1.2.3' (known: "))

    def test_error_bad_link(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile(self.pkg, self.s.join("out"), link="symlink")
        self.assertEqual((c.exception.status, c.exception.message),
                         (mlcc.E_USAGE, "link must be copy, reflink, hard or auto, not 'symlink'"))

    def test_error_malformed_mil_names_line(self):
        bad = self.s.write("bad.mil", ADD_MIL.replace("} -> (y);", ""))
        with self.assertRaises(mlcc.Error) as c:
            mlcc.assemble(bad, self.s.join("bad.mlpackage"))
        self.assertEqual(c.exception.status, mlcc.E_CORRUPT)
        self.assertTrue(c.exception.message.startswith(bad + ":"), c.exception.message)

    def test_error_not_a_path(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile(42, self.s.join("out"))
        self.assertEqual((c.exception.status, c.exception.message), (mlcc.E_USAGE, "src: expected a path, got int"))


class FakeSpec:
    """What compile_model uses of a Model_pb2.Model: SerializeToString."""

    def __init__(self, data):
        self.data = data

    def SerializeToString(self):
        return self.data


class FakeMLModel:
    """What compile_model uses of a coremltools MLModel."""

    def __init__(self, spec, package_path=None, weights_dir=None):
        self._spec = spec
        self.package_path = package_path
        self.weights_dir = weights_dir

    def get_spec(self):
        return self._spec


class CompileModel(unittest.TestCase):
    def setUp(self):
        self.s = Scratch()
        self.pkg = mlcc.assemble(self.s.write("add.mil", ADD_MIL), self.s.join("add.mlpackage"))
        self.ref = mlcc.compile(self.pkg, self.s.join("ref"))
        with open(self.s.join("add.mlpackage", "Data", "com.apple.CoreML", "model.mlmodel"), "rb") as f:
            self.spec_bytes = f.read()

    def tearDown(self):
        self.s.close()

    def same_as_ref(self, bundle):
        with open(os.path.join(bundle, "model.mil"), "rb") as a, open(os.path.join(self.ref, "model.mil"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertFalse(mlcc.diff(bundle, self.ref).different)

    def test_path_with_destination(self):
        dest = self.s.join("x", "Named.mlmodelc")
        os.makedirs(self.s.join("x"))
        self.assertEqual(mlcc.compile_model(self.pkg, dest), dest)
        self.same_as_ref(dest)
        self.assertEqual(os.listdir(self.s.join("x")), ["Named.mlmodelc"])  # no temporary left
        # Again: the existing bundle is replaced.
        self.assertEqual(mlcc.compile_model(self.pkg, dest + "/"), dest)
        self.same_as_ref(dest)

    def test_path_without_destination(self):
        out = mlcc.compile_model(self.pkg)
        try:
            self.assertTrue(out.endswith("/add.mlmodelc"))
            self.same_as_ref(out)
        finally:
            shutil.rmtree(os.path.dirname(out))

    def test_mlmodel_with_package(self):
        m = FakeMLModel(FakeSpec(b"unused"), package_path=self.pkg)
        self.same_as_ref(mlcc.compile_model(m, self.s.join("m.mlmodelc")))

    def test_mlmodel_spec_and_weights_dir(self):
        weights = self.s.join("w")
        os.makedirs(weights)
        with open(os.path.join(weights, "weight.bin"), "wb") as f:
            f.write(b"\0" * 64)
        m = FakeMLModel(FakeSpec(self.spec_bytes), weights_dir=weights)
        out = mlcc.compile_model(m, self.s.join("w.mlmodelc"))
        self.same_as_ref(out)
        self.assertTrue(os.path.isfile(os.path.join(out, "weights", "weight.bin")))

    def test_spec(self):
        out = mlcc.compile_model(FakeSpec(self.spec_bytes), self.s.join("spec.mlmodelc"))
        self.same_as_ref(out)

    def test_destination_must_be_mlmodelc(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile_model(self.pkg, self.s.join("out.bundle"))
        self.assertEqual(c.exception.message, '"destination_path" parameter must have ".mlmodelc" file extension.')

    def test_unrecognized_model(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile_model(3.5)
        self.assertEqual(c.exception.message,
                         'Unrecognized input for "model" parameter: float (expected an MLModel, a spec or a path)')

    def test_broken_spec_is_reported(self):
        with self.assertRaises(mlcc.Error) as c:
            mlcc.compile_model(FakeSpec(b"\xff\xff\xff"), self.s.join("b.mlmodelc"))
        self.assertEqual(c.exception.status, mlcc.E_CORRUPT)
        self.assertFalse(os.path.exists(self.s.join("b.mlmodelc")))

    @unittest.skipUnless(importlib.util.find_spec("coremltools"), "coremltools is not installed")
    def test_with_coremltools(self):
        import coremltools as ct

        m = ct.models.MLModel(self.pkg, skip_model_load=True)
        self.same_as_ref(mlcc.compile_model(m, self.s.join("ct.mlmodelc")))


if __name__ == "__main__":
    warnings.simplefilter("error")
    unittest.main(verbosity=2)

"""compile_model(): coremltools' ct.utils.compile_model(model, destination_path=None)
on Linux, so code written for a Mac runs unchanged.

coremltools' own version takes only a protobuf spec and refuses a path or an
MLModel; this one accepts all three (an MLModel is compiled from its package
when it has one).  As there, 'destination_path' must end in ".mlmodelc", the
compiled model is moved there, and without it the bundle is left in a new
temporary directory; the return value is the bundle's path.
"""

import json
import os
import shutil
import tempfile

from . import E_USAGE, Error, compile as _compile

_AUTHOR = "com.apple.CoreML"


def _link_or_copy(src, dst):
    """Hard link (no data copied for large weights), else copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_package(spec_bytes, weights_dir, path):
    """An .mlpackage at 'path' holding the spec and, if given, the weights."""
    data = os.path.join(path, "Data", _AUTHOR)
    os.makedirs(data)
    with open(os.path.join(data, "model.mlmodel"), "wb") as f:
        f.write(spec_bytes)
    entries = {
        "model": {
            "author": _AUTHOR,
            "description": "CoreML Model Specification",
            "name": "model.mlmodel",
            "path": f"{_AUTHOR}/model.mlmodel",
        }
    }
    if weights_dir:
        shutil.copytree(weights_dir, os.path.join(data, "weights"), copy_function=_link_or_copy)
        entries["weights"] = {
            "author": _AUTHOR,
            "description": "CoreML Model Weights",
            "name": "weights",
            "path": f"{_AUTHOR}/weights",
        }
    manifest = {"fileFormatVersion": "1.0.0", "itemInfoEntries": entries, "rootModelIdentifier": "model"}
    with open(os.path.join(path, "Manifest.json"), "w") as f:
        json.dump(manifest, f, indent=4)


def _source(model, scratch):
    """The file or package to compile for 'model' (a path, an MLModel-like
    object or a spec), written under 'scratch' when it is not on disk."""
    if isinstance(model, (str, bytes, os.PathLike)):
        return os.fsdecode(model)
    package = getattr(model, "package_path", None)
    if package and os.path.isdir(package):
        return package
    if hasattr(model, "get_spec"):  # an MLModel without a package on disk
        spec = model.get_spec()
        weights = getattr(model, "weights_dir", None)
    elif hasattr(model, "SerializeToString"):
        spec, weights = model, None
    else:
        raise Error(
            E_USAGE,
            f'Unrecognized input for "model" parameter: {type(model).__name__} '
            "(expected an MLModel, a spec or a path)",
        )
    data = spec.SerializeToString()
    if weights:
        path = os.path.join(scratch, "model.mlpackage")
        _write_package(data, weights, path)
    else:
        path = os.path.join(scratch, "model.mlmodel")
        with open(path, "wb") as f:
            f.write(data)
    return path


def compile_model(model, destination_path=None):
    """Compile 'model' (a coremltools MLModel, a Model_pb2.Model spec, or the
    path of an .mlpackage/.mlmodel) and return the compiled bundle's path:
    'destination_path' (which must end in ".mlmodelc"; an existing one is
    replaced), or a new temporary directory's <name>.mlmodelc."""
    if destination_path is not None:
        destination_path = os.fsdecode(destination_path)
        if not destination_path.rstrip("/").endswith(".mlmodelc"):
            raise Error(E_USAGE, '"destination_path" parameter must have ".mlmodelc" file extension.')
        destination_path = destination_path.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="mlcc-src-") as scratch:
        src = _source(model, scratch)
        if destination_path is None:
            return _compile(src, tempfile.mkdtemp(prefix="mlcc-"))
        parent = os.path.dirname(os.path.abspath(destination_path))
        # Compile beside the destination, so that the final move is a rename.
        out = tempfile.mkdtemp(prefix=".mlcc-", dir=parent)
        try:
            bundle = _compile(src, out)
            if os.path.isdir(destination_path) and not os.path.islink(destination_path):
                shutil.rmtree(destination_path)
            os.replace(bundle, destination_path)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return destination_path

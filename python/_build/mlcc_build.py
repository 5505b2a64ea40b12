"""A PEP 517 build backend for the mlcc package, standard library only.

Why not setuptools: pip builds in an isolated environment and would have to
download setuptools there; this backend has no requirements, so
``pip install ./python`` works offline with any python3 and pip.

It writes a wheel of the ``mlcc`` folder.  When ``MLCC_BUNDLE_LIBRARY``
names a built ``libmlcc.so.0``, that file is put inside the package (the
installed copy then finds it beside itself) and the wheel is tagged for
this platform instead of ``any``.
"""

import base64
import hashlib
import io
import os
import re
import sysconfig
import tarfile
import zipfile

NAME = "mlcc"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version():
    """The version, from mlcc/__init__.py (its one owner in Python)."""
    with open(os.path.join(HERE, NAME, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("mlcc/__init__.py has no __version__")
    return m.group(1)


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {_version()}\n"
        "Summary: Portable Core ML model compiler (bindings to libmlcc)\n"
        "Requires-Python: >=3.8\n"
        "Provides-Extra: run\n"
        "Requires-Dist: numpy; extra == \"run\"\n"
    )


def _tag():
    if os.environ.get("MLCC_BUNDLE_LIBRARY"):
        return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "py3-none-any"


def _files():
    """(archive name, bytes) of every file of the package."""
    out = []
    pkg = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                out.append((f"{NAME}/{name}", f.read()))
    lib = os.environ.get("MLCC_BUNDLE_LIBRARY")
    if lib:
        with open(lib, "rb") as f:
            out.append((f"{NAME}/libmlcc.so.0", f.read()))
    return out


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def _write_wheel(wheel_directory, files):
    version = _version()
    tag = _tag()
    dist = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{tag}.whl"
    files = list(files)
    files.append((f"{dist}/METADATA", _metadata().encode()))
    files.append(
        (
            f"{dist}/WHEEL",
            (
                "Wheel-Version: 1.0\nGenerator: mlcc_build\n"
                f"Root-Is-Purelib: {'false' if 'any' not in tag else 'true'}\nTag: {tag}\n"
            ).encode(),
        )
    )
    record = "".join(_record_line(n, d) for n, d in files) + f"{dist}/RECORD,,\n"
    path = os.path.join(wheel_directory, wheel_name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so.0") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        z.writestr(f"{dist}/RECORD", record)
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, _files())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """`pip install -e`: a .pth file that puts this folder on sys.path."""
    return _write_wheel(wheel_directory, [(f"{NAME}-editable.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{_version()}"
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/mlcc_build.py"] + [
            f"{NAME}/{n}" for n in sorted(os.listdir(os.path.join(HERE, NAME))) if n.endswith(".py")
        ]:
            full = os.path.join(HERE, rel)
            if os.path.exists(full):
                t.add(full, arcname=f"{base}/{rel}")
        meta = ("Metadata-Version: 2.1\n" + _metadata().split("\n", 1)[1]).encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(meta)
        t.addfile(info, io.BytesIO(meta))
    return name

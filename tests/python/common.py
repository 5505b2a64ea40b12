"""What the Python tests share: the scratch directory and a small model."""

import os
import shutil
import tempfile

# y = x + x on a 2x3 fp32 tensor; the stamp in buildInfo is replaced when compiling.
ADD_MIL = """program(1.0)
[buildInfo = dict<string, string>({{"coremlc-component-MIL", "3500.14.1"}, {"coremlc-version", "3500.32.1"}})]
{
    func main<ios16>(tensor<fp32, [2, 3]> x) {
            tensor<fp32, [2, 3]> y = add(x = x, y = x)[name = string("y")];
        } -> (y);
}
"""


class Scratch:
    """A temporary directory, removed at close()."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="mlcc-pytest-")

    def join(self, *names):
        return os.path.join(self.path, *names)

    def write(self, name, text):
        p = self.join(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)

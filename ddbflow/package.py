"""Build the functions' deployment zip the way `sam build` does for python3.13 on arm64, and print its size.

`sam build` copies CodeUri (functions/) and pip-installs functions/requirements.txt next to it. Here pip
installs the same requirements for Lambda's platform (manylinux2014_aarch64, CPython 3.13, binary wheels
only) into a temporary directory, the package is copied beside them (without bytecode caches) and the
directory zipped. Powertools is not in it: it comes from AWS's published Powertools layer (template.yaml,
Globals.Function.Layers), and boto3 from the Lambda runtime. Needs only pip's access to PyPI.

    python -m ddbflow.package [--output functions.zip]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ROOT / "functions"
LIMIT = 2 * 1024 * 1024
PLATFORM = ["--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.13"]


def build(target: Path) -> None:
    """Requirements for Lambda's platform, then the code, into ``target`` (as `sam build` lays it out)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "-r", str(CODE / "requirements.txt"), *PLATFORM, "--only-binary=:all:", "--target", str(target)],
        check=True,
    )  # fmt: skip
    shutil.copytree(CODE, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def zip_dir(source: Path, archive: Path) -> Counter[str]:
    """Zip ``source`` (deflated, as the SAM CLI uploads it); zipped bytes per top-level entry."""
    sizes: Counter[str] = Counter()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(source).as_posix()
            zipped.write(path, name)
            sizes[name.split("/")[0]] += zipped.getinfo(name).compress_size
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, help="keep the zip here (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ddbflow-package-") as tmp:
        tree, archive = Path(tmp) / "build", args.output or Path(tmp) / "functions.zip"
        build(tree)
        unpacked = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
        sizes = zip_dir(tree, archive)
        zipped = archive.stat().st_size
        for entry, size in sizes.most_common(8):
            print(f"  {size / 1024:8.1f} KiB  {entry}")
        verdict = "within" if zipped <= LIMIT else "over"
        print(
            f"deployment package: {unpacked / 1024 / 1024:.2f} MiB unpacked, {zipped / 1024 / 1024:.2f} MiB "
            f"zipped — {verdict} the 2 MiB target"
        )
    return 0 if zipped <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

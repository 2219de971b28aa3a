"""Builds the one compiled extension, engine._core, over the header-only core in csrc/.

Set ENGINE_NATIVE=1 to compile with -march=native (opt-in: the wheel then only
runs on CPUs like the build machine's).
"""
import glob
import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

compile_args = [
    "-std=c++20",
    "-O3",
    "-fvisibility=hidden",
    "-fno-semantic-interposition",
    "-g0",
]
link_args = []
if os.environ.get("ENGINE_NATIVE") == "1":
    compile_args.append("-march=native")
if os.environ.get("ENGINE_SANITIZE") == "1":
    # AddressSanitizer + UndefinedBehaviorSanitizer build for CI's sanitizer step
    # (run Python with LD_PRELOAD=$(gcc -print-file-name=libasan.so)).
    sanitize = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"]
    compile_args = [a for a in compile_args if a not in ("-O3", "-g0")] + ["-O1", "-g"] + sanitize
    link_args += sanitize

core = Extension(
    "engine._core",
    sources=["engine/_core.pyx"],
    include_dirs=["csrc", numpy.get_include()],
    # the headers and the skin's include files, so that editing either rebuilds the extension
    depends=sorted(glob.glob("csrc/engine/**/*.hpp", recursive=True)) + sorted(glob.glob("engine/*.pxi")),
    language="c++",
    extra_compile_args=compile_args,
    extra_link_args=link_args,
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
)

setup(
    ext_modules=cythonize(
        [core],
        compiler_directives={
            "language_level": 3,
            "binding": False,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "embedsignature": True,
        },
    ),
)

"""Build torch_activations with torch's cpp_extension.

The operator library `torch_activations/_C*.so` (no Python bindings: Python
loads it with torch.ops.load_library) is built from csrc/.  The CPU kernels
(csrc/cpu/*_kernels.cpp) are compiled once per instruction set, DEFAULT and on
x86-64 also AVX2 and AVX512, with ATen's CPU_CAPABILITY macros; the library
picks the best one at run time.  A CUDA build (csrc/cuda/*.cu) is made when
torch has CUDA and nvcc is found, unless TORCH_ACTIVATIONS_CPU_ONLY=1;
TORCH_ACTIVATIONS_FORCE_CUDA=1 forces it (e.g. to compile without a GPU).
TORCH_CUDA_ARCH_LIST is honoured as torch does.  MAX_JOBS sets the
parallelism; TORCH_ACTIVATIONS_DEBUG=1 builds with -O0 -g.
"""

import concurrent.futures
import glob
import os
import platform
import re
import shutil

from setuptools import find_packages, setup

try:
    import torch
except ImportError as e:  # pragma: no cover - build-environment guidance
    raise RuntimeError(
        "torch_activations is built against the torch already installed: "
        "`pip install torch==2.13.0`, then `pip install --no-build-isolation .`"
    ) from e
from torch.utils.cpp_extension import (  # noqa: E402
    CUDA_HOME,
    BuildExtension,
    CppExtension,
    CUDAExtension,
)

ROOT = os.path.dirname(os.path.abspath(__file__))


def rel(pattern):
    return sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern)))


# Sources compiled once per instruction set.
ISA_SOURCES = rel("csrc/cpu/*_kernels.cpp")
HOST_SOURCES = sorted(set(rel("csrc/*.cpp") + rel("csrc/*/*.cpp")) - set(ISA_SOURCES))
CUDA_SOURCES = rel("csrc/cuda/*.cu")

IS_X86 = platform.machine().lower() in ("x86_64", "amd64")
# Same flags as ATen's per-capability builds.
ISA_FLAGS = {"DEFAULT": []}
if IS_X86:
    ISA_FLAGS["AVX2"] = ["-mavx2", "-mfma", "-mf16c"]
    ISA_FLAGS["AVX512"] = ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mfma", "-mf16c"]


def env_flag(name):
    return os.environ.get(name, "0").lower() in ("1", "true", "yes", "on")


def want_cuda():
    if env_flag("TORCH_ACTIVATIONS_CPU_ONLY"):
        return False
    if env_flag("TORCH_ACTIVATIONS_FORCE_CUDA"):
        return True
    return torch.version.cuda is not None and CUDA_HOME is not None


class BuildWithISAs(BuildExtension):
    """Compiles ISA_SOURCES once per instruction set before the extension.

    The per-ISA objects are linked after the host objects, DEFAULT first, so
    that where several objects define the same inline function the linker
    keeps a copy compiled without AVX (see csrc/math/config.h).
    """

    def build_extensions(self):
        # A fixed object directory inside the checkout (pip otherwise builds in
        # a fresh temporary one): ninja then recompiles only what changed,
        # for `pip install -e .` as well as `setup.py build_ext --inplace`.
        self.build_temp = os.path.join(ROOT, "build", "obj")
        super().build_extensions()

    def build_extension(self, ext):
        if ext.name != "torch_activations._C":  # the Python bindings: no kernels
            super().build_extension(ext)
            return
        cxx_flags = ext.extra_compile_args["cxx"] if isinstance(ext.extra_compile_args, dict) \
            else list(ext.extra_compile_args)

        def compile_isa(isa):
            return self.compiler.compile(
                ISA_SOURCES,
                output_dir=os.path.join(self.build_temp, "isa", isa),
                macros=[("CPU_CAPABILITY", isa), (f"CPU_CAPABILITY_{isa}", None)],
                include_dirs=ext.include_dirs,
                extra_postargs=cxx_flags + ISA_FLAGS[isa],
                depends=ext.depends,
            )

        jobs = int(os.environ.get("MAX_JOBS") or os.cpu_count() or 1)
        if jobs < 6:
            # Few cores: one batch after the other (each batch already uses them all).
            objects = [o for isa in ISA_FLAGS for o in compile_isa(isa)]
            ext.extra_objects = objects + list(ext.extra_objects or [])
            super().build_extension(ext)
            return
        # Many cores: the instruction-set batches compile at the same time as
        # the extension's own sources (each batch is as slow as its slowest
        # file), and the link waits for them.
        objects = [o for isa in ISA_FLAGS for o in self.compiler.object_filenames(
            ISA_SOURCES, output_dir=os.path.join(self.build_temp, "isa", isa))]
        ext.extra_objects = objects + list(ext.extra_objects or [])
        with concurrent.futures.ThreadPoolExecutor(len(ISA_FLAGS)) as pool:
            batches = [pool.submit(compile_isa, isa) for isa in ISA_FLAGS]
            link = self.compiler.link_shared_object

            def link_after_batches(*args, **kwargs):
                for b in batches:
                    b.result()
                return link(*args, **kwargs)

            self.compiler.link_shared_object = link_after_batches
            try:
                super().build_extension(ext)
            finally:
                self.compiler.link_shared_object = link


def extension():
    debug = env_flag("TORCH_ACTIVATIONS_DEBUG")
    cxx = ["-O0", "-g"] if debug else ["-O3", "-g0"]
    # C++20 (designated initializers, ...): torch <= 2.12's cpp_extension adds
    # -std=c++17 when none is given.
    cxx += ["-std=c++20"]
    cxx += ["-Wall", "-Wno-unused-function", "-Wno-unknown-pragmas", "-Wno-maybe-uninitialized"]
    # at::parallel_for is inline and runs serially unless the caller is
    # compiled with OpenMP (ATen/ParallelOpenMP.h), as torch's own kernels
    # are.  Compile-only: the GOMP_* / omp_* references resolve at load time
    # to the OpenMP runtime libtorch_cpu already loaded (its dependency), so
    # torch.set_num_threads governs our kernels too and no second runtime
    # is loaded.
    cxx += ["-fopenmp"]
    macros = [(f"TA_HAVE_{isa}", None) for isa in ISA_FLAGS if isa != "DEFAULT"]
    depends = rel("csrc/*.h") + rel("csrc/*/*.h")
    kwargs = dict(
        name="torch_activations._C",
        include_dirs=[os.path.join(ROOT, "csrc")],
        depends=depends,
    )
    if want_cuda():
        macros.append(("TA_WITH_CUDA", None))
        nvcc = ["-O3", "-std=c++20", "--expt-relaxed-constexpr", "--expt-extended-lambda", "-lineinfo"]
        ext = CUDAExtension(
            sources=HOST_SOURCES + CUDA_SOURCES,
            define_macros=macros,
            extra_compile_args={"cxx": cxx, "nvcc": nvcc},
            **kwargs,
        )
    else:
        ext = CppExtension(
            sources=HOST_SOURCES,
            define_macros=macros,
            extra_compile_args={"cxx": cxx},
            **kwargs,
        )
    # The operator library uses no Python: without libtorch_python, a C++
    # program can link it (the wheel's CMake package, below).
    ext.libraries = [lib for lib in ext.libraries if lib != "torch_python"]
    return ext


def cxx_package_files():
    """The C++ side of the wheel, written into the package before setup()
    collects it: the API header and a CMake package whose target is the
    package's own operator library (torch_activations.cmake_prefix_path)."""
    pkg = os.path.join(ROOT, "torch_activations")
    include = os.path.join(pkg, "include", "torch_activations")
    cmake = os.path.join(pkg, "share", "cmake", "TorchActivations")
    os.makedirs(include, exist_ok=True)
    os.makedirs(cmake, exist_ok=True)
    shutil.copyfile(os.path.join(ROOT, "csrc", "torch_activations.h"), os.path.join(include, "torch_activations.h"))
    for name in ("TorchActivationsConfig.cmake", "TorchActivationsLinkage.cmake"):
        src = os.path.join(ROOT, "cmake", "wheel", name) if name.endswith("Config.cmake") else \
            os.path.join(ROOT, "cmake", name)
        shutil.copyfile(src, os.path.join(cmake, name))
    with open(os.path.join(cmake, "TorchActivationsConfigVersion.cmake"), "w") as f:
        f.write(f'set(PACKAGE_VERSION "{VERSION}")\n'
                'if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)\n'
                '  set(PACKAGE_VERSION_COMPATIBLE FALSE)\n'
                'else()\n  set(PACKAGE_VERSION_COMPATIBLE TRUE)\n'
                '  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)\n    set(PACKAGE_VERSION_EXACT TRUE)\n  endif()\n'
                'endif()\n')
    return ["include/torch_activations/*.h", "share/cmake/TorchActivations/*.cmake", "py.typed", "*.pyi"]


def fast_bindings():
    """torch_activations._fast: the eager Python entry points of the ops
    (bindings/fast.cpp, generated).  A separate module because it links
    libtorch_python, which the operator library must not need (C++ users)."""
    debug = env_flag("TORCH_ACTIVATIONS_DEBUG")
    return CppExtension(
        name="torch_activations._fast",
        sources=[os.path.join("bindings", "fast.cpp")],
        include_dirs=[os.path.join(ROOT, "csrc"), os.path.join(ROOT, "bindings")],
        depends=rel("bindings/*.h") + [os.path.join(ROOT, "csrc", "op_handle.h")],
        extra_compile_args={"cxx": (["-O0", "-g"] if debug else ["-O2", "-g0"]) + ["-std=c++20", "-Wall"]},
    )


# The binary works with the torch it was compiled against (its C++ ABI):
# pin that release series.
TORCH_SERIES = ".".join(torch.__version__.split("+")[0].split(".")[:2])
with open(os.path.join(ROOT, "torch_activations", "_version.py")) as _f:
    VERSION = re.search(r'__version__ = "([^"]+)"', _f.read()).group(1)

setup(
    version=VERSION,
    packages=find_packages(include=["torch_activations", "torch_activations.*"]),
    package_data={"torch_activations": cxx_package_files()},
    install_requires=[f"torch=={TORCH_SERIES}.*"],
    ext_modules=[extension(), fast_bindings()],
    cmdclass={"build_ext": BuildWithISAs.with_options(use_ninja=True)},
)

"""The library for LibTorch users: CMake build, installed package, C++ examples.

Builds and installs the operator library with the top-level CMakeLists.txt
(Release), builds examples/cpp against the installed package with
find_package(TorchActivations), runs the C++ training example, and runs a
TorchScript model scripted and saved by Python from C++ (load_script, which
references no symbol of the library), comparing its output with Python's.

The build lives in build/cmake-test (or $TA_CPP_BUILD_DIR) and is reused, so
reruns are incremental; the first one compiles the whole library (about five
minutes on two cores).  TA_SKIP_CPP=1 skips this module; it is skipped too
when cmake or a C++ compiler is missing.  MAX_JOBS sets the build parallelism
(default: every core); ccache is used when installed (TA_CCACHE=0: not).
"""

import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import torch

import torch_activations as ta

pytestmark = [
    pytest.mark.slow,
    # TorchScript is what C++ programs load; torch deprecates it in Python.
    pytest.mark.filterwarnings(r"ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("TA_CPP_BUILD_DIR") or ROOT / "build" / "cmake-test")
JOBS = int(os.environ.get("MAX_JOBS") or os.cpu_count() or 1)
STEP_TIMEOUT = 3600  # s, per cmake step; the full library build takes minutes


def _env_flag(name, default="0"):
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def _skip_reason():
    if _env_flag("TA_SKIP_CPP"):
        return "TA_SKIP_CPP=1"
    if shutil.which("cmake") is None:
        return "cmake is not installed"
    compilers = [os.environ.get("CXX"), "c++", "g++", "clang++"]
    if not any(c and shutil.which(c) for c in compilers):
        return "no C++ compiler (c++, g++, clang++ or $CXX) found"
    if not (shutil.which("ninja") or shutil.which("make")):
        return "neither ninja nor make is installed"
    return None


if _skip_reason():
    pytest.skip(_skip_reason(), allow_module_level=True)


# --------------------------------------------------------------- helpers
class _Progress:
    """Prints past pytest's output capture, so a long build shows progress."""

    def __init__(self, config):
        self._capman = config.pluginmanager.getplugin("capturemanager")

    def __call__(self, line):
        ctx = self._capman.global_and_fixture_disabled() if self._capman else contextlib.nullcontext()
        with ctx:
            print(f"[test_cpp] {line}", flush=True)


# Echoed while a step runs: build progress ("[3/12] Building ...", "[ 50%]"),
# errors and our configure summary; everything goes to the log.
_ECHO = re.compile(r"^\s*\[\s*\d+(/\d+|%)\]|error|^-- torch_activations", re.I)


def _run(cmd, what, say, cwd=None):
    """Runs cmd, echoing its progress; fails the test with the output's tail."""
    log = BUILD / "logs" / (what.replace(" ", "-") + ".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    say(f"{what}: {' '.join(map(str, cmd))}")
    start = time.monotonic()
    lines = []
    with open(log, "w") as logf:
        logf.write(f"$ {' '.join(map(str, cmd))}\n")
        proc = subprocess.Popen(
            [str(c) for c in cmd], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        watchdog = threading.Timer(STEP_TIMEOUT, proc.kill)
        watchdog.start()
        try:
            for line in proc.stdout:
                logf.write(line)
                lines.append(line.rstrip())
                if _ECHO.search(line):
                    say(f"  {line.rstrip()}")
            rc = proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
    elapsed = time.monotonic() - start
    if rc != 0:
        tail = "\n".join(lines[-80:])
        pytest.fail(f"{what} failed (exit {rc}, {elapsed:.0f}s; log: {log}):\n{tail}", pytrace=False)
    say(f"{what}: done in {elapsed:.1f}s")
    return "\n".join(lines)


def _configure_args(source, build_dir):
    """cmake arguments for a Release build of source in build_dir.

    Ninja when available.  A build dir configured by another generator or for
    another source dir (a moved checkout) is wiped first.
    """
    generator = "Ninja" if shutil.which("ninja") else "Unix Makefiles"
    cache = build_dir / "CMakeCache.txt"
    if cache.exists():
        text = cache.read_text()
        def cached(name):
            m = re.search(rf"^{name}:\w+=(.*)$", text, re.M)
            return m.group(1) if m else None
        home = cached("CMAKE_HOME_DIRECTORY")
        if cached("CMAKE_GENERATOR") != generator or not home or Path(home).resolve() != source.resolve():
            shutil.rmtree(build_dir)
    args = ["-S", source, "-B", build_dir, "-G", generator, "-DCMAKE_BUILD_TYPE=Release",
            f"-DTorch_DIR={Path(torch.utils.cmake_prefix_path) / 'Torch'}"]
    if shutil.which("ccache") and _env_flag("TA_CCACHE", "1"):
        args.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    return args


@contextlib.contextmanager
def _build_lock():
    """One build at a time (pytest-xdist workers share the build dir)."""
    import fcntl

    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# --------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def say(pytestconfig):
    return _Progress(pytestconfig)


@pytest.fixture(scope="session")
def prefix(say):
    """Configures, builds and installs the library; returns the install prefix."""
    lib_build, prefix = BUILD / "lib", BUILD / "prefix"
    with _build_lock():
        say(f"building the library with CMake in {lib_build} (-j{JOBS}; logs in {BUILD / 'logs'}); "
            "a first build compiles everything, about 5 minutes on 2 cores")
        _run(["cmake", *_configure_args(ROOT, lib_build), f"-DCMAKE_INSTALL_PREFIX={prefix}"],
             "configure library", say)
        _run(["cmake", "--build", lib_build, "-j", JOBS], "build library", say)
        _run(["cmake", "--install", lib_build], "install library", say)
    return prefix


@pytest.fixture(scope="session")
def examples(prefix, say):
    """Builds examples/cpp against the installed package; returns its build dir."""
    ex_build = BUILD / "examples"
    with _build_lock():
        _run(["cmake", *_configure_args(ROOT / "examples" / "cpp", ex_build),
              f"-DCMAKE_PREFIX_PATH={prefix};{torch.utils.cmake_prefix_path}"],
             "configure examples", say)
        _run(["cmake", "--build", ex_build, "-j", JOBS], "build examples", say)
    cache = (ex_build / "CMakeCache.txt").read_text()
    found = re.search(r"^TorchActivations_DIR:PATH=(.*)$", cache, re.M).group(1)
    assert Path(found).resolve().is_relative_to(prefix.resolve()), found
    return ex_build


def _run_example(examples, *args, timeout=600):
    proc = subprocess.run([str(examples / args[0]), *map(str, args[1:])],
                          capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, f"{args[0]} exited with {proc.returncode}:\n{out}"
    return out


# --------------------------------------------------------------- tests
def test_installed_package(prefix):
    assert (prefix / "include" / "torch_activations" / "torch_activations.h").is_file()
    libs = list(prefix.glob("lib*/libtorch_activations.so*"))
    assert libs, f"no libtorch_activations.so under {prefix}"
    configs = list(prefix.glob("lib*/cmake/TorchActivations/TorchActivationsConfig.cmake"))
    assert configs, f"no TorchActivationsConfig.cmake under {prefix}"


def test_train(examples):
    out = _run_example(examples, "train")
    assert out.rstrip().endswith("OK"), out
    assert "FAILED" not in out
    losses = [float(v) for v in re.findall(r"^step\s+\d+\s+loss\s+(\S+)$", out, re.M)]
    assert len(losses) >= 3 and losses[-1] < 0.1 * losses[0], losses


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf (binutils) not installed")
def test_load_script_keeps_library_linked(examples):
    """load_script uses no symbol of the library, yet must load it."""
    exe = examples / "load_script"
    dynamic = subprocess.run(["readelf", "-d", exe], capture_output=True, text=True, check=True).stdout
    assert re.search(r"NEEDED.*\[libtorch_activations\.so", dynamic), dynamic
    if shutil.which("nm"):
        undefined = subprocess.run(["nm", "-DC", "--undefined-only", exe],
                                   capture_output=True, text=True, check=True).stdout
        assert "torch_activations::" not in undefined, "load_script should reference no symbol of the library"


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """An MLP of torch_activations modules, scripted and saved by Python."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 16), ta.Mish(),
        torch.nn.Linear(16, 16), ta.GELU(approximate="tanh"),
        torch.nn.Linear(16, 16), ta.Softplus(beta=2.0),
        torch.nn.Linear(16, 4), ta.Swish(beta=1.5),
    ).eval()
    module = torch.jit.script(model)
    path = tmp_path_factory.mktemp("cpp") / "model.pt"
    module.save(str(path))
    return path, model


def test_load_script_matches_python(examples, scripted, tmp_path):
    path, model = scripted
    x = torch.randn(64, 8, generator=torch.Generator().manual_seed(1)) * 3
    torch.save(x, tmp_path / "input.pt")
    out = _run_example(examples, "load_script", path, tmp_path / "input.pt", tmp_path / "output.pt")
    assert f"CPU kernels: {ta.cpu_capability()}" in out
    got = torch.load(tmp_path / "output.pt")
    with torch.no_grad():
        torch.testing.assert_close(got, model(x))
        torch.testing.assert_close(got, torch.jit.load(str(path))(x))


def test_load_script_fixed_input(examples, scripted, tmp_path):
    path, model = scripted
    _run_example(examples, "load_script", path, "-", tmp_path / "output.pt")
    got = torch.load(tmp_path / "output.pt")
    with torch.no_grad():
        torch.testing.assert_close(got, model(torch.linspace(-3, 3, 32).reshape(4, 8)))


# --------------------------------------------------------------- README
def _readme_snippets():
    """The files of the README's C++ section: {name: text}, each the code
    block after a `<!-- readme-snippet: NAME -->` marker."""
    text = (ROOT / "README.md").read_text()
    found = dict(re.findall(r"<!-- readme-snippet: (\S+) -->\n```\w*\n(.*?)```", text, re.S))
    assert set(found) == {"CMakeLists.txt", "app.cpp"}, sorted(found)
    return found


def _build_readme_app(tmp_path, ta_prefix, say, what):
    app = tmp_path / "app"
    app.mkdir()
    for name, body in _readme_snippets().items():
        (app / name).write_text(body)
    build = app / "build"
    _run(["cmake", *_configure_args(app, build), f"-DCMAKE_PREFIX_PATH={ta_prefix};{torch.utils.cmake_prefix_path}"],
         f"configure readme app ({what})", say)
    _run(["cmake", "--build", build, "-j", JOBS], f"build readme app ({what})", say)
    proc = subprocess.run([str(build / "app")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _expected_readme_output():
    x = torch.linspace(-3, 3, 7, requires_grad=True)
    F = ta.functional
    y = F.mish(x)
    (y + F.gelu(x, approximate="tanh") + F.softplus(x)).sum().backward()
    return y.detach(), x.grad


def _numbers(block):
    return torch.tensor([float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", block)])


@pytest.mark.parametrize("source", ["cmake-install", "pip-package"])
def test_readme_cpp(source, prefix, say, tmp_path):
    """The README's CMakeLists.txt and app.cpp, against the CMake-installed
    library and against the Python package (torch_activations.cmake_prefix_path)."""
    ta_prefix = prefix if source == "cmake-install" else Path(ta.cmake_prefix_path)
    if source == "pip-package":
        assert (ta_prefix / "TorchActivations" / "TorchActivationsConfig.cmake").is_file(), \
            "setup.py writes the package's CMake files (cxx_package_files)"
    out = _build_readme_app(tmp_path, ta_prefix, say, source)
    cache = (tmp_path / "app" / "build" / "CMakeCache.txt").read_text()
    found = Path(re.search(r"^TorchActivations_DIR:PATH=(.*)$", cache, re.M).group(1)).resolve()
    assert found.is_relative_to(Path(ta_prefix).resolve()), found
    y, grad = _expected_readme_output()
    # torch prints the two 7-element tensors with a [ CPUFloatType{7} ] footer each.
    blocks = out.split("[ CPUFloatType{7} ]")
    assert len(blocks) == 3, out
    torch.testing.assert_close(_numbers(blocks[0]), y, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(_numbers(blocks[1]), grad, atol=1e-4, rtol=1e-4)

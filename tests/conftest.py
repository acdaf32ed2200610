import os
import sys
import zlib

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (ROOT, os.path.join(ROOT, "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

import torch_activations  # noqa: E402,F401  (loads the operator library)

HAS_CUDA = torch.cuda.is_available()
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not HAS_CUDA, reason="no CUDA device"))]


@pytest.fixture(autouse=True)
def _seeded_rng(request):
    """Every test draws the same random numbers however pytest-xdist
    distributes and orders the tests: a failure reproduces with -k."""
    torch.manual_seed(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(params=DEVICES)
def device(request):
    return request.param


def pytest_report_header(config):
    import torch_activations as ta

    return (
        f"torch {torch.__version__}, torch_activations CPU kernels: {ta.cpu_capability()}, "
        f"CUDA: {'yes (' + torch.cuda.get_device_name() + ')' if HAS_CUDA else 'no (CUDA tests skipped)'}"
    )

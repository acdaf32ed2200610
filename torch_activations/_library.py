"""Loads the compiled operator library (torch_activations/_C*.so)."""

import glob
import os

import torch

_LOADED = None


def library_path() -> str:
    """Path of the compiled operator library shipped in this package."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = sorted(glob.glob(os.path.join(here, "_C*.so")) + glob.glob(os.path.join(here, "_C*.pyd")))
    if not candidates:
        raise ImportError(
            "torch_activations: the compiled library _C*.so is missing from "
            f"{here}; build it with `pip install --no-build-isolation -e .` "
            "(see README.md)"
        )
    return candidates[0]


def load() -> str:
    """Registers torch.ops.torch_activations.* (idempotent); returns the path."""
    global _LOADED
    if _LOADED is None:
        path = library_path()
        torch.ops.load_library(path)
        _LOADED = path
    return _LOADED

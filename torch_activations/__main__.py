"""Entry point of ``python -m torch_activations`` (see :mod:`torch_activations.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

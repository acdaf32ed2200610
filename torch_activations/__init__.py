from . import _library

_library.load()

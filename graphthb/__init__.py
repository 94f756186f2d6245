"""graphthb: link analysis of online ads for investigators of human trafficking."""

from graphthb.errors import GraphthbError

__version__ = "0.1.0"

__all__ = ["GraphthbError", "__version__"]

"""Every error graphthb raises on purpose derives from :class:`GraphthbError`.

The command line turns these into one readable line and a non-zero exit; anything
else reaching the user is a bug.
"""


class GraphthbError(Exception):
    """Root of graphthb's own errors; the message is meant for the analyst."""


class ConfigError(GraphthbError):
    """A setting (``--db``, credentials, a path) is wrong; the message names it."""


class StoreError(GraphthbError):
    """The graph store refused or failed an operation."""


class QueryError(StoreError):
    """A Cypher query failed; the message carries the database's reason."""


class InputError(GraphthbError):
    """An input file cannot be used at all."""


class NotFoundError(GraphthbError):
    """A group, identifier or file the analyst named does not exist."""

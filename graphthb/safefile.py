"""Writing files an analyst names, without clobbering what graphthb does not own.

``-o`` of a view or an export is a path typed by a person, maybe a typo, maybe
a symlink, maybe run as root: ``view -o case.lbug`` must not replace the store,
``export -o case.lbug.audit.jsonl`` must not replace the audit trail, and
``view -o /dev/null`` must not turn a device into a regular file. So output
goes to a new file or over a regular file only, never over one of the store's
own files (the database, its side files, the audit trail, the rejects file),
whatever name or link leads there; and it is written to a temporary file in
the same folder and renamed into place, so a reader sees the old file or the
new one, never half of one.

:func:`replace_scrubbed` is the deletion side: it swaps a rewritten file into
place and overwrites the old one's bytes, for files that held purged data.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from graphthb.errors import ConfigError

__all__ = [
    "check_not_owned",
    "check_output",
    "protected_paths",
    "replace_scrubbed",
    "write_bytes",
    "write_text",
]


def protected_paths(location: str | os.PathLike[str] | None, *, rejects: bool = True) -> list[Path]:
    """The files that belong to the store at ``location``: none may be an output.

    For an embedded store: the database file and every ``<store>.*`` beside it
    (write-ahead file, audit trail), and ``rejects.csv`` beside it. For any store:
    the audit trail it writes to (GRAPHTHB_AUDIT or the default) and
    ``rejects.csv`` in the working folder, where a Neo4j load puts rejects.
    ``rejects=False`` leaves the rejects files out, for the load that writes them.
    """
    from graphthb.audit import audit_path_for
    from graphthb.store import is_neo4j_uri

    out = [Path("rejects.csv")] if rejects else []
    if location is None:
        return out
    setting = str(location)
    out.append(audit_path_for(setting))
    if not is_neo4j_uri(setting):
        db = Path(setting)
        out += [db, db.parent / "rejects.csv"] if rejects else [db]
        with contextlib.suppress(OSError):
            # Not a glob: a store's name may hold [ or *.
            out += [db.parent / n for n in os.listdir(db.parent) if n.startswith(db.name + ".")]
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        # b does not exist (yet): compare the names the links resolve to.
        return os.path.realpath(a) == os.path.realpath(b)


def check_not_owned(
    out: str | os.PathLike[str], protected: Iterable[Path], option: str = "-o"
) -> None:
    """A one-line ConfigError when ``out``, under any name or link, is one of ``protected``."""
    real = Path(os.path.realpath(out))
    for p in protected:
        if _same_file(real, Path(p)):
            raise ConfigError(
                f"{option} {out} is the store's own file {p}; write the output somewhere else"
            )


def check_output(
    out: str | os.PathLike[str], protected: Iterable[Path] = (), *, create_parents: bool = False
) -> Path:
    """The real path to write ``out`` to, or a one-line ConfigError saying why not.

    A symlink is followed (its target is what gets written); the target must be
    absent or a regular file, and none of ``protected`` under any name.
    """
    given = Path(out)
    real = Path(os.path.realpath(given))
    check_not_owned(given, protected)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ConfigError(f"-o {given}: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"-o {given} is a folder; give a file name such as {given / 'out'}")
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(
                f"-o {given} is not a regular file (a device, pipe or socket); "
                "give the name of a new or ordinary file"
            )
    if not create_parents and not real.parent.is_dir():
        raise ConfigError(f"-o {given}: folder {real.parent} does not exist")
    return real


def _write(
    out: str | os.PathLike[str],
    fill: Callable[[IO[Any]], None],
    mode: str,
    protected: Iterable[Path],
    create_parents: bool = False,
    **open_args: Any,
) -> Path:
    real = check_output(out, protected, create_parents=create_parents)
    if create_parents:
        real.parent.mkdir(parents=True, exist_ok=True)
    tmp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, mode, **open_args) as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # Checked again just before the rename: a device or the store may have
        # appeared at that name while the content was being computed.
        check_output(out, protected)
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Path(out)


def write_text(
    out: str | os.PathLike[str],
    text: str | Callable[[IO[str]], None],
    protected: Iterable[Path] = (),
    *,
    newline: str | None = "\n",
    create_parents: bool = False,
) -> Path:
    """Write ``text`` (or what a callback writes to the file) to ``out`` as UTF-8, whole or not at all."""
    fill = text if callable(text) else (lambda fh: fh.write(text))
    return _write(
        out, fill, "w", list(protected), create_parents, encoding="utf-8", newline=newline
    )


def write_bytes(
    out: str | os.PathLike[str],
    data: bytes | Callable[[IO[bytes]], None],
    protected: Iterable[Path] = (),
) -> Path:
    """Write ``data`` (or what a callback writes to the file) to ``out``, whole or not at all."""
    fill = data if callable(data) else (lambda fh: fh.write(data))
    return _write(out, fill, "wb", list(protected))


def replace_scrubbed(old: Path, new: Path) -> None:
    """Rename ``new`` over ``old``, then overwrite the bytes the old file held with zeros.

    The old file is opened before the rename, so the zeros go to its own blocks
    (on a file system that writes in place, such as ext4 or XFS; a copy-on-write
    file system or an SSD's wear levelling may keep the old blocks elsewhere)
    while the name already shows the new content: a crash in between leaves
    the new file in place, never neither.
    """
    fd = None
    if old.exists():
        fd = os.open(old, os.O_RDWR)
    try:
        os.replace(new, old)
        if fd is not None:
            size = os.fstat(fd).st_size
            zeros = bytes(1 << 20)
            os.lseek(fd, 0, os.SEEK_SET)
            left = size
            while left > 0:
                left -= os.write(fd, zeros[: min(left, len(zeros))])
            os.fsync(fd)
    finally:
        if fd is not None:
            os.close(fd)
    with contextlib.suppress(OSError):
        dir_fd = os.open(old.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

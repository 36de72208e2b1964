"""The files side of a backup: what MEDIA_ROOT holds, and putting a restored tree in its place."""

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under `root`, by its POSIX path relative to it, in a stable order.
    Symbolic links are not followed: storage never makes them, and one could point anywhere."""
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def has_files(root: Path) -> bool:
    return any(names for _, _, names in os.walk(root))


def staging_directory(root: Path, purpose: str) -> Path:
    # Beside MEDIA_ROOT, so that putting the restored files in place is a rename, not a copy.
    root.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}-{purpose}-"))


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        # MEDIA_ROOT is a mount point of its own: a copy, then the source goes.
        shutil.move(source, target)


def install(staged: Path, root: Path) -> None:
    """Puts the entries of `staged` in MEDIA_ROOT, a rename each. What MEDIA_ROOT held (files, with
    --force; otherwise at most empty folders) is set aside first, and deleted once the new tree is in."""
    root.mkdir(parents=True, exist_ok=True)
    previous = staging_directory(root, "replaced")
    placed = []
    try:
        for entry in list(root.iterdir()):
            _move(entry, previous / entry.name)
        for entry in sorted(staged.iterdir()) if staged.is_dir() else []:
            _move(entry, root / entry.name)
            placed.append(entry.name)
    except BaseException:
        # Back as it was: a failure here leaves MEDIA_ROOT with its old files, never half of each.
        for name in placed:
            _move(root / name, staged / name)
        for entry in list(previous.iterdir()):
            _move(entry, root / entry.name)
        previous.rmdir()
        raise
    shutil.rmtree(previous)

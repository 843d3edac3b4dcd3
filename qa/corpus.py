"""The corpus folder is the source of truth: the index always equals it. Adding a document puts its
file here (under a safe name, written atomically), with any title/date override kept beside it;
removing one moves the file to a `.removed/` folder rather than deleting it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
import time
from datetime import datetime, timezone
from pathlib import Path

from .ingest import SUPPORTED_SUFFIXES, IngestError

OVERRIDES = ".qa-meta"
# what is kept beside a file: the user's overrides, and for a fetched file its URL and the paper it
# is a language version of (so that a rebuild from the folder keeps them)
KEPT = ("id", "title", "date", "url", "paper")
TRASH = ".removed"
PARTIAL = ".upload-"  # an upload being written (`place`); one a crash left behind is swept away
_UNSAFE = re.compile(r"[^\w.\-]+")  # \w: letters and digits of any script, and "_"


def slug(text: str, limit: int = 120) -> str:
    """`text` with every run of anything but letters, digits, `.`, `-` and `_` made one "-", and no
    leading or trailing dots or dashes: a safe file name or document id ("a/b" → "a-b")."""
    return _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip(".-_ ")[:limit]


def safe_name(name: str) -> str:
    """A file name with no directory part, no leading dots and nothing a shell or a path resolver
    could misread ("../../etc/passwd" → "passwd", refused for its type)."""
    base = name.replace("\\", "/").split("/")[-1]
    base = slug(base)
    suffix = Path(base).suffix.lower()
    if not base or not Path(base).stem:
        raise IngestError(f"{name!r}: not a usable file name")
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{base}: unsupported file type {suffix or '(none)'}")
    return base


def document_id(given: str, source: str = "") -> str:
    """The one place a document id is made, from a file name, a front-matter `id:` or one given on
    upload: letters (any script), digits, `.`, `-` and `_`, so that it is one path segment in
    `/read/<id>` and `DELETE /api/documents/<id>` ("a/b" → "a-b"). An empty `id:` means the file's name."""
    cleaned = slug(given or "") or (slug(Path(source).stem) if source else "")
    if not cleaned:
        raise IngestError(f"{source or given!r}: {given!r} is not a usable document id; use letters, digits, "
                          "'.', '-' or '_'")
    return cleaned


def id_key(doc_id: str) -> str:
    """What two ids that a reader would take for the same paper share ("IF-12" and "if_12")."""
    return doc_id.casefold().replace("_", "-")


def stamp(raw: bytes, overrides: dict[str, str], reader: str) -> str:
    """What a file was when it was read: its bytes, its overrides and the version of what reads it
    (parser, chunker). While the stamp is the same, reading the file again gives the same document,
    so a re-index need not parse it: a no-op run reads bytes, not documents."""
    digest = hashlib.sha256(raw)
    digest.update(json.dumps(overrides, sort_keys=True).encode())
    digest.update(reader.encode())
    return digest.hexdigest()[:16]


class Corpus:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, Path] = {}

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if resolved.parent != self.root.resolve():
            raise IngestError(f"{path.name}: refusing to write outside the corpus folder")
        return resolved

    def contains(self, path: Path) -> bool:
        """Whether the file is in the corpus folder (as itself: a link to elsewhere is not). Folders
        are resolved once per `Corpus`: a re-index asks this of every file."""
        try:
            if path.is_symlink():
                return path.resolve().parent == self._real(self.root)
            return self._real(path.parent) == self._real(self.root)
        except OSError:
            return False

    def _real(self, folder: Path) -> Path:
        key = str(folder)
        if key not in self._folders:
            self._folders[key] = folder.resolve()
        return self._folders[key]

    def place(self, name: str, data: bytes) -> Path:
        """Write a file into the corpus atomically (a crash never leaves half a file)."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self._inside(self.root / safe_name(name))
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=PARTIAL, suffix=".part")
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def sweep(self, older_than_s: float = 60.0) -> list[str]:
        """Delete uploads a crash left half-written (no upload takes a minute to write)."""
        swept = []
        for part in self.root.glob(f"{PARTIAL}*.part"):
            try:
                if time.time() - part.stat().st_mtime > older_than_s:
                    part.unlink()
                    swept.append(part.name)
            except OSError:
                continue
        return swept

    def overrides(self, path: Path) -> dict[str, str]:
        meta = self.root / OVERRIDES / f"{path.name}.json"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            return {k: str(v) for k, v in data.items() if k in KEPT and v}
        except (OSError, ValueError):
            return {}

    def set_overrides(self, path: Path, **values: str | None) -> None:
        clean = {k: v for k, v in values.items() if v}
        meta = self.root / OVERRIDES / f"{path.name}.json"
        if not clean:
            meta.unlink(missing_ok=True)
            return
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps(clean, ensure_ascii=False), encoding="utf-8")

    def trash(self, path: Path, keep: bool = True) -> Path | None:
        """Move a file out of the corpus into `.removed/` (its overrides go with it, so it can come
        back whole); `keep=False` deletes it instead (a rejected upload, never a user's document)."""
        if not path.exists() or not self.contains(path):
            return None
        meta = self.root / OVERRIDES / f"{path.name}.json"
        if not keep:
            path.unlink()
            meta.unlink(missing_ok=True)
            return None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        target = self.root / TRASH / f"{stamp}-{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        if meta.exists():
            shutil.move(str(meta), target.with_name(target.name + ".meta.json"))
        return target

    def restore(self, trashed: Path) -> Path:
        """Put a file moved by `trash` back under its own name, with its overrides."""
        name = trashed.name.split("-", 1)[1]
        target = self._inside(self.root / name)
        shutil.move(str(trashed), target)
        meta = trashed.with_name(trashed.name + ".meta.json")
        if meta.exists():
            (self.root / OVERRIDES).mkdir(parents=True, exist_ok=True)
            shutil.move(str(meta), self.root / OVERRIDES / f"{name}.json")
        return target

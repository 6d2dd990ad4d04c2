"""Read a repository archive (zip, tar or tar.gz, given as bytes) into its text files, safely.

The archive comes from outside, so every limit is enforced while reading, never after:

- the compressed size (``max_compressed_bytes``, default 20 MiB) is checked first;
- the uncompressed data (``max_total_bytes``, default 50 MiB) is counted as it is decompressed,
  so a zip or gzip bomb is stopped as soon as it passes the limit. Everything the reader has to
  decompress counts: in a tar stream that includes files it skips;
- the number of files (``max_files``, default 5,000; skipped files count too, and entries of
  any kind, folders included, may not exceed twice that);
- the size of one file (``max_file_bytes``, default 1 MiB): larger files are skipped and reported.

Paths are normalised (``/`` separators, no ``.`` parts). An absolute path or a ``..`` part makes
the whole archive invalid (a repository archive never has one). Symbolic links, hard links,
device and other special files are skipped and reported, as are binary files (not UTF-8 text)
and everything under ``.git/``, ``node_modules/``, ``__pycache__/`` or ``.venv/``. A single
top-level folder shared by every entry (as in GitHub archives) is stripped. The format is
recognised by its leading bytes, never by a file name.

``build_archive`` makes a deterministic tar.gz of a directory (sorted names, fixed times and
owners), e.g. of the sample repository.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from orchestrator.core.errors import ArchiveInvalid
from orchestrator.core.records import StrictModel

MiB = 1024 * 1024
MAX_COMPRESSED_BYTES = 20 * MiB
MAX_TOTAL_BYTES = 50 * MiB
MAX_FILES = 5_000
MAX_FILE_BYTES = 1 * MiB
EXCLUDED_DIRECTORIES = frozenset({".git", "node_modules", "__pycache__", ".venv"})
BUILD_MTIME = 1_704_067_200  # 2024-01-01T00:00:00Z: every entry of a built archive has this time

ArchiveFormat = Literal["zip", "tar", "tar.gz"]
EntryKind = Literal["file", "directory", "symlink", "hardlink", "device", "special", "encrypted"]

_READ_CHUNK = 64 * 1024
_TAR_HEADER_ALLOWANCE = 2048  # bytes of headers and padding a tar stream may hold per entry
_SKIP_REASONS: dict[EntryKind, str] = {
    "symlink": "symbolic link",
    "hardlink": "hard link",
    "device": "device file",
    "special": "special file (not a regular file)",
    "encrypted": "encrypted",
}
_CORRUPTION_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


class SourceFile(StrictModel):
    """A text file of the repository."""

    path: str  # relative, "/"-separated, top-level folder stripped
    text: str
    size: int  # bytes in the archive


class SkippedFile(StrictModel):
    """An entry of the archive that was not kept, and why."""

    path: str
    reason: str


class Archive(StrictModel):
    """The text files of an archive, sorted by path, and what was left out."""

    format: ArchiveFormat
    files: list[SourceFile]
    skipped: list[SkippedFile]

    def file(self, path: str) -> SourceFile | None:
        return next((source for source in self.files if source.path == path), None)


@dataclass
class _Entry:
    """One entry as a format reader yields it; ``read`` returns at most ``limit`` bytes."""

    name: str
    kind: EntryKind
    size: int
    read: Callable[[int], bytes]


class _Budget:
    """Counts uncompressed bytes and stops the reading once they pass the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise ArchiveInvalid(
                f"the archive holds more than {_size(self.limit)} of uncompressed data (the limit)"
            )


class _LimitedStream(io.RawIOBase):
    """A read-only stream that refuses to deliver more than ``limit`` bytes of ``raw``."""

    def __init__(self, raw: io.BufferedIOBase | gzip.GzipFile, budget: _Budget) -> None:
        self._raw = raw
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._raw.read(len(buffer))
        self._budget.spend(len(chunk))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def detect_format(data: bytes) -> ArchiveFormat:
    """The archive's format from its leading bytes (zip, tar, or gzip holding a tar)."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[257:262] == b"ustar":
        return "tar"
    if data[:2] == b"\x1f\x8b":
        try:
            head = gzip.GzipFile(fileobj=io.BytesIO(data)).read(512)
        except _CORRUPTION_ERRORS as exc:
            raise ArchiveInvalid(f"the gzip data is corrupt: {exc}") from exc
        if head[257:262] != b"ustar":
            raise ArchiveInvalid("the gzip data does not hold a tar archive")
        return "tar.gz"
    raise ArchiveInvalid("the data is not a zip, tar or tar.gz archive (its leading bytes are none of these)")


def read_archive(
    data: bytes,
    *,
    max_compressed_bytes: int = MAX_COMPRESSED_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_files: int = MAX_FILES,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Archive:
    """The text files of a zip, tar or tar.gz archive; raises ``ArchiveInvalid`` saying what is
    wrong when the archive is unreadable, unsafe or over a limit."""
    if len(data) > max_compressed_bytes:
        raise ArchiveInvalid(
            f"the archive is {_size(len(data))}, over the limit of {_size(max_compressed_bytes)}"
        )
    archive_format = detect_format(data)
    budget = _Budget(max_total_bytes)
    try:
        if archive_format == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zipped:
                return _collect(
                    archive_format, _zip_entries(zipped, budget, max_files), max_files, max_file_bytes
                )
        raw: io.BufferedIOBase | gzip.GzipFile = io.BytesIO(data)
        if archive_format == "tar.gz":
            raw = gzip.GzipFile(fileobj=raw)
        # Headers and padding pass through the stream too: allow them besides the content.
        stream_budget = _Budget(max_total_bytes + _TAR_HEADER_ALLOWANCE * (2 * max_files + 1))
        with tarfile.open(fileobj=_LimitedStream(raw, stream_budget), mode="r|") as tar:
            return _collect(archive_format, _tar_entries(tar, budget), max_files, max_file_bytes)
    except _CORRUPTION_ERRORS as exc:
        raise ArchiveInvalid(f"the {archive_format} archive is corrupt or truncated: {exc}") from exc


def _zip_entries(zipped: zipfile.ZipFile, budget: _Budget, max_files: int) -> Iterator[_Entry]:
    infos = zipped.infolist()
    if len(infos) > 2 * max_files:  # a repository has fewer folders than files
        raise ArchiveInvalid(f"the archive holds more than {max_files} files (the limit)")
    for info in infos:

        def read(limit: int, info: zipfile.ZipInfo = info) -> bytes:
            chunks, count = [], 0
            with zipped.open(info) as stream:
                while count <= limit and (chunk := stream.read(min(_READ_CHUNK, limit + 1 - count))):
                    budget.spend(len(chunk))
                    chunks.append(chunk)
                    count += len(chunk)
            return b"".join(chunks)

        yield _Entry(info.filename, _zip_kind(info), info.file_size, read)


def _zip_kind(info: zipfile.ZipInfo) -> EntryKind:
    mode = info.external_attr >> 16
    if info.is_dir() or stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "special"
    return "encrypted" if info.flag_bits & 0x1 else "file"


def _tar_entries(tar: tarfile.TarFile, budget: _Budget) -> Iterator[_Entry]:
    for member in tar:
        kind = _tar_kind(member)
        if kind == "file":
            # A tar stream is read in order: this content is decompressed even if it is skipped.
            budget.spend(member.size)

        def read(limit: int, member: tarfile.TarInfo = member) -> bytes:
            extracted = tar.extractfile(member)
            return extracted.read(limit) if extracted is not None else b""

        yield _Entry(member.name, kind, member.size, read)


def _tar_kind(member: tarfile.TarInfo) -> EntryKind:
    if member.isdir():
        return "directory"
    if member.isreg():
        return "file"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.ischr() or member.isblk():
        return "device"
    return "special"


def _collect(
    archive_format: ArchiveFormat, entries: Iterator[_Entry], max_files: int, max_file_bytes: int
) -> Archive:
    names: list[str] = []
    files: dict[str, SourceFile] = {}
    skipped: dict[str, str] = {}
    count = 0
    for seen, entry in enumerate(entries, start=1):
        if seen > 2 * max_files:
            raise ArchiveInvalid(f"the archive holds more than {max_files} files (the limit)")
        path = normalise_path(entry.name)
        if not path:
            continue
        names.append(path)
        if entry.kind == "directory":
            continue
        count += 1
        if count > max_files:
            raise ArchiveInvalid(f"the archive holds more than {max_files} files (the limit)")
        if excluded := _excluded_directory(path):
            skipped.setdefault(excluded, "excluded directory")
            continue
        # A later entry with the same path replaces an earlier one (as when a tar is extracted).
        files.pop(path, None)
        skipped.pop(path, None)
        if reason := _refusal(entry, max_file_bytes):
            skipped[path] = reason
            continue
        data = entry.read(max_file_bytes + 1)
        if len(data) > max_file_bytes:
            skipped[path] = f"larger than {_size(max_file_bytes)}"
        elif (text := _text(data)) is None:
            skipped[path] = "binary (not UTF-8 text)"
        else:
            files[path] = SourceFile(path=path, text=text, size=len(data))

    strip = _strip_common_folder(names)
    return Archive(
        format=archive_format,
        files=sorted((f.model_copy(update={"path": strip(f.path)}) for f in files.values()), key=_by_path),
        skipped=sorted((SkippedFile(path=strip(p), reason=r) for p, r in skipped.items()), key=_by_path),
    )


def _refusal(entry: _Entry, max_file_bytes: int) -> str | None:
    """Why an entry is skipped without reading it, if it is."""
    if entry.kind != "file":
        return _SKIP_REASONS[entry.kind]
    if entry.size > max_file_bytes:
        return f"larger than {_size(max_file_bytes)}"
    return None


def _by_path(item: SourceFile | SkippedFile) -> str:
    return item.path


def normalise_path(name: str) -> str:
    """A relative ``/``-separated path without empty or ``.`` parts ("" for the root); raises
    ``ArchiveInvalid`` for an absolute path or one with a ``..`` part."""
    unified = name.replace("\\", "/")
    if "\x00" in unified:
        raise ArchiveInvalid(f"archive entry {name!r} has a NUL character in its path")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":" and unified[0].isalpha()):
        raise ArchiveInvalid(f"archive entry {name!r} has an absolute path")
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ArchiveInvalid(f"archive entry {name!r} has a '..' part: it would leave the archive")
    return "/".join(parts)


def _excluded_directory(path: str) -> str | None:
    """The excluded folder holding ``path`` (e.g. ``"web/node_modules"``), if any."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part in EXCLUDED_DIRECTORIES:
            return "/".join(parts[: index + 1])
    return None


def _strip_common_folder(names: list[str]) -> Callable[[str], str]:
    """Strips the single top-level folder holding every entry, when there is one."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not any("/" in name for name in names):
        return lambda path: path
    prefix = f"{tops.pop()}/"
    if any(name != prefix[:-1] and not name.startswith(prefix) for name in names):
        return lambda path: path
    return lambda path: path.removeprefix(prefix)


def _text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _size(count: int) -> str:
    return f"{count // MiB} MiB" if count >= MiB and count % MiB == 0 else f"{count:,} bytes"


def build_archive(directory: str | Path) -> bytes:
    """A deterministic tar.gz of ``directory``'s regular files under a top-level folder named
    after it (as GitHub archives are): sorted names, fixed times, no owners; symbolic links and
    excluded folders (``__pycache__/``, ...) left out. The same files give the same bytes."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"{directory} is not a directory")
    relative_paths: list[PurePosixPath] = []
    for current, folders, names in os.walk(root):
        folders[:] = [folder for folder in folders if folder not in EXCLUDED_DIRECTORIES]
        for name in names:
            path = Path(current, name)
            if path.is_file() and not path.is_symlink():
                relative_paths.append(PurePosixPath(path.relative_to(root).as_posix()))
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for relative in sorted(relative_paths):
            content = (root / relative).read_bytes()
            info = tarfile.TarInfo(f"{root.name}/{relative}")
            info.size = len(content)
            info.mtime = BUILD_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()

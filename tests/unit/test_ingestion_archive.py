"""Reading repository archives: formats by their bytes, limits enforced while reading, unsafe
entries refused or skipped, the sample repository round trip."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from orchestrator.core.errors import ArchiveInvalid, OrchestratorError
from orchestrator.ingestion.archive import (
    MAX_COMPRESSED_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    MiB,
    build_archive,
    detect_format,
    normalise_path,
    read_archive,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], *, compress: bool = False) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return gzip.compress(buffer.getvalue()) if compress else buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def test_the_default_limits_are_those_documented() -> None:
    limits = (MAX_COMPRESSED_BYTES, MAX_TOTAL_BYTES, MAX_FILES, MAX_FILE_BYTES)
    assert limits == (20 * MiB, 50 * MiB, 5_000, 1 * MiB)
    assert issubclass(ArchiveInvalid, OrchestratorError)
    assert not ArchiveInvalid.transient


def test_the_sample_repository_round_trips_with_its_top_level_folder_stripped() -> None:
    # Given the sample repository packed as GitHub packs one (everything under one folder)
    data = build_archive(SAMPLE)

    # When it is read
    archive = read_archive(data)

    # Then its files come back under their repository paths, identical to the originals
    assert archive.format == "tar.gz"
    paths = [source.path for source in archive.files]
    assert "README.md" in paths
    assert "inventory/config.py" in paths
    assert paths == sorted(paths)
    config = archive.file("inventory/config.py")
    assert config is not None
    assert config.text == (SAMPLE / "inventory" / "config.py").read_text(encoding="utf-8")
    assert config.size == len(config.text.encode())
    assert archive.skipped == []


def test_building_the_same_directory_twice_gives_the_same_bytes() -> None:
    assert build_archive(SAMPLE) == build_archive(SAMPLE)


def test_built_archives_leave_out_caches_and_symbolic_links(tmp_path: Path) -> None:
    # Given a directory with a byte-code cache and a symbolic link next to a module
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\x00\x01")
    (tmp_path / "pkg" / "link.py").symlink_to(tmp_path / "pkg" / "mod.py")

    # When it is packed and read back
    archive = read_archive(build_archive(tmp_path))

    # Then only the module is there
    assert [source.path for source in archive.files] == ["pkg/mod.py"]


def test_the_format_is_recognised_by_its_bytes_not_by_a_name() -> None:
    files = {"repo/a.py": b"print('a')\n"}
    assert detect_format(_zip(files)) == "zip"
    assert detect_format(_tar([(_member("repo/a.py"), files["repo/a.py"])])) == "tar"
    assert detect_format(_tar([(_member("repo/a.py"), files["repo/a.py"])], compress=True)) == "tar.gz"
    assert read_archive(_zip(files)).files[0].path == "a.py"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not an archive", "not a zip, tar or tar.gz archive"),
        (gzip.compress(b"just some gzipped text", mtime=0), "does not hold a tar archive"),
        (b"", "not a zip, tar or tar.gz archive"),
    ],
)
def test_data_that_is_no_supported_archive_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ArchiveInvalid, match=message):
        read_archive(data)


def test_a_corrupt_zip_is_refused_as_corrupt() -> None:
    # Given a zip whose central directory was cut off
    data = _zip({"a.py": b"x = 1\n" * 100})[:-30]

    with pytest.raises(ArchiveInvalid, match="zip archive is corrupt"):
        read_archive(data)


def test_an_archive_over_the_compressed_limit_is_refused_before_it_is_read() -> None:
    data = _zip({"a.txt": b"a" * 5_000}, compression=zipfile.ZIP_STORED)

    with pytest.raises(ArchiveInvalid, match="over the limit of 4,096 bytes"):
        read_archive(data, max_compressed_bytes=4096)


def test_a_zip_bomb_is_stopped_at_the_uncompressed_limit() -> None:
    # Given 100 KiB of zip holding 100 files of 1 MiB each (100 MiB uncompressed)
    data = _zip({f"bomb/{index:03}.txt": b"a" * MiB for index in range(100)})
    assert len(data) < 200 * 1024

    # When it is read with the default limits, then it is refused for its uncompressed size
    with pytest.raises(ArchiveInvalid, match="more than 50 MiB of uncompressed data"):
        read_archive(data)


def test_a_gzip_bomb_is_stopped_while_reading_not_after() -> None:
    # Given a tar.gz of 60 files of 1 MiB whose data is cut off after them (no end of archive)
    members = io.BytesIO()
    with tarfile.open(fileobj=members, mode="w") as archive:
        for index in range(60):
            info = tarfile.TarInfo(f"bomb/{index:02}.txt")
            info.size = MiB
            archive.addfile(info, io.BytesIO(b"a" * MiB))
    data = gzip.compress(members.getvalue()[: 60 * (MiB + 512)], compresslevel=1)[:-64]

    # When it is read, then it is refused for its size: reading stopped before the cut-off end
    with pytest.raises(ArchiveInvalid, match="more than 50 MiB of uncompressed data"):
        read_archive(data)


def test_a_file_claiming_gigabytes_stops_the_reading_at_its_header() -> None:
    # Given a tar.gz whose one file claims 4 GiB but holds only a few bytes
    header = tarfile.TarInfo("repo/huge.txt")
    header.size = 4 * 1024 * MiB
    data = gzip.compress(header.tobuf(format=tarfile.PAX_FORMAT) + b"\x00" * 4096)

    # Then it is refused for its size at once (its data is never decompressed)
    with pytest.raises(ArchiveInvalid, match="uncompressed data"):
        read_archive(data)


def test_files_over_the_per_file_limit_are_skipped_and_reported() -> None:
    data = _zip({"repo/small.py": b"x = 1\n", "repo/data/large.csv": b"1,2\n" * (MiB // 4 + 1)})

    archive = read_archive(data)

    assert [source.path for source in archive.files] == ["small.py"]
    assert [(s.path, s.reason) for s in archive.skipped] == [("data/large.csv", "larger than 1 MiB")]


def test_too_many_files_are_refused() -> None:
    data = _zip({f"repo/{index}.py": b"x = 1\n" for index in range(4)})

    with pytest.raises(ArchiveInvalid, match="more than 3 files"):
        read_archive(data, max_files=3)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("repo/../../etc/passwd", "'..' part"),
        ("../outside.py", "'..' part"),
        ("/etc/passwd", "absolute path"),
        ("C:\\Windows\\system.ini", "absolute path"),
        ("repo\\..\\..\\evil.py", "'..' part"),
    ],
)
def test_a_path_leaving_the_archive_makes_it_invalid(name: str, message: str) -> None:
    # Given an otherwise fine zip with one entry whose path escapes
    data = _zip({"repo/ok.py": b"x = 1\n", name: b"owned"})

    # Then the archive is refused, naming the entry
    with pytest.raises(ArchiveInvalid, match=message):
        read_archive(data)


def test_a_tar_entry_with_an_absolute_path_makes_it_invalid() -> None:
    data = _tar([(_member("/etc/cron.d/job"), b"* * * * * evil\n")])

    with pytest.raises(ArchiveInvalid, match="absolute path"):
        read_archive(data)


def test_paths_are_normalised() -> None:
    assert normalise_path("./repo//src/./a.py") == "repo/src/a.py"
    assert normalise_path("repo\\src\\a.py") == "repo/src/a.py"
    assert normalise_path("repo/dir/") == "repo/dir"


def test_links_and_device_files_are_skipped_and_reported() -> None:
    # Given a tar with a file, a symbolic link, a hard link, a device file and a fifo
    data = _tar(
        [
            (_member("repo/app.py"), b"print('hi')\n"),
            (_member("repo/secrets", tarfile.SYMTYPE, "/etc/shadow"), b""),
            (_member("repo/copy.py", tarfile.LNKTYPE, "repo/app.py"), b""),
            (_member("repo/tty", tarfile.CHRTYPE), b""),
            (_member("repo/pipe", tarfile.FIFOTYPE), b""),
        ],
        compress=True,
    )

    archive = read_archive(data)

    # Then only the regular file is kept, and each other entry is reported with its reason
    assert [source.path for source in archive.files] == ["app.py"]
    assert {(s.path, s.reason) for s in archive.skipped} == {
        ("secrets", "symbolic link"),
        ("copy.py", "hard link"),
        ("tty", "device file"),
        ("pipe", "special file (not a regular file)"),
    }


def test_a_symbolic_link_in_a_zip_is_skipped() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("repo/app.py", "x = 1\n")
        link = zipfile.ZipInfo("repo/passwd")
        link.external_attr = (0o120777 << 16) | 0x20  # S_IFLNK
        archive.writestr(link, "/etc/passwd")

    archive_read = read_archive(buffer.getvalue())

    assert [source.path for source in archive_read.files] == ["app.py"]
    assert [(s.path, s.reason) for s in archive_read.skipped] == [("passwd", "symbolic link")]


def test_binary_files_are_skipped_and_text_is_decoded() -> None:
    data = _zip(
        {
            "repo/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "repo/latin1.txt": "café".encode("latin-1"),
            "repo/bom.py": "\ufeffname = 'café'\n".encode(),
        }
    )

    archive = read_archive(data)

    assert [(s.path, s.reason) for s in archive.skipped] == [
        ("latin1.txt", "binary (not UTF-8 text)"),
        ("logo.png", "binary (not UTF-8 text)"),
    ]
    bom = archive.file("bom.py")
    assert bom is not None and bom.text == "name = 'café'\n"  # byte order mark dropped


def test_tool_folders_are_skipped_and_reported_once() -> None:
    data = _zip(
        {
            "repo/app.py": b"x = 1\n",
            "repo/.git/config": b"[core]\n",
            "repo/.git/HEAD": b"ref: refs/heads/main\n",
            "repo/web/node_modules/left-pad/index.js": b"module.exports = 1\n",
            "repo/pkg/__pycache__/app.cpython-311.pyc": b"\x00",
            "repo/.venv/bin/python": b"#!/bin/sh\n",
        }
    )

    archive = read_archive(data)

    assert [source.path for source in archive.files] == ["app.py"]
    assert [(s.path, s.reason) for s in archive.skipped] == [
        (".git", "excluded directory"),
        (".venv", "excluded directory"),
        ("pkg/__pycache__", "excluded directory"),
        ("web/node_modules", "excluded directory"),
    ]


def test_the_top_level_folder_is_kept_when_entries_do_not_share_one() -> None:
    data = _zip({"one/a.py": b"a = 1\n", "two/b.py": b"b = 2\n"})

    assert [source.path for source in read_archive(data).files] == ["one/a.py", "two/b.py"]


def test_a_file_alone_at_the_top_is_not_mistaken_for_a_folder() -> None:
    data = _zip({"setup.py": b"x = 1\n"})

    assert [source.path for source in read_archive(data).files] == ["setup.py"]


def test_encrypted_zip_entries_are_skipped() -> None:
    # Given a zip whose central directory marks one entry as encrypted (flag bit 0)
    data = bytearray(_zip({"repo/app.py": b"x = 1\n", "repo/secret.txt": b"sealed"}))
    record = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)  # the second entry's record
    data[record + 8] |= 0x1

    archive = read_archive(bytes(data))

    # Then it is reported, not read
    assert [(s.path, s.reason) for s in archive.skipped] == [("secret.txt", "encrypted")]
    assert [source.path for source in archive.files] == ["app.py"]

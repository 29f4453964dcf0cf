"""Hostile and damaged files at import: each is its own try with a one-line reason, never a traceback."""

from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
from odf.opendocument import OpenDocumentText
from odf.text import P

from tests.reliability.conftest import connected, qualcode_command, run_qualcode

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# Billion laughs: ten levels of ten references, a gigabyte of "lol" once expanded.
ENTITY_BOMB = '<!DOCTYPE lolz [<!ENTITY l0 "lol">' + "".join(
    f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, 10)
) + "]>"
GOOD = "I: Hvordan var kurset?\nD1: Det var fint, jeg lærte mye om å søke jobb.\n"


def base_docx() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("I: Hei")
    document.save(buffer)
    return buffer.getvalue()


def base_odt() -> bytes:
    buffer = io.BytesIO()
    document = OpenDocumentText()
    document.text.addElement(P(text="I: Hei"))
    document.save(buffer)
    return buffer.getvalue()


def rezip(package: bytes, replace: dict[str, bytes]) -> bytes:
    """The same package with some members' content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


def word_body(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def odt_body(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content xmlns:office="{OFFICE}" '
        f'xmlns:text="{TEXT}"><office:body><office:text>{body}</office:text></office:body></office:document-content>'
    ).encode()


def write_bad_files(folder: Path) -> dict[str, str]:
    """Every kind of bad input, between two good files; returns what each file's outcome must mention."""
    folder.mkdir()
    docx_package, odt_package = base_docx(), base_odt()
    (folder / "a_first.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_junk.docx").write_bytes(rezip(docx_package, {"word/document.xml": b"<w:document><<<junk"}))
    (folder / "c_entities.docx").write_bytes(
        rezip(docx_package, {"word/document.xml": word_body("<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>", ENTITY_BOMB)})
    )
    (folder / "d_junk.odt").write_bytes(rezip(odt_package, {"content.xml": b"<office:document-content><<<junk"}))
    (folder / "e_entities.odt").write_bytes(rezip(odt_package, {"content.xml": odt_body("<text:p>&l9;</text:p>", ENTITY_BOMB)}))
    deep = "<text:span>" * 20_000 + "dypt" + "</text:span>" * 20_000
    (folder / "f_deep.odt").write_bytes(rezip(odt_package, {"content.xml": odt_body(f"<text:p>{deep}</text:p>")}))
    (folder / "g_bad_date.txt").write_text("---\ndate: 2024-13-45\n---\n" + GOOD, encoding="utf-8")
    (folder / "h_mixed_keys.md").write_text("---\n1: en\nwave: T1\n---\n" + GOOD, encoding="utf-8")
    (folder / "i_sidecar.txt").write_text(GOOD.replace("kurset", "praksisen"), encoding="utf-8")
    (folder / "i_sidecar.txt.meta.yaml").write_bytes("title: Samtale på kontoret\n".encode("latin-1"))
    (folder / "j_nul.txt").write_bytes(b"I: Hei\x00 der, hvordan\x07 gikk det?\nD1: Bra\x00.\n")
    (folder / "k_blandet.txt").write_bytes(
        "I: Hvordan går det på tiltaket?\nD1: Det går fint, jeg har fått mer ansvar.\nI: Og veilederen?\n".encode()
        + b"D1: Hun sa at jeg m\xe5tte komme tilbake.\n"
    )
    tracked = (
        '<w:p><w:r><w:t xml:space="preserve">D1: Det var </w:t></w:r>'
        '<w:ins w:id="1" w:author="Forsker"><w:r><w:t xml:space="preserve">veldig </w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="Forsker"><w:r><w:delText xml:space="preserve">ikke </w:delText></w:r></w:del>'
        "<w:r><w:t>nyttig.</w:t></w:r></w:p>"
    )
    (folder / "l_tracked.docx").write_bytes(rezip(docx_package, {"word/document.xml": word_body(tracked)}))
    odt_tracked = (
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><office:change-info/>'
        "<text:p>slettet setning</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        '<text:p>I: Hva skjedde?</text:p><text:p>D1: Det ble <text:change text:change-id="c1"/>bedre.</text:p>'
    )
    (folder / "m_tracked.odt").write_bytes(rezip(odt_package, {"content.xml": odt_body(odt_tracked)}))
    (folder / "z_last.txt").write_text(GOOD.replace("kurset", "møtet"), encoding="utf-8")
    return {
        "b_junk.docx": "docx", "c_entities.docx": "entit", "d_junk.odt": "odt", "e_entities.odt": "entit",
        "f_deep.odt": "nest", "g_bad_date.txt": "date", "h_mixed_keys.md": "metadata key",
    }


def stored_texts(root: Path) -> dict[str, tuple[str, str | None]]:
    with connected(root / ".qualcode" / "project.db") as connection:
        rows = connection.execute(
            "SELECT t.name, v.text, t.title FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id"
        ).fetchall()
    return {name: (text, title) for name, text, title in rows}


def test_a_batch_of_bad_files_names_each_and_imports_the_rest(cli_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = cli_project
    failures = write_bad_files(tmp_path / "innsamlet")
    result = run_qualcode(["import", str(tmp_path / "innsamlet"), "--json"], env, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    failed = {Path(item["file"]).name: item["reason"] for item in report["failed"]}
    for name, mentions in failures.items():
        assert name in failed, (name, report)
        assert mentions in failed[name].lower() and "\n" not in failed[name], (name, failed[name])
    imported = {item["name"]: item for item in report["imported"]}
    assert set(imported) == {"a_first", "i_sidecar", "j_nul", "k_blandet", "l_tracked", "m_tracked", "z_last"}, report
    texts = stored_texts(root)
    # Control characters are removed and the import says so.
    assert texts["j_nul"][0] == "I: Hei der, hvordan gikk det?\nD1: Bra.\n"
    assert any("control character" in note and "lines 1, 2" in note for note in imported["j_nul"]["notes"])
    # A UTF-8 file with a stray cp1252 byte stays UTF-8; that line is read as cp1252 and named.
    assert "går det på tiltaket" in texts["k_blandet"][0] and "fått" in texts["k_blandet"][0]
    assert "måtte" in texts["k_blandet"][0] and imported["k_blandet"]["encoding"] == "utf-8"
    assert any("not UTF-8" in note and "line 4" in note for note in imported["k_blandet"]["notes"])
    # Tracked changes are read as accepted, with a note.
    assert "D1: Det var veldig nyttig." in texts["l_tracked"][0] and "ikke" not in texts["l_tracked"][0]
    assert any("tracked change" in note for note in imported["l_tracked"]["notes"])
    assert "bedre" in texts["m_tracked"][0] and "slettet" not in texts["m_tracked"][0]
    assert any("tracked change" in note for note in imported["m_tracked"]["notes"])
    # A sidecar written by an editor that does not save UTF-8 is read in its own encoding.
    assert texts["i_sidecar"][1] == "Samtale på kontoret"


def write_zip(path: Path, members: list[tuple[str, int, bytes, int, int]]) -> None:
    """A zip written by hand from (name, method, data as stored, crc, unpacked size)."""
    with path.open("wb") as handle:
        central = b""
        for name, method, data, crc, size in members:
            offset = handle.tell()
            encoded = name.encode()
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
            handle.write(header + encoded + data)
            central += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                len(encoded), 0, 0, 0, 0, 0, offset,
            ) + encoded
        start = handle.tell()
        handle.write(central)
        handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0))


def zip_bomb_docx(path: Path, inflated: int) -> None:
    """A .docx whose document.xml inflates to `inflated` bytes of valid XML from about a thousandth of that."""
    head = word_body("<w:p><w:r><w:t>")[: -len(b"</w:body></w:document>")]
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush a block refers to nothing before it, so the same bytes can repeat.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = inflated // len(chunk)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + repeats * len(chunk) + len(tail)
    members = []
    with zipfile.ZipFile(io.BytesIO(base_docx())) as package:
        for info in package.infolist():
            if info.filename == "word/document.xml":
                members.append((info.filename, 8, first + block * repeats + last, crc, size))
            else:
                content = package.read(info.filename)
                members.append((info.filename, 0, content, zlib.crc32(content), len(content)))
    write_zip(path, members)


PEAK_RSS = """
import json, resource, subprocess, sys
result = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr, "peak_mb": peak_mb}))
"""


def run_measured(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, object]:
    """Run qualcode in a process of its own and report its peak resident memory."""
    wrapper = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, json.dumps(qualcode_command(*args))],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=180,
    )
    assert wrapper.returncode == 0, wrapper.stderr
    measured: dict[str, object] = json.loads(wrapper.stdout)
    return measured


def test_a_zip_bomb_is_refused_before_memory_grows(cli_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = cli_project
    bomb = tmp_path / "bombe.docx"
    zip_bomb_docx(bomb, 300 << 20)
    assert bomb.stat().st_size < 2 << 20
    after = tmp_path / "etter.txt"
    after.write_text(GOOD, encoding="utf-8")
    measured = run_measured(["import", str(bomb), str(after)], env, root)
    stderr = str(measured["stderr"])
    assert "Traceback" not in stderr, stderr
    assert measured["returncode"] == 1
    assert "bombe.docx" in stderr and "unpack" in stderr, stderr
    assert "imported etter" in str(measured["stdout"])
    assert float(str(measured["peak_mb"])) < 400, measured["peak_mb"]


def interview(size: int, seed: int = 12) -> str:
    """Interview-shaped text of about `size` characters, with nothing that waits for review."""
    words = "jeg det var kurs praksis tiltak veileder plan jobb hørt ansvar måltall press kontor".split()
    rng = random.Random(seed)
    lines: list[str] = []
    written = 0
    while written < size:
        line = f"{'I' if len(lines) % 2 == 0 else 'D1'}: {' '.join(rng.choice(words) for _ in range(rng.randint(6, 40))).capitalize()}.\n"
        lines.append(line)
        written += len(line)
    return "".join(lines)


def test_a_large_transcript_imports_in_bounded_memory(cli_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = cli_project
    small, large = tmp_path / "liten.txt", tmp_path / "stor.txt"
    small.write_text(GOOD, encoding="utf-8")
    megabytes = 2
    large.write_text(interview(megabytes * 1_000_000), encoding="utf-8")
    baseline = run_measured(["import", str(small)], env, root)
    measured = run_measured(["import", str(large)], env, root)
    assert measured["returncode"] == 0, measured["stderr"]
    # Beyond what any import holds (Python, spaCy, SQLAlchemy) and spaCy's working set for one
    # piece of text, memory grows by far less than 18 MB per MB of text: 1 GB for 50 MB.
    growth = float(str(measured["peak_mb"])) - float(str(baseline["peak_mb"]))
    assert growth < 30 + 18 * megabytes, (measured["peak_mb"], baseline["peak_mb"])

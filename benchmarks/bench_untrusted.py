"""Packages from outside that unpack to far more XML than they pack: what each reader costs.

For each reader of a package (transcript import of .docx and .odt, the leak check of .docx, .xlsx
and .qdpx, the .qdpx import and `exchange validate`), a `qualcode` process of its own reads a
file of a few hundred kB whose one XML part unpacks to --megabytes MB of empty elements, and its
peak memory and time are printed beside the same command on a small file of the same kind,
measured in the same run. Every reader goes through qualcode.untrusted, which refuses such a file
before anything parses it.

Run: .venv/bin/python benchmarks/bench_untrusted.py [--megabytes 150]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import openpyxl
from common import Row, Target, print_comparison
from odf.opendocument import OpenDocumentText
from odf.text import P

PASSPHRASE = "benchmark passphrase"
PEAK = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
print(json.dumps({"returncode": result.returncode, "output": result.stdout + result.stderr, "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
# One empty element, repeated, and where it goes in each kind of package.
QDE = b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>d</Description></Project>'


def packed(base: bytes, target: Path, part: str, before: bytes, unit: bytes, megabytes: float) -> Path:
    """`base` with `unit` repeated to `megabytes` MB just before `before` in `part`, written as it packs."""
    repeats = int(megabytes * 1_000_000 / len(unit)) // 10_000
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != part:
                copy.writestr(info, data)
                continue
            head, tail = data.split(before, 1)
            with copy.open(part, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(repeats):
                    member.write(unit * 10_000)
                member.write(before + tail)
    return target


def small_files(folder: Path) -> dict[str, tuple[bytes, str, bytes, bytes]]:
    """A small file of each kind, and where and what its bomb repeats."""
    kinds: dict[str, tuple[bytes, str, bytes, bytes]] = {}
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("I: Hvordan var kurset?")
    document.add_paragraph("D1: Det var fint.")
    document.save(buffer)
    kinds[".docx"] = (buffer.getvalue(), "word/document.xml", b"</w:p><w:sectPr", b"<w:r><w:rPr><w:b/></w:rPr></w:r>")
    buffer = io.BytesIO()
    text = OpenDocumentText()
    for line in ("I: Hvordan var kurset?", "D1: Det var fint."):
        text.text.addElement(P(text=line))
    text.save(buffer)
    kinds[".odt"] = (buffer.getvalue(), "content.xml", b"</text:p></office:text>", b"<text:span> </text:span>")
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["kode", "sitat"])
    workbook.save(buffer)
    kinds[".xlsx"] = (buffer.getvalue(), "xl/worksheets/sheet1.xml", b"</sheetData>", b"<row/>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", QDE)
    kinds[".qdpx"] = (buffer.getvalue(), "project.qde", b"</Description>", b"<b/>")
    for suffix, (data, *_) in kinds.items():
        (folder / f"liten{suffix}").write_bytes(data)
    return kinds


def measured(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, float | int | str]:
    """A `qualcode` command in a process of its own: its exit code, peak memory and time."""
    command = [sys.executable, "-m", "qualcode", *args]
    wrapper = subprocess.run([sys.executable, "-c", PEAK, json.dumps(command)], env=env, cwd=cwd, capture_output=True, text=True)
    result: dict[str, float | int | str] = json.loads(wrapper.stdout)
    return result


def figures(result: dict[str, float | int | str]) -> str:
    return f"peak {float(result['peak_mb']):7.0f} MB   wall {float(result['seconds']):6.2f} s   exit {result['returncode']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=150.0, help="what the bomb's XML part unpacks to")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-untrusted-") as temporary:
        work = Path(temporary)
        env = {name: value for name, value in os.environ.items() if not name.startswith("QUALCODE_")}
        env.update(HOME=str(work), XDG_CONFIG_HOME=str(work / "config"), QUALCODE_KEY=str(work / "studie.qckey"),
                   QUALCODE_KEY_PASSPHRASE=PASSPHRASE)
        created = subprocess.run([sys.executable, "-m", "qualcode", "init", str(work / "studie")], env=env, capture_output=True, text=True)
        if created.returncode != 0:
            raise SystemExit(created.stderr)
        kinds = small_files(work)
        bombs = {
            suffix: packed(data, work / f"bombe{suffix}", part, before, unit, args.megabytes)
            for suffix, (data, part, before, unit) in kinds.items()
        }
        readers = [
            ("import", ".docx"), ("import", ".odt"), ("leakcheck", ".docx"), ("leakcheck", ".xlsx"),
            ("leakcheck", ".qdpx"), ("import", ".qdpx"), ("exchange validate", ".qdpx"),
        ]
        for command, suffix in readers:
            project = ["--project", str(work / "studie"), *command.split()]
            baseline = measured([*project, str(work / f"liten{suffix}")], env, work)
            bomb = measured([*project, str(bombs[suffix])], env, work)
            refusal = next((line for line in str(bomb["output"]).splitlines() if "refusing" in line), None)
            print_comparison(
                f"qualcode {command} of a {bombs[suffix].stat().st_size / 1000:,.0f} kB {suffix} unpacking to {args.megabytes:g} MB of XML",
                Row(f"{command} {suffix} (bomb)", figures(bomb), (refusal or str(bomb["output"]).strip())[:160]),
                Row(f"{command} {suffix} (small)", figures(baseline)),
                float(bomb["peak_mb"]) / float(baseline["peak_mb"]),
                Target("refused in one line, in at most the small file's memory + 50 MB and 2 s",
                       bomb["returncode"] == 1 and refusal is not None and float(bomb["peak_mb"]) <= float(baseline["peak_mb"]) + 50 and float(bomb["seconds"]) <= 2.0),
                ratio_of="peak memory",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What an import says about a folder it may not read and metadata under a name it does not read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.importers.service import import_file

_READ_FAULT = """
import sys
from pathlib import Path
from qualcode.importers.service import expand_paths
from qualcode.store.faults import disk_fault
folder = Path(sys.argv[1])
try:
    expand_paths([folder])
except OSError as error:
    fault = disk_fault(error)
    print(fault.message, "|", fault.hint)
try:
    (folder.parent / "skrivebeskyttet" / "ny.txt").write_text("x")
except OSError as error:
    fault = disk_fault(error)
    print(fault.message, "|", fault.hint)
"""


def test_a_folder_that_may_not_be_read_is_said_to_be_unreadable_not_unwritable(tmp_path: Path) -> None:
    """As the CLI reports an OSError: a refused read names reading, a refused write still writing."""
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "a.txt").write_text("I: Hei.\nD1: Ja.\n", encoding="utf-8")
    (tmp_path / "skrivebeskyttet").mkdir()
    # Root reads and writes past permissions; without those two capabilities it is refused as anyone.
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop the capability to read anything")
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    folder.chmod(0o644)  # its names may be listed, its files not reached
    (tmp_path / "skrivebeskyttet").chmod(0o555)
    try:
        run = subprocess.run([*drop, sys.executable, "-c", _READ_FAULT, str(folder)], capture_output=True, text=True, check=True)
    finally:
        folder.chmod(0o755)
        (tmp_path / "skrivebeskyttet").chmod(0o755)
    read, write = run.stdout.splitlines()
    assert read == f"could not read {folder / 'a.txt'}: permission denied | check who may read that file or folder"
    assert write.startswith("could not write ") and write.endswith("| check who may write to that file or folder")


def test_metadata_beside_a_file_under_a_name_not_read_is_named_with_the_right_name(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "intervju.txt"
    path.write_text("I: Hvordan gikk det?\nD1: Bra.\n", encoding="utf-8")
    (tmp_path / "intervju.meta.yaml").write_text("wave: T1\n", encoding="utf-8")
    result = import_file(session, path, key=PseudonymKey("test"))
    assert result.notes == [
        "intervju.meta.yaml was not read: metadata for intervju.txt is read from intervju.txt.meta.yaml; rename it,"
        " or set what it holds with `qualcode transcripts edit`"
    ]
    other = tmp_path / "annet.txt"
    other.write_text("I: Og du?\nD2: Greit.\n", encoding="utf-8")
    (tmp_path / "annet.meta.yaml").write_text("wave: T1\n", encoding="utf-8")
    (tmp_path / "annet.txt.meta.yaml").write_text("wave: T2\n", encoding="utf-8")
    assert import_file(session, other, key=PseudonymKey("test")).notes == []


def test_a_folder_with_no_transcripts_in_it_says_why_nothing_was_imported(tmp_path: Path) -> None:
    """A probe: a folder holding a folder per participant printed "0 imported" and exited 0."""
    from qualcode.errors import ImportFailed
    from qualcode.importers.service import expand_paths

    for participant in ("D1", "D2"):
        (tmp_path / "intervjuer" / participant).mkdir(parents=True)
        (tmp_path / "intervjuer" / participant / f"deltaker_{participant}_T1.txt").write_text("I: Hei.\nD1: Hei.\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"intervjuer holds no transcripts, only folders \(D1, D2\)") as refused:
        expand_paths([tmp_path / "intervjuer"])
    assert refused.value.hint == f"import the folders themselves: qualcode import {tmp_path / 'intervjuer'}/*/"
    assert expand_paths(sorted((tmp_path / "intervjuer").iterdir())) == sorted((tmp_path / "intervjuer").glob("*/*.txt"))
    (tmp_path / "tom").mkdir()
    (tmp_path / "tom" / "notat.pdf").write_bytes(b"%PDF")
    with pytest.raises(ImportFailed, match="tom holds no transcripts"):
        expand_paths([tmp_path / "tom"])


def test_a_file_of_speaker_labels_alone_is_refused(session: Session, tmp_path: Path) -> None:
    """A probe: an interview guide's template ("Intervjuer:\nD1:\n…") was imported as a transcript of
    four words and no turns, with nothing in it to search or code."""
    from sqlalchemy import func, select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    path = tmp_path / "mal.txt"
    path.write_text("Intervjuer:\nD1:\nIntervjuer:\nD1:\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="mal.txt has speaker labels with nothing said after any of them"):
        import_file(session, path, key=PseudonymKey("test"))
    assert session.scalar(select(func.count()).select_from(Transcript)) == 0

"""A quote's text edited or deleted in a reviewed report without track changes: said by `review import`, never imported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
from sqlalchemy import select

from qualcode.store.models import Coding
from qualcode.store.project import Project
from tests.test_review_roundtrip import OWN, SHARED, memos, ok, reported, reported_template, run  # noqa: F401

NOTE = re.compile(r"the text of quote \[(S-[0-9A-F]+)\] was (changed|removed) in this file and is not imported")


def refs(project: Path) -> dict[str, str]:
    """Each quoted passage's visible id, by a few of its words."""
    from qualcode.coding.passages import quote_ref

    with Project.open(project) as opened, opened.begin() as session:
        codings = session.scalars(select(Coding).order_by(Coding.id)).all()
        return {words: quote_ref(next(c.guid for c in codings if words in c.excerpt)) for words in (OWN, SHARED)}


def edited(report: Path, target: Path, edit: str) -> Path:
    """`report` with the paragraph quoting OWN edited as a reviewer edits in Word with track changes off."""
    document = docx.Document(str(report))
    paragraph = next(p for p in document.paragraphs if OWN in p.text)
    if edit == "rewritten":
        for run_ in paragraph.runs:
            run_.text = ""
        paragraph.runs[0].text = "Helt omskrevet av leser."
    elif edit == "shortened":
        run_ = next(r for r in paragraph.runs if OWN in r.text)
        run_.text = run_.text.replace(OWN, "Jeg fikk")
    elif edit == "deleted":
        paragraph._p.getparent().remove(paragraph._p)  # the paragraph goes, and its bookmark with it
    document.save(str(target))
    return target


def notes(output: str) -> list[tuple[str, str]]:
    return NOTE.findall(output)


def test_a_quote_rewritten_shortened_or_deleted_without_track_changes_is_said_once_and_the_quote_kept(
    reported: tuple[Path, Path], tmp_path: Path,  # noqa: F811
) -> None:
    """A reviewer's correction typed over a quote came back as "0 new memos", lost unsaid."""
    project, report = reported
    ref = refs(project)[OWN]
    with Project.open(project) as opened, opened.begin() as session:
        before = [(c.id, c.excerpt, c.start, c.end) for c in session.scalars(select(Coding).order_by(Coding.id))]
    for edit, said in (("rewritten", "changed"), ("shortened", "changed"), ("deleted", "removed")):
        imported = ok(run(project, "review", "import", str(edited(report, tmp_path / f"{edit}.docx", edit))))
        assert notes(imported.output) == [(ref, said)], (edit, imported.output)
        assert "ask the reviewer for a comment instead" in imported.output
        as_json = json.loads(ok(run(project, "review", "import", str(tmp_path / f"{edit}.docx"), "--json")).output)
        assert as_json["edited_quotes"] == [{"quote": ref, "removed": said == "removed"}]
    with Project.open(project) as opened, opened.begin() as session:
        assert [(c.id, c.excerpt, c.start, c.end) for c in session.scalars(select(Coding).order_by(Coding.id))] == before
    assert memos(project) == []


def test_an_untouched_commented_or_resaved_report_says_nothing_of_edited_quotes(
    reported: tuple[Path, Path], tmp_path: Path,  # noqa: F811
) -> None:
    project, report = reported
    resaved = tmp_path / "lagret.docx"
    docx.Document(str(report)).save(str(resaved))
    document = docx.Document(str(report))
    for holding in (OWN, SHARED):
        paragraph = next(p for p in document.paragraphs if holding in p.text)
        document.add_comment(paragraph.runs, text="Godt sitat.", author="Anne", initials="AN")
    document.save(str(tmp_path / "kommentert.docx"))
    for file in (report, resaved, tmp_path / "kommentert.docx"):
        imported = ok(run(project, "review", "import", str(file)))
        assert "was changed" not in imported.output and "was removed" not in imported.output, imported.output
        assert json.loads(ok(run(project, "review", "import", str(file), "--json")).output)["edited_quotes"] == []


def test_the_terminal_ui_is_told_of_a_quote_typed_over_as_the_command_line_is(
    reported: tuple[Path, Path], tmp_path: Path,  # noqa: F811
) -> None:
    """The reviewers' comments screen shows `review_read`'s notes, which said the tracked changes only."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace, review_read

    project, report = reported
    ref = refs(project)[OWN]
    rewritten = edited(report, tmp_path / "omskrevet.docx", "rewritten")
    with Workspace.open(Config.resolve(project=project, coder="Anne")) as workspace:
        read = review_read(workspace.import_review_file(rewritten))
    assert [NOTE.findall(note) for note in read.notes] == [[(ref, "changed")]]

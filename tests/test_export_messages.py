"""Exports that say what happened: empty and unknown selections, numbered default names, warnings and the method note."""

from __future__ import annotations

import errno
import json
import os
import re
import threading
from datetime import date
from pathlib import Path

import docx
import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.attribution import attribution_risks
from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter, select_quotes
from qualcode.coding.service import add_coding
from qualcode.errors import InvalidInput, LeakFound, NotFound, WriteFailed
from qualcode.exporters import service
from qualcode.exporters.report import ReportOptions
from qualcode.exporters.review import import_review
from qualcode.exporters.service import export_quote_table, export_report
from qualcode.store.project import Project
from tests.test_cli import run

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # the export's own date, so a test running over midnight holds




def exported(project: Project) -> list[str]:
    folder = project.root / "exports"
    return sorted(os.listdir(folder)) if folder.exists() else []


def write_report(session: Session, project: Project, key: PseudonymKey, selection: QuoteFilter | None = None,
                 output: Path | None = None, force: bool = False, **options: object) -> service.ExportResult:
    return export_report(
        session, project.root, selection or QuoteFilter(), ReportOptions(**options), output, force, key  # type: ignore[arg-type]
    )


# 8. A selection that matches nothing, or names what does not exist, says so.


def test_a_selection_matching_nothing_is_refused_and_writes_nothing(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    selection = QuoteFilter(roles=("veileder",), waves=("T2",))
    with project.begin() as session:
        with pytest.raises(NotFound, match="no quotes match role veileder and wave T2") as refused:
            write_report(session, project, key, selection)
        assert refused.value.hint is not None
        assert "role veileder alone: 3 quotes" in refused.value.hint and "wave T2 alone: 1 quote;" in refused.value.hint
        with pytest.raises(NotFound, match="no quotes match"):
            export_quote_table(session, project.root, selection, "csv", "role", "nb", None, False, key)
    assert exported(project) == []


def test_an_unknown_attribute_name_lists_the_known_ones(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session, pytest.raises(NotFound, match="no attribute 'bydel'") as refused:
        write_report(session, project, key, QuoteFilter(attributes=(("bydel", "A"),)))
    hint = refused.value.hint or ""
    for name in ("role", "gender", "age_band", "office", "wave", "fidelity", "kvp_start", "barn"):
        assert name in hint.split("attributes: ")[1], name
    assert exported(project) == []


@pytest.mark.parametrize(("selection", "message", "known"), [
    (QuoteFilter(participants=("D99",)), "no participant 'D99'", "D1, D2, D3"),
    (QuoteFilter(participants=("D1", "D98", "D99")), "no participants 'D98', 'D99'", "D1, D2, D3"),
    (QuoteFilter(roles=("Veileder",)), "no participant has the role 'Veileder'", "did you mean 'veileder'"),
    (QuoteFilter(waves=("T3",)), "no transcript is from wave 'T3'", "waves: T1, T2"),
    (QuoteFilter(transcripts=("deltaker_D9_T1",)), "no transcript 'deltaker_D9_T1'", "deltaker_D1_T1"),
    (QuoteFilter(coders=("Forsker 9",)), "no codings by 'Forsker 9'", "coders: Forsker 1"),
    (QuoteFilter(attributes=(("office", "kontor Z"),)), "no participant or transcript has office 'kontor Z'",
     "office: kontor A, kontor B"),
])
def test_unknown_values_are_named_with_the_known_ones(
    coded: tuple[Project, PseudonymKey], selection: QuoteFilter, message: str, known: str,
) -> None:
    project, _ = coded
    with project.begin() as session, pytest.raises(NotFound, match=message) as refused:
        select_quotes(session, selection)
    assert known in (refused.value.hint or "")


def test_a_long_list_of_known_values_is_cut_short(coded: tuple[Project, PseudonymKey]) -> None:
    project, _ = coded
    with project.begin() as session, pytest.raises(NotFound, match="no participant 'X1'") as refused:
        select_quotes(session, QuoteFilter(participants=("X1",)))
    assert refused.value.hint == "participants: D1, D2, D3, D4, D5, D6, L1, V1, … (10 in all)"


def test_a_yes_no_attribute_takes_ja_and_nei(coded: tuple[Project, PseudonymKey]) -> None:
    from sqlalchemy import select

    from qualcode.store.models import AttributeDefinition, ParticipantAttribute

    project, _ = coded
    with project.begin() as session:
        definition = session.scalars(select(AttributeDefinition).where(AttributeDefinition.name == "barn")).one()
        definition.value_type = "boolean"  # as a yes/no attribute from a transcript's front matter is stored
        for attribute in session.scalars(select(ParticipantAttribute).where(ParticipantAttribute.definition_id == definition.id)):
            attribute.value = "true" if attribute.value == "ja" else "false"
        quotes, _ = select_quotes(session, QuoteFilter(attributes=(("barn", "ja"),)))
        assert {quote.participant for quote in quotes} == {"D1"}
        with pytest.raises(NotFound, match="barn 'kanskje'"):
            select_quotes(session, QuoteFilter(attributes=(("barn", "kanskje"),)))


def test_a_known_code_without_codings_still_selects_nothing_quietly(coded: tuple[Project, PseudonymKey]) -> None:
    """The TUI lists a code's quotes through select_quotes; an empty code is no error there."""
    project, _ = coded
    with project.begin() as session:
        assert select_quotes(session, QuoteFilter(codes=("tett oppfølging",))) == ([], [])


def test_the_cli_refuses_an_empty_or_unknown_selection_in_one_line(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "coding", "add", "veileder_V1", "kvantitet mot kvalitet", "--match",
               "Det ble mer om antall enn om hva folk faktisk trengte.").exit_code == 0
    empty = run(*project, "export", "report", "--role", "veileder", "--wave", "T2")
    assert empty.exit_code == 1
    assert empty.output.count("\n") == 1 and empty.output.startswith("error: no quotes match role veileder and wave T2")
    unknown = run(*project, "export", "quotes", "--attribute", "bydel=A")
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no attribute 'bydel'")
    assert "office" in unknown.output and "kvp_start" in unknown.output
    nobody = run(*project, "export", "report", "--participant", "D99")
    assert nobody.exit_code == 1 and "no participant 'D99'" in nobody.output and "D1, D2" in nobody.output
    assert not (demo / "exports").exists() or os.listdir(demo / "exports") == []


# 9. Default names are numbered when taken; a named file needs --force.


def test_default_names_are_numbered_and_never_overwrite(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        first = write_report(session, project, key).path
        earlier = first.read_bytes()
        second = write_report(session, project, key).path
        third = write_report(session, project, key, force=True).path  # --force is for a file named with --output
        table = export_quote_table(session, project.root, QuoteFilter(), "csv", "role", "nb", None, False, key).path
        table_again = export_quote_table(session, project.root, QuoteFilter(), "csv", "role", "nb", None, False, key).path
    assert re.fullmatch(r"rapport-" + DAY.pattern + r"\.docx", first.name) and first.name.startswith(f"rapport-{date.today().year}")
    assert [second.name, third.name] == [f"{first.stem}-2.docx", f"{first.stem}-3.docx"]
    assert re.fullmatch(r"sitater-" + DAY.pattern + r"\.csv", table.name) and table_again.name == f"{table.stem}-2.csv"
    assert first.read_bytes() == earlier
    assert all(docx.Document(str(path)).paragraphs for path in (first, second, third))


def test_a_named_file_that_exists_needs_force(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    target = tmp_path / "rapport.docx"
    target.write_bytes(b"earlier")
    with project.begin() as session:
        with pytest.raises(InvalidInput, match="rapport.docx exists"):
            write_report(session, project, key, output=target)
        assert target.read_bytes() == b"earlier"
        assert write_report(session, project, key, output=target, force=True).path == target
    assert docx.Document(str(target)).paragraphs


def test_a_named_file_in_a_folder_that_does_not_exist_is_refused_and_no_folder_made(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    """A mistyped folder was made, with its parents (at / when run as root); the project's own
    exports/ folder is still made on first use."""
    project, key = coded
    with project.begin() as session:
        with pytest.raises(InvalidInput, match=r"no folder .*/finnes/ikke to write rapport.docx in"):
            write_report(session, project, key, output=tmp_path / "finnes" / "ikke" / "rapport.docx")
    assert not (tmp_path / "finnes").exists()


def test_a_folder_that_takes_no_files_is_named_whole(coded: tuple[Project, PseudonymKey]) -> None:
    """/proc takes no new files, even from root: "could not write x.csv" did not say where."""
    project, key = coded
    with project.begin() as session, pytest.raises(WriteFailed) as refused:
        export_quote_table(session, project.root, QuoteFilter(), "csv", "role", "nb", Path("/proc/sitater.csv"), False, key)
    assert refused.value.message.startswith("could not write /proc/sitater.csv: ") and "nothing was changed" in refused.value.message
    assert refused.value.hint == "give a file in a folder you may write to; /proc takes no files from you"
    assert not Path("/proc/sitater.csv").exists()


def test_a_file_named_for_someone_the_key_holds_is_not_written(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """"Sissel Bakken.docx" typed as the file to write put her name in the exports folder, whatever
    the file held: every export's leak guard reads the file's name too."""
    project, key = coded
    person = next(entry for entry in key.entries if entry.kind == "person" and " " in entry.original)
    for suffix, write in ((".csv", lambda path: export_quote_table(session, project.root, QuoteFilter(), "csv", "role", "nb", path, False, key)),
                          (".docx", lambda path: write_report(session, project, key, output=path))):
        (tmp_path / "ut").mkdir(exist_ok=True)
        target = tmp_path / "ut" / f"Intervju med {person.original}{suffix}"
        with project.begin() as session, pytest.raises(LeakFound, match=f"its name holds person '{person.original}'"):
            write(target)
        assert list((tmp_path / "ut").iterdir()) == []


def test_a_named_file_made_while_exporting_is_not_overwritten(coded: tuple[Project, PseudonymKey], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Another export (or person) writes the named file after the first look: the rename must not replace it."""
    project, key = coded
    target = tmp_path / "ut" / "rapport.docx"
    target.parent.mkdir()
    real_render = service.render_report

    def render_then_someone_writes(*args: object, **kwargs: object) -> bytes:
        data = real_render(*args, **kwargs)  # type: ignore[arg-type]
        target.write_bytes(b"theirs")
        return data

    monkeypatch.setattr(service, "render_report", render_then_someone_writes)
    with project.begin() as session, pytest.raises(InvalidInput, match="rapport.docx exists"):
        write_report(session, project, key, output=target)
    assert target.read_bytes() == b"theirs"
    assert [p.name for p in target.parent.iterdir()] == ["rapport.docx"]


@pytest.mark.parametrize("hard_links", [True, False], ids=["link", "no-hard-links"])
def test_exports_at_once_never_take_the_same_new_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool) -> None:
    """Every writer looks at the free name at the same moment; each must still end up with a file of its own."""
    monkeypatch.setattr(service, "_taken", lambda path: False)
    if not hard_links:  # FAT, exFAT and some network shares: the exclusive create takes over
        def no_link(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    first = tmp_path / "exports" / "rapport-2026-12-01.docx"
    first.parent.mkdir()
    writers = 8
    start = threading.Barrier(writers)
    written: dict[int, Path] = {}
    failures: list[BaseException] = []

    def export(number: int) -> None:
        try:
            start.wait()
            written[number] = service.publish_numbered(first, f"export {number}".encode(), None)[0]
        except BaseException as error:  # noqa: BLE001  (reported below)
            failures.append(error)

    threads = [threading.Thread(target=export, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(written.values())) == writers
    for number, path in written.items():
        assert path.read_bytes() == f"export {number}".encode()
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        [first.name] + [f"rapport-2026-12-01-{n}.docx" for n in range(2, writers + 1)]
    )


def test_a_refused_export_takes_no_name(coded: tuple[Project, PseudonymKey]) -> None:
    from qualcode.anonymise.service import add_known_identifier

    project, key = coded
    with project.begin() as session:
        first = write_report(session, project, key).path
        add_known_identifier(key, "KVP", "other")
        with pytest.raises(LeakFound, match=r"refused to write rapport-[\d-]+\.docx: it contains other 'KVP'"):
            write_report(session, project, key)
    assert exported(project) == [first.name]  # no -2, and no temporary left


def test_the_cli_numbers_a_second_export_the_same_day(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "coding", "add", "leder_L1", "inntakspress", "--match", "vi må nå måltallet før jul").exit_code == 0
    first = run(*project, "export", "report", "--json")
    assert first.exit_code == 0
    again = run(*project, "export", "report")
    assert again.exit_code == 0, again.output
    assert f"wrote {Path(json.loads(first.output)['path']).with_suffix('')}-2.docx: 1 quote under 1 code" in again.output
    named = tmp_path / "r.docx"
    assert run(*project, "export", "report", "--output", str(named)).exit_code == 0
    refused = run(*project, "export", "report", "--output", str(named))
    assert refused.exit_code == 1 and "r.docx exists" in refused.output and "--force" in refused.output
    assert run(*project, "export", "report", "--output", str(named), "--force").exit_code == 0


# 10. Small-group warnings about the groups in the file only.


def test_warnings_name_only_groups_that_are_quoted(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        result = write_report(session, project, key, QuoteFilter(participants=("D1",)), attribution="role-office")
        everyone = write_report(session, project, key, attribution="role-office")
    # Named as the quotes print them ("{role_name}, {office}"), not as stored.
    assert [warning.split("'")[1] for warning in result.warnings] == ["Deltaker, kontor A"]
    assert {warning.split("'")[1] for warning in everyone.warnings} == {
        "Deltaker, kontor A", "Deltaker, kontor B", "Leder, kontor A", "Veileder, kontor A", "Veileder, kontor B",
    }


@pytest.mark.parametrize("attribution", ["role-wave", "{role_name} i {wave}"])
def test_a_label_by_round_is_warned_about_by_the_people_interviewed_in_that_round(
    coded: tuple[Project, PseudonymKey], attribution: str,
) -> None:
    """"Deltaker, T2" covers the participants interviewed in T2; the warnings looked at the role alone."""
    from sqlalchemy import select

    from qualcode.store.models import Participant, Transcript, TranscriptParticipant

    project, key = coded
    with project.begin() as session:
        result = write_report(session, project, key, attribution=attribution)
        quoted, _ = select_quotes(session, QuoteFilter())
        people: dict[tuple[str, str], set[str]] = {}
        for name, role, wave in session.execute(
            select(Participant.name, Participant.role, Transcript.wave)
            .join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
            .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
        ):
            people.setdefault((role or "?", wave or "?"), set()).add(name)
    shown = {(quote.role or "?", quote.wave or "?") for quote in quoted if quote.participant is not None}
    # As the quotes print the label: the role capitalised ("Deltaker, T2", or "Deltaker i T2").
    template = "{role}, {wave}" if attribution == "role-wave" else attribution.replace("role_name", "role")
    small = {template.format(role=role.capitalize(), wave=wave)
             for (role, wave), names in people.items() if (role, wave) in shown and len(names) <= 5}
    assert small and {warning.split("'")[1] for warning in result.warnings} == small


def test_no_risks_for_no_groups(coded: tuple[Project, PseudonymKey]) -> None:
    project, _ = coded
    with project.begin() as session:
        assert attribution_risks(session, ("role", "office"), among=[]) == []
        assert [risk.label for risk in attribution_risks(session, ("role",), among=[("leder",)])] == ["leder"]


# 11. The method note names the people who coded what is exported, and reviewers as reviewers.


def method_note(path: Path, heading: str = "Om materialet og utvalget") -> str:
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    return " ".join(paragraphs[paragraphs.index(heading) + 1:paragraphs.index("Kodebok" if heading[0] == "O" else "Codebook")])


def test_the_method_note_names_coders_of_the_export_and_reviewers_apart(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    project, key = coded
    with project.begin() as session:
        get_or_create_coder(session, "innlogget")  # a login that never coded
        add_coding(session, "deltaker_D3_T1", "brukermedvirkning", get_or_create_coder(session, "Forsker 2"),
                   match="Takk for at du stiller opp.")
        draft = write_report(session, project, key).path
    reviewed = docx.Document(str(draft))
    for contains, author in (("førti deltakere", "Medforsker Anne"), ("ikke noe valg", "Veileder Per")):
        paragraph = next(p for p in reviewed.paragraphs if contains in p.text)
        reviewed.add_comment(paragraph.runs, text="Kjenner meg igjen.", author=author, initials=author[:2])
    commented = tmp_path / "kommentert.docx"
    reviewed.save(str(commented))
    with project.begin() as session:
        import_review(session, commented, key)
        note = method_note(write_report(session, project, key, QuoteFilter(codes=("måltall-press",))).path)
        everything = method_note(write_report(session, project, key).path)
        english = method_note(write_report(session, project, key, language="en").path, "About the material and the selection")
    assert "Kodingen er gjort av Forsker 1." in note
    assert "Utkast er kommentert av Medforsker Anne" in note
    for absent in ("innlogget", "Forsker 2", "Veileder Per"):
        assert absent not in note, absent
    assert "Kodingen er gjort av Forsker 1 og Forsker 2." in everything
    assert "Utkast er kommentert av Medforsker Anne og Veileder Per" in everything and "innlogget" not in everything
    assert "Coding was done by Forsker 1 and Forsker 2." in english and "commented on by Medforsker Anne and Veileder Per" in english


def test_a_temporary_swept_away_before_its_lock_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven other exports sweep the folder for stale temporaries, each in the moment between this
    export's creating its temporary file and locking it (as happened with eight at once on a loaded
    machine): each sweep takes that file, and the export still makes another and publishes."""
    from qualcode.exporters import publish as publishing

    target = tmp_path / "exports" / "rapport.docx"
    target.parent.mkdir()
    real_flock = publishing.fcntl.flock
    sweeps: list[list[str]] = []
    sweeping = False

    def another_export_sweeps_first(descriptor: int, operation: int) -> None:
        nonlocal sweeping
        if not sweeping and len(sweeps) < 7:  # the sweep's own locks are the other export's
            sweeping = True
            sweeps.append(publishing.remove_stale_temporaries(target.parent))
            sweeping = False
        real_flock(descriptor, operation)

    monkeypatch.setattr(publishing.fcntl, "flock", another_export_sweeps_first)
    publishing.publish(target, b"the report", overwrite=False)
    assert len(sweeps) == 7 and all(len(taken) == 1 for taken in sweeps)
    assert target.read_bytes() == b"the report"
    assert [p.name for p in target.parent.iterdir()] == ["rapport.docx"]


def test_a_small_group_warning_names_the_label_the_quotes_print(coded: tuple[Project, PseudonymKey]) -> None:
    """A participant with no role is quoted as "En informant, kontor B": the warning said "?, kontor B"."""
    import csv

    from sqlalchemy import select

    from qualcode.store.models import Participant

    project, key = coded
    with project.begin() as session:
        quoted = next(quote for quote in select_quotes(session, QuoteFilter())[0] if quote.participant and quote.office)
        person = session.scalars(select(Participant).where(Participant.name == quoted.participant)).one()
        person.role = None
        session.flush()
        only = QuoteFilter(participants=(person.name,))
        result = write_report(session, project, key, only, attribution="role-office")
        table = export_quote_table(session, project.root, only, "csv", "role-office", "nb", None, False, key)
    with open(table.path, encoding="utf-8-sig", newline="") as handle:
        printed = {row["attribution"] for row in csv.DictReader(handle)}
    label = f"En informant, {quoted.office}"
    assert printed == {label}  # what the export prints for every quote of theirs
    assert [warning.split("'")[1] for warning in result.warnings] == [label]
    assert [warning.split("'")[1] for warning in table.warnings] == [label]
    assert "?" not in " ".join(result.warnings)


def test_an_empty_selection_counts_quotes_as_the_export_writes_them(coded: tuple[Project, PseudonymKey]) -> None:
    """A passage two coders gave one code is one quote in the export; the hint counted it twice."""
    project, key = coded
    with project.begin() as session:
        second = get_or_create_coder(session, "Forsker 2")
        add_coding(session, "veileder_V2", "måltall-press", second, match="Måltallet blir et tak.")
        add_coding(session, "veileder_V1", "måltall-press/kvantitet mot kvalitet", second,
                   match="Det ble mer om antall enn om hva folk faktisk trengte.")
        veiledere = export_quote_table(session, project.root, QuoteFilter(roles=("veileder",)), "csv", "role", "nb", None, False, key)
        everything = export_quote_table(session, project.root, QuoteFilter(), "csv", "role", "nb", None, True, key)
        codings = len(select_quotes(session, QuoteFilter(roles=("veileder",)))[0])
        assert (veiledere.quotes, codings) == (3, 5)  # two of the five codings are a second coder's of the same passage
        with pytest.raises(NotFound) as refused:
            write_report(session, project, key, QuoteFilter(roles=("veileder",), waves=("T2",)))
    assert refused.value.hint is not None
    assert f"role veileder alone: {veiledere.quotes} quotes" in refused.value.hint
    assert refused.value.hint.endswith(f"{everything.quotes} quotes in all")


def test_a_small_group_warning_suggests_the_generic_label_in_the_exports_language(coded: tuple[Project, PseudonymKey]) -> None:
    """A probe: an English report's warning suggested 'En informant'."""
    project, key = coded
    with project.begin() as session:
        english = write_report(session, project, key, attribution="role-office", language="en").warnings
        norwegian = write_report(session, project, key, attribution="role-office", force=True).warnings
    generic = [warning for warning in english if "use a generic label" in warning]
    assert generic and all("'An informant'" in warning for warning in generic), english
    assert not any("En informant" in warning for warning in english)
    assert any("'En informant'" in warning for warning in norwegian)


def test_a_file_name_longer_than_the_file_system_allows_is_one_line(demo: Path, tmp_path: Path) -> None:
    """A probe: a name over 255 bytes ended every command given a path with an OSError traceback
    (ENAMETOOLONG): the exports, the leak check, an import, a codebook export and --project."""
    from click.testing import CliRunner

    from qualcode.cli import cli

    long = str(tmp_path / ("a" * 300))
    for args in (["--project", str(demo), "codebook", "export", f"{long}.yaml"], ["--project", str(demo), "export", "qdpx", f"{long}.qdpx"],
                 ["--project", str(demo), "import", f"{long}.txt"], ["--project", str(demo), "leakcheck", f"{long}.docx"],
                 ["--project", long, "status"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (args, result.exception)
        assert "longer than the file system allows" in result.output and result.output.count("\n") == 1, (args, result.output)


def test_a_report_made_after_a_withdrawal_says_so_in_its_method_note(demo: Path, tmp_path: Path) -> None:
    """`status` and `analyse` say that participants withdrew and their words are not counted; a report
    exported since showed less material and smaller counts than an earlier draft, with no word of why.
    Its method note says it, naming no one, in the report's language."""
    today = date.today().isoformat()
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    for transcript, quote in (("leder_L1", "vi må nå måltallet før jul"), ("deltaker_D3_T1", "ryggen ble dårlig")):
        assert run(*project, "coding", "add", transcript, "måltall-press", "--match", quote).exit_code == 0
    before = tmp_path / "før.docx"
    assert run(*project, "export", "report", "--output", str(before)).exit_code == 0
    assert "trukket tilbake" not in method_note(before)
    assert run(*project, "participants", "withdraw", "D3", "--yes").exit_code == 0
    nb, en = tmp_path / "etter.docx", tmp_path / "after.docx"
    assert run(*project, "export", "report", "--output", str(nb)).exit_code == 0
    assert run(*project, "export", "report", "--lang", "en", "--output", str(en)).exit_code == 0
    note = method_note(nb)
    assert note.count(f"1 informant har trukket tilbake samtykket sitt ({today}); det vedkommende sa, er ikke med i materialet"
                      " eller tallene her.") == 1, note
    english = method_note(en, "About the material and the selection")
    assert english.count(f"1 participant withdrew ({today}); their words are not in these counts.") == 1, english
    assert "D3" not in note and "D3" not in english

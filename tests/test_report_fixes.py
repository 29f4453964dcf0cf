"""The Word report as a reader and a reviewer see it: written by `qualcode export report` and read back with python-docx."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import docx
from click.testing import CliRunner, Result

from qualcode.cli import cli

GROUP_SPAN = "Jeg ble ikke spurt om jeg ville.\nD6: Det samme skjedde med meg, egentlig."


def run(project: Path, *args: str, coder: str = "Forsker 1") -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", coder, *args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def report(project: Path, target: Path, *options: str) -> docx.document.Document:
    ok(run(project, "export", "report", "--output", str(target), *options))
    return docx.Document(str(target))


def texts(document: docx.document.Document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def test_a_query_naming_someone_the_key_knows_is_shown_by_pseudonym(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg fikk plass!"))
    written = report(demo, tmp_path / "q.docx", "--query", "plass OR Hilde")
    selection = next(text for text in texts(written) if text.startswith("Utvalg"))
    assert "søk: plass OR " in selection and "Hilde" not in selection


def test_an_interviewers_coded_question_is_theirs_and_no_informant(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Hva tenkte du da?"))
    written = report(demo, tmp_path / "i.docx")
    assert any("”Hva tenkte du da?” (Intervjuer [S-" in text for text in texts(written))
    assert not any("En informant" in text for text in texts(written))
    counts = [[cell.text for cell in row.cells] for row in written.tables[1].rows]
    assert counts[:2] == [["Sitater", "1"], ["Informanter", "0"]] and len(counts) == 2


def test_full_attribution_names_the_interviewer_as_the_interviewer_never_by_the_label(demo: Path, tmp_path: Path) -> None:
    """A probe: with `full`, the interviewer labelled "I:" was attributed as "I, T1, …", where a
    participant's id stands, and the quote's interviewer line read "I, T1: …"."""
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Hva tenkte du da?\nD1: Æ, jeg tenkte vel"))
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "måltall-press", "--match", "Så jeg sa ja.\n\nI: Var du med på å bestemme"))
    written = report(demo, tmp_path / "f.docx", "--attribution", "full")
    asked, answered = (text.split("\n") for text in texts(written) if "[S-" in text)
    assert asked[:2] == ["Hva tenkte du da?", "D1, T1: Æ, jeg tenkte vel (…)"], asked
    assert re.match(r"— Intervjuer, T1, deltaker_D1_T1, linje \d+; D1, T1, deltaker_D1_T1, linje \d+ \[S-", asked[2]), asked
    assert answered[1] == "Intervjuer, T1: Var du med på å bestemme (…)", answered
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "brukermedvirkning", "--match", "Var du med på å bestemme"))
    ok(run(demo, "export", "quotes", "--code", "brukermedvirkning", "--attribution", "full", "--lang", "en",
           "--format", "csv", "--output", str(tmp_path / "q.csv")))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "q.csv").read_text(encoding="utf-8-sig"))))
    [attribution] = [row["attribution"] for row in rows if row["quote"].startswith("Var du med")]
    assert re.fullmatch(r"Interviewer, T1, deltaker_D1_T1, line \d+", attribution), attribution


def test_codes_four_deep_are_headed_four_deep_and_a_comment_on_the_deepest_finds_it(demo: Path, tmp_path: Path) -> None:
    for path in ("empowerment/håp og motivasjon/framtid", "empowerment/håp og motivasjon/framtid/jobb"):
        ok(run(demo, "codebook", "add", path))
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment/håp og motivasjon/framtid/jobb", "--match", "Jeg fikk plass!"))
    written = report(demo, tmp_path / "d.docx")
    headings = [(paragraph.style.name, paragraph.text) for paragraph in written.paragraphs
                if paragraph.style is not None and paragraph.style.name.startswith("Heading")]
    assert headings[-3:] == [("Heading 2", "håp og motivasjon"), ("Heading 3", "framtid"), ("Heading 4", "jobb")]
    assert ("toc 4", "3.1.1.1\tjobb") in [(p.style.name, p.text) for p in written.paragraphs if p.style is not None]
    heading = next(paragraph for paragraph in written.paragraphs if paragraph.text == "jobb")
    written.add_comment(heading.runs, text="Godt tema.", author="Leser 1", initials="L1")
    written.save(str(tmp_path / "c.docx"))
    imported = ok(run(demo, "review", "import", str(tmp_path / "c.docx")))
    assert "attached to code empowerment/håp og motivasjon/framtid/jobb" in imported.output


def test_quotes_are_in_the_natural_order_of_participants(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "runde"
    folder.mkdir()
    (folder / "deltaker_D10_T1.txt").write_text("I: Hvordan går det?\nD10: Jeg fikk plass til slutt.\n", encoding="utf-8")
    ok(run(demo, "import", str(folder / "deltaker_D10_T1.txt"), "--participant", "D10"))
    for transcript, quote in (("deltaker_D10_T1", "Jeg fikk plass til slutt."), ("deltaker_D2_T1", "Det er ikke noe valg."),
                              ("deltaker_D1_T1", "Jeg fikk plass!")):
        ok(run(demo, "coding", "add", transcript, "empowerment", "--match", quote))
    written = report(demo, tmp_path / "o.docx", "--attribution", "full")
    order = [text.split("(")[-1].split(",")[0] for text in texts(written) if "[S-" in text]
    assert order == ["D1", "D2", "D10"]


def test_a_quote_over_two_speakers_keeps_its_turn_break_and_names_both(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning/tvang og krav", "--match", GROUP_SPAN))
    written = report(demo, tmp_path / "g.docx", "--attribution", "full")
    [quote] = [paragraph for paragraph in written.paragraphs if "[S-" in paragraph.text]
    # The next speaker named as the attribution names people, without the line the attribution gives.
    assert quote.text.startswith("Jeg ble ikke spurt om jeg ville.\nD6, T1: Det samme skjedde med meg, egentlig.\n— D5, ")
    assert "; D6, T1, gruppeintervju_G1, linje 6 [S-" in quote.text
    counts = [[cell.text for cell in row.cells] for row in written.tables[1].rows]
    assert counts[1] == ["Informanter", "2"]


def test_a_short_quote_over_a_wrapped_line_of_one_turn_stays_inline(demo: Path, tmp_path: Path) -> None:
    """Only a turn break breaks a quote: a transcript wrapped at 70 columns made a four-word quote a
    block broken mid-sentence."""
    wrapped = tmp_path / "deltaker_D9_T1.txt"
    wrapped.write_text("I: Ble du spurt?\nD9: Nei, jeg ble aldri\nspurt om noe som helst.\n", encoding="utf-8")
    ok(run(demo, "import", str(wrapped), "--participant", "D9", "--role", "deltaker"))
    ok(run(demo, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", "jeg ble aldri\nspurt om"))
    written = report(demo, tmp_path / "w.docx")
    [quote] = [text for text in texts(written) if "[S-" in text]
    assert quote.startswith("”(…) jeg ble aldri spurt om (…)” (")


def test_an_attribution_with_nothing_to_show_leaves_no_empty_brackets(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Hva tenkte du da?"))  # said by no one with an office
    written = report(demo, tmp_path / "a.docx", "--attribution", "{office}")
    [quote] = [text for text in texts(written) if "[S-" in text]
    assert quote.startswith("”Hva tenkte du da?” ([S-") and "( [" not in quote


def test_by_finds_a_coder_named_as_coder_finds_them(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg fikk plass!", coder="Sissel Bakken"))
    written = report(demo, tmp_path / "b.docx", "--by", "Sissel Bakken")
    assert any("Jeg fikk plass!" in text for text in texts(written))
    assert not any("Sissel Bakken" in text for text in texts(written))


def test_a_review_in_another_format_is_asked_for_as_docx(demo: Path, tmp_path: Path) -> None:
    for name in ("rapport.doc", "rapport.odt"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
        refused = run(demo, "review", "import", str(tmp_path / name))
        assert refused.exit_code == 1 and "save it as a Word document (.docx)" in refused.output
        assert "not a readable .doc" not in refused.output and "re-save" not in refused.output


def test_a_quote_over_turns_names_no_speaker_the_attribution_does_not(demo: Path, tmp_path: Path) -> None:
    """A probe: a quote from one of D1's turns, over the interviewer's question, into her next
    turn printed her pseudonym as the transcript labels it ("Julie: Struktur ...") under "En
    deltaker", and her second turn ran on inside the interviewer's line with its timestamp."""
    shown = run(demo, "transcripts", "show", "deltaker_D1_T2", "--json")
    import json

    text = json.loads(shown.output)["text"]
    start = text.index("Det er en ny start.")
    end = text.index("Struktur, først og fremst.") + len("Struktur, først og fremst.")
    assert "Intervjuer:" in text[start:end] and "[00:" in text[start:end]
    ok(run(demo, "coding", "add", "deltaker_D1_T2", "empowerment", "--start", str(start), "--end", str(end)))
    for attribution, lines in (
        ("role", ["Det er en ny start.", "Intervjuer: Hva betydde praksisplassen for deg?", "En deltaker: Struktur, først og fremst.",
                  "— En deltaker; Intervjuer [S-"]),
        ("role-wave", ["Det er en ny start.", "Intervjuer, T2: Hva betydde praksisplassen for deg?",
                       "Deltaker, T2: Struktur, først og fremst.", "— Deltaker, T2; Intervjuer, T2 [S-"]),
    ):
        written = report(demo, tmp_path / f"{attribution}.docx", "--attribution", attribution)
        [quote] = [paragraph.text for paragraph in written.paragraphs if "[S-" in paragraph.text]
        assert quote.split("\n")[:3] == lines[:3] and quote.split("\n")[3].startswith(lines[3]), quote


def test_a_cap_limits_the_quotes_shown_not_the_count_of_what_was_found(demo: Path, tmp_path: Path) -> None:
    """A probe: three passages of L1's gave "Sitater 3" without a cap and "Sitater 1" with --cap 1."""
    for quote in ("Vi får et måltall hvert år fra fylket", "Jeg har sagt til veilederne at vi må nå måltallet før jul.",
                  "Men uten måltallet tror jeg heller ikke programmet ville blitt prioritert like høyt."):
        ok(run(demo, "coding", "add", "leder_L1", "måltall-press", "--match", quote))
    for cap, rows in (([], [["Sitater", "3"], ["Informanter", "1"], ["Ledere", "1"]]),
                      (["--cap", "1"], [["Sitater", "3"], ["Vist her", "1"], ["Informanter", "1"], ["Ledere", "1"]])):
        written = report(demo, tmp_path / f"r{len(cap)}.docx", "--code", "måltall-press", *cap)
        assert [[cell.text for cell in row.cells] for row in written.tables[1].rows] == rows
        assert len([paragraph for paragraph in written.paragraphs if "[S-" in paragraph.text]) == (1 if cap else 3)


QUESTION_AND_ANSWER = "Hva tenkte du da?\nD1: Æ, jeg tenkte vel at det ikke var så mye å velge."


def test_a_question_coded_with_its_answer_counts_for_who_answered_in_every_table(demo: Path, tmp_path: Path) -> None:
    """A coding begun in the interviewer's question counted for no one: `analyse` put it under
    "(none)", `--role deltaker` left it out, and the report's own two tables disagreed."""
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", QUESTION_AND_ANSWER))
    matrix = json.loads(ok(run(demo, "analyse", "matrix", "--by", "role", "--code", "empowerment", "--json")).stdout)
    assert {key: count for key, count in matrix["rows"][0]["values"].items() if count and key != "Total"} == {"deltaker": 1}
    assert "1" in ok(run(demo, "analyse", "codes", "--code", "empowerment", "--role", "deltaker")).output
    written = report(demo, tmp_path / "qa.docx", "--role", "deltaker", "--participant", "D1", "--matrix", "role")
    [quote] = [paragraph.text for paragraph in written.paragraphs if "[S-" in paragraph.text]
    # Still the interviewer's question, then the participant's answer, each said by whom.
    assert quote.startswith("Hva tenkte du da?\nEn deltaker: Æ, jeg tenkte") and "— Intervjuer; En deltaker [S-" in quote
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in written.tables]
    counts = next(table for table in tables if table[0][0] == "Sitater")
    assert counts[1:] == [["Informanter", "1"], ["Deltakere", "1"]]
    by_role = next(table for table in tables if any("deltaker" in cell for cell in table[0]))
    assert [row[by_role[0].index("deltaker")] for row in by_role if row[0].startswith("empowerment")] == ["1"]


def test_a_heading_coded_alone_is_no_informant(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "empowerment", "--match", "Gruppeintervju, kontor B."))
    written = report(demo, tmp_path / "h.docx")
    counts = next([[cell.text for cell in row.cells] for row in table.rows] for table in written.tables
                  if table.rows[0].cells[0].text == "Sitater")
    assert counts == [["Sitater", "1"], ["Informanter", "0"]]
    # A heading coded with the first answer counts for who answered, as `analyse` counts it.
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning", "--match",
           "Gruppeintervju, kontor B. Til stede: tre deltakere, forsker og medforsker.\n\nI: Velkommen alle sammen. Jeg"
           " foreslår at vi starter med en runde der dere sier hvordan dere opplever programmet.\nD4: Jeg kan begynne."))
    matrix = json.loads(ok(run(demo, "analyse", "matrix", "--by", "participant", "--code", "brukermedvirkning", "--json")).stdout)
    assert {key: count for key, count in matrix["rows"][0]["values"].items() if count and key != "Total"} == {"D4": 1}


def test_words_coded_leave_out_the_speaker_label_of_a_turn_a_passage_runs_on_into(demo: Path) -> None:
    """"…ville. D6: Det samme …" counted "D6:" as a word coded."""
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning/tvang og krav", "--match", GROUP_SPAN))
    codes = json.loads(ok(run(demo, "analyse", "codes", "--code", "brukermedvirkning/tvang og krav", "--json")).stdout)
    [row] = [row for row in codes["rows"] if row["key"] == "brukermedvirkning/tvang og krav"]
    assert row["values"]["words"] == len(GROUP_SPAN.split()) - 1 == 13
    matrix = json.loads(ok(run(demo, "analyse", "matrix", "--by", "participant", "--count", "words",
                               "--code", "brukermedvirkning/tvang og krav", "--json")).stdout)
    assert matrix["rows"][0]["values"]["D5"] == 13


HEADING_INTO_TURNS = ("Gruppeintervju, kontor B. Til stede: tre deltakere, forsker og medforsker.\n\nI: Velkommen alle sammen. Jeg"
                      " foreslår at vi starter med en runde der dere sier hvordan dere opplever programmet.\nD4: Jeg kan begynne.")


def test_a_quote_begun_in_a_heading_names_each_speaker_after_it_and_not_the_heading(demo: Path, tmp_path: Path) -> None:
    """Begun in a heading, a quote kept the transcript's own labels ("I:", "D4:") in its text and was
    attributed "En informant", while its table counted a participant."""
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning", "--match", HEADING_INTO_TURNS))
    written = report(demo, tmp_path / "h.docx", "--code", "brukermedvirkning")
    [quote] = [paragraph.text for paragraph in written.paragraphs if "[S-" in paragraph.text]
    assert "\nI: " not in quote and "\nD4: " not in quote
    assert "\nIntervjuer: Velkommen" in quote and "\nEn deltaker: Jeg kan begynne." in quote
    assert "— Intervjuer; En deltaker [S-" in quote and "En informant" not in quote


def test_a_speaker_linked_to_no_one_is_counted_as_someone_where_a_quote_runs_on_to_a_participant(demo: Path, tmp_path: Path) -> None:
    """A quote begun in the words of a speaker linked to no participant counts for the participant it
    reaches, and its speaker was then no longer counted among the informants."""
    group = tmp_path / "gruppe_G9.txt"
    group.write_text("---\nparticipants: [D4, D5]\nmode: group\n---\nI: Hvem vil begynne?\nD9: Jeg kan si noe først.\n"
                     "D4: Og jeg etterpå.\n", encoding="utf-8")
    ok(run(demo, "import", str(group)))
    ok(run(demo, "coding", "add", "gruppe_G9", "empowerment", "--match", "Jeg kan si noe først.\nD4: Og jeg etterpå."))
    written = report(demo, tmp_path / "u.docx", "--transcript", "gruppe_G9")
    counts = next([[cell.text for cell in row.cells] for row in table.rows] for table in written.tables
                  if table.rows[0].cells[0].text == "Sitater")
    assert counts[1] == ["Informanter", "2"]


def test_a_quote_to_the_end_of_its_turn_is_not_marked_as_cut_whatever_it_ends_with(demo: Path, tmp_path: Path) -> None:
    """A probe: a whole turn said without a full stop ("ja, det var nå sånn") was quoted as
    "ja, det var nå sånn (…)", as if the report had left out what followed."""
    unpunctuated = tmp_path / "deltaker_D9_T1.txt"
    unpunctuated.write_text("I: Ble du spurt?\nD9: Nei, det var nå sånn\nI: Og etterpå?\nD9: Da ringte jeg dem, og så.\n", encoding="utf-8")
    ok(run(demo, "import", str(unpunctuated), "--participant", "D9", "--role", "deltaker"))
    ok(run(demo, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", "Nei, det var nå sånn"))
    ok(run(demo, "coding", "add", "deltaker_D9_T1", "brukermedvirkning", "--match", "Da ringte jeg dem"))
    written = report(demo, tmp_path / "s.docx")
    quotes = [text for text in texts(written) if "[S-" in text]
    assert any(text.startswith("”Nei, det var nå sånn” (") for text in quotes), quotes
    assert any(text.startswith("”Da ringte jeg dem (…)” (") for text in quotes), quotes


def test_the_turns_shown_as_context_name_their_speakers_as_the_attribution_does(demo: Path, tmp_path: Path) -> None:
    """A probe: with --context, the turn before a quote of D1's was printed with the transcript's
    label, her pseudonym ("Før: Hanna: Det har gått mye bedre …"), right above "En deltaker"; in
    the group interview the turns around a quote read "D4:" and "MF:" under role labels."""
    shown = json.loads(run(demo, "transcripts", "show", "deltaker_D1_T2", "--json").output)["text"]
    label = re.search(r"\] (\w+): Det har gått mye bedre", shown)
    assert label is not None and label.group(1) not in {"D1", "Deltaker"}  # her pseudonym, as the transcript labels her
    ok(run(demo, "coding", "add", "deltaker_D1_T2", "empowerment", "--match", "Hva betydde praksisplassen for deg?"))
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning", "--match", "At de spør oss før de bestemmer."))
    for attribution, expected in (
        ("role", ["Før: En deltaker: Det har gått mye bedre", "Etter: En deltaker: Struktur, først og fremst.",
                  "Før: Intervjuer: Hvis dere kunne bestemme", "Etter: En deltaker: Mer tid med veilederen."]),
        ("full", ["Før: D1, T2: Det har gått mye bedre", "Etter: D1, T2: Struktur, først og fremst.",
                  "Før: Intervjuer, T1: Hvis dere kunne bestemme", "Etter: D6, T1: Mer tid med veilederen."]),
    ):
        written = texts(report(demo, tmp_path / f"{attribution}.docx", "--context", "--attribution", attribution))
        context = [text for text in written if text.startswith(("Før: ", "Etter: "))]
        assert len(context) == 4 and all(text.startswith(start) for text, start in zip(context, expected, strict=True)), context
        assert not any(label.group(1) in text for text in written)


def test_a_small_group_is_warned_about_when_its_member_speaks_inside_another_participants_quote(demo: Path, tmp_path: Path) -> None:
    """A probe: a group interview's passage from D5 into D6's turn printed "Deltaker, kontor C", the
    only participant of that office, before D6's words and in the attribution, and no export warned."""
    ok(run(demo, "participants", "edit", "D6", "--office", "kontor C"))
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning/tvang og krav", "--match", GROUP_SPAN))
    result = run(demo, "export", "report", "--output", str(tmp_path / "g.docx"), "--attribution", "role-office")
    [quote] = [text for text in texts(docx.Document(str(tmp_path / "g.docx"))) if "[S-" in text]
    assert "\nDeltaker, kontor C: Det samme skjedde med meg" in quote and ok(result).exit_code == 0
    assert "warning: 'Deltaker, kontor C' covers 1 participant" in result.output
    table = ok(run(demo, "export", "quotes", "--format", "csv", "--output", str(tmp_path / "g.csv"), "--attribution", "role-office"))
    assert "warning: 'Deltaker, kontor C' covers 1 participant" in table.output


def test_a_quote_table_attributes_a_passage_to_everyone_it_quotes_as_the_report_does(demo: Path, tmp_path: Path) -> None:
    """A probe: the report attributed a passage from D5 into D6's turn to "Deltaker, kontor B;
    Deltaker, kontor C", the quote table's attribution cell to D5's label alone."""
    ok(run(demo, "participants", "edit", "D6", "--office", "kontor C"))
    ok(run(demo, "coding", "add", "gruppeintervju_G1", "brukermedvirkning/tvang og krav", "--match", GROUP_SPAN))
    ok(run(demo, "export", "quotes", "--format", "csv", "--output", str(tmp_path / "g.csv"), "--attribution", "role-office"))
    with (tmp_path / "g.csv").open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["attribution"] == "Deltaker, kontor B; Deltaker, kontor C" and row["participant"] == "D5"


def test_a_sentence_that_ends_in_a_closing_quotation_mark_is_no_omission(demo: Path, tmp_path: Path) -> None:
    """A probe: whole sentences that end in a closing quotation mark or bracket were marked as cut
    ("Hun sa: «Du må møte opp.» (…)"), and so was a sentence after one ("(…) Så gikk hun.")."""
    quoted = tmp_path / "deltaker_D9_T1.txt"
    quoted.write_text('I: Hva skjedde?\nD9: Hun sa: «Du må møte opp.» Så gikk hun. Jeg svarte "ja, greit." Det var det '
                      "(det var alt.) Og så, tja, ferdig.\nI: Takk.\n", encoding="utf-8")
    ok(run(demo, "import", str(quoted), "--participant", "D9", "--role", "deltaker"))
    passages = ["Hun sa: «Du må møte opp.»", "Så gikk hun.", 'Jeg svarte "ja, greit."', "Det var det (det var alt.)", "tja"]
    for passage in passages:
        ok(run(demo, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", passage))
    quotes = [text.split(" (En deltaker")[0] for text in texts(report(demo, tmp_path / "s.docx")) if "[S-" in text]
    assert quotes == [f"”{passage}”" for passage in passages[:4]] + ["”(…) tja (…)”"], quotes


def test_a_sentence_coded_without_its_full_stop_is_no_omission(demo: Path, tmp_path: Path) -> None:
    """A field trial: `coding add --match` of a whole sentence typed without its full stop ("Det var første
    gang noen spurte meg hva jeg ville") was quoted "… hva jeg ville (…)", as if words after it were left out."""
    said = tmp_path / "deltaker_D9_T1.txt"
    said.write_text("I: Ble du spurt?\nD9: Det var første gang noen spurte meg. Vi satt sammen! Jeg sa at jeg ville "
                    "jobbe med mat, og det ble planen.\nI: Takk.\n", encoding="utf-8")
    ok(run(demo, "import", str(said), "--participant", "D9", "--role", "deltaker"))
    for passage in ("Det var første gang noen spurte meg", "Vi satt sammen", "Jeg sa at jeg ville jobbe med mat"):
        ok(run(demo, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", passage))
    quotes = [text.split(" (En deltaker")[0] for text in texts(report(demo, tmp_path / "s.docx")) if "[S-" in text]
    assert quotes == ["”Det var første gang noen spurte meg”", "”Vi satt sammen”", "”Jeg sa at jeg ville jobbe med mat (…)”"], quotes


def test_a_quote_from_notes_is_marked_as_the_notes_wording_not_the_informants(demo: Path, tmp_path: Path) -> None:
    """A field trial: a passage of a referat (the researcher's notes of an unrecorded interview: "Hun lar alltid
    deltakeren skrive det første utkastet …") stood in the report as ”…” (En veileder [S-…]), as if the caseworker
    had said those words; a reader could not tell a paraphrase from a verbatim quote."""
    ok(run(demo, "coding", "add", "referat_V3", "empowerment", "--match", "ta ansvar for eget liv"))
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg fikk plass!"))
    quoted = [text for text in texts(report(demo, tmp_path / "r.docx")) if "[S-" in text]
    from_notes = next(text for text in quoted if "ta ansvar for eget liv" in text)
    said = next(text for text in quoted if "Jeg fikk plass!" in text)
    assert "(En veileder, fra referat [S-" in from_notes, from_notes
    assert "referat" not in said and "(En deltaker [S-" in said
    english = [text for text in texts(report(demo, tmp_path / "e.docx", "--lang", "en")) if "ta ansvar for eget liv" in text]
    assert english and "from an interview summary [S-" in english[0], english
    ok(run(demo, "export", "quotes", "--format", "csv", "--output", str(tmp_path / "q.csv")))
    with (tmp_path / "q.csv").open(encoding="utf-8-sig", newline="") as table:  # the quote table's attribution as the report's
        attributions = {row["quote"]: row["attribution"] for row in csv.DictReader(table)}
    assert attributions["ta ansvar for eget liv"] == "En veileder, fra referat" and attributions["Jeg fikk plass!"] == "En deltaker"


def test_roles_written_in_nynorsk_are_labelled_as_the_roles_they_are(demo: Path, tmp_path: Path) -> None:
    """A field trial: a team in a nynorsk-writing office gave its participants the roles "deltakar" and
    "rettleiar". The report, in bokmål, called them all "En informant" (one small-group warning for all of
    them), and counted "1 med rollen deltakar" where a bokmål role reads "1 deltaker"."""
    ok(run(demo, "participants", "edit", "D1", "--role", "deltakar"))
    ok(run(demo, "participants", "edit", "V1", "--role", "rettleiar"))
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg fikk plass!"))
    ok(run(demo, "coding", "add", "veileder_V1", "måltall-press", "--match", "Det ble mer om antall enn om hva folk faktisk trengte."))
    written = texts(report(demo, tmp_path / "r.docx"))
    quoted = [text for text in written if "[S-" in text]
    assert any("Jeg fikk plass!" in text and "(En deltaker [S-" in text for text in quoted), quoted
    assert any("faktisk trengte" in text and "(En veileder [S-" in text for text in quoted), quoted
    note = next(text for text in written if text.startswith("Materialet"))
    assert "med rollen" not in note, note
    by_office = [text for text in texts(report(demo, tmp_path / "o.docx", "--attribution", "role-office")) if "Jeg fikk plass!" in text]
    assert by_office and "(Deltaker, kontor A [S-" in by_office[0], by_office

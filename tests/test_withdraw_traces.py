"""What a withdrawal leaves of a participant beyond their own words: their pseudonym in the researchers'
memos, summaries, codebook and log; an interviewer's questions an older import took for theirs; their
comments on drafts under a part of their name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
from click.testing import CliRunner, Result
from sqlalchemy import select

from qualcode.anonymise.key import KeyEntry
from qualcode.anonymise.their_names import TheirNames
from qualcode.anonymise.withdraw import WITHDRAWN
from qualcode.cli import cli
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    Transcript,
    TranscriptParticipant,
)
from qualcode.store.project import Project
from qualcode.store.withdrawals import WITHDRAWN_NAMES, withdrawal_records
from tests.conftest import holds_word


def run(project: Path, *args: str, coder: str = "Forsker 1") -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", coder, *args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def pseudonym_of(project: Path, original: str) -> str:
    return next(entry["pseudonym"] for entry in json.loads(ok(run(project, "key", "show", "--json")).output)
                if entry["original"] == original)


def stored(project: Path) -> bytes:
    return b"".join(part.read_bytes() for part in (project / ".qualcode").glob("project.db*"))


def test_the_researchers_texts_lose_a_withdrawn_participants_pseudonym_and_keep_the_rest(demo: Path) -> None:
    """A memo on the project, on a code and on another's interview, a framework summary of another
    participant, a code's definition and their log entries kept D1's pseudonym after she withdrew: the
    names go, as her turns do, and every other word of the researcher's stays; a surname another's
    pseudonym shares stays where it stands alone (it may be the other's)."""
    first, surname = pseudonym_of(demo, "Sissel Bakken").split()
    ok(run(demo, "identifiers", "add", "Gudveig Fykse", "--kind", "person", "--pseudonym", f"Per {surname}"))
    ok(run(demo, "coding", "add", "deltaker_D2_T1", "empowerment", "--match", "elektriker"))
    # Typed as the researcher knows her (the key makes it the pseudonym), or as the pseudonym itself.
    ok(run(demo, "memo", "add", "Sissel Bakken og D2 beskriver det samme presset. Per Fykse er enig."))
    ok(run(demo, "memo", "add", f"Se {first}s beskrivelse av planen; {surname} nevnes også av {first[0]}. {surname}.",
           "--code", "empowerment"))
    ok(run(demo, "memo", "add", f"Veilederen snakker om {first.upper()} her.", "--transcript", "veileder_V1"))
    ok(run(demo, "framework", "set", "D2", "empowerment", f"Som {first} {surname}: vil bli elektriker."))
    ok(run(demo, "codebook", "edit", "empowerment", "--definition", f"Mestring og kontroll ({first} er et typisk eksempel)."))
    withdrawn = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert (f"their pseudonym became '{WITHDRAWN}' in 3 memos, 1 framework summary, 1 code's definition or example and"
            " 5 log entries (the rest of each text is kept)") in withdrawn.output, withdrawn.output
    with Project.open(demo) as project, project.begin() as session:
        memos = list(session.scalars(select(Memo.text).order_by(Memo.id)))
        summary = session.scalars(select(FrameworkSummary.text)).one()
        definition = session.scalars(select(Code.definition).where(Code.path == "empowerment")).one()
        records = withdrawal_records(session)
        log = " ".join(str(row) for row in session.execute(select(Event.summary, Event.payload)))
    assert memos == [
        f"{WITHDRAWN} og D2 beskriver det samme presset. Per {surname} er enig.",  # another's pseudonym stays
        f"Se {WITHDRAWN} beskrivelse av planen; {surname} nevnes også av {WITHDRAWN}.",  # alone, the surname is shared
        f"Veilederen snakker om {WITHDRAWN} her.",
    ]
    assert summary == f"Som {WITHDRAWN}: vil bli elektriker." and definition == f"Mestring og kontroll ({WITHDRAWN} er et typisk eksempel)."
    assert records[-1][WITHDRAWN_NAMES] == {"memo": 3, "summary": 1, "code": 1, "log": 5}
    assert not holds_word(log.encode(), first) and not holds_word(log.encode(), first.upper()) and f"Per {surname}" in log
    assert not holds_word(stored(demo), first) and not holds_word(stored(demo), first.upper())


def test_a_pseudonym_is_left_where_a_colleague_on_the_team_bears_it(demo: Path) -> None:
    """A colleague whose name the pseudonym happens to be: a memo naming them is about them."""
    first, _ = pseudonym_of(demo, "Sissel Bakken").split()
    ok(run(demo, "coder", "add", first, "--role", "medforsker"))
    ok(run(demo, "memo", "add", f"{first} koder veilederne denne uka."))
    withdrawn = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert "their pseudonym became" not in withdrawn.output
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [f"{first} koder veilederne denne uka."]


def test_identifiers_named_after_a_participant_withdrew_take_their_pseudonym_out_of_memos(demo: Path) -> None:
    pseudonym = pseudonym_of(demo, "Sissel Bakken")
    ok(run(demo, "memo", "add", "Sissel Bakken var tydeligst."))
    ok(run(demo, "participants", "withdraw", "D1", "--yes"))  # her name not named: the key still links it to no one
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [f"{pseudonym} var tydeligst."]
    later = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert f"their pseudonym became '{WITHDRAWN}' in 1 memo and 1 log entry" in later.output, later.output
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [f"{WITHDRAWN} var tydeligst."]


def _import_as_an_older_version_did(demo: Path, tmp_path: Path, label: str) -> None:
    """D6's group interview with D5, its front matter naming D6 alone and D5 by the speakers map: an older
    version took every other label, `label` too ("Forsker A", told apart by a letter), for D6's turns,
    and knew D6 by the first of them, which is the interviewer's."""
    path = tmp_path / "gruppe_G7.md"
    path.write_text(f"---\nparticipant: D6\nspeakers: {{D5: D5}}\n---\n{label}: Hvordan opplevde dere møtene på kontoret?\n"
                    "Informant: Jeg syntes hun hørte på meg hele tiden.\n"
                    f"{label}: Og du, hva tenker du om det?\nD5: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    ok(run(demo, "import", str(path)))
    with Project.open(demo) as project, project.begin() as session:
        group = session.scalars(select(Transcript).where(Transcript.name == "gruppe_G7")).one()
        d6 = session.scalars(select(Participant.id).where(Participant.name == "D6")).one()
        assert group.current_version is not None
        for turn in group.current_version.turns:
            if turn.speaker == label:
                turn.participant_id = d6
        for link in group.participant_links:
            if link.participant_id == d6:
                link.speaker_label = label


def test_an_interviewers_questions_mended_off_a_participant_stay_when_they_withdraw(demo: Path, tmp_path: Path) -> None:
    """After `transcripts edit --interviewer "Forsker A"` and an edit that took D6 off the interview, D6's
    withdrawal redacted every "Forsker A" turn: the edit's log found D6 by that label still."""
    label = "Forsker A"
    _import_as_an_older_version_did(demo, tmp_path, label)
    edited = ok(run(demo, "transcripts", "edit", "gruppe_G7", "--interviewer", label))
    assert f"2 turns of {label} are the interviewer's now, no longer D6's" in edited.output
    with Project.open(demo) as project, project.begin() as session:
        labels = {name: label for name, label in session.execute(select(Participant.name, TranscriptParticipant.speaker_label)
                                                                 .join(TranscriptParticipant).join(Transcript)
                                                                 .where(Transcript.name == "gruppe_G7"))}
    assert labels == {"D5": "D5", "D6": "Informant"}  # known by their own label now
    ok(run(demo, "transcripts", "edit", "gruppe_G7", "--participant", "D5"))  # D6 was not in this one, the researcher says
    ok(run(demo, "participants", "withdraw", "D6", "--yes"))
    text = json.loads(ok(run(demo, "transcripts", "show", "gruppe_G7", "--json")).output)["text"]
    assert text == (f"{label}: Hvordan opplevde dere møtene på kontoret?\nInformant: {WITHDRAWN}\n"
                    f"{label}: Og du, hva tenker du om det?\nD5: For meg var det mest skjemaer og frister.\n")


def test_questions_taken_off_a_participant_before_the_interviewer_was_named_stay_when_they_withdraw(demo: Path, tmp_path: Path) -> None:
    """The other order: D6 taken off first (the edit's log lists the questions among D6's turns, as they
    then were), the interviewer named after. A project mended so before the label was moved too."""
    label = "Intervjuer 2"
    _import_as_an_older_version_did(demo, tmp_path, label)
    ok(run(demo, "transcripts", "edit", "gruppe_G7", "--participant", "D5"))
    ok(run(demo, "transcripts", "edit", "gruppe_G7", "--interviewer", label))
    ok(run(demo, "participants", "withdraw", "D6", "--yes"))
    text = json.loads(ok(run(demo, "transcripts", "show", "gruppe_G7", "--json")).output)["text"]
    assert f"{label}: Hvordan opplevde dere møtene på kontoret?" in text and f"{label}: Og du, hva tenker du om det?" in text
    assert "hørte på meg" not in text and f"Informant: {WITHDRAWN}" in text


def test_undo_of_naming_the_interviewer_gives_the_participant_their_label_back(demo: Path, tmp_path: Path) -> None:
    label = "Forsker A"
    _import_as_an_older_version_did(demo, tmp_path, label)
    ok(run(demo, "transcripts", "edit", "gruppe_G7", "--interviewer", label))
    ok(run(demo, "undo"))
    with Project.open(demo) as project, project.begin() as session:
        d6 = session.scalars(select(TranscriptParticipant.speaker_label).join(Participant).join(Transcript)
                             .where(Participant.name == "D6", Transcript.name == "gruppe_G7")).one()
    assert d6 == label


def _commented(report: Path, target: Path, *comments: tuple[str, str, str]) -> Path:
    """`report` with each (paragraph holding, comment, author) added as Word adds a comment."""
    document = docx.Document(str(report))
    for holding, text, author in comments:
        paragraph = next(p for p in document.paragraphs if holding in p.text)
        document.add_comment(paragraph.runs, text=text, author=author, initials=author[:2])
    document.save(str(target))
    return target


def test_comments_a_withdrawn_participant_wrote_under_part_of_her_name_go_with_her(demo: Path, tmp_path: Path) -> None:
    """Word's author was her first name alone ("Sissel"), or with an initial: the review import kept it as
    that part of her pseudonym, and her withdrawal looked only for the whole pseudonym, so her comments
    and her name as a reviewer stayed. A comment about her by a colleague loses her name and stays. The colleague
    is "Signe", a name no pseudonym is drawn (Sissel drawn "Anne …" met a colleague "Anne", and "Ann" was found
    inside her name, each one run in a hundred or so), and her first name is looked for as a word."""
    first, surname = pseudonym_of(demo, "Sissel Bakken").split()
    ok(run(demo, "identifiers", "add", "Gudveig Fykse", "--kind", "person", "--pseudonym", f"Per {surname}"))
    ok(run(demo, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket"))
    ok(run(demo, "export", "report", "--output", str(tmp_path / "r.docx")))
    ok(run(demo, "coder", "add", "Signe", "--role", "medforsker"))
    reviewed = _commented(tmp_path / "r.docx", tmp_path / "c.docx",
                          ("Vi får et måltall", "Som deltaker kjenner jeg meg igjen.", "Sissel"),
                          ("Vi får et måltall", "Det gjelder meg også.", "Sissel B."),
                          ("Vi får et måltall", "Jeg er ikke enig.", "Fykse"),  # Gudveig Fykse's surname: his, as kept ("Per …" is his)
                          ("Vi får et måltall", "Det samme sa Sissel i intervjuet.", "Signe"))
    ok(run(demo, "review", "import", str(reviewed)))
    with Project.open(demo) as project, project.begin() as session:
        authors = [memo.author.name for memo in session.scalars(select(Memo).order_by(Memo.id))]
    assert authors == [first, f"{first} {surname[0]}.", surname, "Signe"]
    withdrawn = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert "deleted 2 comments they wrote on drafts" in withdrawn.output, withdrawn.output
    with Project.open(demo) as project, project.begin() as session:
        left = [(memo.author.name, memo.text) for memo in session.scalars(select(Memo).order_by(Memo.id))]
        reviewers = set(session.scalars(select(Memo.author_id)))
    assert left == [(surname, "Jeg er ikke enig."), ("Signe", f"Det samme sa {WITHDRAWN} i intervjuet.")]
    assert len(reviewers) == 2
    assert not holds_word(stored(demo), first)


def test_comments_of_someone_whose_pseudonym_is_a_colleagues_name_stay_theirs(demo: Path, tmp_path: Path) -> None:
    """Gudveig's pseudonym is "Anne Vik", and the team has a medforsker Anne: her comment signed "Gudveig",
    kept as "Anne", went under the colleague's name (as Sissel's did in the test above, drawn "Anne …"), and
    stayed there when she withdrew. It is kept under her whole pseudonym, which goes with her."""
    ok(run(demo, "identifiers", "add", "Gudveig Fykse", "--kind", "person", "--pseudonym", "Anne Vik", "--participant", "D2"))
    ok(run(demo, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket"))
    ok(run(demo, "export", "report", "--output", str(tmp_path / "r.docx")))
    ok(run(demo, "coder", "add", "Anne", "--role", "medforsker"))
    reviewed = _commented(tmp_path / "r.docx", tmp_path / "c.docx",
                          ("Vi får et måltall", "Som deltaker kjenner jeg meg igjen.", "Gudveig"),
                          ("Vi får et måltall", "Det samme hørte jeg i intervjuene.", "Anne"))
    ok(run(demo, "review", "import", str(reviewed)))
    with Project.open(demo) as project, project.begin() as session:
        authors = [(memo.author.name, memo.author.role) for memo in session.scalars(select(Memo).order_by(Memo.id))]
    assert authors == [("Anne Vik", "reviewer"), ("Anne", "medforsker")]
    withdrawn = ok(run(demo, "participants", "withdraw", "D2", "--identifier", "Gudveig Fykse", "--yes"))
    assert "deleted 1 comment they wrote on drafts" in withdrawn.output, withdrawn.output
    with Project.open(demo) as project, project.begin() as session:
        left = [(memo.author.name, memo.text) for memo in session.scalars(select(Memo).order_by(Memo.id))]
    assert left == [("Anne", "Det samme hørte jeg i intervjuene.")]


def test_their_pseudonym_with_an_initial_goes_and_the_initial_alone_stays() -> None:
    """A pseudonym drawn in the shape of a name written with an initial ("Sondre A." for "Kari H."): its initial
    alone was taken for them, and "Plan A. gikk fint" became "Plan [trukket tilbake] gikk fint"."""
    names = TheirNames([KeyEntry("Kari H.", "person", "Sondre A."), KeyEntry("K. Haugland", "person", "T. Amundsen")], [], WITHDRAWN)
    assert names.redact("Sondre A. kom. Plan A. gikk fint, og Sondre smilte. T. Amundsen og Amundsen, ikke T. alene.") == (
        f"{WITHDRAWN} kom. Plan A. gikk fint, og {WITHDRAWN} smilte. {WITHDRAWN} og {WITHDRAWN}, ikke T. alene.")


def test_a_part_of_their_name_inside_anothers_double_name_stays() -> None:
    """"Madsen", theirs alone, was found inside another's "Ola Berg-Madsen" (a hyphen is no letter): the
    other's name became "Ola Berg-[trukket tilbake]", for good. A compound of theirs ("Madsen-intervjuet") goes."""
    names = TheirNames([KeyEntry("Sissel Bakken", "person", "Ragnhild Madsen")], ["Ola Berg-Madsen", "Kari Madsen-Li"], WITHDRAWN)
    assert names.redact("Ola Berg-Madsen, Kari Madsen-Li og Ragnhild Madsen. Madsen-intervjuet var langt; Madsens plan.") == (
        f"Ola Berg-Madsen, Kari Madsen-Li og {WITHDRAWN}. {WITHDRAWN}-intervjuet var langt; {WITHDRAWN} plan.")


def test_a_part_of_their_name_that_is_an_everyday_word_stays_where_a_sentence_begins_and_is_said(demo: Path) -> None:
    """D2's pseudonym "Per Strand": "Per uke …" first in its sentence became "[trukket tilbake] uke …", the
    researcher's memo changed for good and unsaid. There a word as common as "Per" is kept and named; inside
    a sentence, and whole, the name goes, and so does a rarer word ("Strand") first in its sentence."""
    # Neither word is one a pseudonym is drawn from (Faker's lists hold "Per" and "Strand"): drawn for another
    # in the demo, "Per" would be shared with them and kept everywhere, one draw in a few.
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--pseudonym", "Vår Fykse", "--participant", "D2"))
    ok(run(demo, "memo", "add", "Vår plan er to møter i uka. Fykse sa det, og så sa Vår nei. «Vår Fykse også.»"))
    withdrawn = ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    assert "'Vår' of their pseudonym was kept where a sentence begins with it, an everyday word there too" in withdrawn.output, \
        withdrawn.output
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [
            f"Vår plan er to møter i uka. {WITHDRAWN} sa det, og så sa {WITHDRAWN} nei. «{WITHDRAWN} også.»"]


def test_a_restore_from_before_the_withdrawal_takes_their_pseudonym_out_again(demo: Path, tmp_path: Path) -> None:
    """The withdrawal again that a restore of an older backup brings found no pseudonym of theirs (the
    key's entries naming it were digests by then): the restored memos named D1 as before she withdrew."""
    pseudonym = pseudonym_of(demo, "Sissel Bakken")
    ok(run(demo, "memo", "add", f"{pseudonym} var tydeligst om planen."))
    ok(run(demo, "backup"))
    [backup] = (demo / ".qualcode" / "backups").glob("*manual*.bak")
    before = tmp_path / "før.bak"  # kept outside the project: the withdrawal cannot reach it
    shutil.copyfile(backup, before)
    ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    restored = ok(run(demo, "backup", "restore", str(before), "--before-withdrawal"))
    assert f"their pseudonym became '{WITHDRAWN}' in 1 memo" in restored.output, restored.output
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [f"{WITHDRAWN} var tydeligst om planen."]
    assert not holds_word(stored(demo), pseudonym.split()[0])


def test_a_withdrawn_participants_speaker_label_in_a_group_interview_goes_with_their_words(demo: Path, tmp_path: Path) -> None:
    """A `speakers:` map labels D2's turns by her name, which the import makes her pseudonym: after she
    withdrew, the group interview read "Odd Haug: [trukket tilbake]", her pseudonym kept in the text that
    stays. The label goes as her words do; the others' labels, words, turns and codings stay where they were."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2"))
    pseudonym = pseudonym_of(demo, "Trine Vik")
    path = tmp_path / "gruppe_G9.md"
    path.write_text("---\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\n"
                    "I: Hvordan var møtene på kontoret?\nTrine Vik: Jeg syntes det var greit, hun hørte på meg.\n"
                    "D3: For meg var det mest skjemaer og frister. 🙂\n[00:01:02] Trine Vik: Men planen ble min til slutt.\n"
                    "D3: Ære være veilederen, sier jeg.\n", encoding="utf-8")
    ok(run(demo, "import", str(path)))
    ok(run(demo, "coding", "add", "gruppe_G9", "empowerment", "--match", "Ære være veilederen"))
    withdrawn = ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    assert "redacted 2 turns in group interviews" in withdrawn.output, withdrawn.output
    shown = json.loads(ok(run(demo, "transcripts", "show", "gruppe_G9", "--json")).output)
    assert shown["text"] == (f"I: Hvordan var møtene på kontoret?\n{WITHDRAWN}: {WITHDRAWN}\n"
                             f"D3: For meg var det mest skjemaer og frister. 🙂\n[00:01:02] {WITHDRAWN}: {WITHDRAWN}\n"
                             "D3: Ære være veilederen, sier jeg.\n")
    assert [(turn["speaker"], turn["participant"], shown["text"][turn["start"]:turn["end"]]) for turn in shown["turns"]] == [
        ("I", None, "Hvordan var møtene på kontoret?"), (None, None, WITHDRAWN),
        ("D3", "D3", "For meg var det mest skjemaer og frister. 🙂"), (None, None, WITHDRAWN),
        ("D3", "D3", "Ære være veilederen, sier jeg.")]
    with Project.open(demo) as project, project.begin() as session:
        links = session.execute(select(Participant.name, TranscriptParticipant.speaker_label).join(TranscriptParticipant)
                                .join(Transcript).where(Transcript.name == "gruppe_G9")).all()
        coded = session.execute(select(Coding.excerpt, Coding.start, Coding.end).join(Transcript)
                                .where(Transcript.name == "gruppe_G9")).one()
    assert [tuple(link) for link in links] == [("D3", "D3")]
    assert coded.excerpt == shown["text"][coded.start:coded.end] == "Ære være veilederen"
    for word in pseudonym.split():
        assert not holds_word(stored(demo), word)


def test_a_new_key_in_place_of_a_destroyed_one_says_it_lacks_the_withdrawn_pseudonyms_and_an_older_backup_stays_refused(
        demo: Path, tmp_path: Path) -> None:
    """The key kept D1's pseudonym so that a withdrawal again after a restore of an older backup takes it out of
    memos; `key destroy` and `key new` lost it, unsaid. The new key says so, and a backup from before she withdrew,
    which would bring her pseudonym back with no key to take it out, stays refused."""
    pseudonym = pseudonym_of(demo, "Sissel Bakken")
    ok(run(demo, "memo", "add", f"{pseudonym} var tydeligst om planen."))
    ok(run(demo, "backup"))
    [backup] = (demo / ".qualcode" / "backups").glob("*manual*.bak")
    before = tmp_path / "før.bak"
    shutil.copyfile(backup, before)
    ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    ok(run(demo, "key", "destroy", "--yes"))
    made = ok(run(demo, "key", "new"))
    assert ("1 participant withdrew before this key was made (D1): the key before it kept their pseudonyms, and took them"
            " with it") in made.output, made.output
    refused = run(demo, "backup", "restore", str(before), "--before-withdrawal")
    assert refused.exit_code == 1 and "was taken under the key this project had before its new one" in refused.output
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [f"{WITHDRAWN} var tydeligst om planen."]
    assert not holds_word(stored(demo), pseudonym.split()[0])
    (tmp_path / "demo-key" / "demo.qckey").unlink()  # lost: one made in place of this one says it too, they withdrew before it
    again = ok(run(demo, "key", "new", "--lost"))
    assert "1 participant withdrew before this key was made (D1)" in again.output, again.output


def test_a_group_interview_named_and_titled_by_a_withdrawn_participants_pseudonym_loses_it(demo: Path, tmp_path: Path) -> None:
    """A group interview imported from "gruppe_Trine_Vik.md", titled "Samtale med Trine Vik og D3", was named
    and titled by D2's pseudonym, as was its file's name: after she withdrew, `transcripts list`, the log and
    every export named her still. Name, file name and title lose it as memos do, the name kept unique and
    typeable ("gruppe_trukket_tilbake"), and the withdrawal counts them."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2"))
    pseudonym = pseudonym_of(demo, "Trine Vik")
    joined = "_".join(pseudonym.split())
    path = tmp_path / "gruppe_Trine_Vik.md"
    path.write_text("---\ntitle: Samtale med Trine Vik og D3\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\n"
                    "I: Hvordan var møtene på kontoret?\nTrine Vik: Jeg syntes det var greit, hun hørte på meg.\n"
                    "D3: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    ok(run(demo, "import", str(path)))
    # A transcript of the same name as the one the withdrawal makes is there already: the names stay unique.
    (tmp_path / "gruppe_trukket_tilbake.txt").write_text("I: Hei.\nD3: Hei igjen.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "gruppe_trukket_tilbake.txt"), "--participant", "D3"))
    listed = {row["name"]: row for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)}
    assert f"gruppe_{joined}" in listed, listed
    ok(run(demo, "coding", "add", f"gruppe_{joined}", "empowerment", "--match", "skjemaer og frister"))

    withdrawn = ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    assert "1 transcript's name, file name or title" in withdrawn.output, withdrawn.output
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_trukket_tilbake" in names and "gruppe_trukket_tilbake-2" in names, names
    with Project.open(demo) as project, project.begin() as session:
        renamed = session.scalars(select(Transcript).where(Transcript.name == "gruppe_trukket_tilbake-2")).one()
        assert (renamed.title, renamed.source_filename) == (f"Samtale med {WITHDRAWN} og D3", "gruppe_trukket_tilbake.md")
        [record] = withdrawal_records(session)
    assert record[WITHDRAWN_NAMES].get("transcript") == 1
    for word in pseudonym.split():
        assert not holds_word(stored(demo), word), word
    shown = ok(run(demo, "status")).output + ok(run(demo, "transcripts", "list")).output + ok(run(demo, "history")).output
    exported = tmp_path / "ut.qdpx"
    ok(run(demo, "export", "qdpx", str(exported)))
    ok(run(demo, "export", "quotes", "--format", "csv", "--output", str(tmp_path / "sitater.csv")))
    import zipfile

    with zipfile.ZipFile(exported) as package:
        packed = " ".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    for word in pseudonym.split():
        assert word not in shown and word not in packed and word not in (tmp_path / "sitater.csv").read_text(encoding="utf-8"), word


def test_a_redrawn_pseudonym_renames_the_transcript_for_its_own_person_and_the_key_follows_the_new_name(tmp_path: Path) -> None:
    """A probe: D1's interview, from "intervju_Kari_Nordmann.txt", was named "intervju_Eva_Lunde" by Kari's
    pseudonym. Learning a real Eva Lunde redrew Kari's pseudonym; the rewrite named the transcript, and wrote
    Kari in its text, by the real Eva's pseudonym, and the key still said its identifiers were seen in
    "intervju_Eva_Lunde": D1's withdrawal then did not know her telephone number as hers alone, and the key
    kept it in clear."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root), "--empty"], catch_exceptions=False)
    (tmp_path / "deltakere.csv").write_text("participant,role\nD1,deltaker\nD2,deltaker\n", encoding="utf-8")
    ok(run(root, "participants", "import", str(tmp_path / "deltakere.csv")))
    ok(run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Lunde"))
    interview = tmp_path / "intervju_Kari_Nordmann.txt"
    interview.write_text("I: Nummeret ditt?\nD1: Kari Nordmann her, ring 912 34 567.\n", encoding="utf-8")
    ok(run(root, "import", str(interview), "--participant", "D1"))
    (tmp_path / "d2.txt").write_text("I: Hvordan gikk det?\nD2: Det gikk bra.\n", encoding="utf-8")
    ok(run(root, "import", str(tmp_path / "d2.txt"), "--participant", "D2"))
    ok(run(root, "identifiers", "add", "Eva Lunde", "--kind", "person"))
    kari, eva = pseudonym_of(root, "Kari Nordmann"), pseudonym_of(root, "Eva Lunde")
    name = "intervju_" + "_".join(kari.split())
    listed = [row["name"] for row in json.loads(ok(run(root, "transcripts", "list", "--json")).output)]
    assert listed == ["d2", name], (listed, kari, eva)
    shown = json.loads(ok(run(root, "transcripts", "show", name, "--json")).output)
    assert shown["text"] == f"I: Nummeret ditt?\nD1: {kari} her, ring (telefonnummer).\n"
    entries = {entry["original"]: entry for entry in json.loads(ok(run(root, "key", "show", "--json")).output)}
    assert entries["912 34 567"]["seen_in"] == [name] and entries["Kari Nordmann"]["seen_in"] == [name]

    withdrawn = ok(run(root, "participants", "withdraw", "D1", "--yes"))
    assert "1 of their identifiers is kept only as a digest" in withdrawn.output, withdrawn.output
    assert "912 34 567" not in {entry["original"] for entry in json.loads(ok(run(root, "key", "show", "--json")).output)}


def test_an_attribute_only_a_withdrawn_participant_held_goes_with_them_and_is_counted(demo: Path) -> None:
    """Their transcripts and their attribute values went, but the definitions stayed, listed and offered
    in analysis with no values, one named for them ("notat_" and their pseudonym) keeping it in the project.
    Undo after the withdrawal takes back and redo defines again another's as before."""
    first = pseudonym_of(demo, "Sissel Bakken").split()[0]
    ok(run(demo, "participants", "edit", "D1", "--attribute", "notat_Sissel Bakken=ja"))
    ok(run(demo, "transcripts", "edit", "deltaker_D1_T1", "--attribute", "tolk_brukt=ja"))
    ok(run(demo, "transcripts", "edit", "deltaker_D1_T2", "--attribute", "opptak=video"))
    ok(run(demo, "transcripts", "edit", "deltaker_D2_T1", "--attribute", "opptak=lyd"))

    def defined() -> set[tuple[str, str]]:
        with Project.open(demo) as project, project.begin() as session:
            return {(definition.applies_to, definition.name) for definition in session.scalars(select(AttributeDefinition))}

    held = defined()
    assert ("transcript", "tolk_brukt") in held and any(first.lower() in name for _, name in held), held
    withdrawn = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert "and 2 attributes no one else held" in withdrawn.output, withdrawn.output
    assert held - defined() == {("transcript", "tolk_brukt"), next(each for each in held if first.lower() in each[1])}
    assert ("transcript", "opptak") in defined() and not holds_word(stored(demo), first)
    ok(run(demo, "undo"))  # D2's opptak: no one holds it then, and it goes as undo takes one back
    assert ("transcript", "opptak") not in defined()
    ok(run(demo, "redo"))
    with Project.open(demo) as project, project.begin() as session:
        assert session.scalars(select(AttributeDefinition.value_type).where(AttributeDefinition.name == "opptak")).one() == "text"


def test_an_attribute_named_for_them_that_another_holds_loses_their_pseudonym(demo: Path) -> None:
    """An attribute "notat_" and their pseudonym that D2 held too stayed after D1 withdrew, their name in
    every list and analysis, and in the log of D2's edit; it is renamed as a transcript named for them
    is, counted in the withdrawal's record, and undo and redo of D2's edit go by the new name."""

    def held() -> dict[str, dict[str, str]]:
        with Project.open(demo) as project, project.begin() as session:
            return {participant.name: {attribute.definition.name: attribute.value for attribute in participant.attributes}
                    for participant in session.scalars(select(Participant))}

    first = pseudonym_of(demo, "Sissel Bakken").split()[0]
    ok(run(demo, "participants", "edit", "D1", "--attribute", "notat_Sissel Bakken=ja"))
    own = held()["D2"]  # the demo's
    ok(run(demo, "participants", "edit", "D2", "--attribute", "notat_Sissel Bakken=nei"))
    ok(run(demo, "participants", "edit", "D2", "--attribute", "notat_trukket_tilbake=x"))  # the name it would take

    assert any(first.lower() in name for name in held()["D2"]), held()
    withdrawn = ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert "1 attribute's name" in withdrawn.output, withdrawn.output
    assert held()["D2"] == own | {"notat_trukket_tilbake (2)": "nei", "notat_trukket_tilbake": "x"}
    assert not holds_word(stored(demo), first) and f"notat_{first.lower()}".encode() not in stored(demo)
    with Project.open(demo) as project, project.begin() as session:
        assert withdrawal_records(session)[-1][WITHDRAWN_NAMES].get("attribute") == 1
    ok(run(demo, "undo"))  # D2's notat_trukket_tilbake=x
    ok(run(demo, "undo"))  # D2's notat: taken back, and given again by redo under the name it has now
    assert held()["D2"] == own
    ok(run(demo, "redo"))
    assert held()["D2"] == own | {"notat_trukket_tilbake (2)": "nei"}
    assert f"notat_{first.lower()}".encode() not in stored(demo)


def test_a_group_interview_named_by_a_withdrawn_participants_pseudonym_in_lower_case_loses_it(demo: Path, tmp_path: Path) -> None:
    """A file named in lower case, "gruppe_trine_vik.md", as people name files: the import read the name in it
    and named the transcript "gruppe_ellen_strøm" by D2's pseudonym; the withdrawal looked for her pseudonym
    capitalised only, so the name, its file's name (another name given with --name) and the log kept it. An
    everyday word of the pseudonym alone in lower case ("strøm_kostnader") stays: there it is the word."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2", "--pseudonym", "Ellen Strøm"))
    text = ("---\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\nI: Hvordan var møtene?\n"
            "Trine Vik: Jeg syntes det var greit, hun hørte på meg.\nD3: For meg var det mest skjemaer og frister.\n")
    (tmp_path / "gruppe_trine_vik.md").write_text(text, encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "gruppe_trine_vik.md")))
    (tmp_path / "trine_vik_runde2.md").write_text(text.replace("greit", "fint"), encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "trine_vik_runde2.md"), "--name", "G8"))
    (tmp_path / "strøm_kostnader.txt").write_text("I: Hva koster strømmen?\nD3: Mye.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "strøm_kostnader.txt"), "--participant", "D3"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_ellen_strøm" in names and "strøm_kostnader" in names, names

    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_trukket_tilbake" in names and "G8" in names and "strøm_kostnader" in names, names
    with Project.open(demo) as project, project.begin() as session:
        files = set(session.scalars(select(Transcript.source_filename)))
    assert {"gruppe_trukket_tilbake.md", "trukket_tilbake_runde2.md", "strøm_kostnader.txt"} <= files, files
    shown = ok(run(demo, "transcripts", "list")).output + ok(run(demo, "history")).output
    assert "ellen" not in shown.casefold(), shown
    assert "ellen_strøm".encode() not in stored(demo).lower() and "ellen strøm".encode() not in stored(demo).lower()


def test_a_withdrawn_participants_name_in_a_later_files_name_and_title_is_replaced_not_put_up_for_review(
        demo: Path, tmp_path: Path) -> None:
    """The key keeps D2's name only as digests, which replace it in a later file's text: in the file's name
    and title it was put up for review instead, queued in the key in clear ("Trine Vik" waiting), and
    `anonymise accept` put it back in the key in clear. It is replaced there as in the text."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2"))
    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    path = tmp_path / "oppfolging_Trine_Vik.md"
    path.write_text("---\ntitle: Oppfølging etter Trine Vik\nparticipant: D3\ninterviewer: I\n---\n"
                    "I: Hvordan går det nå?\nD3: Det går bedre med planen.\n", encoding="utf-8")
    imported = ok(run(demo, "import", str(path)))
    assert "1 imported" in imported.output, imported.output
    assert "0 waiting" in ok(run(demo, "anonymise", "pending")).output
    assert "Trine" not in ok(run(demo, "key", "show", "--json")).output
    with Project.open(demo) as project, project.begin() as session:
        transcript = session.scalars(select(Transcript).where(Transcript.participant_links.any())
                                     .where(Transcript.source_filename.like("oppfolging%"))).one()
    assert "Trine" not in f"{transcript.name} {transcript.title} {transcript.source_filename}"


def test_a_transcript_whose_name_begins_with_a_withdrawn_transcripts_name_keeps_its_log(demo: Path, tmp_path: Path) -> None:
    """The log named a renamed transcript anew by a plain replacement of its old name: "gruppe_liv_berg",
    named by D2's pseudonym, renamed when she withdrew, rewrote the log of D3's own "gruppe_liv_bergen" too
    ("gruppe_trukket_tilbakeen", a name no transcript has, which undo could not find). Only the whole name
    is replaced; "liv" alone in lower case is the everyday word, so the longer name itself stays."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2", "--pseudonym", "Liv Berg"))
    (tmp_path / "gruppe_trine_vik.md").write_text(
        "---\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\nI: Hvordan var møtene?\n"
        "Trine Vik: Jeg syntes det var greit.\nD3: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "gruppe_trine_vik.md")))
    longer = "gruppe_liv_bergen"
    (tmp_path / "høst.txt").write_text("I: Hva skjedde i høst?\nD3: Vi fikk nye frister og skjemaer.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "høst.txt"), "--participant", "D3", "--name", longer))
    ok(run(demo, "coding", "add", longer, "empowerment", "--match", "nye frister"))
    ok(run(demo, "coding", "add", longer, "empowerment", "--match", "skjemaer"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_liv_berg" in names and longer in names, names

    def theirs() -> list[tuple[str, str]]:
        with Project.open(demo) as project, project.begin() as session:
            return [(event.summary, json.dumps(event.payload, ensure_ascii=False)) for event in session.scalars(select(Event))
                    if longer in event.summary or longer in json.dumps(event.payload, ensure_ascii=False)]

    before = theirs()
    assert len(before) >= 3, before  # its import and its two codings
    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_trukket_tilbake" in names and longer in names, names
    assert theirs() == before
    shown = ok(run(demo, "history")).output
    assert longer in shown and "tilbakeen" not in shown, shown
    with Project.open(demo) as project, project.begin() as session:
        assert not any("tilbakeen" in f"{event.summary} {event.payload}" for event in session.scalars(select(Event)))

    def coded() -> int:
        with Project.open(demo) as project, project.begin() as session:
            transcript = session.scalars(select(Transcript).where(Transcript.name == longer)).one()
            return len(session.scalars(select(Coding).where(Coding.transcript_id == transcript.id, Coding.removed_at.is_(None))).all())

    ok(run(demo, "undo"))  # its second coding
    ok(run(demo, "undo"))  # and its first
    assert coded() == 0
    ok(run(demo, "redo"))
    ok(run(demo, "redo"))
    assert coded() == 2


def test_the_log_names_anew_only_whole_names() -> None:
    """An attribute "notat" renamed leaves "notater" and "notat-2" be; a file's name is taken whole before
    its transcript's, and a new name is not read again as another old one."""
    from qualcode.anonymise.reapply import renamed_in

    names = {"notat": "merknad", "gruppe_liv_berg": "gruppe_trukket_tilbake-2", "gruppe_liv_berg.md": "gruppe_trukket_tilbake.md",
             "merknad": "x"}
    assert renamed_in("satt notat=ja, notater=nei og notat-2 for D2 (notat)", names) == "satt merknad=ja, notater=nei og notat-2 for D2 (merknad)"
    assert renamed_in({"after": {"name": "gruppe_liv_berg", "source_filename": "gruppe_liv_berg.md", "other": "gruppe_liv_bergen"},
                       "content_hash": "notat"}, names) == {
        "after": {"name": "gruppe_trukket_tilbake-2", "source_filename": "gruppe_trukket_tilbake.md", "other": "gruppe_liv_bergen"},
        "content_hash": "notat"}


def test_the_log_names_anew_a_whole_name_written_in_another_case() -> None:
    """The log's renaming matched case for case: an entry naming "gruppe_Ellen_Strøm" as "gruppe_ellen_strøm" kept
    the withdrawn participant's pseudonym. A name is found in any case, as the transcripts' own renames find their
    pseudonym, and whole only."""
    from qualcode.anonymise.reapply import renamed_in

    names = {"gruppe_Ellen_Strøm": "gruppe_trukket_tilbake", "gruppe_Ellen_Strøm.md": "gruppe_trukket_tilbake.md"}
    assert renamed_in("importerte gruppe_ellen_strøm.md som GRUPPE_ELLEN_STRØM; gruppe_ellen_strømmen og gruppe_Ellen_Strøm", names) == (
        "importerte gruppe_trukket_tilbake.md som gruppe_trukket_tilbake; gruppe_ellen_strømmen og gruppe_trukket_tilbake")
    assert renamed_in({"after": {"name": "Gruppe_Ellen_strøm"}}, names) == {"after": {"name": "gruppe_trukket_tilbake"}}


def test_a_memo_naming_a_renamed_transcript_reads_its_new_name_as_the_log_does(demo: Path, tmp_path: Path) -> None:
    """A memo naming the group interview "gruppe_Ellen_Strøm" read "gruppe_[trukket tilbake]" after D2 withdrew,
    where the transcript is "gruppe_trukket_tilbake" and the log's record of the memo named it so; written in lower
    case, it kept her pseudonym, in the memo and in the log. It reads the transcript's new name, in any case."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2", "--pseudonym", "Ellen Strøm"))
    (tmp_path / "gruppe_Trine_Vik.md").write_text(
        "---\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\nI: Hvordan var møtene?\n"
        "Trine Vik: Jeg syntes det var greit.\nD3: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "gruppe_Trine_Vik.md")))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_Ellen_Strøm" in names, names
    ok(run(demo, "memo", "add", "Les gruppe_Ellen_Strøm (fra gruppe_Ellen_Strøm.md) og gruppe_ellen_strøm igjen."))

    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_trukket_tilbake" in names, names
    with Project.open(demo) as project, project.begin() as session:
        [memo] = session.scalars(select(Memo)).all()
        logged = [event.payload["after"]["text"] for event in session.scalars(select(Event).where(Event.action == "memo.add"))]
    assert memo.text == "Les gruppe_trukket_tilbake (fra gruppe_trukket_tilbake.md) og gruppe_trukket_tilbake igjen."
    assert logged == [memo.text]  # what undo and redo would give the memo back
    assert b"ellen_str" not in stored(demo).lower() and b"ellen str" not in stored(demo).lower()


def test_the_particles_of_their_surname_go_with_it(demo: Path, tmp_path: Path) -> None:
    """D2's pseudonym "Anne van der Berg": the group interview "gruppe_van_der_Berg" became
    "gruppe_van_der_trukket_tilbake", and a memo's "van der Berg" "van der [trukket tilbake]". The particles are a
    part of the surname, and go with it; a particle alone is no one's name, and stays."""
    ok(run(demo, "identifiers", "add", "Trine Vik", "--kind", "person", "--participant", "D2", "--pseudonym", "Anne van der Berg"))
    (tmp_path / "gruppe.md").write_text(
        "---\nparticipants: [D2, D3]\nspeakers: {Trine Vik: D2}\ninterviewer: I\n---\nI: Hvordan var møtene?\n"
        "Trine Vik: Jeg syntes det var greit.\nD3: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    ok(run(demo, "import", str(tmp_path / "gruppe.md"), "--name", "gruppe_van_der_Berg"))
    ok(run(demo, "memo", "add", "Vi møtte van der Berg. Van der Berg sa det, og A. van der Berg skrev det. Han kom fra der."))

    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "gruppe_trukket_tilbake" in names and not any("van_der" in name for name in names), names
    with Project.open(demo) as project, project.begin() as session:
        assert list(session.scalars(select(Memo.text))) == [
            f"Vi møtte {WITHDRAWN}. {WITHDRAWN} sa det, og {WITHDRAWN} skrev det. Han kom fra der."]


def test_a_surnames_particles_are_found_with_it_in_any_joining() -> None:
    """Each particle of the lists (al, bin, de, von …) before a part of the name goes with it; in a transcript's name
    in lower case too, where the name's words are joined by an underscore."""
    names = TheirNames([KeyEntry("x", "person", "Omar bin Salem"), KeyEntry("y", "person", "Lise de la Cruz")], [], WITHDRAWN)
    assert names.redact("Møte med bin Salem, Bin Salem og de la Cruz; Cruz kom.") == (
        f"Møte med {WITHDRAWN}, {WITHDRAWN} og {WITHDRAWN}; {WITHDRAWN} kom.")
    assert names.redact("notat_bin_salem og gruppe_De_La_Cruz", "trukket_tilbake", any_case=True) == (
        "notat_trukket_tilbake og gruppe_trukket_tilbake")


def test_their_whole_pseudonym_joined_by_a_hyphen_to_a_capitalised_word_leaves_a_transcripts_name(demo: Path, tmp_path: Path) -> None:
    """A probe: a group interview from "Gruppe-Ellen-Strøm.txt" (D2's name, pseudonym "Tora Moen") was named
    "Gruppe-Tora Moen", and kept it after D2 withdrew, in its name, in the log's file name and in a memo naming it:
    the capitalised "Gruppe" joined to it by a hyphen was read as another's double name ("Berg-Madsen"), whose part
    stays. A double name holds a part of theirs, never their whole pseudonym: that goes wherever it stands."""
    ok(run(demo, "identifiers", "add", "Ellen Strøm", "--kind", "person", "--participant", "D2", "--pseudonym", "Tora Moen"))
    (tmp_path / "Gruppe-Ellen-Strøm-T2.md").write_text(
        "---\nparticipants: [D2, D3]\nspeakers: {Ellen Strøm: D2}\ninterviewer: I\n---\nI: Hvordan var møtene?\n"
        "Ellen Strøm: Jeg syntes det var greit.\nD3: For meg var det mest skjemaer og frister.\n", encoding="utf-8")
    imported = ok(run(demo, "import", str(tmp_path / "Gruppe-Ellen-Strøm-T2.md")))
    assert "Tora" in imported.output, imported.output
    ok(run(demo, "memo", "add", "Se Gruppe-Tora-Moen-T2 og Tora Moen-notatet."))

    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert not any("Tora" in name or "Moen" in name for name in names), names
    with Project.open(demo) as project, project.begin() as session:
        [memo] = session.scalars(select(Memo.text)).all()
    assert "Tora" not in memo and memo.startswith("Se ") and memo.endswith("-notatet."), memo
    assert b"Tora" not in stored(demo)


def test_their_pseudonym_run_together_leaves_a_transcripts_name_and_memos(demo: Path, tmp_path: Path) -> None:
    """A probe: "ellenstrøm_notat.txt", a note on D3 named by D2's name run together, was imported as
    "toramoen_notat", as the key writes a name run together (a handle, a file's name), and kept D2's pseudonym
    after D2 withdrew: in its name, the log's file name and a memo naming it. Run together it is no word, and theirs
    in any case."""
    ok(run(demo, "identifiers", "add", "Ellen Strøm", "--kind", "person", "--participant", "D2", "--pseudonym", "Tora Moen"))
    (tmp_path / "ellenstrøm_notat.md").write_text(
        "---\nparticipants: [D3]\ninterviewer: I\n---\nI: Hvordan var møtene?\nD3: For meg var det mest skjemaer og frister.\n",
        encoding="utf-8")
    imported = ok(run(demo, "import", str(tmp_path / "ellenstrøm_notat.md")))
    assert "toramoen_notat" in imported.output, imported.output
    ok(run(demo, "memo", "add", "Les toramoen_notat og ToraMoens plan igjen."))

    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    names = [row["name"] for row in json.loads(ok(run(demo, "transcripts", "list", "--json")).output)]
    assert "trukket_tilbake_notat" in names and not any("moen" in name.lower() for name in names), names
    with Project.open(demo) as project, project.begin() as session:
        [memo] = session.scalars(select(Memo.text)).all()
    assert memo == f"Les trukket_tilbake_notat og {WITHDRAWN} plan igjen.", memo
    assert b"toramoen" not in stored(demo).lower()

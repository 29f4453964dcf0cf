"""Taking back a mistaken anonymisation decision: `identifiers remove`, `identifiers add` of what the key
holds, and piped answers to `anonymise review` that stay with the candidates they were written for."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.key import PseudonymKey, load_key
from qualcode.cli import cli

TEXT = (
    "I: Korleis var det å møte Forskar B?\n"
    "D1: Eg snakka med Forskar B om det, og Forskar A var der òg. Forskar B sa at planen var god.\n"
    "I: Og Forskars rolle?\n"
    "D1: Forskar A kom seinare.\n"
)


def _invoke(root: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--project", str(root), *args], input=input)


def _run(root: Path, *args: str, input: str | None = None) -> Result:
    result = _invoke(root, *args, input=input)
    assert result.exit_code == 0, (args, result.output)
    return result


def _key_path(root: Path) -> Path:
    return Path(_run(root, "key", "show").output.splitlines()[0].split(" ", 1)[1])


def _key(root: Path) -> PseudonymKey:
    return load_key(_key_path(root), "test passphrase")


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".qualcode" / "project.db")


def _text(root: Path, name: str = "intervju") -> str:
    with _db(root) as db:
        [(text,)] = db.execute(
            "SELECT v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id WHERE t.name = ?", (name,)
        ).fetchall()
    return str(text)


def _codings(root: Path) -> list[tuple[int, int, str, str]]:
    """Each live coding's offsets, excerpt and the text it is on, from the database."""
    with _db(root) as db:
        return db.execute(
            "SELECT c.start, c.\"end\", c.excerpt, v.text FROM codings c JOIN text_versions v ON v.id = c.text_version_id"
        ).fetchall()


@pytest.fixture
def forskar_b(tmp_path: Path) -> Path:
    """The field note: "Forskar B" (a researcher's label) added as a person after the import, so every
    "Forskar" alone became the pseudonym's first name; a coding and a memo made on the pseudonym."""
    root = tmp_path / "studie"
    # One code, not the KVP codebook: a pseudonym is drawn at random, and one drawn "Liv B" (one run in 40)
    # made the codebook's "eget liv" a word rightly left, which these tests do not look for.
    CliRunner().invoke(cli, ["init", str(root), "--empty"], catch_exceptions=False)
    _run(root, "codebook", "add", "empowerment")
    (tmp_path / "intervju.txt").write_text(TEXT, encoding="utf-8")
    _run(root, "import", str(tmp_path / "intervju.txt"))
    assert _text(root) == TEXT
    _run(root, "identifiers", "add", "Forskar B", "--kind", "person", "--gender", "f")
    return root


def _pseudonym(root: Path, original: str) -> str:
    entry = _key(root).entry_for(original)
    assert entry is not None
    return entry.pseudonym


def test_removing_a_mistaken_name_puts_the_word_back_with_codings_memos_and_a_record(forskar_b: Path, tmp_path: Path) -> None:
    root = forskar_b
    pseudonym = _pseudonym(root, "Forskar B")
    first, initial = pseudonym.split()
    pseudonymised = _text(root)
    assert "Forskar" not in pseudonymised and f"{first} {initial} sa at" in pseudonymised and f"{first}s rolle" in pseudonymised
    coded = _run(root, "coding", "add", "intervju", "empowerment", "--match", f"{first} {initial} sa at planen")
    assert "added coding" in coded.output
    _run(root, "memo", "add", f"{first} {initial} stiller oppfølgingsspørsmål.")

    removed = _run(root, "identifiers", "remove", "forskar  b")  # typed in another case, with a space too many
    assert f"removed 'Forskar B' (person, replaced by {pseudonym!r}) from the key, and dismissed it" in removed.stdout
    assert "put it back in 6 places in 1 transcript (intervju)" in removed.stdout
    assert "its words 'Forskar' went with it" in removed.stderr
    assert f'qualcode identifiers add "Forskar B" --kind person --pseudonym "{pseudonym}"' in removed.stderr
    assert "left" not in removed.stderr

    # The text is as it was imported, word for word, the genitive too; the coding moved with it.
    assert _text(root) == TEXT
    [(start, end, excerpt, text)] = _codings(root)
    assert excerpt == text[start:end] == "Forskar B sa at planen"
    listed = json.loads(_run(root, "coding", "list", "--json").stdout)
    assert [coding["excerpt"] for coding in listed] == ["Forskar B sa at planen"]
    assert [memo["text"] for memo in json.loads(_run(root, "memo", "list", "--json").stdout)] == ["Forskar B stiller oppfølgingsspørsmål."]
    key = _key(root)
    assert key.entry_for("Forskar B") is None and "Forskar B" in key.dismissed

    # The log records the removal without the word: what stood for it, and how much was put back.
    with _db(root) as db:
        [(summary, payload, undoable)] = db.execute("SELECT summary, payload, undoable FROM events WHERE action = 'identifier.remove'").fetchall()
    assert "Forskar" not in summary + payload and pseudonym in summary and not undoable
    assert json.loads(payload)["after"] == {"kind": "person", "pseudonym": pseudonym, "places": 6, "transcripts": ["intervju"],
                                            "elsewhere": json.loads(payload)["after"]["elsewhere"], "left": 0}
    # Undo cannot take it back, and says so rather than seeming to.
    undone = _run(root, "undo")
    assert "passed over your later changes that cannot be undone" in undone.output and "took a person out of the key" in undone.output
    assert _text(root) == TEXT

    # A later import keeps the words as written: nothing proposed, nothing replaced.
    (tmp_path / "ny.txt").write_text("I: Kven var med?\nD2: Forskar B og Forskar A var med.\n", encoding="utf-8")
    imported = _run(root, "import", str(tmp_path / "ny.txt"))
    assert "1 imported" in imported.output
    assert _text(root, "ny") == "I: Kven var med?\nD2: Forskar B og Forskar A var med.\n"


def test_changing_a_kind_is_remove_then_add(forskar_b: Path) -> None:
    root = forskar_b
    held = _invoke(root, "identifiers", "add", "Forskar B", "--kind", "other")
    assert held.exit_code == 1 and "is already in the key as a person" in held.output and "not other; nothing changed" in held.output
    assert 'qualcode identifiers remove "Forskar B"' in held.output
    _run(root, "identifiers", "remove", "Forskar B")
    # Taken out twice: said to be done already, not merely "not in the key".
    again = _invoke(root, "identifiers", "remove", "forskar b")
    assert again.exit_code == 1 and again.output.startswith(
        "error: 'forskar b' is not in the key: it was taken out or dismissed already, so no import replaces it (hint: nothing to do"), again.output
    _run(root, "identifiers", "add", "Forskar B", "--kind", "other")
    entry = _key(root).entry_for("Forskar B")
    assert entry is not None and entry.kind == "other" and entry.pseudonym == "(anonymisert)"
    assert "Forskar B" not in _key(root).dismissed  # an identifier now, no longer a dismissed word
    text = _text(root)
    assert "Forskar B" not in text and "(anonymisert) sa at planen" in text
    assert "Forskar A var der" in text  # other kinds are replaced only whole


def test_adding_what_the_key_holds_again_says_so_and_changes_nothing(forskar_b: Path) -> None:
    root = forskar_b
    key_file = _key_path(root)
    before = key_file.read_bytes()
    again = _run(root, "identifiers", "add", "forskar b", "--kind", "person", "--gender", "kvinne")
    assert again.stdout == f"'Forskar B' is already in the key as a person, replaced by {_pseudonym(root, 'Forskar B')!r}; nothing changed\n"
    assert key_file.read_bytes() == before  # not even saved again
    other = _invoke(root, "identifiers", "add", "Forskar B", "--kind", "person", "--pseudonym", "Eva Li")
    assert other.exit_code == 1 and "with pseudonym" in other.output and "identifiers remove" in other.output


def test_what_the_key_does_not_hold_is_refused_with_what_to_type(forskar_b: Path) -> None:
    root = forskar_b
    pseudonym = _pseudonym(root, "Forskar B")
    for typed, said in [
        ("Forskar", "'Forskar' is not in the key by itself: it is a word of 'Forskar B' (person)"),
        (pseudonym, f"{pseudonym!r} is the pseudonym of 'Forskar B'"),
        ("Forskar C", "'Forskar C' is not in the key (hint: did you mean 'Forskar B'?)"),
        ("Ingenting", "'Ingenting' is not in the key (hint: `qualcode key show` lists what the key holds)"),
    ]:
        refused = _invoke(root, "identifiers", "remove", typed)
        assert refused.exit_code == 1 and said in refused.output and "Traceback" not in refused.output, refused.output
    assert _key(root).entry_for("Forskar B") is not None


def test_a_placeholder_and_a_word_that_may_stand_for_another_are_left_and_said(tmp_path: Path) -> None:
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    (tmp_path / "intervju.txt").write_text(
        "I: Kven hjelpte deg?\nD1: Tove sa det. Forskar B kom frå Kiwi, og Forskar A frå Rema.\n", encoding="utf-8")
    _run(root, "anonymise", "dismiss", "Tove", "Kiwi", "Rema")  # the employers learned after the import
    _run(root, "import", str(tmp_path / "intervju.txt"))
    _run(root, "identifiers", "add", "Kiwi", "--kind", "employer")
    _run(root, "identifiers", "add", "Rema", "--kind", "employer")
    # A pseudonym chosen by hand whose first name is a word the texts hold as itself.
    _run(root, "identifiers", "add", "Forskar B", "--kind", "person", "--pseudonym", "Tove Lunde")
    assert _text(root) == "I: Kven hjelpte deg?\nD1: Tove sa det. Tove Lunde kom frå (arbeidsgiver), og Tove A frå (arbeidsgiver).\n"

    employer = _run(root, "identifiers", "remove", "Kiwi")
    assert "left '(arbeidsgiver)' as it stands in 2 places in intervju" in employer.stderr
    assert "`qualcode import FILE --replace`" in employer.stderr
    person = _run(root, "identifiers", "remove", "Forskar B")
    assert "put it back in 1 place in 1 transcript (intervju)" in person.stdout
    assert "left 'Tove' as it stands in 2 places in intervju" in person.stderr
    # Only the whole pseudonym, drawn for this name alone, was put back: "Tove" may be Tove herself.
    assert _text(root) == "I: Kven hjelpte deg?\nD1: Tove sa det. Forskar B kom frå (arbeidsgiver), og Tove A frå (arbeidsgiver).\n"
    # The file imported again in its place (the same bytes: the key reads them otherwise now) keeps the words as written.
    replaced = _run(root, "import", str(tmp_path / "intervju.txt"), "--replace")
    assert "1 imported" in replaced.output
    assert _text(root) == "I: Kven hjelpte deg?\nD1: Tove sa det. Forskar B kom frå Kiwi, og Forskar A frå (arbeidsgiver).\n"
    again = _invoke(root, "import", str(tmp_path / "intervju.txt"), "--replace")
    assert "nothing added" in again.output  # the same text again is nothing new
    # A NAV office the import's pattern finds would come back with the next import: not taken out.
    (tmp_path / "kontor.txt").write_text("I: Kvar?\nD1: Eg var på NAV Horten.\n", encoding="utf-8")
    _run(root, "import", str(tmp_path / "kontor.txt"))
    office = _invoke(root, "identifiers", "remove", "NAV Horten")
    assert office.exit_code == 1 and "found by its pattern" in office.output and _key(root).entry_for("NAV Horten") is not None


def test_a_key_that_cannot_be_saved_leaves_texts_and_key_as_they_were(forskar_b: Path) -> None:
    root = forskar_b
    pseudonymised = _text(root)
    with _db(root) as db:
        logged = db.execute("SELECT id, action, summary FROM events ORDER BY id").fetchall()
    key_file = _key_path(root)
    key_file.chmod(0o400)
    try:
        refused = _invoke(root, "identifiers", "remove", "Forskar B")
    finally:
        key_file.chmod(0o600)
    assert refused.exit_code == 1 and "read-only" in refused.output and "Traceback" not in refused.output
    assert _text(root) == pseudonymised
    assert _key(root).entry_for("Forskar B") is not None
    assert "interrupted" not in _run(root, "status").output
    # The log does not say it was taken out (it said so, and undo then said it passed over the removal).
    assert "took a person out of the key" not in _run(root, "history").output
    with _db(root) as db:
        assert db.execute("SELECT count(*) FROM events WHERE action = 'identifier.remove'").fetchone() == (0,)
        # Nor that it pseudonymised more: giving the texts their pseudonym back took back what the log never said was done.
        assert db.execute("SELECT id, action, summary FROM events ORDER BY id").fetchall() == logged


def test_a_key_that_cannot_be_saved_leaves_undo_as_it_was(forskar_b: Path) -> None:
    """A probe: the texts were put back, the key could not be saved, and the texts got their pseudonym back;
    each rewrite had marked the codings' changes as no longer undoable, so `undo` passed over the coding made
    just before and said it could not be undone. A failed removal leaves undo as it was."""
    root = forskar_b
    first, initial = _pseudonym(root, "Forskar B").split()
    _run(root, "coding", "add", "intervju", "empowerment", "--match", f"{first} {initial} sa at planen")
    with _db(root) as db:
        undoable = db.execute("SELECT id, undoable FROM events ORDER BY id").fetchall()
    pseudonymised = _text(root)
    key_file = _key_path(root)
    key_file.chmod(0o400)
    try:
        assert _invoke(root, "identifiers", "remove", "Forskar B").exit_code == 1
    finally:
        key_file.chmod(0o600)
    assert _text(root) == pseudonymised
    with _db(root) as db:
        assert db.execute("SELECT id, undoable FROM events WHERE id <= ? ORDER BY id", (undoable[-1][0],)).fetchall() == undoable
    undone = _run(root, "undo")
    assert undone.output.startswith("undid: coded intervju"), undone.output
    assert json.loads(_run(root, "coding", "list", "--json").stdout) == []


def test_piped_answers_stay_with_the_candidates_they_were_written_for(demo: Path, tmp_path: Path) -> None:
    """A probe: accepting "Gunnhild Rasmussen" decided "Gunnhild", whose question was skipped; the
    piped answers written for it went to "Kiwi", taken for a woman."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text("I: Hvem møtte du?\nD9: Jeg møtte Gunnhild først. Veilederen min, Gunnhild Rasmussen, jobbet på Kiwi.\n",
                   encoding="utf-8")
    assert CliRunner().invoke(cli, [*project, "import", str(new), "--participant", "D9"]).exit_code == 1
    pending = CliRunner().invoke(cli, [*project, "anonymise", "pending", "--json"])
    assert [candidate["text"] for candidate in json.loads(pending.stdout)] == ["Gunnhild Rasmussen", "Gunnhild", "Kiwi"]
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nf\np\nf\ne\n")
    assert review.exit_code == 0, review.output
    key = load_key(Path(CliRunner().invoke(cli, [*project, "key", "show"]).output.splitlines()[0].split(" ", 1)[1]), "test passphrase")
    kiwi, gunnhild = key.entry_for("Kiwi"), key.entry_for("Gunnhild Rasmussen")
    assert kiwi is not None and kiwi.kind == "employer", kiwi
    assert gunnhild is not None and gunnhild.gender == "f"
    assert "Gunnhild: decided with 'Gunnhild Rasmussen'" in review.output and "2 decided, 0 still waiting" in review.output
    # "q" for a word already decided still stops the review there.
    new.write_text("I: Hvem?\nD9: Jeg møtte Solveig først. Solveig Haugland jobbet på Rema.\n", encoding="utf-8")
    assert CliRunner().invoke(cli, [*project, "import", str(new), "--name", "ny2", "--participant", "D9"]).exit_code == 1
    stopped = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nf\nq\ne\n")
    assert stopped.exit_code == 0 and "1 decided, 1 still waiting" in stopped.output, stopped.output


def _project(tmp_path: Path, text: str, *identifiers: tuple[str, str], dismissed: tuple[str, ...] = ()) -> Path:
    """A project with `identifiers` (original, pseudonym) added as people and the words `dismissed`, then `text` imported."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    if dismissed:
        _run(root, "anonymise", "dismiss", *dismissed)
    for original, pseudonym in identifiers:
        _run(root, "identifiers", "add", original, "--kind", "person", "--pseudonym", pseudonym)
    (tmp_path / "intervju.txt").write_text(text, encoding="utf-8")
    _run(root, "import", str(tmp_path / "intervju.txt"))
    return root


def test_a_name_with_an_initial_another_pseudonym_is_written_as_too_is_left(tmp_path: Path) -> None:
    """A probe: "Eva L." is how the key writes "Kari N." for Eva Lunde and "Pål N." for Eva Lind; taking
    Kari Nordmann out put "Kari N." where Pål had been named, and said nothing was left."""
    root = _project(
        tmp_path, "I: Hvem kom?\nD1: Kari Nordmann kom. Pål N. kom også, og P. Nilsen.\n",
        ("Kari Nordmann", "Eva Lunde"), ("Pål Nygård", "Eva Lind"), ("Per Nilsen", "Emil Lunde"),
    )
    assert _text(root) == "I: Hvem kom?\nD1: Eva Lunde kom. Eva L. kom også, og E. Lunde.\n"
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "put it back in 1 place in 1 transcript" in removed.stdout
    assert "left 'E. Lunde', 'Eva L.' as it stands in 2 places in intervju" in removed.stderr
    assert _text(root) == "I: Hvem kom?\nD1: Kari Nordmann kom. Eva L. kom også, og E. Lunde.\n"


def test_a_word_an_earlier_removal_left_still_stands_for_it_and_its_record_is_kept(tmp_path: Path) -> None:
    """A probe: taking Trude Berg (Eva Lind) out left "Eva", shared with Kari Nordmann's Eva Lunde; taking
    Kari Nordmann out then put "Kari" for every "Eva", Trude's too, and made the log's record of the first
    removal say "put back what 'Kari Lind' stood for"."""
    root = _project(
        tmp_path, "I: Hvem kom?\nD1: Kari Nordmann og Trude Berg kom. Trude ringte, og Kari svarte.\n",
        ("Kari Nordmann", "Eva Lunde"), ("Trude Berg", "Eva Lind"),
    )
    assert _text(root) == "I: Hvem kom?\nD1: Eva Lunde og Eva Lind kom. Eva ringte, og Eva svarte.\n"
    first = _run(root, "identifiers", "remove", "Trude Berg")
    assert "left 'Eva' as it stands in 3 places in intervju" in first.stderr
    second = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "put it back in 1 place in 1 transcript" in second.stdout
    assert "left 'Eva' as it stands in 2 places in intervju" in second.stderr
    assert _text(root) == "I: Hvem kom?\nD1: Kari Nordmann og Trude Berg kom. Eva ringte, og Eva svarte.\n"
    with _db(root) as db:
        summaries = [summary for (summary,) in db.execute("SELECT summary FROM events WHERE action = 'identifier.remove' ORDER BY id")]
    assert "put back what 'Eva Lind' stood for" in summaries[0] and "put back what 'Eva Lunde' stood for" in summaries[1]


def test_a_word_another_name_in_the_key_shares_is_said_to_be_replaced_still(tmp_path: Path) -> None:
    """A probe: taking Kari Nordmann out said "its words 'Kari', 'Nordmann' went with it: no longer
    replaced where they stand alone", while Kari Hansen's and Ola Nordmann's words are replaced still."""
    root = _project(
        tmp_path, "I: Hvem kom?\nD1: Kari Nordmann og Kari Hansen. Ola Nordmann og Trude Lie. Kari sa det.\n",
        ("Kari Nordmann", "Eva Lunde"), ("Kari Hansen", "Eva Strand"), ("Ola Nordmann", "Vidar Birkeland"), ("Trude Lie", "Anna Dahl"),
    )
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "its words 'Kari', 'Nordmann' went with it" not in removed.stderr
    assert "'Kari' is still replaced where it stands alone, as a word of 'Kari Hansen'" in removed.stderr
    assert "'Nordmann' is still replaced where it stands alone, as a word of 'Ola Nordmann'" in removed.stderr
    text = _text(root)
    assert "Kari" not in text and "Nordmann" not in text  # replaced still, as the note says
    trude = _run(root, "identifiers", "remove", "Trude Lie")
    assert "its words 'Trude', 'Lie' went with it" in trude.stderr


def test_the_codebooks_name_and_description_are_put_back_too(forskar_b: Path, tmp_path: Path) -> None:
    """A probe: the codebook's name and description (kept as the project's settings) kept the pseudonym,
    and were not counted among the places left either."""
    root = forskar_b
    first, initial = _pseudonym(root, "Forskar B").split()
    (tmp_path / "kodebok.yaml").write_text(
        "name: Kodebok til Forskar B\ndescription: Laget med Forskar B.\ncodes:\n  - name: empowerment\n", encoding="utf-8")
    _run(root, "codebook", "import", str(tmp_path / "kodebok.yaml"))
    with _db(root) as db:
        assert dict(db.execute("SELECT key, value FROM settings WHERE key LIKE 'codebook.%'").fetchall()) == {
            "codebook.name": f"Kodebok til {first} {initial}", "codebook.description": f"Laget med {first} {initial}."}
    _run(root, "identifiers", "remove", "Forskar B")
    with _db(root) as db:
        assert dict(db.execute("SELECT key, value FROM settings WHERE key LIKE 'codebook.%'").fetchall()) == {
            "codebook.name": "Kodebok til Forskar B", "codebook.description": "Laget med Forskar B."}


def test_a_coding_of_a_word_of_the_name_stays_on_that_word(tmp_path: Path) -> None:
    """A probe: a coding of the surname alone ("Lunde sa nei") grew to the whole name put back
    ("Kari Nordmann sa nei"), the name being put back as one span."""
    root = _project(tmp_path, "I: Hva sa hun?\nD1: Eva kom. Kari Nordmann sa nei, og Kari Nordmanns mor sa ja.\n",
                    ("Kari Nordmann", "Eva Lunde"), dismissed=("Eva",))  # the text's own Eva: "Eva" alone is left
    assert _text(root) == "I: Hva sa hun?\nD1: Eva kom. Eva Lunde sa nei, og Eva Lundes mor sa ja.\n"
    _run(root, "coding", "add", "intervju", "empowerment", "--match", "Lunde sa nei")
    _run(root, "coding", "add", "intervju", "brukermedvirkning", "--match", "Lundes mor")
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "put it back in 2 places in 1 transcript" in removed.stdout
    assert _text(root) == "I: Hva sa hun?\nD1: Eva kom. Kari Nordmann sa nei, og Kari Nordmanns mor sa ja.\n"
    assert sorted(excerpt for _, _, excerpt, _ in _codings(root)) == ["Nordmann sa nei", "Nordmanns mor"]
    assert all(text[start:end] == excerpt for start, end, excerpt, text in _codings(root))


def test_a_word_of_the_pseudonym_the_researcher_wrote_as_itself_is_left_in_what_they_wrote(tmp_path: Path) -> None:
    """A probe: "Sol Strand" drawn for Marit Dale; a memo on the beach ("Strand og sjø ... Sol er viktig")
    became "Dale og sjø ... Marit er viktig", and the code "Strand" was renamed "Dale": no import asks
    about words a researcher writes, so an everyday word of the pseudonym alone may be their own there."""
    root = _project(tmp_path, "I: Hvem?\nD1: Marit Dale var der, og Marit sa ja.\n", ("Marit Dale", "Sol Strand"))
    _run(root, "memo", "add", "Strand og sjø betyr mye for D1. Sol er viktig. Sol Strand sa ja.")
    _run(root, "codebook", "add", "Strand", "--definition", "Om livet ved sjøen")
    removed = _run(root, "identifiers", "remove", "Marit Dale")
    assert _text(root) == "I: Hvem?\nD1: Marit Dale var der, og Marit sa ja.\n"  # the import asked about the transcript's words
    assert [memo["text"] for memo in json.loads(_run(root, "memo", "list", "--json").stdout)] == [
        "Strand og sjø betyr mye for D1. Sol er viktig. Marit Dale sa ja."]
    with _db(root) as db:
        assert db.execute("SELECT count(*) FROM codes WHERE name = 'Strand'").fetchone() == (1,)
    # Said once, where it stands (memos, the code's name and path, the log), not "in 0 places and ...".
    assert re.search(r"left 'Sol', 'Strand' as it stands in \d+ places in memos, definitions, names or the log:", removed.stderr)


def test_an_orphaned_codings_excerpt_is_put_back_as_the_text_is(tmp_path: Path) -> None:
    """An orphaned coding keeps the excerpt it was made on: put back as the texts are, "Eva" (the text's own)
    kept, and "Eva Lunde" put back though the text no longer holds it."""
    root = _project(tmp_path, "I: Hvem?\nD1: Eva kom. Kari Nordmann sa nei.\nI: Og så?\nD1: Kari Nordmann kom tilbake.\n",
                    ("Kari Nordmann", "Eva Lunde"), dismissed=("Eva",))
    _run(root, "coding", "add", "intervju", "empowerment", "--match", "Eva kom")
    _run(root, "coding", "add", "intervju", "brukermedvirkning", "--match", "Eva Lunde sa nei")
    (tmp_path / "intervju.txt").write_text("I: Hvem?\nD1: Noe helt annet.\nI: Og så?\nD1: Ingen kom tilbake.\n", encoding="utf-8")
    assert "2 orphaned" in _run(root, "import", str(tmp_path / "intervju.txt"), "--replace").output
    _run(root, "identifiers", "remove", "Kari Nordmann")  # the text holds it no more, only the orphaned excerpts
    with _db(root) as db:
        assert sorted(excerpt for (excerpt,) in db.execute("SELECT excerpt FROM codings WHERE orphaned_at IS NOT NULL")) == [
            "Eva kom", "Kari Nordmann sa nei"]


def test_a_word_of_a_withdrawn_persons_pseudonym_is_left_and_their_surname_never_comes_back(tmp_path: Path) -> None:
    """A probe: Ola Nordmann (Johannes Lunde) withdrew, and his entry became digests; another's interview
    still names him by his pseudonym. Taking Kari Nordmann (Eva Lunde) out then put "Nordmann" for every
    "Lunde": "Johannes Nordmann", his pseudonym's first name beside his real surname."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    (tmp_path / "deltakere.csv").write_text("participant,role\nD1,deltaker\nD2,deltaker\n", encoding="utf-8")
    _run(root, "participants", "import", str(tmp_path / "deltakere.csv"))
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Lunde")
    _run(root, "identifiers", "add", "Ola Nordmann", "--kind", "person", "--pseudonym", "Johannes Lunde", "--participant", "D2")
    (tmp_path / "d1.txt").write_text("I: Hvem hjalp?\nD1: Kari Nordmann hjalp. Ola Nordmann var der også.\n", encoding="utf-8")
    (tmp_path / "d2.txt").write_text("I: Hvordan var det?\nD2: Det gikk bra.\n", encoding="utf-8")
    _run(root, "import", str(tmp_path / "d1.txt"), "--participant", "D1")
    _run(root, "import", str(tmp_path / "d2.txt"), "--participant", "D2")
    assert _text(root, "d1") == "I: Hvem hjalp?\nD1: Eva Lunde hjalp. Johannes Lunde var der også.\n"
    _run(root, "participants", "withdraw", "D2", "--yes")
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "Nordmann" not in _text(root, "d1"), _text(root, "d1")
    # Kari's surname is the withdrawn man's too, which his digests hide wherever it is written.
    assert _text(root, "d1") == "I: Hvem hjalp?\nD1: Kari NN hjalp. Johannes Lunde var der også.\n", removed.output
    assert "left 'Lunde' as it stands in 1 place in d1" in removed.stderr


def test_a_transcript_named_by_the_pseudonym_gets_its_name_back_and_an_office_is_put_back_as_its_log_is(tmp_path: Path) -> None:
    """A probe: the transcript imported from "intervju_Kari_Nordmann.txt" was named "intervju_Eva_Kvernmo", and
    kept that name after Kari Nordmann was taken out, uncounted; D1's office "kontor Kvernmo" stayed while the
    log's record of that edit read "kontor Nordmann". Both come back, the name as the file has it, so an
    import --replace of that file finds it again; the key names the transcript by its new name too."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    (tmp_path / "deltakere.csv").write_text("participant,role,office\nD1,deltaker,kontor A\n", encoding="utf-8")
    _run(root, "participants", "import", str(tmp_path / "deltakere.csv"))
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Kvernmo")
    _run(root, "identifiers", "add", "Ola Berg", "--kind", "person", "--pseudonym", "Åse Ødegård")
    interview = tmp_path / "intervju_Kari_Nordmann.txt"
    interview.write_text("I: Hvem hjalp?\nD1: Kari Nordmann hjalp, og Ola Berg. 🙂\n", encoding="utf-8")
    _run(root, "import", str(interview), "--participant", "D1")
    _run(root, "participants", "edit", "D1", "--office", "kontor Nordmann")
    with _db(root) as db:
        assert db.execute("SELECT name, source_filename FROM transcripts").fetchall() == [("intervju_Eva_Kvernmo", "intervju_Eva_Kvernmo.txt")]
        assert db.execute("SELECT office FROM participants").fetchall() == [("kontor Kvernmo",)]
    assert _key(root).entry_for("Ola Berg").seen_in == ["intervju_Eva_Kvernmo"]  # type: ignore[union-attr]

    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert "renamed transcript intervju_Eva_Kvernmo to intervju_Kari_Nordmann" in removed.stdout, removed.output
    assert "put it back in 2 places in 1 transcript (intervju_Kari_Nordmann)" in removed.stdout, removed.stdout
    assert "left" not in removed.stderr
    with _db(root) as db:
        assert db.execute("SELECT name, source_filename FROM transcripts").fetchall() == [
            ("intervju_Kari_Nordmann", "intervju_Kari_Nordmann.txt")]
        assert db.execute("SELECT office FROM participants").fetchall() == [("kontor Nordmann",)]
        log = " ".join(summary for (summary,) in db.execute("SELECT summary FROM events WHERE action != 'identifier.remove'"))
        [(record,)] = db.execute("SELECT payload FROM events WHERE action = 'identifier.remove'").fetchall()
    assert "kontor A → kontor Nordmann" in log and "intervju_Kari_Nordmann" in log and "Kvernmo" not in log
    assert "Nordmann" not in record and json.loads(record)["after"]["transcripts"] == ["intervju_Eva_Kvernmo"]
    assert _text(root, "intervju_Kari_Nordmann") == "I: Hvem hjalp?\nD1: Kari Nordmann hjalp, og Åse Ødegård. 🙂\n"
    assert _key(root).entry_for("Ola Berg").seen_in == ["intervju_Kari_Nordmann"]  # type: ignore[union-attr]
    interview.write_text("I: Hvem hjalp?\nD1: Kari Nordmann hjalp, og Ola Berg. Det var bra. 🙂\n", encoding="utf-8")
    again = _run(root, "import", str(interview), "--replace")
    assert "replaced" in again.output.lower(), again.output
    assert json.loads(_run(root, "transcripts", "list", "--json").stdout)[0]["name"] == "intervju_Kari_Nordmann"


def test_a_transcripts_name_holding_a_form_that_may_stand_for_another_is_counted_and_named(tmp_path: Path) -> None:
    """"Lunde" is Eva Lunde's and Emil Lunde's: a transcript named "intervju_Lunde" by the key is left as it is,
    and the line of what was left counts it and names it, as it does a place in a text."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Lunde")
    _run(root, "identifiers", "add", "Per Nilsen", "--kind", "person", "--pseudonym", "Emil Lunde")
    (tmp_path / "intervju_Nordmann.txt").write_text("I: Hvem hjalp?\nD1: Kari Nordmann hjalp.\n", encoding="utf-8")
    _run(root, "import", str(tmp_path / "intervju_Nordmann.txt"))
    assert [row["name"] for row in json.loads(_run(root, "transcripts", "list", "--json").stdout)] == ["intervju_Lunde"]
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert ("left 'Lunde' as it stands in 1 place in intervju_Lunde (the name of intervju_Lunde among them, which stays:"
            " no command renames a transcript)") in removed.stderr, removed.output
    assert [row["name"] for row in json.loads(_run(root, "transcripts", "list", "--json").stdout)] == ["intervju_Lunde"]


def test_after_key_new_a_word_alone_is_left_where_a_withdrawn_persons_pseudonym_may_hold_it(tmp_path: Path) -> None:
    """As above, but the key that kept the withdrawn man's pseudonym was destroyed and a new one made, into
    which Kari Nordmann was added again as she was (from the researcher's notes). The new key lacks his
    "Johannes Lunde", and taking Kari out made him "Johannes Nordmann" again: his real surname. The whole
    name comes back; a word alone is left, and said why."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    (tmp_path / "deltakere.csv").write_text("participant,role\nD1,deltaker\nD2,deltaker\n", encoding="utf-8")
    _run(root, "participants", "import", str(tmp_path / "deltakere.csv"))
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Lunde")
    _run(root, "identifiers", "add", "Ola Nordmann", "--kind", "person", "--pseudonym", "Johannes Lunde", "--participant", "D2")
    (tmp_path / "d1.txt").write_text("I: Hvem hjalp?\nD1: Kari Nordmann hjalp. Ola Nordmann var der også. Nordmann sa ja.\n",
                                     encoding="utf-8")
    (tmp_path / "d2.txt").write_text("I: Hvordan var det?\nD2: Det gikk bra.\n", encoding="utf-8")
    _run(root, "import", str(tmp_path / "d1.txt"), "--participant", "D1")
    _run(root, "import", str(tmp_path / "d2.txt"), "--participant", "D2")
    _run(root, "participants", "withdraw", "D2", "--yes")
    _run(root, "key", "destroy", "--yes")
    _run(root, "key", "new")
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Eva Lunde")
    assert _text(root, "d1") == "I: Hvem hjalp?\nD1: Eva Lunde hjalp. Johannes Lunde var der også. Lunde sa ja.\n"
    removed = _run(root, "identifiers", "remove", "Kari Nordmann")
    assert _text(root, "d1") == "I: Hvem hjalp?\nD1: Kari Nordmann hjalp. Johannes Lunde var der også. Lunde sa ja.\n", removed.output
    assert "left 'Lunde' as it stands in 2 places in d1" in removed.stderr, removed.output
    assert ("its words alone were left where they stand alone: the key before this one (destroyed on"
            in removed.stderr and "of 1 participant who withdrew (D2)" in removed.stderr), removed.output


def test_a_word_put_back_beside_another_persons_pseudonym_is_left(tmp_path: Path) -> None:
    """A probe: "Eva" taken out of the key put "Eva" back in "Kari Dahl" (Dahl of Ola Birkeland's Per Dahl), written
    where "Eva Birkeland" was said: half a real name beside another's pseudonym, read as a new person, Per Dahl's kin.
    There it is left and said, as a form that may stand for another is; where it stands alone it comes back."""
    root = _project(
        tmp_path, "I: Hvem kom?\nD1: Eva Birkeland og Ola Birkeland kom. Eva ringte, og Birkeland svarte.\n",
        ("Eva", "Kari"), ("Ola Birkeland", "Per Dahl"),
    )
    assert _text(root) == "I: Hvem kom?\nD1: Kari Dahl og Per Dahl kom. Kari ringte, og Dahl svarte.\n"
    removed = _run(root, "identifiers", "remove", "Eva")
    assert "put it back in 1 place in 1 transcript (intervju)" in removed.stdout, removed.output
    assert "left 'Kari' as it stands in 1 place in intervju" in removed.stderr, removed.output
    assert _text(root) == "I: Hvem kom?\nD1: Kari Dahl og Per Dahl kom. Eva ringte, og Dahl svarte.\n"


def test_a_name_with_an_initial_taken_out_of_the_key_is_put_back_as_written(tmp_path: Path) -> None:
    """"Kari H." accepted with its initial is stored in its shape ("Sondre A. kom inn.", its given name alone as
    "Sondre"); taken out of the key, every place is written as it was imported, the sentences' full stops too."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root), "--empty"], catch_exceptions=False)
    text = "I: Hvem kom?\nD1: Kari H. kom inn. Jeg var med Kari H. Hun sa nei. Kari smilte. Senere ringte K. Vassbotten.\n"
    (tmp_path / "intervju.txt").write_text(text, encoding="utf-8")
    held = _invoke(root, "import", str(tmp_path / "intervju.txt"))
    assert held.exit_code == 1 and "Kari H." in held.output
    for name in ("Kari H.", "K. Vassbotten"):
        _run(root, "anonymise", "accept", name, "--kind", "person")
    assert _key(root).pending == []  # "Kari" alone too: the key finds it as the name's given name
    _run(root, "import", str(tmp_path / "intervju.txt"))
    kari, vassbotten = _key(root).entry_for("Kari H."), _key(root).entry_for("K. Vassbotten")
    assert kari is not None and vassbotten is not None
    given = kari.pseudonym.split()[0]
    assert _text(root) == (f"I: Hvem kom?\nD1: {kari.pseudonym} kom inn. Jeg var med {kari.pseudonym} Hun sa nei. {given} smilte."
                           f" Senere ringte {vassbotten.pseudonym}.\n")
    _run(root, "identifiers", "remove", "Kari H.")
    _run(root, "identifiers", "remove", "K. Vassbotten")
    assert _text(root) == text

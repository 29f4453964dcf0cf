"""The application layer: configuration resolved once, the workspace both faces call, and one name resolver."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.codebook.service import find_code
from qualcode.config import Config
from qualcode.errors import Ambiguous, KeyFileError, NotFound
from qualcode.store.lookup import find_participant, find_transcript
from qualcode.store.models import Participant
from qualcode.store.project import Project
from qualcode.workspace import Workspace
from tests.conftest import REPO, make_transcript


def test_only_the_configuration_reads_the_environment() -> None:
    readers = []
    for path in sorted((REPO / "qualcode").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
                readers.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert readers and all(reader.startswith("qualcode/config.py:") for reader in readers), readers


def test_options_win_over_the_environment_which_wins_over_defaults(tmp_path: Path) -> None:
    environ = {
        "HOME": str(tmp_path), "QUALCODE_PROJECT": "/studier/a", "QUALCODE_CODER": "Kari", "QUALCODE_KEY": "~/k.qckey",
        "QUALCODE_KEY_PASSPHRASE": "hemmelig", "QUALCODE_SPACY_MODEL": "nb_core_news_sm",
    }
    from_env = Config.resolve(environ=environ)
    assert from_env == Config(
        project=Path("/studier/a"), coder="Kari", key=tmp_path / "k.qckey", passphrase="hemmelig",
        spacy_model="nb_core_news_sm", config_home=tmp_path / ".config",
    )
    given = Config.resolve(project=Path("b"), coder="Ola", key=Path("k2"), environ=environ)
    assert (given.project, given.coder, given.key) == (Path("b"), "Ola", Path("k2"))
    bare = Config.resolve(environ={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "QUALCODE_CODER": ""})
    assert bare == Config(config_home=tmp_path / "cfg")


def test_the_key_given_is_the_key_used_by_every_face(project: Project, tmp_path: Path) -> None:
    root = project.root
    project.close()
    chosen = tmp_path / "annen" / "nøkkel.qckey"
    with Workspace.open(Config(project=root, key=chosen, config_home=tmp_path / "cfg")) as workspace:
        assert workspace.key_place().path == chosen
        with pytest.raises(KeyFileError, match="not at .*nøkkel.qckey"):
            workspace.key_access()


def test_typed_text_without_a_passphrase_is_refused_with_what_to_do(project: Project, tmp_path: Path) -> None:
    from qualcode.anonymise.service import create_key

    create_key(project, tmp_path / "keys" / "k.qckey", "test passphrase")
    root = project.root
    project.close()
    with Workspace.open(Config(project=root, coder="Kari", config_home=tmp_path)) as workspace:
        with pytest.raises(KeyFileError, match="passphrase was not given"), workspace.typed():
            pass
        workspace.remember_passphrase("test passphrase")  # as the TUI's passphrase dialog does
        assert workspace.create_code("empowerment/ny") == "empowerment/ny"


def test_one_resolver_exact_then_unique_casefolded_else_candidates(session: Session, tmp_path: Path) -> None:
    session.add_all([Participant(name="Åse"), Participant(name="kari"), Participant(name="KARI")])
    session.flush()
    assert find_participant(session, "åse").name == "Åse"  # SQLite's lower() would not fold Å
    assert find_participant(session, "KARI").name == "KARI"  # an exact name wins
    with pytest.raises(Ambiguous, match="participant 'Kari' could be any of kari, KARI"):
        find_participant(session, "Kari")  # never settled by taking the first
    with pytest.raises(NotFound, match="no participant 'Per'"):
        find_participant(session, "Per")
    åse = find_participant(session, "Åse")
    assert find_participant(session, str(åse.id)) is åse and find_participant(session, åse.guid) is åse

    make_transcript(session, tmp_path, "I: Hei\nD1: Hei.\n", name="Intervju_Ø")
    assert find_transcript(session, "intervju_ø").name == "Intervju_Ø"
    assert find_code(session, "BRUKERMEDVIRKNING").path == "brukermedvirkning"
    with pytest.raises(NotFound, match="no code 'finnes-ikke'"):
        find_code(session, "finnes-ikke")


def test_a_memo_refused_for_its_text_or_its_coder_is_not_kept_as_if_the_coding_were_gone(project: Project, tmp_path: Path) -> None:
    """Every refusal was taken for a coding removed meanwhile: a memo on another coder's coding was
    stored on the transcript as "Notat til koding N, som er borte"."""
    from qualcode.anonymise.service import create_key
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.memos import list_memos
    from qualcode.coding.service import add_coding
    from qualcode.errors import Gone, InvalidInput

    create_key(project, tmp_path / "keys" / "k.qckey", "test passphrase")
    with project.begin() as session:
        make_transcript(session, tmp_path, "I: Hei.\nD1: Jeg fikk mer selvtillit av kurset.\n")
        theirs = add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "Bent"), match="mer selvtillit")
    root = project.root
    project.close()
    with Workspace.open(Config(project=root, coder="Kari", passphrase="test passphrase", config_home=tmp_path)) as workspace:
        with pytest.raises(InvalidInput, match=f"^coding {theirs.id} is Bent's") as refused:
            workspace.set_memo(theirs.id, "Mitt notat", "intervju")
        assert not isinstance(refused.value, Gone)
        with workspace.begin() as session:
            assert list_memos(session) == []


def test_the_identifier_review_names_the_files_still_holding_what_it_learned(project: Project, tmp_path: Path) -> None:
    """The command line named exports written before a name was learned; the terminal UI's review did not."""
    from qualcode.anonymise.service import create_key
    from qualcode.importers.service import import_paths
    from qualcode.workspace import IdentifierReview

    access = create_key(project, tmp_path / "keys" / "k.qckey", "test passphrase")
    source = tmp_path / "intervju.txt"
    source.write_text("I: Hvem hjalp deg?\nD1: Det var Signhild på kontoret.\n", encoding="utf-8")
    assert import_paths(project, [source], access).failed  # held back: Signhild waits for review
    exports = project.root / "exports"
    exports.mkdir(exist_ok=True)
    (exports / "utkast.txt").write_text("Signhild hjalp meg.\n", encoding="utf-8")
    (exports / "annet.txt").write_text("Ingen navn her.\n", encoding="utf-8")
    root = project.root
    project.close()
    with Workspace.open(Config(project=root, coder="Kari", passphrase="test passphrase", config_home=tmp_path)) as workspace:
        review = IdentifierReview(workspace)
        assert [candidate.text for candidate in review.pending] == ["Signhild"]
        review.decide("Signhild", "person", "f")
        review.close()
        assert review.still_held == [(exports / "utkast.txt", None)]


def _stopped_at(message: str, then: Callable[[], None]) -> Callable[[str], None]:
    """A report that runs `then` when `message` begins what init reports: an interruption at that step."""
    def report(said: str) -> None:
        if said.startswith(message):
            then()
    return report


def _interrupt() -> None:
    raise KeyboardInterrupt


def test_init_interrupted_after_the_project_was_made_takes_away_exactly_what_it_made(tmp_path: Path) -> None:
    """Ctrl-C while the codebook loaded (any failure after the database was made) took away DIR/.qualcode only: the
    folders `init a/b/prosjekt` made stayed, and a `.qualcode` that was there before kept the half-made database."""
    from qualcode.codebook.shipped import KVP_CODEBOOK
    from qualcode.codebook.yaml_format import load_codebook

    codebook = load_codebook(KVP_CODEBOOK)
    config = Config(key=tmp_path / "nøkler" / "k.qckey", passphrase="test passphrase", config_home=tmp_path / "hjem")
    with pytest.raises(KeyboardInterrupt):
        Workspace.create(tmp_path / "a" / "b" / "prosjekt", config, codebook=codebook, report=_stopped_at("loaded codebook", _interrupt))
    assert list(tmp_path.iterdir()) == []

    folder = tmp_path / "intervjuer"
    (folder / ".qualcode").mkdir(parents=True)
    (folder / "notat.txt").write_text("Et notat.\n", encoding="utf-8")
    (folder / ".qualcode" / "README").write_text("mitt\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        Workspace.create(folder, config, codebook=codebook, report=_stopped_at("loaded codebook", _interrupt))
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == [
        Path("intervjuer"), Path("intervjuer/.qualcode"), Path("intervjuer/.qualcode/README"), Path("intervjuer/notat.txt")]


def test_init_whose_key_another_made_meanwhile_keeps_that_key_and_takes_its_own_project_away(tmp_path: Path) -> None:
    """A key written at the same path by another command while the project was made is refused under the key's
    lock, and is that command's: it stays, with its folder; the new project and the folders made for it go."""
    key = tmp_path / "nøkler" / "k.qckey"

    def another_makes_the_key() -> None:
        key.parent.mkdir()
        key.write_bytes(b"en annens")

    from qualcode.codebook.shipped import KVP_CODEBOOK
    from qualcode.codebook.yaml_format import load_codebook

    config = Config(key=key, passphrase="test passphrase", config_home=tmp_path / "hjem")
    with pytest.raises(KeyFileError, match="a key already exists"):
        Workspace.create(tmp_path / "a" / "prosjekt", config, codebook=load_codebook(KVP_CODEBOOK),
                         report=_stopped_at("loaded codebook", another_makes_the_key))
    assert key.read_bytes() == b"en annens" and not (tmp_path / "a").exists()

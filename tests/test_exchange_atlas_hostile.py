"""ATLAS.ti's flat "Parent::child" names in a file made to mislead: no code of the file is lost into a parent made
for its sub-codes, and no code comes in with a name nobody can see."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.exchange.project_export import derived_guid
from qualcode.store.models import Code
from tests.test_exchange_atlas_subcodes import ATLAS, TEXT
from tests.test_exchange_import import Qdpx, codings, guid, run_import, selection


def _atlas_file(tmp_path: Path, codes: dict[str, str]) -> Path:
    """A file ATLAS.ti might have written of `codes` (GUID -> name), the first coded on one passage, the second on another."""
    qdpx = Qdpx(codes="".join(f'<Code guid="{code}" name="{escape(name)}" isCodable="true"/>' for code, name in codes.items()))
    anne = qdpx.user("Anne Forsker")
    coded = list(codes)
    selections = (selection("planen", TEXT, "lage planen min selv", coded[0], anne)
                  + selection("selvtillit", TEXT, "Jeg fikk mer selvtillit", coded[1], anne))
    qdpx.sources.append(f'<TextSource guid="{guid("source")}" name="Intervju D1"><PlainTextContent>{escape(TEXT)}'
                        f"</PlainTextContent>{selections}</TextSource>")
    return qdpx.write(tmp_path / "atlas.qdpx", origin=ATLAS)


# The GUID of a parent made for "overgang::til arbeid" is derived from the child's: a file may give it to a code of
# its own, beside the child or under the same parent (a cycle).
@pytest.mark.parametrize("name", ["skole", "overgang::til skole"])
def test_a_code_whose_guid_is_the_one_a_made_parent_would_have_comes_in_as_itself(session: Session, tmp_path: Path, name: str) -> None:
    child, other = guid("code:overgang::til arbeid"), derived_guid("atlas-code-group", guid("code:overgang::til arbeid"))
    result = run_import(session, _atlas_file(tmp_path, {child: "overgang::til arbeid", other: name}))
    paths = {code.guid: code.path for code in session.scalars(select(Code))}
    assert (paths[child], paths[other]) == ("overgang/til arbeid", name.replace("::", "/"))
    assert "overgang" in result.codes_created
    assert {(code, excerpt) for _, code, _, excerpt in codings(session)} == {
        ("overgang/til arbeid", "lage planen min selv"), (name.replace("::", "/"), "Jeg fikk mer selvtillit")}


def test_a_sub_code_named_with_only_characters_drawn_as_nothing_is_no_sub_code(session: Session, tmp_path: Path) -> None:
    # "helse::" and a Hangul filler is the code "helse::" (the filler read as nothing, as a zero-width space is), and
    # "mestring::" and a blank Braille pattern the code of that name: no code named by nothing under either.
    result = run_import(session, _atlas_file(tmp_path, {guid("a"): "helse::\u3164", guid("b"): "mestring::\u2800"}))
    paths = {code.guid: code.path for code in session.scalars(select(Code))}
    assert (paths[guid("a")], paths[guid("b")]) == ("helse::", "mestring::\u2800")
    assert not any("Parent::child" in line for line in result.deviations)

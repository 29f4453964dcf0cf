"""Faker's name lists from the snapshot, and from Faker itself under any other version of it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcode.anonymise import faker_names as names


def test_the_snapshot_holds_the_installed_fakers_lists() -> None:
    snapshot = names._snapshot()
    assert snapshot is not None
    if snapshot[0] != names._snapshot_of():
        pytest.skip(f"the snapshot is of Faker {snapshot[0].split()[0]}, and {names._installed_version()} is installed:"
                    " its lists are read from Faker (write the snapshot again: python -m qualcode.anonymise.faker_names)")
    assert snapshot[1] == names.from_faker()


def test_the_lists_read_are_the_installed_fakers_own() -> None:
    assert names.faker_names() == names.from_faker()
    assert {"kari", "ola", "fatima", "mohammed"} <= names.faker_names().given
    assert "hansen" in names.faker_names().norwegian_surnames


@pytest.mark.parametrize(("version", "imports_faker"), [("the snapshot's", False), ("another", True)])
def test_faker_is_imported_only_under_another_version_than_the_snapshots(version: str, imports_faker: bool) -> None:
    same = version == "the snapshot's"
    probe = (
        "import sys\n"
        "from qualcode.anonymise import faker_names as names\n"
        "snapshot = names._snapshot()\n"
        "assert snapshot is not None\n"
        f"names._snapshot_of = lambda: snapshot[0] if {same!r} else '0.0.1 ' + ' '.join(names.NAME_LOCALES)\n"
        "assert names.faker_names() == snapshot[1] or 'faker' in sys.modules\n"
        "print('faker' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(imports_faker)

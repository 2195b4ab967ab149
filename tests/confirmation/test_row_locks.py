"""Row locks never block foreign-key checks (see ``confirmation.service.lock``)."""

from __future__ import annotations


def test_every_row_lock_leaves_foreign_key_checks_alone() -> None:
    """Row locks are ``FOR NO KEY UPDATE``: a plain ``FOR UPDATE`` on an article also
    blocks the key check of a claim event written under a claim's lock, and an unconfirm
    racing a re-extraction deadlocked on it (tests/confirmation/test_basis_races.py)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "claims"
    plain = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "select_for_update(" in line and "no_key=True" not in line
    ]
    assert not plain, plain

"""The demo's virtual signing cards (``ledger demo``): each holds its operator's enrolled key."""

from __future__ import annotations

from pathlib import Path

from card.openpgp import OpenPgpCard, OpenPgpCardSigner
from card.readers import open_signing_card
from card.virtual.signing import SigningCardState
from cli.demo import loader
from cli.demo.command import DEMO_CARD_PIN, write_demo_cards
from ledger.signing import SoftwareSigner, verify_signature
from ledger.statement import digest


def _keys(directory: Path) -> dict[str, SoftwareSigner]:
    keys = {}
    for name in ("admin", *loader.OPERATORS):
        keys[name] = SoftwareSigner.generate()
        keys[name].to_file(directory / f"{name}.key")
    return keys


def test_each_operator_gets_a_card_signing_with_the_enrolled_key(tmp_path: Path) -> None:
    """A demo card answers with the key file's public key and signs with PIN 123456."""
    keys = _keys(tmp_path)

    write_demo_cards(tmp_path)

    for name, key in keys.items():
        with open_signing_card(f"virtual:{tmp_path / f'{name}.card.json'}") as transport:
            signer = OpenPgpCardSigner(OpenPgpCard(transport), DEMO_CARD_PIN)
            signature = signer.sign(digest(b'{"v":1}'))
        assert key.public_key == signer.public_key
        assert verify_signature(key.public_key, b'{"v":1}', signature)


def test_a_card_with_the_right_key_is_kept_and_a_stale_one_replaced(tmp_path: Path) -> None:
    """Running the demo again keeps a card's counters; a card for an old key is rewritten."""
    keys = _keys(tmp_path)
    write_demo_cards(tmp_path)
    kept = tmp_path / "admin.card.json"
    state = SigningCardState.load(kept)
    state.signatures = 7
    state.save(kept)
    (tmp_path / "hr-tak.key").unlink()
    SoftwareSigner.generate().to_file(tmp_path / "hr-tak.key")

    written = write_demo_cards(tmp_path)

    assert [tmp_path / "hr-tak.card.json"] == written
    assert 7 == SigningCardState.load(kept).signatures
    new_seed = (tmp_path / "hr-tak.key").read_text().strip()
    assert new_seed == SigningCardState.load(tmp_path / "hr-tak.card.json").seed
    assert keys["hr-tak"].public_key != SoftwareSigner(bytes.fromhex(new_seed)).public_key

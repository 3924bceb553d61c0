"""``ledger audit check-disclosure FILE``: check one field's disclosure file offline.

The file (``ledger person disclose``) holds a signed v2 statement and one field's value and
salt. The check trusts only keys: the signer's public key given with ``--public-key HEX``
(repeatable), or the keys enrolled in an audit bundle given with ``--bundle FILE``, which must
verify and hold the disclosed event (``--trust-anchor`` pins its system key). It prints what
the file proves (the record, the event, the field, its value, who signed it and when) and exits
0, or each problem found and exits 1 (``--json``: the result as JSON).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from cli.runtime import fail, out
from ledger.disclosure_files import CheckedDisclosure, check_disclosure_file
from ledger.statement import key_id_of
from replay.verify.bundle import keys_for_event


def check_disclosure(
    file: Annotated[Path, typer.Argument(help="The disclosure file (ledger person disclose)")],
    public_key: Annotated[
        list[str] | None,
        typer.Option("--public-key", help="A trusted signer's Ed25519 public key (hex)"),
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(help="Trust the keys of this audit bundle, which must hold the event"),
    ] = None,
    trust_anchor: Annotated[
        str | None, typer.Option(help="The bundle's system public key (hex), to pin it")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Verify a disclosure file: the statement's signature under a trusted key, and the field's
    value and salt against the commitment the statement signs."""
    raw = _read(file)
    keys = _keys(public_key or [])
    if bundle is not None:
        report, enrolled = keys_for_event(
            bundle, str(raw.get("event_hash", "")), trust_anchor=_hex(trust_anchor, "trust-anchor")
        )
        if not report.ok:
            fail(f"แฟ้มตรวจสอบไม่ผ่าน / the bundle {bundle} does not verify")
        keys.update(enrolled)
    found = check_disclosure_file(raw, keys)
    if json_output:
        out.print_json(json.dumps(found.as_json(), ensure_ascii=False))
    else:
        _print(found)
    raise typer.Exit(0 if found.ok else 1)


def _read(file: Path) -> dict[str, Any]:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        fail(f"อ่านแฟ้มไม่ได้ / cannot read {file}: {error}")
    if not isinstance(raw, dict):
        fail(f"ไม่ใช่แฟ้มการเปิดเผยข้อมูล / not a disclosure file: {file}")
    return raw


def _hex(text: str | None, option: str) -> bytes | None:
    return None if text is None else _key(text, option)


def _key(text: str, option: str) -> bytes:
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise typer.BadParameter(f"--{option} is a 32-byte public key in hex (64 characters)")
    return raw


def _keys(texts: list[str]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for text in texts:
        raw = _key(text, "public-key")
        keys[key_id_of(raw)] = raw
    return keys


def _print(found: CheckedDisclosure) -> None:
    if found.ok:
        out.print("[green]ตรวจสอบผ่าน / verified[/green]", highlight=False)
        value = json.dumps(found.value, ensure_ascii=False)
        out.print(
            escape(
                f"  record {found.record}, event {found.event} ({found.type}): "
                f"{found.path} = {value}"
            ),
            highlight=False,
        )
        signer = found.signer_cid if found.signer_cid is not None else "เจ้าของประวัติ (record owner)"
        out.print(
            escape(f"  signed by {signer} with key {found.key_id} at {found.signed_at}"),
            highlight=False,
        )
        return
    out.print("[red]ตรวจสอบไม่ผ่าน / FAILED[/red]", highlight=False)
    for th, en in found.problems:
        out.print(escape(f"  {th} / {en}"), highlight=False)


__all__ = ["check_disclosure"]

"""Issue 17's first test: after the demo loads, no citizen ID, Thai name or birth date of any
demo personnel record is in clear in the events table (the SQLite file with its side files; the
PostgreSQL events table), on the Kafka topic the demo is published to, or in an exported audit
bundle, searched in the raw bytes in every form the value could take there; and each value still
reads back through the vault (the Reports facade), so the search is not passed by a demo with
no people.

The forms: UTF-8, JSON's ``\\uXXXX`` escapes of Thai (either case of hex), UTF-16; dates as ISO
and as Buddhist-era years, with ``-`` and ``/``; the citizen ID as 13 digits and in its printed
``1-2345-67890-12-3`` groups. The Kafka envelopes and the bundle carry each statement as base64,
so their base64 strings are searched decoded too. A name is a common Thai word (สมมติ,
ตัวอย่าง...), also part of the demo's LAO name, its order issuers and its other names: it is
found only as a whole word, never inside a longer Thai word. Each medium is first shown to hold
a value in the same forms where one is in clear (a v1 education entry's university and date), so
a search that could not see a value would fail.

The operators: an officer's statement names her citizen ID in clear (``signer.cid``), and so
does her enrolment in the operator registry. The demo's officers are numbers 1-10, apart from its
personnel records (101-112, 201), and the search leaves out exactly the officers' citizen IDs.
The record owner (``owner-nakhonphanom``), the teacher of record 103 who logs in with her own
card to ask for a change, is enrolled by her record and signs with no citizen ID
(``"cid":null``): her citizen ID, like everyone's, must be in clear nowhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor
from typer.testing import CliRunner

from cli.demo.day import OPERATORS as DAY_OPERATORS
from cli.demo.day import OWNER
from cli.demo.day import STAFF as DAY_STAFF
from cli.demo.loader import OPERATORS, STAFF, demo_cid
from cli.main import app as ledger_cli
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.kafka.publisher import KafkaPublisher
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from projections.views.registry_rows import RegistryEntry
from tests.browser_kit import LEDGER, environment
from tests.card_stack import SoftHsmToken
from tests.conftest import PG_HOST, PG_PORT, PG_USER
from tests.demo_template import NAME, DemoFolder, copy_template
from tests.kafka_kit import kafka_settings, read_topic
from tests.raw_rows import sqlite_rows

RECORDS = 13
"""The demo's personnel records: ten staff and two more of the Nakhon Phanom LAO, one in Tak."""
IN_CLEAR = ("มหาวิทยาลัยนครพนม", "2008-03-31")
"""A v1 education entry's university and finishing date: in clear in every medium."""
_THAI_BEFORE = re.compile(rb"\xe0[\xb8\xb9][\x80-\xbf]\Z")
_ESCAPE_BEFORE = re.compile(rb"\\u0[eE][0-9a-fA-F]{2}\Z")
_THAI_AFTER = re.compile(rb"\xe0[\xb8\xb9][\x80-\xbf]")
_ESCAPE_AFTER = re.compile(rb"\\u0[eE][0-9a-fA-F]{2}")
_BASE64 = re.compile(rb'"([A-Za-z0-9+/]{24,}={0,2})"')


# The values and their forms.


def _text_forms(text: str) -> list[bytes]:
    escaped = json.dumps(text).strip('"')
    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped)
    return sorted({text.encode(), escaped.encode(), upper.encode(), text.encode("utf-16-le")})


def _date_forms(day: date) -> list[bytes]:
    be = day.year + 543
    texts = [day.isoformat(), f"{be}-{day:%m-%d}", f"{day:%d/%m}/{be}", f"{day:%d/%m/%Y}"]
    return [form for text in texts for form in _text_forms(text)]


def _cid_forms(cid: str) -> list[bytes]:
    grouped = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    return [form for text in (cid, grouped) for form in _text_forms(text)]


def _whole_word(haystack: bytes, start: int, end: int) -> bool:
    """Whether the match ``haystack[start:end]`` is not inside a longer Thai word (a Thai
    letter, in UTF-8 or escaped, just before or just after it)."""
    before, after = haystack[max(0, start - 6) : start], haystack[end : end + 6]
    return not (
        _THAI_BEFORE.search(before)
        or _ESCAPE_BEFORE.search(before)
        or _THAI_AFTER.match(after)
        or _ESCAPE_AFTER.match(after)
    )


def _found(haystacks: Iterable[bytes], forms: Iterable[bytes], *, word: bool) -> bool:
    for haystack in haystacks:
        for form in forms:
            for match in re.finditer(re.escape(form), haystack):
                if not word or _whole_word(haystack, match.start(), match.end()):
                    return True
    return False


def _with_base64(raw: Iterable[bytes]) -> list[bytes]:
    """The raw bytes and every base64 string in them decoded (the statements, as carried).
    The decoded strings are searched as one haystack, joined by line feeds (no form holds
    one, and a line feed is no Thai letter for the whole-word check): one search per form
    instead of one per statement (13,000 statements x every form took over a minute)."""
    blobs = list(raw)
    decoded: list[bytes] = []
    for blob in blobs:
        for match in _BASE64.finditer(blob):
            try:
                decoded.append(base64.b64decode(match.group(1), validate=True))
            except (binascii.Error, ValueError):
                continue
    return [*blobs, b"\n".join(decoded)]


# The people, read back through the vault.


def _people(database_url: str, **vault: Any) -> list[RegistryEntry]:
    """Every personnel record of the demo with its values revealed through the vault (the
    key files beside its SQLite file, or the ``vault`` settings)."""
    ledger = Ledger(LedgerSettings(database_url=database_url, name=NAME, **vault))
    try:
        with Projections.open(ledger) as projections:
            projections.catch_up()
            return list(Reports(projections).registry(EVERYWHERE).rows)
    finally:
        ledger.close()


def _secrets(people: list[RegistryEntry]) -> dict[str, tuple[list[bytes], bool]]:
    """What must not be in clear: label -> (its forms, whether matched as a whole word only).
    Checks first that the vault gives back the loader's own values (so the demo has people,
    and they are the ones searched for)."""
    assert RECORDS == len(people)
    staff = {demo_cid(row[0]): row for row in (*STAFF, *DAY_STAFF)}
    officers = {name: n for name, (n, _, _) in OPERATORS.items() if name != OWNER}
    operators = {demo_cid(n) for n in officers.values()} | {demo_cid(1)}
    assert set() == operators & {p.cid for p in people}  # officers are none of the records
    assert demo_cid(DAY_OPERATORS[OWNER][0]) in {p.cid for p in people}  # the owner is one
    found: dict[str, tuple[list[bytes], bool]] = {}
    for person in people:
        assert person.birth_date is not None, person.stream
        names = [n for n in (person.first_name, person.last_name) if n is not None]
        if person.cid in staff:
            _, _, born, _, first, last, *_, described = staff[person.cid]
            assert born == person.birth_date.isoformat()
            assert ([first, last] if described else []) == names
        if person.cid not in operators:
            found[f"cid of {person.stream}"] = (_cid_forms(person.cid), False)
        found[f"birth date of {person.stream}"] = (_date_forms(person.birth_date), False)
        for name in names:
            found[f"name {name!r} of {person.stream}"] = (_text_forms(name), True)
    return found


def _leaks(haystacks: list[bytes], secrets: dict[str, tuple[list[bytes], bool]]) -> list[str]:
    in_clear = [
        (_text_forms(IN_CLEAR[0]), True),
        (_date_forms(date.fromisoformat(IN_CLEAR[1])), False),
    ]
    for forms, word in in_clear:
        assert _found(haystacks, forms, word=word), "the search cannot see a value in clear"
    return [
        label for label, (forms, word) in secrets.items() if _found(haystacks, forms, word=word)
    ]


# The media.


@pytest.fixture(scope="module")
def demo(demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory) -> DemoFolder:
    return copy_template(demo_template, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def secrets(demo: DemoFolder) -> dict[str, tuple[list[bytes], bool]]:
    return _secrets(_people(demo.database_url))


def test_a_demo_person_reads_back_through_the_vault(demo: DemoFolder) -> None:
    """The search below has people to look for: the vault gives each record its values."""
    people = {p.cid: p for p in _people(demo.database_url)}
    clerk = people[demo_cid(102)]
    assert ("นางสาว", "ตัวอย่าง", "สมมุติวงศ์") == (clerk.prefix, clerk.first_name, clerk.last_name)
    assert date(1985, 10, 2) == clerk.birth_date


def test_the_sqlite_file_holds_no_personal_value_in_clear(
    demo: DemoFolder, secrets: dict[str, tuple[list[bytes], bool]]
) -> None:
    """The whole database file (the events table, the views, the vault's ciphertexts) and its
    side files, byte by byte."""
    files = [p for p in demo.folder.glob(demo.database.name + "*") if p.is_file()]
    assert demo.database in files
    rows = sqlite_rows(demo.database)
    assert len(rows) > 12_000
    assert [] == _leaks([p.read_bytes() for p in files], secrets)


def test_the_audit_bundle_holds_no_personal_value_in_clear(
    demo: DemoFolder, secrets: dict[str, tuple[list[bytes], bool]], tmp_path: Path
) -> None:
    """``ledger audit export --all``: every event, with its statement in base64."""
    bundle = tmp_path / "all.bundle"
    result = CliRunner().invoke(
        ledger_cli,
        ["audit", "export", "--all", "--out", str(bundle), "--database-url", demo.database_url,
         "--name", NAME],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    assert [] == _leaks(_with_base64([bundle.read_bytes()]), secrets)


def test_the_kafka_topic_holds_no_personal_value_in_clear(
    demo: DemoFolder, secrets: dict[str, tuple[list[bytes], bool]], kafka_bootstrap: str
) -> None:
    """The demo published to a real broker: each record's key, headers and value (the
    envelope, its statement in base64), as read from the topic."""
    kafka = kafka_settings(kafka_bootstrap, demo.database_url)
    KafkaPublisher(LedgerSettings(database_url=demo.database_url, name=NAME), kafka).run(
        until_caught_up=True
    )
    records = read_topic(kafka_bootstrap, kafka.topic, kafka.partitions)
    assert len(records) > 12_000
    raw = [
        b"".join([r.key or b"", r.value or b"", *(bytes(v) for _, v in r.headers)]) for r in records
    ]
    assert [] == _leaks(_with_base64(raw), secrets)


@pytest.fixture
def postgres_demo(tmp_path: Path) -> Iterator[tuple[str, DemoFolder]]:
    """``ledger demo --no-serve`` into a PostgreSQL database of its own, dropped afterwards."""
    dbname = f"ledger_demo_{uuid.uuid4().hex[:12]}"
    with DatabaseJanitor(user=PG_USER, host=PG_HOST, port=PG_PORT, dbname=dbname):
        url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"
        folder = DemoFolder(tmp_path)
        result = CliRunner().invoke(
            ledger_cli,
            ["demo", "--no-serve", "--database-url", url, "--keys-dir", str(folder.keys)],
        )
        assert 0 == result.exit_code, result.output
        yield url, folder


def test_the_postgresql_events_table_holds_no_personal_value_in_clear(
    postgres_demo: tuple[str, DemoFolder],
) -> None:
    """The demo loaded on PostgreSQL (its vault's key files in the keys folder): every row of
    every table of the database, as a dump would hold it; the values read back through it."""
    url, folder = postgres_demo
    secrets = _secrets(_people(url, vault_key_dir=folder.keys / "vault"))
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        assert f"{NAME}_events" in tables
        rows = [row for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')]
    raw = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in rows
        for value in row
    )
    assert [] == _leaks([raw], secrets)


def test_the_demo_keeps_its_people_on_a_softhsm2_token(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """``ledger demo`` given a PKCS#11 token (``LEDGER_VAULT_*``; SoftHSM2, whose configuration
    the session's ``softhsm`` fixture put in this process's environment): the per-person keys
    are token objects, no key file is written beside the database, nothing is in clear in it,
    and the values read back through the token."""
    vault = {
        "vault_pkcs11_module": str(softhsm.module),
        "vault_token_label": softhsm.label,
        "vault_token_pin": softhsm.pin,
    }
    demo = DemoFolder(tmp_path)
    loaded = subprocess.run(
        [*LEDGER, "demo", "--no-serve", "--database-url", demo.database_url,
         "--keys-dir", str(demo.keys)],
        env=environment(**vault), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert 0 == loaded.returncode, loaded.stdout + loaded.stderr
    assert "PKCS#11 token" in loaded.stdout
    assert not list(tmp_path.glob("*.vault-keys"))
    secrets = _secrets(_people(demo.database_url, **vault))
    files = [p for p in tmp_path.glob(demo.database.name + "*") if p.is_file()]
    assert [] == _leaks([p.read_bytes() for p in files], secrets)

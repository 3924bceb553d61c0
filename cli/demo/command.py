"""``ledger demo``: load the made-up demo ledger (``cli.demo.loader``), then serve the API and the
web application, printing how to log in to it (Thai first) with the signing agent.

While it serves, the demo also runs the transparency log (``cli.serve.transparency_log_running``,
signed with the demo's system key): what an officer signs in the demo is covered by a signed
checkpoint within ``--checkpoint-seconds``, as production's own log process would do."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from card.virtual.signing import SigningCardState, state_with_key
from cli.demo import day as demo_day
from cli.demo import loader
from cli.runtime import DatabaseUrl, build_settings, open_ledger, out
from cli.serve import serve_api, transparency_log_running
from ledger.domain.permissions import ROLE_TH, Role, Scope
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.vault import default_vault_key_dir


def demo(
    database_url: DatabaseUrl = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo data and exit")
    ] = False,
    keys_dir: Annotated[
        Path, typer.Option(help="Where the demo operators' key files are written")
    ] = Path("var/demo-keys"),
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    checkpoint_seconds: Annotated[
        float,
        typer.Option(min=0.1, help="While serving, sign a checkpoint of new events every T s"),
    ] = 5.0,
) -> None:
    """Load demo operators and signed events (made-up people), then serve the API and the web
    application (http://127.0.0.1:8000/).

    Without --database-url the demo uses its own SQLite file, var/demo.sqlite.
    """
    settings = build_settings(database_url or "sqlite:///var/demo.sqlite", "demo", existing=False)
    web_origin = _web_origin(settings, host, port)
    request_key = _web_request_key(keys_dir)
    settings = settings.model_copy(
        update={"web_request_key_file": request_key, "web_origin": web_origin}
    )
    settings = _with_vault(settings, keys_dir)
    with open_ledger(settings) as ledger:
        summary = loader.load(ledger, keys_dir)
    summary.append(_vault_line(settings))
    write_demo_cards(keys_dir)
    for line in summary:
        out.print(line, highlight=False, soft_wrap=True)
    _print_operators(keys_dir)
    _print_login(keys_dir, request_key, web_origin)
    if not no_serve:
        system = SoftwareSigner.from_file(keys_dir / "system.key")
        with transparency_log_running(settings, system, every_seconds=checkpoint_seconds):
            serve_api(settings, host=host, port=port)


def _with_vault(settings: LedgerSettings, keys_dir: Path) -> LedgerSettings:
    """The demo signs its people's personal data as v2 (docs/personal-data.md), so it needs a
    vault: the one the settings configure; with none, a ledger in an SQLite file has its key
    files beside it (``ledger.vault.default_vault_key_dir``), and one on PostgreSQL gets a
    folder of development key files, ``<keys-dir>/vault``."""
    configured = settings.vault_pkcs11_module is not None or settings.vault_key_dir is not None
    if configured or default_vault_key_dir(settings) is not None:
        return settings
    return settings.model_copy(update={"vault_key_dir": keys_dir / "vault"})


def _vault_line(settings: LedgerSettings) -> str:
    """Where the demo's personal values are kept, and how another command reads them."""
    if settings.vault_pkcs11_module is not None:
        return (
            f"personal data (v2): kept in the vault, keys on PKCS#11 token "
            f"{settings.vault_token_label!r} (LEDGER_VAULT_* settings)"
        )
    folder = settings.vault_key_dir or default_vault_key_dir(settings)
    line = f"personal data (v2): kept in the vault, per-person key files in {folder}/ (development)"
    if settings.vault_key_dir is not None:
        line += f"; other commands read them with LEDGER_VAULT_KEY_DIR={folder}"
    return line


DEMO_CARD_PIN = "123456"


def write_demo_cards(keys_dir: Path) -> list[Path]:
    """Give each demo operator (and the admin) a virtual signing card, ``<name>.card.json``,
    holding the very key of ``<name>.key``, PIN 123456: ``ledger agent --virtual-card`` then
    signs with exactly the enrolled key. A card already holding that key is kept as it is (its
    PIN tries and signature count go on); one holding another key is replaced."""
    written = []
    for name in ("admin", *loader.OPERATORS):
        seed = bytes.fromhex((keys_dir / f"{name}.key").read_text(encoding="ascii").strip())
        path = keys_dir / f"{name}.card.json"
        if path.exists() and SigningCardState.load(path).seed == seed.hex():
            continue
        state_with_key(seed, pin=DEMO_CARD_PIN).save(path)
        written.append(path)
    return written


def _print_operators(keys_dir: Path) -> None:
    """Who the demo's made-up operators are, so their keys can be used as written: key file,
    role, scope, citizen ID (the record owner's record); and the trust anchor as
    ``--trust-anchor`` takes it (also written beside the keys, for scripts and the README's
    commands). Plain lines (no table that a narrow terminal would cut), one operator each."""
    rows = [("admin.key", "dla_admin", "national", loader.demo_cid(1))]
    for name, (number, roles, scope) in loader.OPERATORS.items():
        # The record owner is enrolled by her record, not her citizen ID.
        who = loader.demo_cid(number)
        if name == demo_day.OWNER:
            who = f"record {loader.record_stream(number)}"
        rows.append((f"{name}.key", ", ".join(roles), _scope(scope), who))
    out.print(f"demo operators (made-up people; development keys in {keys_dir}/):", soft_wrap=True)
    for key_file, role_names, where, cid in rows:
        out.print(
            f"  {key_file:<28} {role_names:<20} {where:<22} {cid}",
            highlight=False,
            soft_wrap=True,
        )
    out.print(
        f"virtual signing cards with the same keys, PIN {DEMO_CARD_PIN}, for ledger agent "
        f"--virtual-card: {keys_dir}/<name>.card.json",
        highlight=False,
        soft_wrap=True,
    )
    anchor = SoftwareSigner.from_file(keys_dir / "system.key").public_key.hex()
    (keys_dir / "trust-anchor.txt").write_text(anchor + "\n", encoding="ascii")
    out.print(
        f"trust anchor (for ledger audit verify --trust-anchor, also in "
        f"{keys_dir}/trust-anchor.txt): {anchor}",
        highlight=False,
        soft_wrap=True,
    )


def _scope(scope: Scope) -> str:
    if scope.level == "national":
        return "national"
    if scope.lao is not None:
        return f"lao:{scope.province}:{scope.lao}"
    return f"province:{scope.province}"


def _cards() -> list[tuple[str, str]]:
    """Each operator's card name and who they are, in Thai (roles, scope)."""
    found = [("admin", f"{ROLE_TH[Role.DLA_ADMIN]} (ทั้งประเทศ)")]
    for name, (_, roles, scope) in loader.OPERATORS.items():
        where = "ทั้งประเทศ"
        if scope.lao is not None:
            where = f"อปท. {scope.lao} จังหวัด{scope.province}"
        elif scope.province is not None:
            where = f"จังหวัด{scope.province}"
        found.append((name, f"{', '.join(ROLE_TH[role] for role in roles)} ({where})"))
    return found


def _web_origin(settings: LedgerSettings, host: str, port: int) -> str:
    """Where the browser finds the demo: ``LEDGER_WEB_ORIGIN`` when set, else the address it
    listens on (all interfaces are reached at 127.0.0.1)."""
    if "web_origin" in settings.model_fields_set:
        return settings.web_origin
    return f"http://{'127.0.0.1' if host in {'0.0.0.0', '::', ''} else host}:{port}"  # noqa: S104


def _web_request_key(keys_dir: Path) -> Path:
    """The web application's request key (``web-request.key``, a hex seed like the operators'
    key files), made once: agents started with its public key keep trusting a restarted demo."""
    path = keys_dir / "web-request.key"
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        SoftwareSigner.generate().to_file(path)
    return path


def ledger_program(argv0: str | None = None, executable: str | None = None) -> str:
    """How a new terminal in this folder starts ``ledger``: ``make demo`` runs ``.venv/bin/ledger``
    and a new terminal has no activated environment, so a printed bare ``ledger`` would be "command
    not found". The running script (``sys.argv[0]``), else the ``ledger`` beside this Python
    (``sys.executable``): relative to the current folder when inside it (``.venv/bin/ledger``),
    plain ``ledger`` when it lives elsewhere and the ``PATH`` finds it, else its full path."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    candidates = [Path(argv0), Path(executable).parent / "ledger"]
    found = next((path for path in candidates if path.name == "ledger" and path.is_file()), None)
    if found is None:
        return "ledger"
    found = Path(os.path.abspath(found))
    if found.is_relative_to(Path.cwd()):
        return str(found.relative_to(Path.cwd()))
    on_path = shutil.which("ledger")
    if on_path is not None and Path(os.path.abspath(on_path)) == found:
        return "ledger"
    return str(found)


def _print_login(keys_dir: Path, request_key: Path, web_origin: str) -> None:
    """How to log in to the web application: the agent on a demo virtual card, then the page."""
    public = SoftwareSigner.from_file(request_key).public_key.hex()
    agent = (
        f"{ledger_program()} agent --virtual-card {keys_dir}/hr-nakhonphanom.card.json "
        f"--trust-key {public} --origin {web_origin}"
    )
    lines = [
        "เข้าใช้งานเว็บ (web application):",
        "  1. เปิดโปรแกรมลงนามในอีกหน้าต่างหนึ่ง (start the signing agent in another terminal):",
        f"     {agent}",
        f"  2. เปิด (open) {web_origin}/ แล้วกด เข้าสู่ระบบด้วยบัตร (log in with the card),"
        " รหัส PIN 123456",
        "  ผู้ใช้อื่น: คำสั่งเดียวกัน เปลี่ยน --virtual-card เป็นบัตรของผู้นั้น"
        " (another operator: the same command with their card):",
        *(f"     {keys_dir}/{name}.card.json  {role}" for name, role in _cards()),
    ]
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)

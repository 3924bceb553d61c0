"""``ledger audit``: verify a ledger or an audit bundle, and export bundles.

``ledger audit verify --database-url URL [--json]`` (DESIGN.md section 8) exits 0 when every
signature, chain link and checkpoint verifies, and 1 with the failing notification ids
otherwise. It reads the database directly (read-only) with one process per core and shows a
progress bar on standard error; ``--json`` prints the report on standard output.
``--bundle FILE`` verifies an offline bundle instead, with no database at all. ``--checkpoint
FILE`` (repeatable) names checkpoints the auditor kept earlier: a log rewritten since fails them.
``--trust-anchor HEX`` pins the system key that ``ledger init`` printed.

``--since FILE`` re-audits from a checkpoint kept earlier: only the events the log took in after
it are checked, plus the consistency proof that the kept tree is a prefix of the newest
checkpoint's (``replay.verify.since``). It cannot see an old event changed or deleted in the
database while the log's tree was left alone: only a full verify reads old events again.
``--keep FILE`` writes the newest checkpoint there when everything verified (with ``--since``
the kept file is replaced by default), for the next re-audit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.disclosure_check import check_disclosure
from cli.runtime import DatabaseUrl, LedgerName, build_settings, err, fail, fail_on, out
from replay.bundles import Scope, export_bundle
from replay.errors import BundleError, ReplayError
from replay.source import DatabaseSource
from replay.verify import KINDS, Failure, Report, verify_bundle, verify_database
from replay.verify.since import SinceResult, verify_since

audit_app = typer.Typer(
    help="Auditor tools: verify a ledger or an offline bundle; export bundles.",
    no_args_is_help=True,
)

SHOWN_FAILURES = 50

audit_app.command("check-disclosure")(check_disclosure)


@audit_app.command("verify")
def verify(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    bundle: Annotated[
        Path | None, typer.Option(help="Verify this audit bundle offline instead of a database")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on standard output")
    ] = False,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(help="A checkpoint kept earlier (a signed note file); repeat for several"),
    ] = None,
    trust_anchor: Annotated[
        str | None, typer.Option(help="The system public key (hex) that `ledger init` printed")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes checking signatures (default: one per core)"),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Parse and validate every statement's data in full (slower)")
    ] = False,
    since: Annotated[
        Path | None,
        typer.Option(
            help="Re-audit from this kept checkpoint: check only the newer events and the "
            "consistency proof (an old event changed behind the log's back needs a full verify)"
        ),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(help="Write the newest checkpoint here when all verified (default: --since)"),
    ] = None,
) -> None:
    """Recompute every chain, signature, key validity and checkpoint; exit 1 on any failure."""
    kept = [_read_text(path) for path in checkpoint or []]
    anchor = _anchor(trust_anchor)
    if bundle is not None and not bundle.is_file():
        fail(f"no bundle file {bundle}")
    if since is not None:
        if bundle is not None or kept:
            raise typer.BadParameter("--since re-audits a database: no --bundle or --checkpoint")
        _reaudit(since, keep or since, database_url, name, anchor, strict, json_output)
    newest: str | None = None
    try:
        if bundle is not None:
            report = verify_bundle(bundle, kept=kept, trust_anchor=anchor, strict=strict)
        else:
            settings = build_settings(database_url, name)
            with _progress(enabled=True) as progress:
                task = progress.add_task("verifying", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                report = verify_database(
                    settings.database_url,
                    settings.name,
                    workers=workers,
                    trust_anchor=anchor,
                    kept=kept,
                    strict=strict,
                    progress=advance,
                )
            if keep is not None and report.ok:
                newest = _newest_note(settings.database_url, settings.name, report.tree_size)
    except BundleError as error:
        report = Report(ledger="?", failures=[Failure(None, "bundle-malformed", error.problem)])
    except ReplayError as error:
        fail(str(error))
    if json_output:
        out.print_json(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_report(report, strict=strict)
    if keep is not None and newest is not None:
        _write_kept(keep, newest, json_output)
    raise typer.Exit(0 if report.ok else 1)


def _reaudit(
    since: Path,
    keep: Path,
    database_url: str | None,
    name: str | None,
    anchor: bytes | None,
    strict: bool,
    json_output: bool,
) -> None:
    """``--since``: verify the events after a kept checkpoint, print, keep the newest; exit."""
    settings = build_settings(database_url, name)
    with fail_on(ReplayError):
        result = verify_since(
            settings.database_url,
            settings.name,
            _read_text(since),
            trust_anchor=anchor,
            strict=strict,
        )
    report = result.report
    if json_output:
        out.print_json(json.dumps(_since_json(result), ensure_ascii=False))
    else:
        _print_report(report, strict=strict)
        _print_since(result)
    if report.ok and result.newest_note is not None:
        _write_kept(keep, result.newest_note, json_output)
    raise typer.Exit(0 if report.ok else 1)


def _since_json(result: SinceResult) -> dict[str, object]:
    found = result.report.as_json()
    found["since"] = {
        "kept_size": result.kept.tree_size if result.kept else None,
        "newest_size": result.newest.tree_size if result.newest else None,
        "events_checked": result.report.events,
        "prefix_proven": result.prefix_proven,
        "later_events": result.later_events,
    }
    return found


def _print_since(result: SinceResult) -> None:
    kept, newest = result.kept, result.newest
    if kept is None or newest is None:
        return
    out.print(
        f"  re-audit since checkpoint {kept.tree_size}: {result.report.events} new events "
        f"checked, up to checkpoint {newest.tree_size}",
        highlight=False,
    )
    if result.prefix_proven:
        out.print(
            f"  consistency proof verified: checkpoint {kept.tree_size} is a prefix of "
            f"checkpoint {newest.tree_size}",
            highlight=False,
        )
    if result.later_events:
        out.print(
            f"  {result.later_events} events after checkpoint {newest.tree_size} wait for "
            "the next checkpoint",
            highlight=False,
        )


def _newest_note(url: str, name: str, tree_size: int) -> str | None:
    """The newest checkpoint within the tree a full verify recomputed (it checked each one)."""
    source = DatabaseSource(url, name)
    try:
        rows = source.checkpoints() if source.has_transparency_log() else []
    finally:
        source.close()
    within = [note for size, _, _, note in rows if size <= tree_size]
    return within[-1] if within else None


def _write_kept(path: Path, note: str, json_output: bool) -> None:
    try:
        path.write_text(note, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {path}: {error}")
    if not json_output:
        out.print(f"  kept the newest checkpoint in {path}", highlight=False)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"cannot read {path}: {error}") from None


def _anchor(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raise typer.BadParameter("--trust-anchor is the system public key in hex") from None
    if len(raw) != 32:
        raise typer.BadParameter("--trust-anchor is 32 bytes (64 hex characters)")
    return raw


def _progress(*, enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not enabled,
    )


STRICT_LINE = (
    "  ตรวจแบบเข้มงวด (--strict): อ่านและตรวจข้อมูลของทุกข้อความเต็มตามแบบของรายการแล้ว / "
    "strict checks ran: every statement's data parsed and validated in full"
)


def _print_report(report: Report, *, strict: bool = False) -> None:
    verdict = "[green]verified[/green]" if report.ok else "[red]FAILED[/red]"
    out.print(f"ledger [bold]{report.ledger}[/bold]: {verdict}", highlight=False)
    out.print(
        f"  {report.events} events in {report.streams} streams; transparency log "
        f"{report.tree_size} leaves, {report.checkpoints} checkpoints; "
        f"{report.kept_checkpoints} kept checkpoints; {report.seconds:.1f} s",
        highlight=False,
    )
    anchor = report.trust_anchor or "none"
    pinned = "pinned" if report.anchor_pinned else "not pinned"
    out.print(f"  trust anchor: system key {anchor} ({pinned})", highlight=False)
    if strict:
        out.print(STRICT_LINE, highlight=False)
    for note in report.notes:
        out.print(f"  note: {note}", highlight=False)
    for failure in report.failures[:SHOWN_FAILURES]:
        where = "-" if failure.notification_id is None else str(failure.notification_id)
        out.print(f"  [red]{failure.kind}[/red] at {where}: {failure.detail}", highlight=False)
    if len(report.failures) > SHOWN_FAILURES:
        out.print(f"  ... and {len(report.failures) - SHOWN_FAILURES} more (use --json)")
    if report.failures:
        ids = report.failing_ids()
        out.print(f"  failing notification ids: {_ranges(ids)}", highlight=False)


def _ranges(ids: list[int]) -> str:
    """``1-3, 7, 9-10``: failing ids, compactly."""
    parts: list[str] = []
    start = previous = None
    for nid in [*ids, None]:
        if start is not None and (nid is None or nid != (previous or 0) + 1):
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if nid is not None and start is None:
            start = nid
        previous = nid
    return ", ".join(parts) or "none"


@audit_app.command("export")
def export(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the bundle")],
    record: Annotated[UUID | None, typer.Option(help="One record (any stream), by id")] = None,
    lao: Annotated[str | None, typer.Option(help="Every record of one LAO (7-digit code)")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every event of the ledger")] = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Write a self-contained audit bundle: events, signatures, enrolments, checkpoints, proofs."""
    chosen = [option for option in (record, lao, everything or None) if option is not None]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --record, --lao or --all")
    if record is not None:
        scope = Scope("record", stream=record)
    elif lao is not None:
        scope = Scope("lao", lao=lao)
    else:
        scope = Scope("all")
    settings = build_settings(database_url, name)
    with fail_on(ReplayError):
        summary = export_bundle(settings.database_url, settings.name, scope, out_file)
    out.print(
        f"wrote {summary.path}: {scope.describe()}, {summary.events} events in "
        f"{summary.streams} streams, {summary.checkpoints} checkpoints "
        f"(anchored at tree size {summary.tree_size})",
        highlight=False,
    )


__all__ = ["KINDS", "audit_app"]

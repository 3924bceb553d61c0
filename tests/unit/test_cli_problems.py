"""The command line shows a server's refusal as the API wrote it: Thai first, rules by id."""

from __future__ import annotations

import pytest
import typer

from cli.api_client import problem_text
from cli.runtime import fail

PROBLEM = {
    "type": "https://ledger.example/problems/invalid-data",
    "title": "Invalid statement data",
    "title_th": "ข้อมูลในรายการไม่ถูกต้อง",
    "status": 422,
    "detail": "LAO 6480101 is registered in province นครพนม [reference.lao_province]",
    "rule": "reference.lao_province",
    "errors": [
        {
            "rule": "reference.lao_province",
            "field": "data.province",
            "th": "อปท. รหัส 6480101 ขึ้นทะเบียนไว้ในจังหวัดนครพนม",
            "en": "LAO 6480101 is registered in province นครพนม",
        }
    ],
}


def test_a_refusal_reads_in_thai_with_its_rules() -> None:
    lines = problem_text(PROBLEM).splitlines()

    assert lines[0].startswith("ข้อมูลในรายการไม่ถูกต้อง / Invalid statement data: LAO 6480101")
    assert "  [reference.lao_province] data.province: อปท. รหัส 6480101" in lines[1]
    assert "LAO 6480101 is registered in province นครพนม" == lines[2].strip()


def test_fail_prints_a_rule_id_in_brackets_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit):
        fail("refused [reference.lao_province]")

    assert "refused [reference.lao_province]" in capsys.readouterr().err

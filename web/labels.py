"""Words the pages show for codes: roles and scopes (the reports' labels, so a role reads the
same on a page as in a download)."""

from __future__ import annotations

from ledger.domain.permissions import Scope
from projections.reports.labels import Lang, code_label


def role_label(role: str, lang: str) -> str:
    return code_label("role", str(role), Lang.EN if lang == "en" else Lang.TH)


def scope_label(scope: Scope, lang: str, lao_name: str | None = None) -> str:
    """``ทั้งประเทศ``, ``จังหวัดนครพนม``, ``เทศบาลตำบลตัวอย่าง (4480101) จังหวัดนครพนม`` (the
    LAO's registered name, a proper name in English too), ``อปท. 4480101 จังหวัดนครพนม`` when
    the name is not known (English alike)."""
    english = lang == "en"
    if scope.level == "national":
        return "Nationwide" if english else "ทั้งประเทศ"
    province = f"{scope.province} province" if english else f"จังหวัด{scope.province}"
    if scope.level == "province":
        return province
    if lao_name:
        return (
            f"{lao_name} ({scope.lao}), {province}"
            if english
            else f"{lao_name} ({scope.lao}) {province}"
        )
    return f"LAO {scope.lao}, {province}" if english else f"อปท. {scope.lao} {province}"

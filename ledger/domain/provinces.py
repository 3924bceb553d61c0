"""The 77 provinces of Thailand (จังหวัด): 76 provinces and กรุงเทพมหานคร, by their official Thai
names, in the Ministry of Interior's order (the order of their province codes, TIS 1099).

A province's name is how scopes, organizations and records name where they are, and a scope's
reach is decided by comparing names: a misspelt name (``นครพนน``) names no province, so nobody
could read what is filed under it, or the wrong people could. The gate therefore accepts only
these names, written as here (Unicode NFC). Stored events are not re-checked: the rule applies
at admission only.
"""

from __future__ import annotations

from ledger.domain.base import broken
from ledger.domain.signed import SignedAggregate
from ledger.violations import rule

PROVINCES: tuple[str, ...] = (
    "กรุงเทพมหานคร",
    "สมุทรปราการ",
    "นนทบุรี",
    "ปทุมธานี",
    "พระนครศรีอยุธยา",
    "อ่างทอง",
    "ลพบุรี",
    "สิงห์บุรี",
    "ชัยนาท",
    "สระบุรี",
    "ชลบุรี",
    "ระยอง",
    "จันทบุรี",
    "ตราด",
    "ฉะเชิงเทรา",
    "ปราจีนบุรี",
    "นครนายก",
    "สระแก้ว",
    "นครราชสีมา",
    "บุรีรัมย์",
    "สุรินทร์",
    "ศรีสะเกษ",
    "อุบลราชธานี",
    "ยโสธร",
    "ชัยภูมิ",
    "อำนาจเจริญ",
    "บึงกาฬ",
    "หนองบัวลำภู",
    "ขอนแก่น",
    "อุดรธานี",
    "เลย",
    "หนองคาย",
    "มหาสารคาม",
    "ร้อยเอ็ด",
    "กาฬสินธุ์",
    "สกลนคร",
    "นครพนม",
    "มุกดาหาร",
    "เชียงใหม่",
    "ลำพูน",
    "ลำปาง",
    "อุตรดิตถ์",
    "แพร่",
    "น่าน",
    "พะเยา",
    "เชียงราย",
    "แม่ฮ่องสอน",
    "นครสวรรค์",
    "อุทัยธานี",
    "กำแพงเพชร",
    "ตาก",
    "สุโขทัย",
    "พิษณุโลก",
    "พิจิตร",
    "เพชรบูรณ์",
    "ราชบุรี",
    "กาญจนบุรี",
    "สุพรรณบุรี",
    "นครปฐม",
    "สมุทรสาคร",
    "สมุทรสงคราม",
    "เพชรบุรี",
    "ประจวบคีรีขันธ์",
    "นครศรีธรรมราช",
    "กระบี่",
    "พังงา",
    "ภูเก็ต",
    "สุราษฎร์ธานี",
    "ระนอง",
    "ชุมพร",
    "สงขลา",
    "สตูล",
    "ตรัง",
    "พัทลุง",
    "ปัตตานี",
    "ยะลา",
    "นราธิวาส",
)
"""กรุงเทพมหานคร and the 76 provinces, in the order of their province codes (10 to 96)."""

_NAMES = frozenset(PROVINCES)

UNKNOWN_PROVINCE = rule(
    "reference.unknown_province",
    "จังหวัด {province} ไม่ใช่ชื่อจังหวัดใดใน 77 จังหวัด (เขียนชื่อทางราชการให้ถูกต้อง)",
    "{province} is not one of the 77 provinces (write its official Thai name)",
)


def is_province(name: str) -> bool:
    """True for the official name of a province (or กรุงเทพมหานคร), exactly as written here."""
    return name in _NAMES


def check_province(event_class: type[SignedAggregate.Event], province: str, field: str) -> None:
    """Raise the broken rule when ``province`` (at ``field``) names no province."""
    if not is_province(province):
        raise broken(event_class, UNKNOWN_PROVINCE, field, province=province)

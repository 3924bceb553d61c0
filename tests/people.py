"""Made-up people and operators for tests (PDPA: no real person appears in any test)."""

from __future__ import annotations

import itertools
import random

from ledger.domain.rules import cid_check_digit


def made_up_cid(seed: int) -> str:
    """A citizen ID that passes the checksum and belongs to nobody we know of."""
    rng = random.Random(seed)
    first = "1" + "".join(str(rng.randrange(10)) for _ in range(11))
    return first + str(cid_check_digit(first))


ADMIN_CID = made_up_cid(1)
HR_CID = made_up_cid(2)
OTHER_HR_CID = made_up_cid(3)
PERSON_CID = made_up_cid(4)

_FRESH = itertools.count(1_000_000)


def fresh_cid() -> str:
    """A citizen ID no other call gives: a test's records are each a person of their own, as
    one active record per category per person asks (``record.person_already_active``)."""
    return made_up_cid(next(_FRESH))

"""More e-Plan for the projection world: what the e-Plan reads show beyond the status table.

``add_eplan`` adds locations (a point, a line), progress, a payment and a carry-over, an
amendment of the plan, two subsidy items (one partly paid) and a plan in ตาก with a located
project, so a province's reads have something outside their scope. Everything is made up.
"""

from __future__ import annotations

import uuid

from ledger.domain.eplan import plan_stream_id, subsidy_stream_id
from ledger.domain.permissions import Role, province_scope
from tests import domain_data as d
from tests.projection_world import LAO, TAK, ProjectionWorld

SUBSIDIES = (("lunch", "120000.00", 2562), ("milk", "80000.50", 2563))
"""(item, amount, fiscal year) of the subsidies allocated to the world's LAO."""


def add_eplan(world: ProjectionWorld) -> None:
    """What the projection world leaves out: locations, progress, a carry-over, an amendment,
    subsidies, and a plan in ตาก with a located project."""
    kit, finance = world.kit, world.operators["finance"]
    engineer = kit.operator([Role.EPLAN_ENGINEERING], province_scope("นครพนม"))
    a, b = world.projects["a"], world.projects["b"]
    kit.emit(engineer, a, "ProjectGeoLocated", d.POINT)
    kit.emit(engineer, b, "ProjectGeoLocated", d.LINE)
    kit.emit(finance, b, "ProgressReported", {"percent": 40, "as_of": "2019-08-01"})
    kit.emit(finance, b, "DisbursementMade", {"amount": "30000.00", "paid_on": "2019-08-15"})
    kit.emit(finance, b, "FundsCarriedOver", {"from_year": 2562, "amount": "50000.00"})
    amended = {"amendment_no": 1, "kind": "addition", "reason": "เพิ่มโครงการ"}
    kit.emit(world.operators["planning"], world.plans["main"], "PlanAmended", amended)
    for item, amount, year in SUBSIDIES:
        stream = subsidy_stream_id(str(LAO.lao), year, "general", item)
        data = d.subsidy(LAO, item, fiscal_year=year, amount=amount)
        kit.emit(finance, stream, "SubsidyAllocated", data)
    lunch = subsidy_stream_id(str(LAO.lao), 2562, "general", "lunch")
    kit.emit(finance, lunch, "SubsidyDisbursed", {"amount": "60000.00", "paid_on": "2019-05-01"})
    tak_planning = kit.operator([Role.EPLAN_PLANNING, Role.EPLAN_ENGINEERING], TAK)
    tak_plan = plan_stream_id(str(TAK.lao), 2562, 2564)
    world.plans["tak"] = tak_plan
    kit.emit(tak_planning, tak_plan, "PlanDrafted", d.plan(TAK, 2562, 2564))
    kit.emit(tak_planning, tak_plan, "StrategyAdded", {"strategy": "1", "title": "ด้านถนน"})
    world.projects["tak"] = uuid.uuid4()
    kit.emit(tak_planning, world.projects["tak"], "PlanProjectAdded",
             d.project(tak_plan, TAK, {"2562": "70000.00"}))  # fmt: skip
    point = {"geometry": {"type": "Point", "coordinates": [99.12, 16.88]}}
    kit.emit(tak_planning, world.projects["tak"], "ProjectGeoLocated", point)

"""The SVG charts on their own: well-formed XML with an accessible name, labels escaped, the
target line where its value is on the axis, bars that miss the target marked in shape too."""

from __future__ import annotations

from tests.unit.web.dashboard_kit import charts, shapes, target_share, title_of, values
from web.charts import Bar, Segment, Stack, axis_max, bar_chart, column_chart, stacked_chart

LEGEND = ("ถึงเป้าหมาย", "ต่ำกว่าเป้าหมาย")


def test_a_bar_chart_is_an_image_named_by_its_title_and_description() -> None:
    """role=img, labelled by its title then its description, both Thai as given."""
    svg = charts(
        bar_chart(
            "c",
            "ความครบถ้วน",
            "สรุป",
            [Bar("ก", 50, "50%")],
            target=90,
            target_label="เป้าหมาย 90%",
            legend=LEGEND,
        )
    )["c"]

    assert ("img", "c-title c-desc") == (svg.attrib["role"], svg.attrib["aria-labelledby"])
    assert "ความครบถ้วน" == title_of(svg)


def test_labels_are_escaped_so_the_chart_stays_xml() -> None:
    """A name with markup characters is text in the chart, not markup."""
    name = 'อบต. <"ทดลอง"> & co'
    svg = charts(
        bar_chart(
            "c", name, name, [Bar(name, 95, "95%")], target=90, target_label="90%", legend=LEGEND
        )
    )["c"]

    assert {name: 95} == values(svg, "bar")
    assert name == title_of(svg)


def test_the_target_line_stands_at_its_value_on_a_longer_axis() -> None:
    """On an axis to 60% (a ratio above 50%), the 40% cap sits at two thirds of its length."""
    maximum = axis_max([54.76, None], 60)
    svg = charts(
        bar_chart(
            "s",
            "t",
            "d",
            [Bar("ก", 54.76, "54.76%"), Bar("ข", None, "ไม่มีงบ")],
            target=40,
            target_label="เพดาน 40%",
            legend=LEGEND,
            maximum=maximum,
            over_is_bad=True,
        )
    )["s"]
    (bar,) = shapes(svg, "bar")

    assert 60 == maximum
    assert 40 == target_share(svg)
    assert "true" == bar.attrib["data-missed"]


def test_a_bar_meeting_the_target_is_solid_and_one_missing_it_striped() -> None:
    """At the target a bar is solid; below it, filled with the striped pattern."""
    svg = charts(
        bar_chart(
            "k",
            "t",
            "d",
            [Bar("ผ่าน", 90, "90%"), Bar("ไม่ผ่าน", 89.99, "89.99%")],
            target=90,
            target_label="90%",
            legend=LEGEND,
        )
    )["k"]
    fills = {bar.attrib["data-label"]: bar.attrib["fill"] for bar in shapes(svg, "bar")}

    assert "url(#k-missed)" == fills["ไม่ผ่าน"]
    assert not fills["ผ่าน"].startswith("url(")


def test_stacked_segments_hold_every_count_with_a_legend_of_totals() -> None:
    """Each province's segments sum to its LAOs; the legend names each state with its total."""
    segments = [Segment("draft", "ร่าง", "#4a4a4a", True), Segment("done", "รับรอง", "#1b5e20")]
    html = stacked_chart(
        "p", "t", "d", [Stack("ก", {"draft": 2, "done": 1}), Stack("ข", {"done": 3})], segments
    )
    svg = charts(html)["p"]

    assert [2.0, 1.0, 3.0] == [float(s.attrib["data-value"]) for s in shapes(svg, "segment")]
    assert "ร่าง: 2" in html
    assert "รับรอง: 4" in html


def test_columns_carry_their_values_written_above_them() -> None:
    """A column per year, each with its value as data and as text."""
    html = column_chart("r", "t", "d", [Bar("2563", 1, "1"), Bar("2564", 7, "7")], unit="คน")

    assert {"2563": 1, "2564": 7} == values(charts(html)["r"], "column")
    assert ">7</text>" in html

"""Finding people and reading a ก.พ.๗ in the browser pages: the same reads, scope and access
rules as the API, Thai labels and Buddhist-era dates, each entry's history, the as-of picker."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.people import made_up_cid
from tests.projection_world import LAO, ProjectionWorld, record_owner
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import log_in
from tests.unit.web.world_copy import WorldFile, build_world_file, copy_into, world_on
from web.labels import scope_label

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WorldFile:
    """The read side's world (records with corrections, voids, leave), built once."""
    return build_world_file(tmp_path_factory.mktemp("records-world"))


@pytest.fixture
def settings(settings: LedgerSettings, built: WorldFile) -> LedgerSettings:
    """The test's ledger starts as a copy of the built world."""
    return copy_into(built, settings)


@pytest.fixture
def world(built: WorldFile, ledger: Ledger) -> ProjectionWorld:
    """The read side's world on the app's ledger (the test's copy)."""
    return world_on(built, ledger)


@pytest.fixture
def hr(client: TestClient, world: ProjectionWorld) -> TestClient:
    """The client logged in as the HR officer of เทศบาลตำบลตัวอย่าง (6480101)."""
    log_in(client, world.kit.hr.signer)
    return client


def _entry(html: str, entry_id: str) -> str:
    found = re.search(rf'<article[^>]*id="entry-{entry_id}".*?</article>', html, re.S)
    assert found is not None, f"no entry {entry_id}"
    return found.group(0)


def test_search_by_thai_name(hr: TestClient, world: ProjectionWorld) -> None:
    """A Thai first name finds the person, linked to their ก.พ.๗, in an accessible table."""
    html = hr.get("/app/records", params={"q": "สอง"}).text
    assert f'href="/app/records/{world.records["r2"]}"' in html
    assert '<table id="results-table">' in html
    assert '<th scope="col">' in html
    assert "พบ 1 คน" in html
    assert [] == page_problems(html)


def test_results_name_the_lao_with_its_code_in_small_text(
    hr: TestClient, world: ProjectionWorld
) -> None:
    """The organization column names the LAO as the registry does, the DLA code beside it in
    smaller text; in English too (a proper name stays Thai)."""
    html = hr.get("/app/records", params={"q": "สอง"}).text
    assert f'เทศบาลตำบลตัวอย่าง <small class="lao-code">รหัส {LAO.lao}</small>' in html
    hr.cookies.set("lang", "en")
    english = hr.get("/app/records", params={"q": "สอง"}).text
    assert f'เทศบาลตำบลตัวอย่าง <small class="lao-code">code {LAO.lao}</small>' in english


def test_the_header_names_the_callers_lao(hr: TestClient, world: ProjectionWorld) -> None:
    """An LAO-scoped officer's header names their LAO as the registry does, its code beside."""
    html = hr.get("/app/records").text
    assert f'<span class="who-scope">เทศบาลตำบลตัวอย่าง ({LAO.lao}) จังหวัดนครพนม</span>' in html
    hr.cookies.set("lang", "en")
    english = hr.get("/app/records").text
    assert f"เทศบาลตำบลตัวอย่าง ({LAO.lao}), นครพนม province" in english


def test_the_header_after_a_search_names_the_lao_as_every_page_does(
    hr: TestClient, world: ProjectionWorld
) -> None:
    """A search posted (by the form, or by htmx drawing the whole page) answers a page whose
    header names the LAO by name, as the other pages do, never as ``อปท. 6480101``."""
    header = f'<span class="who-scope">เทศบาลตำบลตัวอย่าง ({LAO.lao}) จังหวัดนครพนม</span>'

    posted = hr.post("/app/records", data={"q": "สอง"}).text
    by_htmx = hr.post("/app/records", data={"q": "สอง"}, headers={"HX-Request": "true"}).text

    assert header in posted
    assert header in by_htmx
    assert f"อปท. {LAO.lao}" not in by_htmx


def test_an_lao_the_registry_does_not_name_shows_its_code() -> None:
    assert "อปท. 6480101 จังหวัดนครพนม" == scope_label(LAO, "th")
    assert "LAO 6480101, นครพนม province" == scope_label(LAO, "en", None)


def test_search_by_citizen_id_in_thai_digits(hr: TestClient, world: ProjectionWorld) -> None:
    """A citizen ID typed in Thai digits with dashes finds its person."""
    cid = world.kit.ledger.aggregate(world.records["r1"]).cid  # type: ignore[attr-defined]
    typed = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}".translate(THAI_DIGITS)
    html = hr.get("/app/records", params={"q": typed}).text
    assert f'href="/app/records/{world.records["r1"]}"' in html
    assert "พบ 1 คน" in html


def test_a_bad_citizen_id_is_named_beside_the_box(hr: TestClient, world: ProjectionWorld) -> None:
    """A citizen ID whose check digit is wrong is refused beside the box in Thai and English."""
    response = hr.get("/app/records", params={"q": "1234567890123"})
    assert 200 == response.status_code
    assert 'id="search-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "search.cid_invalid" in response.text


def test_search_keeps_to_the_callers_scope(hr: TestClient, world: ProjectionWorld) -> None:
    """A person of another province is not found by an LAO's HR officer."""
    html = hr.get("/app/records", params={"q": "หก"}).text
    assert "พบ 0 คน" in html
    assert str(world.records["r6"]) not in html


def test_live_search_answers_the_results_region(hr: TestClient, world: ProjectionWorld) -> None:
    """htmx gets only the results region, with the count for the live region."""
    response = hr.get(
        "/app/records",
        params={"q": "สาม"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    assert "<html" not in response.text
    assert 'hx-swap-oob="innerHTML:#status"' in response.text
    assert str(world.records["r3"]) in response.text


def test_search_needs_a_session(client: TestClient, world: ProjectionWorld) -> None:
    """Without a session the search page sends one to log in, back to the search but without
    the searched words (the login address is in access logs)."""
    response = client.get("/app/records", params={"q": "สอง"}, follow_redirects=False)
    assert (303, "/app/login?next=%2Fapp%2Frecords") == (
        response.status_code,
        response.headers["location"],
    )


def test_the_kp7_page_by_section_with_thai_dates(hr: TestClient, world: ProjectionWorld) -> None:
    """Sections in Thai, dates in the Buddhist era, money with separators, each entry's signer
    by key and role (never the officer's citizen ID) and its event hash."""
    html = hr.get(f"/app/records/{world.records['r1']}").text
    assert "ข้อมูลทั่วไป" in html
    assert 'id="section-position_salary"' in html
    salary = _entry(html, str(world.versions["r1.PositionSalaryEntryAdded"]))
    assert "20,000.00" in salary
    assert "1 เม.ย. 2562" in salary
    assert world.kit.hr.signer.key_id in salary
    assert "นักทรัพยากรบุคคล" in salary
    assert re.search(r"#<code>[0-9a-f]{12}</code>", salary)
    assert world.kit.hr.cid not in html
    assert "10 พฤษภาคม 2503" in html  # the birth date, long form
    assert [] == page_problems(html)


def test_the_kp7_page_names_the_lao(hr: TestClient, world: ProjectionWorld) -> None:
    """The summary's organization is the LAO's registered name, not its code alone."""
    html = hr.get(f"/app/records/{world.records['r1']}").text
    found = re.search(r'<dd id="kp7-lao">(.*?)</dd>', html, re.S)
    assert found is not None
    assert "เทศบาลตำบลตัวอย่าง" in found.group(1)
    assert f'<small class="lao-code">รหัส {LAO.lao}</small>' in found.group(1)


def test_the_kp7_page_shows_corrections_and_voids(hr: TestClient, world: ProjectionWorld) -> None:
    """A corrected entry shows its current data, what it was, the reason and the signer; a
    voided one is marked; live entries offer correct and void, the record a new entry."""
    html = hr.get(f"/app/records/{world.records['r2']}").text
    version = world.versions["r2.PositionSalaryEntryAdded"]
    corrected = _entry(html, str(version))
    assert "31,000.00" in corrected
    assert "30,000.00" in corrected  # before the correction
    assert "พิมพ์เงินเดือนผิด" in corrected
    assert "แก้ไขแล้ว" in corrected
    assert 'class="correct-link"' in corrected
    voided = [a for a in re.findall(r"<article.*?</article>", html, re.S) if "ยกเลิกแล้ว" in a]
    assert 1 == len(voided)
    assert "คำสั่งถูกยกเลิก" in voided[0]
    assert 'class="void-link"' not in voided[0]
    assert f'href="/app/records/{world.records["r2"]}/new"' in html


def test_the_as_of_picker_reads_thai_digits(hr: TestClient, world: ProjectionWorld) -> None:
    """As of ๓๐/๐๙/๒๕๖๒ (orders in effect, later corrections applied) the salary entry of
    1 Oct 2562 is not there yet; now it is (voided)."""
    stream = world.records["r2"]
    then = hr.get(f"/app/records/{stream}", params={"as_of": "๓๐/๐๙/๒๕๖๒", "view": "effective"})
    assert "31,000.00" in then.text
    assert "33,000.00" not in then.text
    assert "30 กันยายน 2562" in then.text
    assert "33,000.00" in hr.get(f"/app/records/{stream}").text


def test_as_of_before_the_record_was_recorded(hr: TestClient, world: ProjectionWorld) -> None:
    """As the ledger knew it on 1/5/2562 (before any of it was keyed in) there is no record,
    and the page offers the orders in effect that day, which do show it."""
    stream = world.records["r1"]
    known = hr.get(f"/app/records/{stream}", params={"as_of": "1/5/2562", "view": "known"})
    assert 'id="not-yet"' in known.text
    assert f"/app/records/{stream}?as_of=1/5/2562&amp;view=effective" in known.text
    effective = hr.get(f"/app/records/{stream}", params={"as_of": "1/5/2562"}).text
    assert 'id="not-yet"' not in effective
    assert "20,000.00" in effective


def test_an_unreadable_as_of_is_named_beside_the_field(
    hr: TestClient, world: ProjectionWorld
) -> None:
    """A two-digit year is refused beside the date field, never a 5xx."""
    response = hr.get(f"/app/records/{world.records['r1']}", params={"as_of": "1/4/62"})
    assert 200 == response.status_code
    assert "date.two_digit_year" in response.text
    assert "ปีต้องเขียนเต็มสี่หลัก" in response.text


def test_a_record_outside_the_scope_is_a_thai_404(hr: TestClient, world: ProjectionWorld) -> None:
    """Another province's record, and one that does not exist, are the same 404 page."""
    outside = hr.get(f"/app/records/{world.records['r6']}")
    unknown = hr.get("/app/records/00000000-0000-4000-8000-000000000000")
    assert (404, 404) == (outside.status_code, unknown.status_code)
    assert "ไม่พบประวัตินี้ในส่วนที่ท่านมีสิทธิ์อ่าน" in outside.text
    stream = str(world.records["r6"])
    unknown_text = unknown.text.replace("00000000-0000-4000-8000-000000000000", stream)
    assert outside.text == unknown_text
    assert "หก" not in outside.text


def test_a_role_that_reads_no_salary_is_refused(client: TestClient, world: ProjectionWorld) -> None:
    """A planner does not read personnel records: the page is a 403 in Thai."""
    log_in(client, world.operators["planning"].signer)
    response = client.get(f"/app/records/{world.records['r1']}")
    assert 403 == response.status_code
    assert '<html lang="th">' in response.text


def test_a_malformed_record_id_is_a_400_page(hr: TestClient, world: ProjectionWorld) -> None:
    """A path that is not a record id is a Thai 400 page, not a 5xx or JSON."""
    response = hr.get("/app/records/not-a-uuid")
    assert 400 == response.status_code
    assert "text/html" in response.headers["content-type"]


def test_the_record_owner_reads_only_their_own(client: TestClient, world: ProjectionWorld) -> None:
    """A record owner (enrolled by her record where the ledger has a vault) finds and reads
    her own record only (the API's rule): a search by another's name finds no one."""
    owner = record_owner(world, "r1")
    log_in(client, owner.signer)
    assert 200 == client.get(f"/app/records/{world.records['r1']}").status_code
    assert 404 == client.get(f"/app/records/{world.records['r2']}").status_code
    assert made_up_cid(1) not in client.get("/app/").text
    found = client.get("/app/records?q=สอง")
    assert str(world.records["r2"]) not in found.text


def test_every_page_is_thai_and_labelled(hr: TestClient, world: ProjectionWorld) -> None:
    """Home, search, ก.พ.๗, login and an error page: lang="th", one main, labelled fields."""
    pages = [
        "/app/",
        "/app/records",
        "/app/records?q=สอง",
        f"/app/records/{world.records['r1']}",
        "/app/login",
        "/app/no-such-page",
    ]
    assert {page: [] for page in pages} == {
        page: page_problems(hr.get(page).text) for page in pages
    }


def test_the_menu_offers_search_only_to_who_may_search(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The HR officer's menu has ค้นหาบุคคล; a planner's, who reads no personal data, has not,
    and the search page refuses them with a Thai 403 page."""
    log_in(client, world.kit.hr.signer)
    assert 'id="nav-records"' in client.get("/app/").text
    client.post("/app/logout")
    log_in(client, world.operators["planning"].signer)
    assert 'id="nav-records"' not in client.get("/app/").text
    refused = client.get("/app/records", params={"q": "สอง"})
    assert 403 == refused.status_code
    assert '<html lang="th">' in refused.text


def test_the_search_form_posts_and_pushes_no_address(hr: TestClient) -> None:
    """The box posts (plain and htmx) and pushes nothing into the history: a citizen ID or a
    name typed there never becomes part of an address (PDPA)."""
    html = hr.get("/app/records").text

    form = re.search(r'<form id="search-form".*?>', html, re.S)

    assert form is not None
    assert 'method="post"' in form.group(0)
    assert 'hx-post="/app/records"' in form.group(0)
    assert "hx-push-url" not in html


def test_a_posted_citizen_id_finds_and_stays_out_of_the_address(
    hr: TestClient, world: ProjectionWorld
) -> None:
    """A POST of the citizen ID answers the results page at ``/app/records``, whose links and
    forms carry no query; htmx's POST gets the results region alone."""
    cid = world.kit.ledger.aggregate(world.records["r1"]).cid  # type: ignore[attr-defined]

    page = hr.post("/app/records", data={"q": cid})
    region = hr.post(
        "/app/records",
        data={"q": cid},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )

    assert (200, "http://testserver/app/records") == (page.status_code, str(page.url))
    assert f'href="/app/records/{world.records["r1"]}"' in page.text
    assert "?q=" not in page.text
    assert [] == page_problems(page.text)
    assert "<html" not in region.text
    assert str(world.records["r1"]) in region.text


def test_the_pager_posts_the_query(
    hr: TestClient, world: ProjectionWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more people than a page holds, next and previous are POST forms carrying the query
    and the page in hidden fields, never links with the query in them."""
    monkeypatch.setattr("web.routes.records.PAGE_SIZE", 1)

    first = hr.post("/app/records", data={"q": "ทดสอบ"}).text
    second = hr.post("/app/records", data={"q": "ทดสอบ", "page": "2"}).text

    assert 'id="pager-next"' in first
    assert 'id="pager-previous"' not in first
    assert 'id="pager-previous"' in second
    assert '<input type="hidden" name="page" value="3">' in second
    assert "?q=" not in first + second
    assert [] == page_problems(second)

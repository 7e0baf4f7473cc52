"""Every page a visitor reaches, in Chromium, on the demo conference: no console error or
page error (the `new_page` fixture fails the test on any), no serious or critical axe-core
finding, and a screenshot of each in test-artifacts/every-page/ to look at."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from portal.demo import seed_demo
from portal.models import User
from posters.models import Author, Paper
from schedule.models import Session
from tests.e2e.conftest import AXE_JS, save_artifacts

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    return seed_demo(papers=24, first_day=timezone.now().date())


def serious_axe_findings(page):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def summary(findings):
    return "serious axe-core findings:\n" + "\n".join(
        f"{path}: {f['id']} ({f['impact']}) {json.dumps(f['nodes'])}" for path, found in findings.items() for f in found
    )


def walk(page, paths, name):
    """Visit each path; return {path: serious axe findings} for those that have any."""
    findings = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        save_artifacts(page, f"every-page/{name}{path.replace('/', '_')}")
        if response.headers["content-type"].startswith("application/json"):
            assert page.evaluate("() => JSON.parse(document.body.innerText)"), path  # a JSON endpoint, not a page
            continue
        found = serious_axe_findings(page)
        if found:
            findings[path] = found
    return findings


def public_paths(demo):
    paper = Paper.objects.order_by("uid").first()
    poster_session = Session.objects.filter(kind=Session.Kind.POSTER).order_by("start").first()
    session = Session.objects.exclude(kind=Session.Kind.POSTER).order_by("start").first()
    author = Author.objects.order_by("slug").first()
    return [
        "/",
        "/papers/",
        "/papers/?keyword=" + paper.paper_keywords.first().keyword.slug,
        f"/papers/{paper.uid}/",
        "/papers/map/",
        f"/authors/{author.slug}/",
        "/schedule/",
        f"/schedule/{demo.first_day.isoformat()}/",
        f"/schedule/sessions/{session.pk}/",
        "/now/",
        "/live/",
        "/posters/",
        f"/posters/{poster_session.pk}/",
        "/rooms/",
        "/corridor/",
        f"/rooms/paper:{paper.uid}/",
        "/help/",
        "/code-of-conduct/",
        "/time-zone/",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/docs/",
        "/api/v1/",
    ]


def test_every_public_page_has_no_console_error_and_no_serious_axe_finding(new_page, demo):
    page = new_page()
    findings = walk(page, public_paths(demo), "anonymous")
    assert findings == {}, summary(findings)


def test_every_private_page_has_no_console_error_and_no_serious_axe_finding(new_page, live_server_url, demo):
    attendee = User.objects.get(email=next(a.email for a in demo.accounts if a.role == "attendee"))
    client = Client()
    client.force_login(attendee)
    page = new_page(timezone_id="Asia/Tokyo")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
    )
    paths = ["/me/profile/", "/me/agenda/", "/me/papers/", "/me/mentions/", "/accounts/email/"]
    paths += ["/papers/", "/corridor/", f"/rooms/paper:{Paper.objects.order_by('uid').first().uid}/"]
    findings = walk(page, paths, "attendee")
    assert findings == {}, summary(findings)


CONTRAST = """(el) => {
  function rgb(c) { return c.match(/[\\d.]+/g).slice(0, 3).map(Number); }
  function lum(c) {
    return rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  }
  const style = getComputedStyle(el);
  const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_today_label_and_the_now_line_are_readable(new_page, demo):
    page = new_page()
    page.clock.install()
    for path in ("/schedule/", f"/schedule/{demo.first_day.isoformat()}/"):
        page.goto(path)
        badge = page.locator(".today-badge")
        assert badge.inner_text() == "Today"
        assert badge.evaluate(CONTRAST) >= 4.5, path
    # The "Now" line says the time as the server does, the zone named, each minute too.
    now_line = page.locator("#now-line span")
    assert re.fullmatch(r"Now · \d\d:\d\d UTC", now_line.inner_text())
    assert now_line.evaluate(CONTRAST) >= 4.5
    page.clock.run_for(61_000)
    assert re.fullmatch(r"Now · \d\d:\d\d UTC", now_line.inner_text())
    assert now_line.locator("abbr.zone").evaluate("(el) => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    save_artifacts(page, "every-page/today-label")

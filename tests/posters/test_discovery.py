"""Discovery: similar papers, the map and its regions, surprise me, poster coverage."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from posters.coverage import coverage_table
from posters.discovery import compute_discovery
from posters.models import DiscoveryRun, PaperMapPoint, SimilarPaper
from posters.tasks import compute_discovery as compute_discovery_task
from tests.factories import PaperFactory, SessionFactory, UserFactory
from tests.posters.factories import MONDAY, iclr_like_sessions

TOPICS = {
    "graph": "graph neural networks message passing node edge molecules",
    "rl": "reinforcement learning policy reward agent exploration environment",
    "vision": "image convolutional vision pixels segmentation detection",
}


@pytest.fixture
def corpus(conference):
    papers = {}
    for topic, words in TOPICS.items():
        for n in range(8):
            papers[f"{topic}{n}"] = PaperFactory(
                uid=f"{topic}{n}",
                title=f"{words.split()[n % 4].title()} study {n} of {topic}",
                abstract=" ".join(words.split()[n % 3 :] + words.split()[: n % 3]) + f" variant{n}",
                keyword_names=[topic],
            )
    return papers


def test_similar_papers_share_the_topic(corpus):
    run = compute_discovery()
    assert run.paper_count == 24
    for uid in ("graph0", "rl3", "vision7"):
        similar = SimilarPaper.objects.filter(paper__uid=uid).order_by("position")
        topics = [s.similar.uid.rstrip("0123456789") for s in similar.select_related("similar")]
        assert topics == [uid.rstrip("0123456789")] * 5
        scores = [s.score for s in similar]
        assert scores == sorted(scores, reverse=True)
    assert SimilarPaper.objects.filter(paper_id=F("similar_id")).count() == 0


def test_map_points_and_regions_are_stored_and_served(client, corpus):
    compute_discovery_task.apply()  # the task itself, run here whatever the broker
    assert PaperMapPoint.objects.count() == 24
    assert all(0 <= p.x <= 1 and 0 <= p.y <= 1 for p in PaperMapPoint.objects.all())
    run = DiscoveryRun.objects.get()
    assert sum(r["size"] for r in run.regions) == 24
    data = json.loads(client.get("/papers/map.json").content)
    assert len(data["points"]) == 24
    assert {p[0] for p in data["points"]} == set(corpus)
    matches = client.get("/papers/map.json", {"q": "reinforcement"}).json()["matches"]
    assert sorted(matches) == sorted(u for u in corpus if u.startswith("rl"))
    page = client.get("/papers/map/").content.decode()
    assert 'id="paper-map"' in page and "Computed" in page
    listing = client.get("/papers/map/list/", {"region": "1"}).content.decode()
    region = listing.split('class="region-papers"')[1].split("</ul>")[0]
    assert region.count('<li><a href="/papers/') == run.regions[0]["size"]
    assert client.get("/papers/map/list/", {"region": "junk"}).status_code == 200


def test_recomputing_replaces_the_old_results(corpus):
    compute_discovery()
    compute_discovery()
    assert (DiscoveryRun.objects.count(), SimilarPaper.objects.count(), PaperMapPoint.objects.count()) == (
        1,
        24 * 5,
        24,
    )


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_tiny_and_empty_conferences(conference, n):
    for i in range(n):
        PaperFactory(title="the a of" if i == 0 else f"Paper {i}", abstract="")
    run = compute_discovery()
    assert (run.paper_count, PaperMapPoint.objects.count()) == (n, n)


def test_compute_discovery_command(corpus):
    out = StringIO()
    call_command("compute_discovery", stdout=out)
    assert out.getvalue().startswith("Discovery computed for 24 papers in ")


def test_map_page_without_a_run(client, conference):
    assert "has not been computed yet" in client.get("/papers/map/").content.decode()
    assert client.get("/papers/map.json").json() == {"computed_at": None, "regions": [], "points": []}


def test_surprise_me(client, conference):
    response = client.get("/papers/random/")
    assert (response.status_code, response["Location"]) == (302, "/papers/")
    PaperFactory(uid="only")
    assert client.get("/papers/random/")["Location"] == "/papers/only/"


def test_poster_coverage_for_the_iclr_grid(db, conference):
    iclr_like_sessions()
    out = StringIO()
    call_command("poster_coverage", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[2] == "offset    Sun 26  Mon 27  Tue 28  Wed 29  Thu 30  Fri 01    min"
    assert lines[3] == "UTC-12       (2)       3       3       3     (1)              3"
    assert lines[9] == "UTC-06       (0)       2       2       2     (2)              2   < 3"
    assert lines[15] == "UTC+00                 4       4       4       4              4"
    assert lines[18] == "UTC+03                 4       4       4       4     (0)      4"
    assert lines[-1] == (
        "The promise of at least 3 sessions a day within 08:00–22:00 does NOT hold for 11 of 27 offsets "
        "(full days only): UTC-11, UTC-10, UTC-08, UTC-07, UTC-06, UTC-05, UTC+09, UTC+10, UTC+11, UTC+13, UTC+14."
    )


def test_poster_coverage_judges_full_days_when_the_first_and_last_utc_days_are_partial(db, conference):
    # Round the clock, a two-hour session every two hours, from Monday 12:00 UTC to Thursday 10:00 UTC:
    # six or seven sessions fit any full day's 08:00-22:00, wherever it is.
    start, end = MONDAY + timedelta(hours=12), MONDAY + timedelta(days=3, hours=10)
    sessions = [
        SessionFactory(uid=f"s{n}", start=start + timedelta(hours=2 * n), end=start + timedelta(hours=2 * n + 2))
        for n in range((end - start) // timedelta(hours=2))
    ]
    table = coverage_table(sessions)
    utc, auckland, karachi = table.rows[0], table.rows[12], table.rows[5]
    monday, thursday = MONDAY.date(), MONDAY.date() + timedelta(days=3)
    assert (utc.counts, utc.partial) == (
        {monday: 5, monday + timedelta(days=1): 7, monday + timedelta(days=2): 7, thursday: 1},
        {monday, thursday},
    )
    # In Auckland the conference begins at 00:00 Tuesday (full) and ends 22:00 Thursday (full).
    assert (list(auckland.counts.values()), auckland.partial) == ([7, 7, 7], frozenset())
    # At UTC+05 it begins at 17:00 Monday and ends at 15:00 Thursday: both partial.
    assert (list(karachi.counts.values()), sorted(karachi.partial)) == ([2, 6, 6, 3], [monday, thursday])
    out = StringIO()
    call_command("poster_coverage", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[2] == "offset    Mon 27  Tue 28  Wed 29  Thu 30    min"
    assert lines[15] == "UTC+00       (5)       7       7     (1)      7"
    assert lines[-1] == (
        "The promise holds: at every offset from UTC−12 to UTC+14 with a full conference day, at least 3 poster "
        "sessions on every full day fall wholly within 08:00–22:00 local time."
    )


def test_organisers_read_the_coverage_in_admin_as_the_command_prints_it(db, conference, client):
    iclr_like_sessions()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert 'href="/admin/posters/posterslot/coverage/"' in client.get("/admin/posters/posterslot/").content.decode()
    html = client.get("/admin/posters/posterslot/coverage/").content.decode()
    assert '<th scope="row">UTC-6</th>' in html
    assert '<strong class="short">2 &lt; 3</strong>' in html
    assert "<td>(2)</td>" in html
    assert "does NOT hold for 11 of 27 offsets" in html
    client.force_login(UserFactory())
    assert client.get("/admin/posters/posterslot/coverage/").status_code == 302

"""The real ICLR 2020 data, imported with the project's own commands, then browsed."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from posters.assignment import AssignmentWouldReplace, assign_posters, time_block
from posters.models import Paper, PosterSlot

pytestmark = pytest.mark.iclr


@pytest.fixture
def iclr(db, conference, shared_data):
    call_command("import_papers", str(shared_data / "iclr2020/sitedata/papers.json"), stdout=StringIO())
    call_command("import_poster_slots", str(shared_data / "iclr2020_poster_slots.csv"), stdout=StringIO())


def count(response):
    return int(re.search(r'id="result-count"><strong>(\d+)</strong>', response.content.decode()).group(1))


def titles(response):
    html = re.sub(r"</?mark>", "", response.content.decode())
    return re.findall(r'class="paper-title"><a href="/papers/[^/]+/">(.*?)</a>', html)


def test_browse_the_iclr_papers(client, iclr):
    assert count(client.get("/papers/")) == 687
    # A known title, found by its first author's surname.
    assert titles(client.get("/papers/", {"q": "Cordonnier"})) == [
        "On the Relationship between Self-Attention and Convolutional Layers"
    ]
    sessions = client.get("/api/v1/poster-sessions/").json()["results"]
    assert (len(sessions), sum(s["paper_count"] for s in sessions)) == (20, 1374)
    client.cookies["tz"] = "America/Los_Angeles"
    page = client.get("/papers/B1e9Y2NYvS/").content.decode()
    assert page.count('title="America/Los_Angeles">PDT</abbr></span>') == 2


def test_assigning_the_iclr_papers(iclr):
    # The imported line-up is not discarded silently: the assignment says what it would change.
    before = sorted(PosterSlot.objects.values_list("paper_id", "session_id"))
    with pytest.raises(AssignmentWouldReplace, match=r"^The assignment would remove \d+ slots the papers already have"):
        assign_posters()
    assert sorted(PosterSlot.objects.values_list("paper_id", "session_id")) == before
    result = assign_posters(replace=True)
    sizes = sorted(result.sessions.values())
    assert (sizes[0], sizes[-1], sum(sizes)) == (68, 69, 1374)
    for paper in Paper.objects.prefetch_related("poster_slots__session"):
        assert len({time_block(s.session) for s in paper.poster_slots.all()}) == 2
    assert PosterSlot.objects.count() == 1374


def test_iclr_coverage_statement(iclr):
    out = StringIO()
    call_command("poster_coverage", stdout=out)
    assert (
        out.getvalue()
        .splitlines()[-1]
        .startswith("The promise of at least 3 sessions a day within 08:00–22:00 does NOT hold for 11 of 27 offsets")
    )

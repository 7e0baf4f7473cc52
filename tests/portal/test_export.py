"""The static export (issue 19, deliverable 2): `manage.py export_static DIR`.

What is exported is what the apps register as public, rendered through the real views as
an anonymous visitor in UTC, with relative links; nothing unreleased or private enters
it; bad targets are refused; an interrupted export leaves the previous one whole."""

import json
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.export import ExportRefused, export_site
from portal.models import Conference
from portal.public import register_public_paths
from posters.models import Author
from schedule.recordings.mirrors import sync_mirror
from schedule.recordings.models import MirrorSync, Recording
from tests.chat.factories import MessageFactory, RoomFactory
from tests.factories import AuthorFactory, PaperFactory, PosterSlotFactory, SessionFactory
from tests.schedule.factories import recording_with_720p

pytestmark = pytest.mark.django_db

NOW = datetime(2020, 4, 27, 5, 30, tzinfo=UTC)  # inside the first poster session
CALL = "https://zoom.us/j/98765?pwd=CALLSECRET"
HREF = re.compile(r'\s(?:href|src|data|poster)="([^"]*)"')


@pytest.fixture
def site(settings):
    """A conference in its first poster session: a released video, an unreleased one and a
    held one; a call link open now; an author's e-mail; a hidden message."""
    conference = Conference.get()
    conference.name = "ICLR 2020"
    conference.call_link_visibility = Conference.CallLinkVisibility.EVERYONE
    conference.save()
    session = SessionFactory(title="Poster session 1", start=datetime(2020, 4, 27, 5, tzinfo=UTC))
    out = PaperFactory(uid="out", title="Released talk", keyword_names=["graphs"], author_names=["Ada Lovelace"])
    late = PaperFactory(uid="late", title="Later talk", keyword_names=["graphs", "optimisation"])
    held = PaperFactory(uid="held", title="Held talk")
    for paper in (out, late, held):
        PosterSlotFactory(paper=paper, session=session, call_link=CALL)
    Author.objects.filter(name="Ada Lovelace").update(email="ada@private.example.org")
    released = recording_with_720p("paper:out", date(2020, 4, 27), b"released-video")
    released.release_override = Recording.Override.EARLY
    released.save()
    unreleased = recording_with_720p("paper:late", date(2030, 1, 1), b"unreleased-video")
    unreleased.release_at = datetime(2030, 1, 1, tzinfo=UTC)
    unreleased.save()
    withheld = recording_with_720p("paper:held", date(2020, 4, 26), b"held-video")
    withheld.release_override = Recording.Override.HELD
    withheld.save()
    room = RoomFactory(key="paper:out", kind="paper", title="Released talk")
    MessageFactory(room=room, body="Lovely work", html="<p>Lovely work</p>")
    MessageFactory(room=room, body="HIDDEN-INSULT", html="<p>HIDDEN-INSULT</p>", hidden_at=NOW)
    return {"released": released, "unreleased": unreleased, "held": withheld}


def export(target, **options):
    with time_machine.travel(NOW, tick=False):
        return export_site(target, **options)


def all_files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def broken_links(root):
    """Every relative link of every exported page that names no file of the export."""
    root = Path(root)
    broken = []
    for page in root.rglob("*.html"):
        for url in HREF.findall(page.read_text()):
            url = url.replace("&amp;", "&")
            if url.startswith(("#", "data:", "http:", "https:", "mailto:")) or not url:
                continue
            base = page.relative_to(root).as_posix()
            path = unquote(urlsplit(urljoin(base, url)).path)
            if not (root / path).is_file():
                broken.append(f"{base}: {url}")
    return broken


def test_the_export_holds_every_public_page_with_relative_links(site, tmp_path):
    report = export(tmp_path / "site")
    root = tmp_path / "site"
    names = {p.relative_to(root).as_posix() for p in all_files(root)}
    for expected in (
        "index.html",
        "papers/index.html",
        "papers/out/index.html",
        "papers/out/calendar.ics",
        "papers/map/index.html",
        "papers/map.json",
        "papers/search-index.js",
        "schedule/index.html",
        "schedule/2020-04-27/index.html",
        "calendar.ics",
        "posters/index.html",
        "authors/ada-lovelace/index.html",
        "api/v1/papers/index.json",
        "api/v1/papers/out/index.json",
        "api/v1/sessions/index.json",
        "static/css/portal.css",
        "static/js/export.js",
    ):
        assert expected in names, expected
    assert broken_links(root) == []
    assert report.pages == len([n for n in names if n.endswith(".html")])
    assert report.files == len(names)
    assert report.bytes == sum(p.stat().st_size for p in all_files(root))
    paper = (root / "papers/out/index.html").read_text()
    assert '<a href="../index.html">Papers</a>' in paper
    assert 'href="../../static/css/portal.css"' in paper
    assert "<p>Lovely work</p>" in paper
    # Rendered in UTC, with the zone named; the browser turns it local (static/js/export.js).
    assert '<time datetime="2020-04-27T05:00:00+00:00">Monday 27 April, 05:00</time>' in paper
    assert "js/state.js" not in paper and "htmx" not in paper and "js/chat.js" not in paper


def test_the_api_lists_are_written_whole(site, tmp_path, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}  # three papers: two pages
    export(tmp_path / "site")
    papers = json.loads((tmp_path / "site/api/v1/papers/index.json").read_text())
    assert sorted(p["uid"] for p in papers["results"]) == ["held", "late", "out"]
    assert papers["next"] is None


def test_the_search_index_lists_every_paper_with_its_keywords(site, tmp_path):
    export(tmp_path / "site")
    script = (tmp_path / "site/papers/search-index.js").read_text()
    assert script.startswith("window.portalPaperIndex = {")
    index = json.loads(script.removeprefix("window.portalPaperIndex = ").rstrip().removesuffix(";"))
    assert index["keywords"] == {"graphs": "graphs", "optimisation": "optimisation"}
    assert [(p["u"], p["k"]) for p in index["papers"]] == [
        ("held/index.html", []),
        ("late/index.html", ["graphs", "optimisation"]),
        ("out/index.html", ["graphs"]),
    ]


def test_nothing_unreleased_or_private_enters_the_export(site, tmp_path):
    export(tmp_path / "site", with_media=True, site_url="https://portal.example.org")
    root = tmp_path / "site"
    unreleased, held = site["unreleased"].pk, site["held"].pk
    found = {}
    for path in all_files(root):
        data = path.read_bytes()
        for needle in (
            b"zoom.us",
            b"CALLSECRET",
            f"/media/recordings/{unreleased}/".encode(),
            f"media/recordings/{held}/".encode(),
            b"unreleased-video",
            b"held-video",
            b"private.example.org",
            b"HIDDEN-INSULT",
            b'name="csrfmiddlewaretoken" value="',  # a token (schedule.js names the field)
        ):
            if needle in data:
                found.setdefault(needle.decode(), []).append(path.relative_to(root).as_posix())
    assert found == {}
    # The released video is copied in; nothing else of the media.
    media = sorted(p.relative_to(root).as_posix() for p in (root / "media").rglob("*") if p.is_file())
    assert media == [f"media/recordings/{site['released'].pk}/720p.mp4"]
    assert (root / media[0]).read_bytes() == b"released-video"
    page = (root / "papers/out/index.html").read_text()
    assert f'<source src="../../media/recordings/{site["released"].pk}/720p.mp4"' in page
    # What the export cannot hold points at the live portal.
    assert 'href="https://portal.example.org/me/call/slot:' not in page
    assert "Join the video call from the live portal." in page


def test_videos_point_at_the_mirror_without_media(site, tmp_path, settings):
    settings.MEDIA_MIRRORS = ["https://mirror-a.example.org", "https://mirror-b.example.org/media-copy"]
    export(tmp_path / "site")
    page = (tmp_path / "site/papers/out/index.html").read_text()
    pk = site["released"].pk
    assert f'<source src="https://mirror-a.example.org/media/recordings/{pk}/720p.mp4"' in page
    assert 'data-mirrors="https://mirror-b.example.org/media-copy"' in page
    assert not (tmp_path / "site/media").exists()


def test_the_command_says_what_it_wrote(site, tmp_path, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("export_static", str(tmp_path / "site"))
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"Exported to .*/site: \d+ pages, \d+ files \(0 media\), \d+\.\d MB in \d+\.\d s; peak memory \d+ MiB\n", out
    ), out


def test_the_command_renders_in_a_process_per_core_only_outside_a_transaction(monkeypatch):
    """A database server: every core (ICLR in 29 s with two, 69 s with one); SQLite, or a
    transaction other processes cannot see into (this test's): one."""
    from types import SimpleNamespace

    from portal.management.commands.export_static import default_jobs

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_jobs() == 1  # inside this test's transaction (or on SQLite)
    assert default_jobs(SimpleNamespace(vendor="postgresql", in_atomic_block=True)) == 1
    assert default_jobs(SimpleNamespace(vendor="postgresql", in_atomic_block=False)) == 2
    assert default_jobs(SimpleNamespace(vendor="sqlite", in_atomic_block=False)) == 1


def test_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match=r"/file is a file, not a directory: give a directory to export into\."):
        call_command("export_static", str(tmp_path / "file"))


def test_a_non_empty_directory_is_refused_without_force(site, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    with pytest.raises(ExportRefused, match=r"is not empty: give an empty directory, or --force"):
        export(tmp_path / "site")
    assert (tmp_path / "site" / "notes.txt").read_text() == "mine"
    export(tmp_path / "site", force=True)
    assert not (tmp_path / "site" / "notes.txt").exists()
    assert (tmp_path / "site" / "index.html").is_file()


def test_an_unwritable_place_is_refused():
    with pytest.raises(ExportRefused, match=r"^/proc/portal-export cannot be written"):
        export_site("/proc/portal-export")
    with pytest.raises(ExportRefused, match=r"^/no/such/place does not exist"):
        export_site("/no/such/place/export")


def test_an_interrupted_export_leaves_the_previous_one_whole(site, tmp_path):
    export(tmp_path / "site")
    before = {p: p.read_bytes() for p in all_files(tmp_path / "site")}

    def failing():
        yield "/help/"
        raise RuntimeError("the database went away")

    register_public_paths("zz-failing", failing)
    try:
        with pytest.raises(RuntimeError, match="the database went away"):
            export(tmp_path / "site", force=True)
    finally:
        from portal import public

        public._sources.pop("zz-failing")
    assert {p: p.read_bytes() for p in all_files(tmp_path / "site")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "site"]  # no temporary directory left


def test_the_archive_is_exported_with_its_front_page(site, tmp_path):
    conference = Conference.get()
    conference.phase_override = "archived"
    conference.save()
    export(tmp_path / "site", with_media=True)
    home = (tmp_path / "site/index.html").read_text()
    assert "This is the archive of ICLR 2020" in home
    assert '<a href="papers/out/index.html">Released talk</a>' in home
    # Archived: every recording is released, except the one held back.
    media = {p.name for p in (tmp_path / "site/media/recordings").iterdir()}
    assert media == {str(site["released"].pk), str(site["unreleased"].pk)}


# --- mirrors ---------------------------------------------------------------------------


def test_sync_mirror_copies_released_media_only_and_removes_what_is_held(site, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with time_machine.travel(NOW, tick=False):
        result = sync_mirror(f"file://{mirror}")
    released = site["released"].pk
    assert (result.files, result.copied, result.removed) == (1, 1, 0)
    assert [p.relative_to(mirror).as_posix() for p in all_files(mirror)] == [f"media/recordings/{released}/720p.mp4"]
    record = MirrorSync.objects.get()
    assert (record.mirror, record.synced_at, record.files, record.bytes) == (f"file://{mirror}", NOW, 1, 14)
    # Held back after its release: it leaves the mirror at the next sync.
    Recording.objects.filter(pk=released).update(release_override=Recording.Override.HELD)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        result = sync_mirror(str(mirror))
    assert (result.files, result.copied, result.removed) == (0, 0, 1)
    assert all_files(mirror) == []


def test_an_unreachable_mirror_is_reported_and_its_record_unchanged(site, tmp_path, capsys):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with time_machine.travel(NOW, tick=False):
        call_command("sync_mirror", f"file://{mirror}")
    before = list(MirrorSync.objects.values())
    shutil.rmtree(mirror)  # the volume went away
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), pytest.raises(CommandError) as failed:
        call_command("sync_mirror", f"file://{mirror}", "https://cdn.example.org")
    assert str(failed.value) == (f"2 of 2 mirrors could not be synced: file://{mirror}, https://cdn.example.org")
    err = capsys.readouterr().err
    assert (
        f"not synced: file://{mirror}: {mirror} is not a directory that can be reached; its record is unchanged" in err
    )
    assert (
        "https://cdn.example.org: sync_mirror writes file:// or local-path mirrors; copy to https:// ones with rclone"
        in err
    )
    assert list(MirrorSync.objects.values()) == before


# --- the sitemap and the beat task -----------------------------------------------------


def test_the_sitemap_lists_the_registered_pages(site, client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    response = client.get("/sitemap.xml")
    assert response["Content-Type"] == "application/xml"
    assert response["Cache-Control"] == "public, max-age=3600"
    body = b"".join(response.streaming_content).decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", body)
    assert "https://portal.example.org/" in locations
    assert "https://portal.example.org/papers/out/" in locations
    assert "https://portal.example.org/schedule/2020-04-27/" in locations
    assert not [url for url in locations if "/api/" in url or url.endswith((".ics", ".json"))]


def test_the_beat_refreshes_the_fallback_copy_when_configured(site, tmp_path, settings, tasks_in_process):
    from portal.tasks import refresh_static_export

    assert "static-export" not in settings.CELERY_BEAT_SCHEDULE  # off by default
    settings.PORTAL_EXPORT_DIR = str(tmp_path / "fallback")
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    with time_machine.travel(NOW, tick=False):
        first = refresh_static_export.delay().get()
        again = refresh_static_export.delay().get()  # into the same directory: swapped whole
    assert re.match(r"\d+ pages, ", first) and re.match(r"\d+ pages, ", again)
    page = (tmp_path / "fallback/papers/out/index.html").read_text()
    assert "<h1>Released talk</h1>" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fallback", "media"]


@pytest.mark.postgres
def test_two_processes_write_the_same_export_as_one(transactional_db, site, tmp_path):
    one = export(tmp_path / "one")
    two = export(tmp_path / "two", jobs=2)
    files = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in all_files(tmp_path / "one")}
    assert {p.relative_to(tmp_path / "two"): p.read_bytes() for p in all_files(tmp_path / "two")} == files
    assert (two.pages, two.files, two.bytes, two.skipped) == (one.pages, one.files, one.bytes, 0)


def test_pages_rendered_many_at_once_are_what_their_views_answer(site, tmp_path):
    """A source that renders its pages together (every author's, every paper's API detail)
    gives each path's bytes as a request to its view does, and every path of its own."""
    from portal.export import UTC as EXPORT_ZONE
    from portal.export import Export
    from portal.public import export_render, public_path_sources
    from posters.models import Authorship

    second = PaperFactory(uid="second", title="A second paper", author_names=["Ada Lovelace", "Alan Turing"])
    Authorship.objects.create(paper=second, author=AuthorFactory(name="Nobody Yet", slug="nobody-yet"), position=9)
    Author.objects.create(name="No papers", slug="no-papers")
    with time_machine.travel(NOW, tick=False):
        exporter = Export(tmp_path, with_media=False, site_url="", media_url="", now=NOW)
        with export_render(exporter.plan), timezone.override(EXPORT_ZONE):
            sources = [source for source in public_path_sources() if source.pages is not None]
            assert sorted(source.name for source in sources) == ["authors", "paper-api"]
            for source in sources:
                rendered = dict(source.pages(lambda path: True, exporter.request_for))
                assert sorted(rendered) == sorted(source.paths())
                for path, response in rendered.items():
                    answer = exporter.get(path)
                    assert (response.status_code, response["Content-Type"]) == (200, answer["Content-Type"])
                    assert response.content == answer.content, path
                odd = dict(source.pages(lambda path: path.endswith("/no-papers/"), exporter.request_for))
                assert list(odd) == (["/authors/no-papers/"] if source.name == "authors" else [])


@pytest.mark.django_db
def test_the_features_public_pages_are_exported_and_nothing_private():
    """Keynotes, public booths, sponsors, workshops and opted-in people register their
    pages for the export and the sitemap; a self-organised booth and a person who never
    opted in are in no source."""
    from booths.services import private
    from people.models import Profile
    from portal.public import public_path_sources
    from tests.booths.factories import BoothFactory, SponsorFactory
    from tests.chat.factories import AttendeeFactory
    from tests.keynotes.factories import KeynoteFactory
    from tests.people.factories import PersonFactory

    keynote = KeynoteFactory()
    booth = BoothFactory(name="Open booth")
    pending = BoothFactory(name="Pending booth", status=booth.Status.PROPOSED)
    sponsor = SponsorFactory()
    shown = PersonFactory()
    hidden = AttendeeFactory()
    Profile.objects.create(user=hidden, public=False)
    secret = private.start_private_booth(AttendeeFactory(), [hidden], name="Secret booth")
    paths = {path for source in public_path_sources() for path in source.paths()}
    for path in (
        "/keynotes/",
        f"/keynotes/{keynote.slug}/",
        "/booths/",
        f"/booths/{booth.slug}/",
        "/sponsors/",
        "/sponsors/jobs/",
        f"/sponsors/{sponsor.slug}/",
        "/workshops/",
        "/people/",
        f"/people/{shown.pk}/",
    ):
        assert path in paths
    assert f"/booths/{secret.slug}/" not in paths
    assert f"/booths/{pending.slug}/" not in paths
    assert f"/people/{hidden.pk}/" not in paths


def test_a_keynotes_questions_are_exported_without_hidden_ones_or_anonymous_names(site, tmp_path):
    """The keynote's page and its API JSON in the export hold its Q&A as a reader sees it:
    visible and answered questions, not a hidden one, and an anonymous asker's name nowhere."""
    from keynotes.models import Question
    from tests.chat.factories import AttendeeFactory
    from tests.keynotes.factories import KeynoteFactory, QuestionFactory

    keynote = KeynoteFactory(title="Learning to see")
    QuestionFactory(keynote=keynote, body="How does it scale?", votes=7, answered_at=NOW)
    QuestionFactory(
        keynote=keynote, body="Asked quietly?", anonymous=True, author=AttendeeFactory(display_name="Quiet Quentin")
    )
    QuestionFactory(keynote=keynote, body="HIDDEN-QUESTION", status=Question.Status.HIDDEN)
    export(tmp_path / "site")
    page = (tmp_path / "site" / "keynotes" / keynote.slug / "index.html").read_text()
    assert "How does it scale?" in page
    assert "Asked quietly?" in page
    assert "HIDDEN-QUESTION" not in page
    questions = json.loads((tmp_path / f"site/api/v1/keynotes/{keynote.slug}/questions/index.json").read_text())
    assert sorted(q["body"] for q in questions["results"]) == ["Asked quietly?", "How does it scale?"]
    keynotes = json.loads((tmp_path / "site/api/v1/keynotes/index.json").read_text())
    assert [k["slug"] for k in keynotes["results"]] == [keynote.slug]
    everything = "".join(
        p.read_text(errors="ignore") for p in all_files(tmp_path / "site") if p.suffix in {".html", ".json"}
    )
    assert "Quiet Quentin" not in everything
    assert "HIDDEN-QUESTION" not in everything


def test_the_booths_api_is_exported_for_public_booths_only(site, tmp_path):
    from booths.services import private
    from tests.booths.factories import BoothFactory, SponsorFactory
    from tests.chat.factories import AttendeeFactory

    booth = BoothFactory(name="Open booth")
    BoothFactory(name="Pending booth", status=booth.Status.PROPOSED)
    private.start_private_booth(AttendeeFactory(), [AttendeeFactory()], name="Secret booth")
    sponsor = SponsorFactory()
    export(tmp_path / "site")
    api = tmp_path / "site/api/v1"
    assert [b["name"] for b in json.loads((api / "booths/index.json").read_text())["results"]] == ["Open booth"]
    assert json.loads((api / f"booths/{booth.slug}/index.json").read_text())["name"] == "Open booth"
    assert [s["slug"] for s in json.loads((api / "sponsors/index.json").read_text())["results"]] == [sponsor.slug]
    assert (api / "jobs/index.json").is_file() and (api / "workshops/index.json").is_file()
    assert "Secret booth" not in "".join(p.read_text(errors="ignore") for p in all_files(tmp_path / "site"))

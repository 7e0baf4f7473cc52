"""Author uploads at /me/papers/: who may, what is refused and why, and the status shown."""

import pytest

from posters.models import Author
from schedule.models import Recording
from tests.factories import PaperFactory, PosterSlotFactory, UserFactory
from tests.schedule.recording_files import PDF, SRT

# Processing runs in this process (the real worker: tests/posters/test_upload_pipeline.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def paper(conference):
    paper = PaperFactory(uid="p1", title="Tiny talks", author_names=["Ada Lovelace", "Alan Turing"])
    Author.objects.filter(name="Ada Lovelace").update(email="Ada@Example.org")
    PosterSlotFactory(paper=paper)
    return paper


@pytest.fixture
def author(client):
    user = UserFactory(email="ada@example.org")
    client.force_login(user)
    return user


def post(client, kind, path, name=None, **extra):
    with open(path, "rb") as handle:
        return client.post(f"/me/papers/p1/recording/{kind}", {"file": handle}, **JSON, **extra)


def post_bytes(client, kind, data, name, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    return post(client, kind, path)


def test_an_author_sees_their_papers_and_uploads_video_slides_captions(
    client, author, paper, media_dir, tmp_path, django_capture_on_commit_callbacks
):
    page = client.get("/me/papers/authored/")
    assert page.status_code == 200
    assert b"Tiny talks" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "video", media_dir / "talk.mp4")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert client.get("/me/papers/p1/recording/status").json() == {
        "status": "ready",
        "status_label": "Ready",
        "latest": {"number": 1, "status": "ready", "error": "", "attempts": 1},
        "live_version": 1,
        "slides": False,
        "captions": False,
    }
    assert post_bytes(client, "slides", PDF, "slides.pdf", tmp_path).status_code == 200
    assert post_bytes(client, "captions", SRT, "talk.srt", tmp_path).status_code == 200
    recording = Recording.objects.get(subject_key="paper:p1")
    assert (recording.status, bool(recording.slides), bool(recording.captions)) == ("ready", True, True)
    assert recording.release_at is not None
    page = client.get("/me/papers/p1/recording/")
    assert page.status_code == 200
    assert b'id="recording-status">Ready<' in page.content


@pytest.mark.parametrize(
    ("kind", "name", "data", "error"),
    [
        ("video", "empty.mp4", b"", "The file is empty (0 bytes)."),
        (
            "slides",
            "slides.pdf",
            b"<html><body>not slides</body></html>",
            "The slides are not a PDF: the file is an HTML or XML page. Export the slides as PDF.",
        ),
        (
            "captions",
            "talk.vtt",
            b"WEBVTT\n\nbroken --> timing\n",
            "Caption line 3 has a malformed timing: \u201cbroken --> timing\u201d.",
        ),
    ],
)
def test_bad_files_are_refused_with_the_reason(client, author, paper, tmp_path, kind, name, data, error):
    response = post_bytes(client, kind, data, name, tmp_path)
    assert response.status_code == 400
    assert response.json()["error"] == error
    recording = Recording.objects.get(subject_key="paper:p1")
    assert (recording.status, bool(recording.slides), bool(recording.captions)) == ("missing", False, False)
    assert recording.events.count() == 0


def test_a_video_is_refused_by_content(client, author, paper, media_dir):
    response = post(client, "video", media_dir / "six-minutes.mp4")
    assert (response.status_code, response.json()["error"]) == (
        400,
        "The video is 6 min 00 s long; the limit for this talk is 5 min 00 s.",
    )
    assert Recording.objects.get(subject_key="paper:p1").versions.count() == 0


def test_an_over_limit_upload_is_refused_before_it_is_read(client, author, paper, media_dir, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    response = post(client, "video", media_dir / "talk.mp4")
    assert response.status_code == 413
    assert response.json()["error"].startswith("The file is 0 MB; the limit is 0 MB.")


def test_someone_elses_paper_is_403(client, paper, media_dir):
    client.force_login(UserFactory(email="mallory@example.org"))
    assert client.get("/me/papers/p1/recording/").status_code == 403
    assert post(client, "video", media_dir / "talk.mp4").status_code == 403
    assert client.get("/me/papers/authored/").content.count(b"Tiny talks") == 0
    assert Recording.objects.count() == 0


def test_an_uploader_added_by_an_organiser_may_upload(client, paper):
    from posters.uploads import recording_for_paper

    helper = UserFactory(email="student@example.org")
    recording_for_paper(paper).uploaders.add(helper)
    client.force_login(helper)
    assert client.get("/me/papers/p1/recording/").status_code == 200
    assert b"Tiny talks" in client.get("/me/papers/authored/").content


def test_anonymous_visitors_are_sent_to_log_in(client, paper):
    response = client.get("/me/papers/p1/recording/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_javascript_the_form_posts_and_redirects_with_the_reason(client, author, paper, tmp_path):
    path = tmp_path / "slides.pdf"
    path.write_bytes(b"<html>no</html>")
    with open(path, "rb") as handle:
        response = client.post("/me/papers/p1/recording/slides", {"file": handle}, follow=True)
    assert response.redirect_chain == [("/me/papers/p1/recording/", 302)]
    assert "The slides are not a PDF" in response.content.decode()


def test_admin_filters_papers_without_video_and_reminds_their_authors(client, paper, mailoutbox):
    other = PaperFactory(uid="p2", title="Has a video")
    from posters.uploads import recording_for_paper
    from schedule.recordings.services import set_external_url

    set_external_url(recording_for_paper(other), "https://video.example.org/p2", None)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/posters/paper/", {"video": "without"}).content.decode()
    assert "Tiny talks" in listing
    assert "Has a video" not in listing
    response = client.post(
        "/admin/posters/paper/",
        {"action": "remind_missing_videos", "_selected_action": [paper.pk, other.pk]},
        follow=True,
    )
    assert "1 reminder(s) sent." in response.content.decode()
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ada@example.org"], "Please upload your pre-recorded talk")]
    assert "http://127.0.0.1:8000/me/papers/p1/recording/" in mailoutbox[0].body
    assert Recording.objects.get(subject_key="paper:p1").events.get().action == "reminded"

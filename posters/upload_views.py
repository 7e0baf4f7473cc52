"""Author upload pages: /me/papers/authored/ (the papers this person may upload for) and
/me/papers/<uid>/recording/, the one upload page of schedule.recordings
(schedule/recordings/upload_views.py) at the paper's own address."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.page_parts import render_page_parts
from posters.uploads import PREFIX, authored_papers, recordings_by_uid
from schedule.recordings import upload_views


@login_required
@require_GET
def authored(request):
    papers = list(authored_papers(request.user))
    recordings = recordings_by_uid(papers)
    rows = [{"paper": p, "recording": recordings.get(p.uid)} for p in papers]
    # What layers above add (people: the minimum-answer policy and this author's progress).
    parts = render_page_parts("my_papers", request)
    return render(request, "posters/my_papers_authored.html", {"rows": rows, "page_parts": parts})


def _key(uid):
    return f"{PREFIX}{uid[:64]}"


def recording_page(request, uid):
    return upload_views.upload_page(request, _key(uid))


def upload(request, uid, kind):
    return upload_views.upload(request, _key(uid), kind)


def status(request, uid):
    return upload_views.status(request, _key(uid))


def retry(request, uid):
    return upload_views.retry(request, _key(uid))

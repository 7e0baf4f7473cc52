"""Keynotes from a Mini-Conf `speakers.yml`, inside the programme's import.

schedule's sitedata importer makes each speaker's sessions and calls the hooks that
features registered (`schedule.importers.sitedata.register_speaker_hook`) in the same
transaction, so a bad record aborts everything with the file, the speaker and the reason.
This hook creates or updates the speaker's `Keynote` (keyed by the keynote session's
uid: re-importing changes nothing), its speaker and its live Q&A session: the one the
calendar import made at the keynote's time (linked by schedule as a child), else one of
the speakers.yml time (at least 15 minutes: refused with the session named).
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from keynotes import programme
from keynotes.models import Keynote, Speaker
from schedule.importers import ImportFailed, html_to_text
from schedule.importers.sitedata import HONORIFIC, link, text
from schedule.models import Session


def _unique_slug(base, keynote_pk=None):
    base = (slugify(base) or "keynote")[:70]
    slug, number = base, 1
    while Keynote.objects.filter(slug=slug).exclude(pk=keynote_pk).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _qa_session(record, session, name, where):
    qa = session.children.filter(kind=Session.Kind.KEYNOTE_QA).order_by("start").first()
    if qa is not None:
        return qa
    uid = f"keynote-qa:{session.uid.partition(':')[2]}"
    qa = Session.objects.filter(uid=uid).first() or Session(uid=uid)
    values = {
        "kind": Session.Kind.KEYNOTE_QA,
        "title": f"Live Q&A: {name}"[:300],
        "start": session.start,
        "end": session.end,
        "parent": session,
    }
    if qa.pk and all(getattr(qa, k) == v for k, v in values.items()):
        return qa
    for name, value in values.items():
        setattr(qa, name, value)
    if not qa.call_link:
        qa.call_link = link(record.get("zoom"))
    try:
        qa.clean_fields(exclude=["uid", "parent", "sequence"])
        qa.clean()
    except ValidationError as exc:
        reasons = " ".join(m for messages in exc.message_dict.values() for m in messages)
        raise ImportFailed([f"{where}: the live Q&A session “{qa.title}”: {reasons}"]) from exc
    qa.save()
    return qa


def import_keynote(record, session, where, result):
    """speakers.yml's `record`, whose keynote session schedule just made or updated."""
    name = HONORIFIC.sub("", text(record.get("speaker")))
    if not name:
        raise ImportFailed([f"{where}: no “speaker”."])
    qa = _qa_session(record, session, name, where)
    keynote = Keynote.objects.filter(import_key=session.uid).first()
    values = {
        "title": (html_to_text(record.get("title")) or name)[:300],
        "abstract": html_to_text(record.get("abstract")),
        "talk_session": session,
        "qa_session": qa,
    }
    if keynote is None:
        keynote = Keynote(import_key=session.uid, slug=_unique_slug(name), **values)
        keynote.save()
        result.notes.append(f"keynote “{keynote.title}” created at /keynotes/{keynote.slug}/")
    elif any(getattr(keynote, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(keynote, k, v)
        keynote.save()
        result.notes.append(f"keynote “{keynote.title}” updated")
    speaker = {
        "name": name[:200],
        "affiliation": text(record.get("institution"))[:300],
        "bio": html_to_text(record.get("bio")),
    }
    first = keynote.speakers.order_by("position", "pk").first()
    if first is None:
        Speaker.objects.create(keynote=keynote, position=0, **speaker)
    elif any(getattr(first, k) != v for k, v in speaker.items()):
        for k, v in speaker.items():
            setattr(first, k, v)
        first.save()
    programme.sync(keynote)
    return keynote

"""The visitor's part of a keynote page: `state["qa"]` in /me/state.json (portal/state_parts.py).

    GET /me/state.json?qa=<slug>
    {"qa": {"<slug>": {"can_ask": false, "reason": "not_open", "detail": "The Q&A opens at …",
                       "can_vote": false, "moderator": false,
                       "voted": [12, 15], "mine": [{"id": 12, "status": "pending"}],
                       "uploader": false}}}

Asked by the keynote page's `data-state-part="qa" data-state-key="<slug>"`; the same
queries for one keynote or several.
"""

from django.utils import timezone

from chat.services.errors import ChatError
from keynotes import services
from keynotes.models import Keynote, Question, Vote
from keynotes.timing import window
from portal.state_parts import BadKeys
from schedule import subjects
from schedule.recordings.models import Recording


def build(request, slugs):
    for slug in slugs:
        if len(slug) > 80 or not slug.replace("-", "").replace("_", "").isalnum():
            raise BadKeys(f"“{slug[:40]}” is not a keynote's slug.")
    user, now = request.user, timezone.now()
    keynotes = list(Keynote.objects.filter(slug__in=slugs).select_related("qa_session"))
    if not keynotes:
        return {}
    recordings = {r.subject_key: r for r in Recording.objects.filter(subject_key__in=[k.subject_key for k in keynotes])}
    voted, mine, chaired = {}, {}, set()
    if user.is_authenticated:
        ids = [k.pk for k in keynotes]
        for keynote_id, question_id in Vote.objects.filter(user=user, question__keynote_id__in=ids).values_list(
            "question__keynote_id", "question_id"
        ):
            voted.setdefault(keynote_id, []).append(question_id)
        for keynote_id, question_id, status in Question.objects.filter(author=user, keynote_id__in=ids).values_list(
            "keynote_id", "pk", "status"
        ):
            mine.setdefault(keynote_id, []).append({"id": question_id, "status": status})
        chaired = set(user.chaired_keynotes.filter(pk__in=ids).values_list("pk", flat=True))
        user.load_roles()
    answer = {}
    for keynote in keynotes:
        qa = window(keynote, recordings.get(keynote.subject_key))
        me = {"can_ask": True, "can_vote": True, "reason": "", "detail": ""}
        try:
            services.check_participant(user, "ask or vote")
            if not qa.is_open(now):
                services.check_open(keynote, now, "ask or vote")
        except ChatError as refusal:
            me.update(can_ask=False, can_vote=False, reason=refusal.reason, detail=refusal.detail)
        me["moderator"] = user.is_authenticated and (user.is_staff or user.is_moderator or keynote.pk in chaired)
        me["voted"] = sorted(voted.get(keynote.pk, []))
        me["mine"] = sorted(mine.get(keynote.pk, []), key=lambda q: q["id"])
        # Speakers (by a verified address) and organisers upload the talk: one query, only for them.
        me["uploader"] = user.is_authenticated and (user.is_staff or subjects.is_author(keynote.subject_key, user))
        answer[keynote.slug] = me
    return answer

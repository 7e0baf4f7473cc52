"""The programme's pages: the week, one day, what is on now, the livestream, one session.

Every time is shown in the viewer's zone (request.viewer_zone, set by the portal's
middleware), days are cut at the viewer's midnight, and a bad date or filter gives the
nearest sensible page with a message, never an error.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.models import Conference
from portal.page_parts import render_page_parts
from portal.public import changes_at, public_page
from portal.timezones import local_day_bounds
from schedule.call_links import window
from schedule.days import (
    HEALTHY_END,
    HEALTHY_START,
    Span,
    default_day,
    entries_by_day,
    entries_for_day,
    in_healthy_hours,
    local_days,
    parse_day,
    programme_span,
    today_in,
)
from schedule.fragments import programme_state
from schedule.models import Session

NEXT_HORIZON = timedelta(hours=3)
LIST_LIMIT = 60


@dataclass
class Filters:
    kinds: list
    healthy: bool

    @property
    def query(self):
        """The query string that keeps these filters on links to other days."""
        pairs = [("kind", kind) for kind in self.kinds]
        if self.healthy:
            pairs.append(("healthy", "1"))
        return urlencode(pairs)

    @property
    def active(self):
        return bool(self.kinds or self.healthy)

    def apply(self, sessions, zone):
        if self.healthy:
            sessions = [s for s in sessions if in_healthy_hours(s, zone)]
        return sessions


def read_filters(request):
    raw = request.GET.getlist("kind")
    kinds = [k for k in dict.fromkeys(raw) if k in Session.Kind.values]
    unknown = [k for k in raw if k not in Session.Kind.values]
    if unknown:
        messages.warning(
            request, f"There is no kind of session called “{unknown[0][:40]}”; it was left out of the filter."
        )
    return Filters(kinds=kinds, healthy=request.GET.get("healthy") in {"1", "on", "true"})


def _context(request, conference, **extra):
    return {
        "conference": conference,
        "kind_choices": Session.Kind.choices,
        "healthy_start": HEALTHY_START,
        "healthy_end": HEALTHY_END,
        "viewer_zone": request.viewer_zone,
        **extra,
    }


def _span(state, conference):
    if state["first"] is not None:
        return Span(state["first"], state["last"])
    return programme_span(conference)


@public_page()
def week(request):
    """The week at a glance: a column for each of the viewer's days."""
    conference = Conference.get()
    zone = request.viewer_zone
    filters = read_filters(request)
    span = _span(programme_state(), conference)
    days = local_days(span, zone)
    now = timezone.now()
    today = today_in(zone, now)
    # "Today" moves on at the viewer's midnight.
    changes_at(request, local_day_bounds(today, zone)[1])
    page_path = reverse("schedule:index")
    sessions = Session.objects.overlapping(span.start, span.end).annotate(talks=Count("children"))
    # At a glance a workshop is one block; its talks are on the day pages (or when filtered for).
    chosen = {"kind__in": filters.kinds} if filters.kinds else {"parent__isnull": True}
    sessions = sessions.filter(**chosen)
    sessions = filters.apply(list(sessions.order_by("start", "end", "title")), zone)
    by_day = entries_by_day(sessions, days, zone)
    columns = [{"day": day, "entries": by_day[day], "is_today": day == today} for day in days]
    return render(
        request,
        "schedule/week.html",
        _context(
            request,
            conference,
            columns=columns,
            filters=filters,
            count=len(sessions),
            now=now,
            page_path=page_path,
            return_path=page_path + (f"?{filters.query}" if filters.query else ""),
        ),
    )


def _name(day, fmt="l j F"):
    return date_format(day, fmt)


def _day_url(day, filters):
    url = reverse("schedule:day", args=[day.isoformat()])
    return f"{url}?{filters.query}" if filters.query else url


@public_page()
def day(request, day):
    """One of the viewer's days, with a line where now is."""
    conference = Conference.get()
    zone = request.viewer_zone
    filters = read_filters(request)
    now = timezone.now()
    days = local_days(_span(programme_state(), conference), zone)
    wanted = parse_day(day)
    if wanted is None:
        fallback = default_day(days, zone, now)
        messages.warning(request, f"“{day[:20]}” is not a date (they look like 2020-04-27); here is {_name(fallback)}.")
        return redirect(_day_url(fallback, filters))
    if wanted not in days:
        nearest = days[0] if wanted < days[0] else days[-1]
        messages.warning(
            request,
            f"The conference has nothing on {_name(wanted, 'l j F Y')} in your time zone; its days for you "
            f"are {_name(days[0], 'j F')} to {_name(days[-1], 'j F Y')}. Here is {_name(nearest)}.",
        )
        return redirect(_day_url(nearest, filters))
    today = today_in(zone, now)
    is_today = wanted == today
    position = days.index(wanted)
    start, end = local_day_bounds(wanted, zone)
    sessions = Session.objects.overlapping(start, end).select_related("parent")
    if filters.kinds:
        sessions = sessions.filter(kind__in=filters.kinds)
    sessions = filters.apply(list(sessions.order_by("start", "end", "title")), zone)
    entries = entries_for_day(sessions, wanted, zone)
    # Where the now line goes: before the first session that has not started yet.
    now_index = next((i for i, e in enumerate(entries) if e.session.start > now), len(entries)) if is_today else None
    # What the page shows changes with the clock: "Today" at the viewer's midnight, the
    # "Live now" badges (and the now line) as sessions start and end, and today's "Now: 10:42"
    # every minute. A cached copy is used only until the first of these.
    changes_at(request, local_day_bounds(today, zone)[1], *(s.start for s in sessions), *(s.end for s in sessions))
    if is_today:
        changes_at(request, now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    return render(
        request,
        "schedule/day.html",
        _context(
            request,
            conference,
            day=wanted,
            entries=entries,
            filters=filters,
            now=now,
            is_today=is_today,
            now_index=now_index,
            days=[(d, _day_url(d, filters)) for d in days],
            previous_url=_day_url(days[position - 1], filters) if position > 0 else None,
            next_url=_day_url(days[position + 1], filters) if position + 1 < len(days) else None,
            week_url=reverse("schedule:index") + (f"?{filters.query}" if filters.query else ""),
            page_path=reverse("schedule:day", args=[wanted.isoformat()]),
            return_path=_day_url(wanted, filters),
        ),
    )


def now_and_next(now, sessions=None, limit=LIST_LIMIT):
    """(live, next): what runs at `now`, and what starts within the next hours (or the next start)."""
    sessions = Session.objects.all() if sessions is None else sessions
    sessions = sessions.select_related("parent").order_by("start", "end", "title")
    live = list(sessions.live_at(now)[:limit])
    upcoming = list(sessions.filter(start__gt=now, start__lte=now + NEXT_HORIZON)[:limit])
    if not upcoming:
        first = sessions.filter(start__gt=now).first()
        if first is not None:
            upcoming = list(sessions.filter(start__gt=now, start__lte=first.start + NEXT_HORIZON)[:limit])
    return live, upcoming


@public_page()
def now_page(request):
    conference = Conference.get()
    now = timezone.now()
    if conference.is_archived(now):
        return redirect("home")  # nothing is live in the archive: its front page instead
    live, upcoming = now_and_next(now)
    _changes_with(request, live, upcoming)
    return render(request, "schedule/now.html", _context(request, conference, now=now, live=live, upcoming=upcoming))


def embed_for(url):
    """(kind, src) to embed a livestream: a video file, a YouTube/Vimeo/Twitch player, or a page."""
    if not url:
        return None, ""
    parsed = urlparse(url)
    host = parsed.netloc.lower().removeprefix("www.").removeprefix("m.")
    if parsed.path.lower().endswith((".m3u8", ".mp4", ".webm")):
        return "video", url
    if host in {"youtube.com", "youtu.be", "youtube-nocookie.com"}:
        video = parse_qs(parsed.query).get("v", [""])[0] if host == "youtube.com" else ""
        if host == "youtu.be":
            video = parsed.path.strip("/")
        if parsed.path.startswith(("/embed/", "/live/")):
            video = parsed.path.split("/")[2]
        if video:
            return "iframe", f"https://www.youtube-nocookie.com/embed/{video}"
    if host == "vimeo.com" and parsed.path.strip("/").isdigit():
        return "iframe", f"https://player.vimeo.com/video/{parsed.path.strip('/')}"
    return "iframe", url


def _changes_with(request, live, upcoming):
    # What is live and what is next move on as these sessions start and end.
    changes_at(request, *(s.end for s in live), *(s.start for s in upcoming))


@public_page()
def live_page(request):
    """The livestream: the embedded stream and what it shows now and next."""
    conference = Conference.get()
    now = timezone.now()
    if conference.is_archived(now):
        return redirect("home")
    live, upcoming = now_and_next(now, Session.objects.streamed(), limit=10)
    _changes_with(request, live, upcoming)
    embed_kind, embed_src = embed_for(conference.livestream_url)
    return render(
        request,
        "schedule/live.html",
        _context(
            request,
            conference,
            now=now,
            live=live,
            upcoming=upcoming,
            embed_kind=embed_kind,
            embed_src=embed_src,
            # Blocks from layers above (portal/page_parts.py): the stream's running order
            # (people), and what is open now (booths).
            stream_parts=render_page_parts("live:stream", request, now=now),
            page_parts=render_page_parts("live", request, now=now),
        ),
    )


@public_page()
def session_detail(request, pk):
    conference = Conference.get()
    session = get_object_or_404(Session.objects.select_related("parent"), pk=pk)
    now = timezone.now()
    children = list(session.children.order_by("start", "end", "title"))
    local_day = session.start.astimezone(request.viewer_zone).date()
    # The page shows the window (never the link: /me/state.json gives it to those allowed).
    call = window(session, session.call_link, now)
    changes_at(request, call.opens_at, session.start, session.end)
    return render(
        request,
        "schedule/session_detail.html",
        _context(
            request,
            conference,
            session=session,
            children=children,
            now=now,
            day_url=reverse("schedule:day", args=[local_day.isoformat()]),
            day_label=date_format(local_day, "l j F"),
            call=call,
            call_key=f"session:{session.pk}",
        ),
    )

"""Assigning papers to poster sessions.

Every paper gets `per_paper` sessions (default 2) such that
- the sessions are balanced: the fullest and emptiest differ by at most 10% (never by
  more than one paper when the numbers allow it);
- a paper's sessions are in different *time blocks* (time of day, UTC: ICLR's blocks
  were 05:00, 08:00, 12:00, 17:00 and 20:00), so each paper is presented at two
  different hours of the world's day;
- where its authors' zones are known (their profile, else the import's column), every
  author has at least one of the paper's sessions wholly within 08:00–22:00 local time.

The whole assignment is computed first, checked, and then written in one transaction:
impossible inputs raise AssignmentImpossible with every reason, and nothing is written.
Pairs that stay keep their call links.
"""

import itertools
import math
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from portal.models import verified_address_rows
from portal.timezones import zone_or_none
from posters.healthy_hours import within_healthy_hours
from posters.models import AuthorEmail, Authorship, Paper, PosterSlot
from posters.uploads import sync_release_days
from schedule.models import Session

BALANCE_TOLERANCE = 0.10
MAX_REPORTED = 10
MAX_LISTED = 200  # slots listed by name when an assignment would remove them


class AssignmentImpossible(Exception):
    def __init__(self, reasons):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        shown = self.reasons[:MAX_REPORTED]
        more = len(self.reasons) - len(shown)
        super().__init__("\n".join(shown) + (f"\n… and {more} more." if more else ""))


@dataclass
class AssignmentResult:
    papers: int = 0
    per_paper: int = 2
    sessions: dict = field(default_factory=dict)  # Session -> number of papers after assignment
    created: int = 0
    removed: int = 0
    kept: int = 0
    constrained_papers: int = 0
    dry_run: bool = False
    removals: list = field(default_factory=list)  # (paper UID, session title) of each slot removed

    def report(self):
        """The summary, then each slot removed (or that a dry run would remove)."""
        verb = "Would remove" if self.dry_run else "Removed"
        return [self.summary(), *(f"  {verb} paper {uid} from “{title}”." for uid, title in self.removals)]

    def summary(self):
        sizes = list(self.sessions.values())
        verb = "Would assign" if self.dry_run else "Assigned"
        return (
            f"{verb} {self.papers} papers to {self.per_paper} sessions each across {len(sizes)} poster sessions "
            f"(sizes {min(sizes, default=0)}–{max(sizes, default=0)}); {self.constrained_papers} papers had "
            f"authors' time zones to respect. Slots: {self.created} created, {self.kept} kept, {self.removed} removed."
        )


def time_block(session):
    """The session's time of day in UTC, e.g. '05:00': sessions at the same hour share a block."""
    return session.start.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%H:%M")


def allowed_spread(largest):
    """How far apart the fullest and the emptiest session may be."""
    return max(1, math.floor(BALANCE_TOLERANCE * largest))


def _author_zones(paper_ids):
    """paper id -> set of zone names of its authors (profile first, then the import's column)."""
    rows = list(
        Authorship.objects.filter(paper_id__in=paper_ids).values_list("paper_id", "author__email", "author__time_zone")
    )
    # Addresses an import gave for the paper's authors speak for them too, once verified.
    rows += [(paper_id, email, "") for paper_id, email in _imported_addresses(paper_ids)]
    emails = {email.lower() for _, email, _ in rows if email}
    profiles = {}
    if emails:
        # Only an account that verified the author's address speaks for the author.
        owners = verified_address_rows().filter(email__in=emails).exclude(user__time_zone="")
        profiles = dict(owners.values_list("email", "user__time_zone"))
    zones = defaultdict(set)
    for paper_id, email, imported in rows:
        name = profiles.get((email or "").lower()) or imported
        if name:
            zones[paper_id].add(name)
    return zones


def _imported_addresses(paper_ids):
    return AuthorEmail.objects.filter(paper_id__in=paper_ids).values_list("paper_id", "email")


class _Planner:
    def __init__(self, sessions, per_paper, fixed_loads):
        self.sessions = sessions
        self.per_paper = per_paper
        self.block = {s.pk: time_block(s) for s in sessions}
        self.load = {s.pk: fixed_loads.get(s.pk, 0) for s in sessions}
        self.healthy_cache = {}

    def healthy(self, zone_name):
        if zone_name not in self.healthy_cache:
            zone = zone_or_none(zone_name)
            self.healthy_cache[zone_name] = (
                None
                if zone is None
                else frozenset(s.pk for s in self.sessions if within_healthy_hours(s.start, s.end, zone))
            )
        return self.healthy_cache[zone_name]

    def feasible_sets(self, requirements, cap=None):
        """Every choice of sessions in distinct blocks that covers `requirements` (bounded search)."""
        ids = [s.pk for s in self.sessions if cap is None or self.load[s.pk] < cap]
        for combo in itertools.combinations(ids, self.per_paper):
            if len({self.block[i] for i in combo}) < self.per_paper:
                continue
            chosen = set(combo)
            if all(chosen & r for r in requirements):
                yield combo

    def pick(self, requirements, cap):
        chosen, blocks = [], set()
        uncovered = list(requirements)
        for _ in range(self.per_paper):
            candidates = [
                s.pk
                for s in self.sessions
                if self.load[s.pk] < cap and self.block[s.pk] not in blocks and s.pk not in chosen
            ]
            if not candidates:
                break
            best = min(candidates, key=lambda i: (-sum(1 for r in uncovered if i in r), self.load[i]))
            chosen.append(best)
            blocks.add(self.block[best])
            uncovered = [r for r in uncovered if best not in r]
        if len(chosen) == self.per_paper and not uncovered:
            return chosen
        # Greedy failed: the cheapest covering set that still fits.
        options = list(itertools.islice(self.feasible_sets(requirements, cap), 5000))
        if not options:
            return None
        return list(min(options, key=lambda combo: sum(self.load[i] for i in combo)))

    def take(self, chosen):
        for i in chosen:
            self.load[i] += 1


def plan_assignment(papers, sessions, per_paper, fixed_loads, zones):
    """{paper id: [session ids]} meeting every rule, or AssignmentImpossible."""
    reasons = []
    if not sessions:
        raise AssignmentImpossible("There are no poster sessions to assign papers to; import or create them first.")
    if not papers:
        raise AssignmentImpossible("There are no papers to assign.")
    if per_paper < 1:
        raise AssignmentImpossible("Each paper needs at least one session.")
    planner = _Planner(sessions, per_paper, fixed_loads)
    blocks = sorted(set(planner.block.values()))
    if len(blocks) < per_paper:
        raise AssignmentImpossible(
            f"Each paper needs {per_paper} sessions in different time blocks, but the {len(sessions)} poster "
            f"sessions fall in only {len(blocks)} block(s) ({', '.join(blocks)} UTC)."
        )

    requirements = {}
    for paper in papers:
        needs = set()
        for name in sorted(zones.get(paper.pk, ())):
            healthy = planner.healthy(name)
            if healthy is None:
                reasons.append(f"Paper {paper.uid}: an author's time zone “{name}” is not a known zone.")
            elif not healthy:
                reasons.append(
                    f"Paper {paper.uid}: no poster session falls within 08:00–22:00 for its author in {name}."
                )
            else:
                needs.add(healthy)
        requirements[paper.pk] = needs
    checked = {}
    for paper in papers:
        key = frozenset(requirements[paper.pk])
        if len(key) > 1 and key not in checked:
            checked[key] = next(planner.feasible_sets(key), None) is not None
        if len(key) > 1 and not checked[key]:
            reasons.append(
                f"Paper {paper.uid}: no {per_paper} sessions in different time blocks give every author "
                "(in " + ", ".join(sorted(zones[paper.pk])) + ") a session within 08:00–22:00."
            )
    if reasons:
        raise AssignmentImpossible(reasons)

    total = len(papers) * per_paper + sum(planner.load.values())
    cap = math.ceil(total / len(sessions))
    # Most constrained first: fewest sessions that suit all its authors.
    order = sorted(
        papers,
        key=lambda p: (
            min((len(r) for r in requirements[p.pk]), default=len(sessions) + 1),
            -len(requirements[p.pk]),
            p.uid,
        ),
    )
    plan = {}
    for paper in order:
        chosen = planner.pick(requirements[paper.pk], cap)
        if chosen is None:
            chosen = planner.pick(requirements[paper.pk], cap + allowed_spread(cap))
        if chosen is None:
            raise AssignmentImpossible(
                f"Could not place paper {paper.uid}: the sessions that suit its authors are full. "
                "Add poster sessions or relax the authors' constraints."
            )
        planner.take(chosen)
        plan[paper.pk] = chosen

    _rebalance(plan, planner, requirements)
    sizes = planner.load.values()
    if max(sizes) - min(sizes) > allowed_spread(max(sizes)):
        raise AssignmentImpossible(
            f"Could not balance the sessions: sizes range from {min(sizes)} to {max(sizes)} "
            f"(at most {allowed_spread(max(sizes))} apart is allowed). Too many papers are tied to a few sessions "
            "by their authors' time zones."
        )
    return plan, dict(planner.load)


def _rebalance(plan, planner, requirements):
    """Move papers from the fullest to the emptiest sessions while that keeps every rule."""
    by_session = defaultdict(set)
    for paper_id, chosen in plan.items():
        for i in chosen:
            by_session[i].add(paper_id)
    for _ in range(10 * len(plan) + 10):
        fullest = max(planner.load, key=lambda i: (planner.load[i], i))
        emptiest = min(planner.load, key=lambda i: (planner.load[i], i))
        if planner.load[fullest] - planner.load[emptiest] <= 1:
            return
        moved = False
        for paper_id in sorted(by_session[fullest]):
            chosen = plan[paper_id]
            if emptiest in chosen:
                continue
            candidate = [emptiest if i == fullest else i for i in chosen]
            if len({planner.block[i] for i in candidate}) < planner.per_paper:
                continue
            if not all(set(candidate) & r for r in requirements[paper_id]):
                continue
            plan[paper_id] = candidate
            by_session[fullest].discard(paper_id)
            by_session[emptiest].add(paper_id)
            planner.load[fullest] -= 1
            planner.load[emptiest] += 1
            moved = True
            break
        if not moved:
            return


class AssignmentWouldReplace(AssignmentImpossible):
    """The assignment would remove slots the papers already have (imported or assigned before)."""


def assign_posters(papers=None, per_paper=2, dry_run=False, replace=False):
    """Assign `papers` (default: all) to the poster sessions; other papers' slots stay as they are.

    Slots the papers already have (an imported line-up) are never discarded silently: unless
    `replace` (or `dry_run`, which only reports), an assignment that would remove any raises
    AssignmentWouldReplace naming them, and nothing is written."""
    sessions = list(Session.objects.filter(kind=Session.Kind.POSTER).order_by("start", "pk"))
    paper_qs = Paper.objects.all() if papers is None else papers
    paper_list = list(paper_qs.only("id", "uid").order_by("uid"))
    paper_ids = [p.pk for p in paper_list]
    fixed = defaultdict(int)
    for session_id in (
        PosterSlot.objects.filter(session__kind=Session.Kind.POSTER)
        .exclude(paper_id__in=paper_ids)
        .values_list("session_id", flat=True)
    ):
        fixed[session_id] += 1
    zones = _author_zones(paper_ids)
    plan, loads = plan_assignment(paper_list, sessions, per_paper, fixed, zones)

    result = AssignmentResult(
        papers=len(paper_list),
        per_paper=per_paper,
        sessions={s: loads[s.pk] for s in sessions},
        constrained_papers=sum(1 for p in paper_list if zones.get(p.pk)),
        dry_run=dry_run,
    )
    wanted = {(paper_id, session_id) for paper_id, chosen in plan.items() for session_id in chosen}
    with transaction.atomic():
        existing = {
            (paper_id, session_id): slot_id
            for slot_id, paper_id, session_id in PosterSlot.objects.filter(paper_id__in=paper_ids).values_list(
                "id", "paper_id", "session_id"
            )
        }
        stale = [slot_id for pair, slot_id in existing.items() if pair not in wanted]
        new = [PosterSlot(paper_id=p, session_id=s) for (p, s) in sorted(wanted) if (p, s) not in existing]
        result.removed, result.created, result.kept = len(stale), len(new), len(wanted) - len(new)
        result.removals = sorted(
            PosterSlot.objects.filter(id__in=stale[:MAX_LISTED]).values_list("paper__uid", "session__title")
        )
        if stale and not (replace or dry_run):
            listed = "\n".join(f"  paper {uid} from “{title}”" for uid, title in result.removals)
            more = f"\n  … and {len(stale) - MAX_LISTED} more" if len(stale) > MAX_LISTED else ""
            raise AssignmentWouldReplace(
                [
                    f"The assignment would remove {len(stale)} slots the papers already have (an imported or "
                    f"earlier line-up) and add {len(new)}; replace to allow it, or a dry run to see it:\n"
                    + listed
                    + more
                ]
            )
        if not dry_run:
            for start in range(0, len(stale), 900):
                PosterSlot.objects.filter(id__in=stale[start : start + 900]).delete()
            PosterSlot.objects.bulk_create(new, batch_size=2000)
            sync_release_days(paper_ids)
    return result

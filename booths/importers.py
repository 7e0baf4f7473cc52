"""Sponsors from a Mini-Conf sitedata folder: `sponsors.yml` (tiers in order, each sponsor's
site and logo), `sponsors.tsv` (name, level, an image tag with the site and logo) and
`expos.yml` (each sponsor's expo talks). The schedule's importer (`import_schedule_yaml`)
makes the expo talks as sessions of kind `sponsor` (uid `expo:<sponsor>`); this one links
them to their sponsor, and gives every sponsor its booth. One transaction: a bad file
aborts it with the file, the line or entry and the reason; nothing is written. Re-importing
changes nothing.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from booths.models import Booth
from booths.services.applications import unique_slug
from booths.sponsor_models import Sponsor
from portal.models import Conference
from schedule.importers import ImportFailed, ImportResult, html_to_text, titles_match
from schedule.importers.ical import WORKSHOP_UID_PREFIX
from schedule.importers.sitedata import TIME_RANGE, Days, link, load, text, time_range
from schedule.models import Session

HREF = re.compile(r"""href=['"]([^'"]+)['"]""", re.I)
SRC = re.compile(r"""src=['"]([^'"]+)['"]""", re.I)
FILES = ("sponsors.yml", "sponsors.tsv", "expos.yml")


def _url(value):
    value = str(value or "").strip()
    return value[:500] if value.startswith(("http://", "https://")) else ""


def _yaml(path, key):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed([f"{path.name}: not readable YAML ({exc})."]) from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ImportFailed([f"{path.name}: expected a list under “{key}:”."])
    return data[key]


def read_yaml_sponsors(path):
    """[(tier, name, website, logo_url)] in the file's order."""
    rows = []
    for t, tier in enumerate(_yaml(path, "sponsors"), start=1):
        if not isinstance(tier, dict) or not str(tier.get("tier") or "").strip():
            raise ImportFailed([f"{path.name}: tier {t} has no “tier” name."])
        for n, entry in enumerate(tier.get("vals") or [], start=1):
            name = " ".join(str((entry or {}).get("name") or "").split())
            if not name:
                raise ImportFailed([f"{path.name}: tier “{tier['tier']}”, sponsor {n}: no name."])
            rows.append((str(tier["tier"]).strip(), name, _url(entry.get("img_url")), _url(entry.get("img_src"))))
    return rows


def read_tsv_sponsors(path):
    rows = []
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed([f"{path.name}: not readable ({exc})."]) from exc
    reader = csv.reader(io.StringIO(content), delimiter="\t")
    header = next(reader, None)
    if not header or [h.strip().lower() for h in header[:2]] != ["name", "sponsorship level"]:
        raise ImportFailed([f"{path.name}, line 1: expected the columns “name”, “Sponsorship Level”, “Image Tag”."])
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ImportFailed([f"{path.name}, line {line}: a sponsor needs a name and a level."])
        tag = row[2] if len(row) > 2 else ""
        href, src = HREF.search(tag), SRC.search(tag)
        rows.append((row[1].strip(), " ".join(row[0].split()), _url(href and href[1]), _url(src and src[1])))
    return rows


def _match(name, sponsors):
    """The sponsor an expo's name means: same slug, or one's slug a prefix of the other's."""
    key = slugify(name)
    if key in sponsors:
        return sponsors[key]
    for slug, sponsor in sponsors.items():
        if slug.startswith(key + "-") or key.startswith(slug + "-"):
            return sponsor
    return None


def import_sponsors(folder, *, dry_run=False):
    """With `dry_run` everything is checked and counted, then rolled back."""
    folder = Path(folder)
    present = {name: folder / name for name in FILES if (folder / name).is_file()}
    if not present:
        raise ImportFailed([f"{folder}: holds none of {', '.join(FILES)}."])
    rows = []
    if "sponsors.yml" in present:
        rows += read_yaml_sponsors(present["sponsors.yml"])
    if "sponsors.tsv" in present:
        rows += read_tsv_sponsors(present["sponsors.tsv"])
    result = ImportResult(source=", ".join(present))
    with transaction.atomic():
        ranks, seen = {}, {}
        for tier, name, website, logo in rows:
            ranks.setdefault(tier, len(ranks))
            slug = slugify(name)[:96] or "sponsor"
            if slug in seen:  # the YAML's entry first; the TSV fills what it lacks
                sponsor = seen[slug]
                changed = False
                for field_name, value in (("website", website), ("logo_url", logo)):
                    if value and not getattr(sponsor, field_name):
                        setattr(sponsor, field_name, value)
                        changed = True
                if changed:
                    sponsor.save()
                continue
            values = {"name": name, "tier": tier, "tier_rank": ranks[tier], "website": website, "logo_url": logo}
            sponsor = Sponsor.objects.filter(slug=slug).first()
            if sponsor is None:
                sponsor = Sponsor.objects.create(slug=slug, **values)
                result.created += 1
            elif any(getattr(sponsor, k) != v for k, v in values.items() if v or k in ("name", "tier", "tier_rank")):
                for k, v in values.items():
                    if v or k in ("name", "tier", "tier_rank"):
                        setattr(sponsor, k, v)
                sponsor.save()
                result.updated += 1
            else:
                result.unchanged += 1
            seen[slug] = sponsor
            if sponsor.booth_id is None:
                booth = Booth.objects.filter(slug=f"sponsor-{slug}"[:96]).first() or Booth.objects.create(
                    kind=Booth.Kind.SPONSOR,
                    status=Booth.Status.APPROVED,
                    name=name,
                    slug=f"sponsor-{slug}"[:96],
                    description=f"Meet {name}, a {tier} sponsor of the conference.",
                )
                sponsor.booth = booth
                sponsor.save(update_fields=["booth"])
        if "expos.yml" in present:
            sponsors = {s.slug: s for s in Sponsor.objects.all()}
            for n, expo in enumerate(_yaml(present["expos.yml"], "expos"), start=1):
                name = " ".join(str((expo or {}).get("name") or "").split())
                if not name:
                    raise ImportFailed([f"expos.yml: expo {n}: no name."])
                sponsor = _match(name, sponsors)
                if sponsor is None:
                    result.notes.append(f"expos.yml: expo {n}: no sponsor is called “{name}”; its talk is not linked.")
                    continue
                talk = Session.objects.filter(uid=f"expo:{slugify(name)[:60] or n}").first()
                if talk is None:
                    result.notes.append(
                        f"expos.yml: expo {n} ({name}): no expo session yet; import the schedule's "
                        "expos.yml first (import_schedule_yaml), then this again."
                    )
                    continue
                if not sponsor.talks.filter(pk=talk.pk).exists():
                    sponsor.talks.add(talk)
                    result.matched += 1
        if dry_run:
            transaction.set_rollback(True)
    return result


def sponsor_report(result, *, dry_run=False):
    """What the command prints and admin shows after importing sponsors."""
    return [
        *(["Dry run, nothing was written."] if dry_run else []),
        f"{result.source}: sponsors {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged; {result.matched} expo talks linked.",
        *(f"  {note}" for note in result.notes),
    ]


# --- socials and workshops become booths ------------------------------------------------------


def import_booths(socials=None, *, dry_run=False):
    """`manage.py import_booths` and admin's booths import: the social booths of a
    `socials.yml` (a path, or None) and every workshop's booth, in one transaction; with
    `dry_run` checked and counted, then rolled back. Answers the lines to show."""
    lines = ["Dry run, nothing was written."] if dry_run else []
    with transaction.atomic():
        if socials is not None:
            result = import_social_booths(socials)
            lines += [
                f"{result.source}: booths {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged; {result.matched} slots linked.",
                *(f"  {note}" for note in result.notes),
            ]
        lines.append(f"workshops: {sync_workshop_booths().created} booths created.")
        if dry_run:
            transaction.set_rollback(True)
    return lines


def import_social_booths(path):
    """Each social of `socials.yml` becomes a social booth (`social-<id>`) whose slots are
    the social's sessions that `import_schedule_yaml` made (`social:<id>:<n>`); a time the
    schedule cannot place ("All Day") makes it an all-day booth with a slot for that whole
    (UTC) day, so nothing is dropped."""
    path = Path(path)
    records = load(path)
    days = Days(Conference.get())
    result = ImportResult(source=path.name)
    with transaction.atomic():
        for number, record in enumerate(records, start=1):
            where = f"{path.name}: social {number}"
            title = text(record.get("name"))[:200]
            if not title:
                raise ImportFailed([f"{where}: no name."])
            identifier = slugify(text(record.get("id")) or title)[:60] or str(number)
            description = "\n\n".join(
                part
                for part in (
                    html_to_text(record.get("description")),
                    f"Organisers: {text(record.get('organizers'))}" if record.get("organizers") else "",
                )
                if part
            )
            values = {
                "kind": Booth.Kind.SOCIAL,
                "status": Booth.Status.APPROVED,
                "name": title,
                "description": description,
                "links": link(record.get("website")),
            }
            slug = f"social-{identifier}"[:96]
            booth = Booth.objects.filter(slug=slug).first()
            if booth is None:
                booth = Booth(slug=slug, **values)
                _checked(booth, where)
                booth.save()
                result.created += 1
            elif any(getattr(booth, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(booth, k, v)
                _checked(booth, where)
                booth.save()
                result.updated += 1
            else:
                result.unchanged += 1
            slots = []
            for occurrence, (day_name, times) in enumerate(
                zip(record.get("day") or [], record.get("times") or [], strict=False), start=1
            ):
                if TIME_RANGE.match(str(times or "")):
                    # The schedule's import made it, by this uid or matched to the calendar's event.
                    start, _ = time_range(days.resolve(day_name, where), times, where)
                    session = Session.objects.filter(uid=f"social:{identifier}:{occurrence}").first() or next(
                        (
                            s
                            for s in Session.objects.filter(kind=Session.Kind.SOCIAL, start=start).order_by("pk")
                            if titles_match(s.title, title)
                        ),
                        None,
                    )
                    if session is None:
                        result.notes.append(f"{where}: no session on {day_name} {times}; import the schedule first.")
                    else:
                        slots.append(session)
                    continue
                day = days.resolve(day_name, where)
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                session, made = Session.objects.get_or_create(
                    uid=f"social:{identifier}:{occurrence}",
                    defaults={
                        "kind": Session.Kind.SOCIAL,
                        "title": title,
                        "description": description[:2000],
                        "start": start,
                        "end": start + timedelta(days=1),
                        "url": booth.get_absolute_url(),
                    },
                )
                slots.append(session)
                if not booth.all_day:
                    booth.all_day = True
                    booth.save(update_fields=["all_day", "updated_at"])
                if made:
                    result.notes.append(f"{where}: “{times}” on {day_name}: an all-day booth.")
            missing = {s.pk for s in slots} - set(booth.slots.values_list("pk", flat=True))
            if missing:
                booth.slots.add(*missing)
                result.matched += len(missing)
    return result


def _checked(booth, where):
    try:
        booth.full_clean(exclude=["slug"])
    except ValidationError as exc:
        reasons = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise ImportFailed([f"{where}: {reasons}"]) from exc


def sync_workshop_booths():
    """Every workshop (a session of kind workshop) gets its booth, open all week."""
    result = ImportResult(source="workshops")
    with transaction.atomic():
        for workshop in Session.objects.filter(kind=Session.Kind.WORKSHOP, workshop_booth__isnull=True):
            code = workshop.uid.removeprefix(WORKSHOP_UID_PREFIX)
            Booth.objects.create(
                kind=Booth.Kind.WORKSHOP,
                status=Booth.Status.APPROVED,
                name=workshop.title[:200],
                slug=unique_slug(f"workshop-{code}"),
                description=f"The discussions of the workshop “{workshop.title}” go on here all week.",
                all_day=True,
                workshop=workshop,
            )
            result.created += 1
    return result

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
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from booths.models import Booth
from booths.sponsor_models import Sponsor
from schedule.importers import ImportFailed, ImportResult
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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed([f"{path.name}: not readable ({exc})."]) from exc
    reader = csv.reader(io.StringIO(text), delimiter="\t")
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


def import_sponsors(folder):
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
    return result

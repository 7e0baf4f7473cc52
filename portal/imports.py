"""What organisers import in Django admin (portal/admin.py's import page), each through the same
service its management command calls, so the rule and the messages are the same:
all or nothing, file, line and reason for each problem, additions and updates only unless
`replace`, and a dry run that checks and counts everything, then rolls it back.

Each kind takes the uploaded files as [(name, bytes)] and answers the lines to show (the
command's output), or raises ImportProblems with every reason.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from booths.importers import FILES as SPONSOR_FILES
from booths.importers import import_booths, import_sponsors, sponsor_report
from portal.registrations import RegistrationImportError, import_registrations
from posters.author_emails import import_author_emails
from posters.importers import InvalidImport, read_papers, read_poster_slots, save_papers, save_poster_slots
from posters.tasks import compute_discovery
from posters.uploads import sync_release_days
from schedule.importers import ImportFailed
from schedule.importers.ical import import_calendars
from schedule.importers.sitedata import FILES as SITEDATA_FILES
from schedule.importers.sitedata import import_sitedata_files

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportProblems(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str
    files: str  # what to upload, in the organisers' words
    accept: str
    command: str
    replace: str = ""  # what replace removes; "" when the kind has no replace
    multiple: bool = False


def _papers(files, replace, dry_run):
    lines = []
    for name, data in files:
        result = save_papers(read_papers(data, name), dry_run=dry_run)
        lines += result.report()
        if not dry_run and (result.created or result.updated):
            compute_discovery.delay()
            lines.append("Similar papers and the paper map are being recomputed.")
    return lines


def _poster_slots(files, replace, dry_run):
    # Several files (one per track) are one import: all or nothing, as if they were one file.
    records = [record for name, data in files for record in read_poster_slots(data, name)]
    result = save_poster_slots(records, replace=replace, dry_run=dry_run)
    lines = result.report()
    if not dry_run:
        moved = sync_release_days()
        if moved:
            lines.append(f"{moved} recordings moved to their paper's new release day.")
    return lines


def _author_emails(files, replace, dry_run):
    return [
        line
        for name, data in files
        for line in import_author_emails(data, name, replace=replace, dry_run=dry_run).report()
    ]


def _calendars(files, replace, dry_run):
    results = import_calendars(files, dry_run=dry_run)
    lines = ["Dry run, nothing was written."] if dry_run else []
    for result in results:
        lines += [result.summary(), *(f"  {note}" for note in result.notes)]
    return lines


def _sitedata(files, replace, dry_run):
    yaml_files = {PurePath(name).name: data for name, data in files if not name.endswith(".ics")}
    calendars = {PurePath(name).name: data for name, data in files if name.endswith(".ics")}
    results = import_sitedata_files(yaml_files, calendars, dry_run=dry_run)
    lines = ["Dry run, nothing was written."] if dry_run else []
    for result in results:
        lines += [result.summary(), *(f"  {note}" for note in result.notes)]
    return lines


def _sponsors(files, replace, dry_run):
    names = [PurePath(name).name for name, _ in files]
    wrong = [name for name in names if name not in SPONSOR_FILES]
    if wrong:
        raise ImportFailed(
            [f"{name}: not one of {', '.join(SPONSOR_FILES)} (the files keep their Mini-Conf names)." for name in wrong]
        )
    with tempfile.TemporaryDirectory() as folder:
        for name, (_, data) in zip(names, files, strict=True):
            Path(folder, name).write_bytes(data)
        return sponsor_report(import_sponsors(folder, dry_run=dry_run), dry_run=dry_run)


def _booths(files, replace, dry_run):
    names = [PurePath(name).name for name, _ in files]
    if names != ["socials.yml"]:
        raise ImportFailed([f"{', '.join(names)}: choose one file, socials.yml."])
    with tempfile.TemporaryDirectory() as folder:
        socials = Path(folder, "socials.yml")
        socials.write_bytes(files[0][1])
        return import_booths(socials, dry_run=dry_run)


def _registrations(files, replace, dry_run):
    return [
        line
        for name, data in files
        for line in import_registrations(data, source=name, replace=replace, dry_run=dry_run).report()
    ]


KINDS = {
    kind.slug: kind
    for kind in (
        ImportKind(
            "papers",
            "Papers",
            "OpenReview notes JSON or a Mini-Conf papers CSV (UID, title, authors, …; an emails column links "
            "authors' addresses, privately)",
            ".json,.csv",
            "import_papers",
        ),
        ImportKind(
            "poster_slots",
            "Poster slots",
            "CSV UID,session_name,starttime,endtime,timezone,zoom_join_link, or Mini-Conf paper_sessions.yml; "
            "one file per track is fine",
            ".csv,.yml,.yaml",
            "import_poster_slots",
            replace="the slots of the files' sessions that the files do not hold",
            multiple=True,
        ),
        ImportKind(
            "author_emails",
            "Authors' e-mails",
            "CSV UID,email or UID,author,email",
            ".csv",
            "import_author_emails",
            replace="the addresses of the files' papers that the files do not hold",
        ),
        ImportKind(
            "calendars",
            "Calendars",
            "iCalendar files (.ics; workshop_<code>.ics become a workshop's talks) or Mini-Conf calendar JSON "
            "(overall_calendar.json, …)",
            ".ics,.json",
            "import_calendar",
            multiple=True,
        ),
        ImportKind(
            "sitedata",
            "Sitedata YAML",
            f"Mini-Conf sitedata files ({', '.join(SITEDATA_FILES)}), with ICLR's workshop_<cal>.ics calendars",
            ".yml,.yaml,.ics",
            "import_schedule_yaml",
            multiple=True,
        ),
        ImportKind(
            "sponsors",
            "Sponsors",
            f"Mini-Conf sitedata files ({', '.join(SPONSOR_FILES)}): tiers, sites and logos, each sponsor with its "
            "booth; expo talks linked once the sitedata import has made them",
            ".yml,.yaml,.tsv",
            "import_sponsors",
            multiple=True,
        ),
        ImportKind(
            "booths",
            "Social and workshop booths",
            "Mini-Conf socials.yml (after the sitedata import made the socials' sessions): each social becomes a "
            "social booth with its slots; every workshop gets its booth too",
            ".yml,.yaml",
            "import_booths",
        ),
        ImportKind(
            "registrations",
            "Registrations",
            "registered attendees' e-mails: a CSV with an email column, or one address a line",
            ".csv,.txt",
            "import_registrations",
            replace="the addresses an earlier file of the same name gave that this one lacks",
        ),
    )
}
RUNNERS = {
    "papers": _papers,
    "poster_slots": _poster_slots,
    "author_emails": _author_emails,
    "calendars": _calendars,
    "sitedata": _sitedata,
    "sponsors": _sponsors,
    "booths": _booths,
    "registrations": _registrations,
}


def run_import(kind, files, *, replace=False, dry_run=False):
    """The lines to show for importing `files` ([(name, bytes)]) as `kind`, or ImportProblems."""
    if kind not in KINDS:
        raise ImportProblems([f"Unknown import “{kind[:40]}”."])
    if not files:
        raise ImportProblems(["Choose a file to import."])
    too_big = [
        f"{name}: larger than {MAX_UPLOAD_BYTES // 2**20} MB." for name, data in files if len(data) > MAX_UPLOAD_BYTES
    ]
    if too_big:
        raise ImportProblems(too_big)
    try:
        return RUNNERS[kind](files, replace and bool(KINDS[kind].replace), dry_run)
    except InvalidImport as exc:
        raise ImportProblems(exc.errors) from exc
    except ImportFailed as exc:
        raise ImportProblems(exc.problems) from exc
    except RegistrationImportError as exc:
        raise ImportProblems([str(exc)]) from exc

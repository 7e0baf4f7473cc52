from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEFAULT_SEED, seed_demo
from posters.discovery import compute_discovery, latest_run


class Command(BaseCommand):
    help = (
        "Create or update a synthetic demo conference (generated papers, poster sessions, workshops, "
        "keynotes, a social and demo accounts). Deterministic for a seed and a date; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--papers", type=int, default=700, help="How many papers (default 700).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--first-day",
            help="The first poster day, YYYY-MM-DD (default: today in UTC; the workshop day is the day before).",
        )
        parser.add_argument(
            "--no-discovery", action="store_true", help="Skip computing similar papers and the paper map."
        )

    def handle(self, papers, seed, first_day, no_discovery=False, **options):
        if papers < 1:
            raise CommandError("--papers must be at least 1.")
        try:
            day = date.fromisoformat(first_day) if first_day else None
        except ValueError:
            raise CommandError(f"--first-day {first_day!r} is not a date like 2026-11-26.") from None
        result = seed_demo(papers=papers, seed=seed, first_day=day)
        self.stdout.write(result.papers.summary())
        if not no_discovery and (result.papers.created or result.papers.updated or latest_run() is None):
            run = compute_discovery()
            self.stdout.write(f"Similar papers and the paper map computed in {run.seconds:.1f} s.")
        self.stdout.write(result.slots.summary())
        self.stdout.write(
            f"Other sessions: {result.sessions_created} created, {result.sessions_updated} updated. "
            f"Workshop day {result.first_day - timedelta(days=1):%a %d %b %Y}, "
            f"poster days from {result.first_day:%a %d %b %Y} (times in UTC)."
        )
        self.stdout.write("\nDemo accounts (for a demo only; change or delete them anywhere public):")
        for account in result.accounts:
            note = "" if account.created else "  (existed already: password left as it was)"
            self.stdout.write(f"  {account.role:<10} {account.email:<32} password: {account.password}{note}")

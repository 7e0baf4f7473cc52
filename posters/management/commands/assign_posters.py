from django.core.management.base import BaseCommand, CommandError

from posters.assignment import AssignmentImpossible, assign_posters


class Command(BaseCommand):
    help = (
        "Assign every paper to K poster sessions (default 2): balanced sessions, a paper's sessions in "
        "different time blocks, and for every author whose zone is known a session within 08:00–22:00 local. "
        "All or nothing; existing pairs keep their call links; removing existing slots needs --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--per-paper", type=int, default=2, help="Sessions per paper (K).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report what would change (slots removed); write nothing."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Allow removing slots the papers already have (an imported line-up); without it such an "
            "assignment is refused.",
        )

    def handle(self, per_paper, dry_run, replace=False, **options):
        try:
            result = assign_posters(per_paper=per_paper, dry_run=dry_run, replace=replace)
        except AssignmentImpossible as exc:
            raise CommandError(f"Nothing was assigned.\n{exc}") from exc
        for line in result.report():
            self.stdout.write(line)
        for session, size in result.sessions.items():
            self.stdout.write(f"  {session.start:%a %d %b %H:%M} UTC  {session.title}: {size} papers")

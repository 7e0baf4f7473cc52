from django.core.management.base import BaseCommand

from posters.discovery import compute_discovery


class Command(BaseCommand):
    help = "Compute similar papers (TF-IDF), the 2-D paper map and its regions, and store them."

    def handle(self, **options):
        run = compute_discovery()
        self.stdout.write(
            f"Discovery computed for {run.paper_count} papers in {run.seconds:.1f} s: "
            f"{len(run.regions)} map regions. ({run.method})"
        )

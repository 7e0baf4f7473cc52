from django.core.management.base import BaseCommand

from posters.coverage import OFFSETS, PROMISED_PER_DAY, coverage_table


class Command(BaseCommand):
    help = (
        "For every UTC offset from −12 to +14, how many poster sessions a day fall wholly within 08:00–22:00 "
        f"local time, and whether everyone gets at least {PROMISED_PER_DAY} a day."
    )

    def handle(self, **options):
        table = coverage_table()
        if not table.days:
            self.stdout.write("There are no poster sessions.")
            return
        days = "  ".join(f"{d:%a %d}" for d in table.days)
        self.stdout.write(f"Poster sessions wholly within 08:00–22:00 local, per conference day ({table.zone}):")
        self.stdout.write(f"offset     {days}   min")
        for offset in OFFSETS:
            counts = table.counts[offset]
            cells = "  ".join(f"{c:>6}" for c in counts)
            mark = "" if min(counts) >= PROMISED_PER_DAY else f"   < {PROMISED_PER_DAY}"
            self.stdout.write(f"UTC{offset:+03d}     {cells}   {min(counts):>3}{mark}")
        self.stdout.write("")
        self.stdout.write(table.statement())

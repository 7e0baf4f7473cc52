from django.core.management.base import BaseCommand

from posters.coverage import OFFSETS, PROMISED_PER_DAY, coverage_table


class Command(BaseCommand):
    help = (
        "For every UTC offset from −12 to +14, how many poster sessions on each of the conference's days there fall "
        f"wholly within 08:00–22:00 local time, which days are partial, and whether every full day has at least "
        f"{PROMISED_PER_DAY}."
    )

    def handle(self, **options):
        table = coverage_table()
        if not table.days:
            self.stdout.write("There are no poster sessions.")
            return
        self.stdout.write(
            "Poster sessions wholly within 08:00–22:00 local, per local day of the conference at each offset."
        )
        self.stdout.write(
            "(n): a partial day there (the sessions begin after its 08:00 or end before its 22:00), not judged; "
            "min: the fewest on a full day."
        )
        days = "".join(f"{d:%a %d}".rjust(8) for d in table.days)
        self.stdout.write(f"offset  {days}    min")
        for offset in OFFSETS:
            row = table.rows[offset]
            cells = "".join(
                (f"({row.counts[d]})" if d in row.partial else str(row.counts[d])).rjust(8)
                if d in row.counts
                else " " * 8
                for d in table.days
            )
            least = row.minimum()
            mark = f"   < {PROMISED_PER_DAY}" if least is not None and least < PROMISED_PER_DAY else ""
            self.stdout.write(f"UTC{offset:+03d}  {cells}  {'-' if least is None else least:>5}{mark}")
        self.stdout.write("")
        self.stdout.write(table.statement())

"""The one refusal of the booths' services: a reason a program can branch on, a sentence a person reads."""


class BoothError(Exception):
    """A refused booth action. `reason` is a short code ("too_many", "not_registered",
    "closed", ...); `detail` the sentence shown to the person."""

    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail

    def __str__(self):
        return self.detail

"""Forms of the booths: an application, a host's edit. Times are typed in the person's own
zone (named beside the field) and stored as aware UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from booths.models import Booth
from booths.services.applications import APPLY_KINDS, conference_span

SLOT_HELP = "One per line, in your time zone ({zone}): 2020-04-27 10:00-11:30"


def parse_slots(text, zone_name):
    """[(start, end)] aware, from lines "YYYY-MM-DD HH:MM-HH:MM" in `zone_name`; a
    ValidationError names the line and what is wrong."""
    zone = ZoneInfo(zone_name)
    first, last = conference_span()
    spans = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            day, hours = line.split(None, 1)
            start_text, end_text = (part.strip() for part in hours.split("-", 1))
            start = datetime.fromisoformat(f"{day} {start_text}").replace(tzinfo=zone)
            end = datetime.fromisoformat(f"{day} {end_text}").replace(tzinfo=zone)
        except ValueError:
            raise ValidationError(f"Line {number}: “{line[:60]}” is not “YYYY-MM-DD HH:MM-HH:MM”.") from None
        if end <= start:
            raise ValidationError(f"Line {number}: the time ends before it starts.")
        if start < first or end > last:
            raise ValidationError(
                f"Line {number}: the time is outside the conference "
                f"({first.date():%d %b} to {last.date():%d %b %Y}, {first.tzinfo})."
            )
        spans.append((start, end))
    return spans


def parse_emails(text):
    found = []
    for raw in text.replace(",", "\n").split():
        email = raw.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(f"“{email[:80]}” is not an e-mail address.") from None
        if email not in found:
            found.append(email)
    return found


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, Booth.Kind(k).label) for k in APPLY_KINDS])
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    slots = forms.CharField(label="Proposed times", widget=forms.Textarea(attrs={"rows": 3}))
    co_hosts = forms.CharField(
        label="Co-hosts (e-mail addresses)",
        required=False,
        help_text="Separated by commas; they host once they have confirmed that address here.",
    )

    def __init__(self, *args, zone_name="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.fields["slots"].help_text = SLOT_HELP.format(zone=zone_name)

    def clean_slots(self):
        spans = parse_slots(self.cleaned_data["slots"], self.zone_name)
        if not spans:
            raise ValidationError("Propose at least one time.")
        return spans

    def clean_co_hosts(self):
        return parse_emails(self.cleaned_data["co_hosts"])


class HostEditForm(forms.ModelForm):
    call_link = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=500,
        help_text="Shown only to those the conference lets see call links, only while the booth is open.",
    )

    class Meta:
        model = Booth
        fields = ["description", "links", "logo", "call_link"]


class AddSlotForm(forms.Form):
    slots = forms.CharField(label="Add times", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, zone_name="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.fields["slots"].help_text = SLOT_HELP.format(zone=zone_name)

    def clean_slots(self):
        return parse_slots(self.cleaned_data["slots"], self.zone_name)

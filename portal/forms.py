from django import forms

from portal.models import User
from portal.timezones import common_zones, zone_or_none


class RegistrationImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV with an 'email' column (and optionally 'name'), or one e-mail a line.")


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves; roles are the organisers' to give."""

    time_zone = forms.ChoiceField(
        required=False,
        help_text="Every time on the site is shown in this zone. Not set: this browser's choice is used.",
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "time_zone", "interests"]
        labels = {"display_name": "Display name", "interests": "Interests"}
        help_texts = {
            "display_name": "Shown beside your chat messages and questions. Empty: the start of your e-mail address.",
            "affiliation": "Your university, company or lab (optional).",
            "interests": "Topics, separated by commas, e.g. reinforcement learning, fairness, optimisation.",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "affiliation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = common_zones()
        current = self.instance.time_zone
        # A valid zone saved from elsewhere (e.g. a legacy alias like "Japan") stays choosable.
        if current and current not in zones and zone_or_none(current):
            zones = sorted([*zones, current])
        self.fields["time_zone"].choices = [("", "Not set (this browser's choice)")] + [(z, z) for z in zones]

    def clean_display_name(self):
        return " ".join(self.cleaned_data["display_name"].split())

    def clean_affiliation(self):
        return " ".join(self.cleaned_data["affiliation"].split())

    def clean_interests(self):
        seen = {}
        for topic in self.cleaned_data["interests"].split(","):
            topic = " ".join(topic.split())
            if topic and topic.lower() not in seen:
                seen[topic.lower()] = topic
        interests = ", ".join(seen.values())
        if len(interests) > User._meta.get_field("interests").max_length:
            raise forms.ValidationError("That is too many interests: keep it under 500 characters.")
        return interests

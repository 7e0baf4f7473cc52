from django import forms

from chat.models import Report
from people.models import Profile
from people.profiles import clean_links


class ProfileSharingForm(forms.ModelForm):
    """What a person shares with others (their name, affiliation and interests are edited
    on their profile page and shown only when `public` is on)."""

    class Meta:
        model = Profile
        fields = ["public", "suggestible", "ask_me_about", "links"]
        labels = {
            "public": "Show my public profile to others",
            "suggestible": "Suggest me to others and let me “meet someone now”",
            "ask_me_about": "Ask me about",
        }
        help_texts = {
            "public": "Your display name, affiliation, interests, papers, “ask me about” and links, on /people/, "
            "your papers' pages and “who's around”. Off: nothing about you is shown to anyone.",
            "suggestible": "Needs the public profile.",
            "ask_me_about": "A sentence: what you'd like people to talk to you about.",
            "links": "Web addresses, one a line (at most 5).",
        }
        widgets = {"links": forms.Textarea(attrs={"rows": 3})}

    def clean_links(self):
        return clean_links(self.cleaned_data["links"])


class IntroductionForm(forms.Form):
    note = forms.CharField(
        label="A short note: why you'd like to meet",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices)
    detail = forms.CharField(
        label="What happened (optional)", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class JoinQueueForm(forms.Form):
    topic = forms.CharField(
        label="What would you like to talk about?",
        max_length=200,
        required=False,
        help_text="Topics, separated by commas; your profile's interests count too.",
    )
    group_size = forms.TypedChoiceField(
        label="Meet",
        choices=[(2, "one person"), (3, "two people (a group of 3)")],
        coerce=int,
        initial=2,
    )

from django import forms


class RegistrationImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV with an 'email' column (and optionally 'name'), or one e-mail a line.")

from django.apps import AppConfig


class KeynotesConfig(AppConfig):
    name = "keynotes"

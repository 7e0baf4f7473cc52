from django.apps import AppConfig


class BoothsConfig(AppConfig):
    name = "booths"

    def ready(self):
        from booths import subjects

        # Booths are subjects, "booth:<slug>" (schedule/subjects.py): their chat rooms open
        # through it, a self-organised booth's as a private room.
        subjects.register()

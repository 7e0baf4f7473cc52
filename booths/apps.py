from django.apps import AppConfig


class BoothsConfig(AppConfig):
    name = "booths"

    def ready(self):
        from django.db.models.signals import post_save

        from booths import agenda, exporting, listing, state, subjects, workshops
        from portal.page_parts import register_page_part
        from portal.state_parts import register_state_part
        from schedule.agenda import register_agenda_source
        from schedule.models import Session

        # Booths are subjects, "booth:<slug>" (schedule/subjects.py): their chat rooms open
        # through it, a self-organised booth's as a private room.
        subjects.register()
        # Workshop talks are subjects too, "talk:<session id>": their pre-recorded videos are
        # recordings, uploaded on the one upload page and released by the rule.
        workshops.register()
        # The upload link of each talk on a workshop page, for those who may upload it.
        register_state_part("talks", state.talks, limit=100)
        # A moved or renamed talk moves its recording's release day and title.
        post_save.connect(_session_saved, sender=Session, dispatch_uid="booths-sync-workshop-talk")
        # Public booths, sponsors and workshops in the export and the sitemap (never a private booth).
        exporting.register()
        # Each visitor's call link and host controls on the public booth pages.
        register_state_part("booths", state.build, limit=50)
        # Booked recruiter meetings in the agendas and feeds of their two people.
        register_agenda_source("meetings", agenda.meeting_lines)
        # "Booths open now" on the livestream page.
        register_page_part("live", listing.open_now_html)


def _session_saved(sender, instance, created=False, raw=False, **kwargs):
    # Only a session under another can be a workshop talk; a new one has no recording yet.
    if raw or created or instance.parent_id is None:
        return
    from booths import workshops

    workshops.sync(instance)

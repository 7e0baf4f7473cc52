from django.apps import AppConfig


class BoothsConfig(AppConfig):
    name = "booths"

    def ready(self):
        from booths import agenda, exporting, listing, state, subjects
        from portal.page_parts import register_page_part
        from portal.state_parts import register_state_part
        from schedule.agenda import register_agenda_source

        # Booths are subjects, "booth:<slug>" (schedule/subjects.py): their chat rooms open
        # through it, a self-organised booth's as a private room.
        subjects.register()
        # Public booths, sponsors and workshops in the export and the sitemap (never a private booth).
        exporting.register()
        # Each visitor's call link and host controls on the public booth pages.
        register_state_part("booths", state.build, limit=50)
        # Booked recruiter meetings in the agendas and feeds of their two people.
        register_agenda_source("meetings", agenda.meeting_lines)
        # "Booths open now" on the livestream page.
        register_page_part("live", listing.open_now_html)

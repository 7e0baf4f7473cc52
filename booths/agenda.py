"""Booked recruiter meetings in their two people's agendas and calendar feeds (the agenda
source "meetings", schedule.agenda.register_agenda_source). The feed never carries the
call link: it is on the meetings page, inside the window."""

from booths.services.meetings import meetings_of
from booths.sponsor_models import MeetingAppointment
from schedule.agenda import AgendaLine


def meeting_lines(user):
    return [AgendaLine(MeetingAppointment.for_slot(slot)) for slot in meetings_of(user)]

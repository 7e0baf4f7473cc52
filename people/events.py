"""The realtime events of this app, sent only from its services (people.matching,
people.introductions) through chat's one sender, so tests capture them with
`chat.services.events.capture()`."""

from django.db import transaction

from chat.services import events


def person_group(user_id):
    # One group a person: every "meet someone now" socket and page of theirs listens.
    return f"people.person.{user_id}"


def send_after_commit(frames):
    """Send [(user_id, frame), …] once the transaction commits (at once outside one)."""

    def send():
        for user_id, frame in frames:
            events.broadcast(person_group(user_id), frame)

    if frames:
        transaction.on_commit(send)

"""Who is in which room, for layers above (people's "who's around").

The room socket sends `person_entered` when a logged-in person's socket joins a room and
`person_left` when it closes (keyword arguments `user_id`, `room_key`), from its database
threads. Chat itself keeps only counts (chat.services.presence); a receiver that fails
is logged and never breaks the socket.
"""

from django.dispatch import Signal

person_entered = Signal()
person_left = Signal()

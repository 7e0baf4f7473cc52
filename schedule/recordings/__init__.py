"""Pre-recorded talks: a `Recording` (video + slides + captions) for any subject of the
programme, keyed by an opaque `subject_key` (``paper:<uid>``, ``keynote:<slug>``), its
processing into renditions with ffmpeg, and its release at 02:00 in the release zone.

models.py     what is true (Recording, RecordingVersion, RecordingEvent)
release.py    the release rule, `is_released`, the release task's verb, announcements
validation.py what an upload must be (ffprobe and caps, a PDF that parses, WebVTT/SRT)
processing.py ffmpeg: renditions, audio-only, poster frame; queueing, heartbeat, the sweeper
services.py   what authors and organisers do (upload, retry, release early, hold back)
serving.py    the access-checked media view (X-Accel-Redirect or a ranged stream)
"""

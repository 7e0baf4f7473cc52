"""The verbs of booths: starting and joining self-organised booths (`private`), more to come."""

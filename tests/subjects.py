"""Registering a subject kind for one test (schedule/subjects.py)."""

from contextlib import contextmanager

from schedule import subjects


@contextmanager
def subject_kind(name, resolve, **options):
    """Register a subject kind for a test, then put back the one it replaced."""
    previous = subjects.subject_kind(name)
    subjects.register_subject_kind(name, resolve, **options)
    try:
        yield
    finally:
        if previous is None:
            subjects.unregister_subject_kind(name)
        else:
            subjects.register_subject_kind(**vars(previous))

from celery import shared_task

from people import matching


@shared_task
def expire_matches():
    """End the "meet someone now" offers nobody answered in time."""
    return matching.expire_due()

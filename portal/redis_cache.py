"""The production cache backend: django-redis, with rate-limit locks that fail open.

django-redis with IGNORE_EXCEPTIONS (pages render with Redis gone) answers an `add`
that could not reach Redis, or that Redis refused (full, under `noeviction`), with None,
which the caller reads as "someone else holds this key". allauth's rate limiter takes a
lock with `add` before it counts an attempt and treats a lock it cannot take as "limited",
so with Redis down or full nobody could log in (429). For the rate limiter's keys a
failed `add` is reported as done, with a warning: nobody can hold a lock in a cache
that cannot be reached, and the attempt goes ahead uncounted (the limits are not
enforced until Redis is back). Other keys keep "not added" (a job's lock must
not let every beat tick start the job twice).
"""

import logging

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

# allauth.core.internal.ratelimit.get_cache_key: "allauth:rl:<app>:<action>:...".
RATE_LIMIT_PREFIX = "allauth:rl:"


class RedisCache(DjangoRedisCache):
    def add(self, key, *args, **kwargs):
        try:
            return self.client.add(key, *args, **kwargs)
        except ConnectionInterrupted as error:
            if key.startswith(RATE_LIMIT_PREFIX):
                logger.warning(
                    "rate limiter unavailable (cache: %s): %s allowed without counting", error.__cause__, key
                )
                return True
            if self._ignore_exceptions:
                return None
            raise error.__cause__ from None

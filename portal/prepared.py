"""Queries that PostgreSQL plans once per connection (PREPARE / EXECUTE), for the two reads
every logged-in page view makes: the visitor's user row (portal.auth_backends) and their
roles, stars and agenda marks (portal.state's personal query).

Building and compiling such a query in the ORM costs more than running it: the personal
query was about 40 % of `/me/state.json`'s time in Django, and PostgreSQL spent longer
planning it than running it (EXPLAIN ANALYZE: planning 1.9 ms, execution 0.3 ms); the user's
row read by `User.objects.get(pk=…)` was a third of a logged-in request's CPU.
bench/read_path.py's state row measures both.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from psycopg2.extensions import AsIs

# A marker for a person's id that no person has: a query is compiled with markers in
# place of its arguments (PreparedQuery).
PK_MARKER = -2_147_480_001


class PreparedQuery:
    """An ORM query that PostgreSQL plans once per connection.

    The queryset stays the definition: it is compiled once with marker arguments, its
    constants written into the statement as psycopg2 writes them for any query, the
    markers' places becoming the statement's parameters. Other databases (the embedded
    SQLite), and PostgreSQL behind a transaction pooler (`PORTAL_PREPARED_STATEMENTS=0`),
    run the queryset as it is.
    """

    def __init__(self, name, build, markers):
        self.name, self.build, self.markers = name, build, markers
        self._statement = None  # the PREPARE statement, made on first use
        self._columns = None  # instances(): the model and a whole row's columns, found on first use

    def rows(self, *args):
        """The rows of `build(*args)`: tuples when prepared, else what the queryset yields."""
        db = connections[DEFAULT_DB_ALIAS]  # this thread's connection (not the module-wide proxy)
        if not self._prepares(db):
            return list(self.build(*args))
        db.ensure_connection()
        with db.cursor() as cursor:
            prepared = db.__dict__.setdefault("portal_prepared", set())
            if self.name not in prepared:
                cursor.execute(self._prepare_sql(cursor))
                prepared.add(self.name)
            cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(args))})", args)
            return cursor.fetchall()

    def instances(self, *args):
        """The model instances of `build(*args)`, a queryset of whole rows of one model."""
        if not self._prepares(connections[DEFAULT_DB_ALIAS]):
            return list(self.build(*args))
        if self._columns is None:  # building the queryset on every call was a tenth of a request's CPU
            model = self.build(*(marker for marker, _ in self.markers)).model
            self._columns = model, [field.attname for field in model._meta.concrete_fields]  # in order
        model, names = self._columns
        return [model.from_db(DEFAULT_DB_ALIAS, names, row) for row in self.rows(*args)]

    @staticmethod
    def _prepares(db):
        return db.vendor == "postgresql" and settings.PORTAL_PREPARED_STATEMENTS

    def _prepare_sql(self, cursor):
        if self._statement is None:
            sql, params = self.build(*(marker for marker, _ in self.markers)).query.sql_with_params()
            places = {marker: f"${n}" for n, (marker, _) in enumerate(self.markers, start=1)}
            found = set()

            def placed(param):
                for marker, place in places.items():
                    if type(param) is type(marker) and param == marker:
                        found.add(marker)
                        return AsIs(place)
                return param

            body = cursor.mogrify(sql, [placed(param) for param in params]).decode()
            if len(found) != len(places):
                raise ImproperlyConfigured(f"{self.name}: a marker is not among the query's parameters.")
            types = ", ".join(kind for _, kind in self.markers)
            self._statement = f"PREPARE {self.name} ({types}) AS {body}"
        return self._statement


def _forget_prepared(sender, connection, **kwargs):
    """A new connection to the database holds no prepared statement yet."""
    connection.__dict__.pop("portal_prepared", None)


connection_created.connect(_forget_prepared, dispatch_uid="portal-prepared")

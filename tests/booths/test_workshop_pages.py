"""/workshops/ query counts and a refused socials file (no ICLR data needed)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from booths.models import Booth
from portal.models import Conference
from schedule.models import Session
from tests.factories import SessionFactory


@pytest.mark.django_db
@pytest.mark.parametrize("n", (1, 50))
def test_workshop_list_query_count(django_assert_num_queries, n):
    for i in range(n):
        SessionFactory(kind=Session.Kind.WORKSHOP, uid=f"workshop:W{i}", title=f"Workshop {i}")
    Conference.get()
    # The workshops with their booths and talk counts; the conference.
    with django_assert_num_queries(2):
        assert Client().get("/workshops/").status_code == 200


@pytest.mark.django_db
def test_a_bad_socials_file_is_refused_whole(tmp_path):
    (tmp_path / "socials.yml").write_text(
        "socials:\n  - name: Fine\n    day: [Monday]\n    times: ['10:00-11:00 GMT']\n  - organizers: x\n"
    )
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_booths", str(tmp_path), stdout=out)
    assert "socials.yml: social 2: no name." in str(failure.value)
    assert Booth.objects.count() == 0

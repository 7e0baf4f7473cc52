"""Admin stays fast with many papers: no unbounded dropdowns, a constant number of queries."""

import pytest

from tests.factories import PaperFactory, PosterSlotFactory, SessionFactory, UserFactory


@pytest.fixture
def organiser(client, conference):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))


def build(n):
    session = SessionFactory()
    papers = [PaperFactory(author_names=[f"Author {i}", "Shared Author"], keyword_names=[f"k{i}"]) for i in range(n)]
    for paper in papers:
        PosterSlotFactory(paper=paper, session=session)
    return papers


@pytest.mark.parametrize("n", [1, 50])
def test_changelists_query_count(client, organiser, django_assert_max_num_queries, n):
    build(n)
    for url in ("/admin/posters/paper/", "/admin/posters/posterslot/", "/admin/posters/author/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    assert client.get("/admin/posters/paper/", {"q": "study", "assigned": "yes"}).status_code == 200


def test_change_form_has_no_unbounded_dropdowns(client, organiser):
    papers = build(30)
    html = client.get(f"/admin/posters/paper/{papers[0].pk}/change/").content.decode()
    # Authors and keywords are autocomplete widgets, sessions raw ids: none lists every row.
    assert "Author 29" not in html
    assert "k29" not in html
    assert "data-autocomplete-light" in html or "admin-autocomplete" in html
    slot_html = client.get(f"/admin/posters/posterslot/{papers[0].poster_slots.get().pk}/change/").content.decode()
    assert "vForeignKeyRawIdAdminField" in slot_html

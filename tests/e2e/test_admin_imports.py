"""An organiser imports a Mini-Conf conference in Django admin, without a shell: upload, preview,
confirm, and read the result on the page (our own fixtures, tests/data/clt2021)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from posters.models import AuthorEmail, Paper, PosterSlot
from tests.e2e.conftest import assert_no_serious_axe_violations, save_artifacts
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
CLT = Path(__file__).resolve().parent.parent / "data" / "clt2021" / "sitedata"


@pytest.fixture
def organiser(transactional_db):
    from portal.models import Conference

    Conference.objects.create(name="CLT 2021")
    return UserFactory(email="organiser@example.org", is_staff=True, is_superuser=True)


def test_an_organiser_imports_papers_and_two_tracks_of_poster_slots_in_admin(page, organiser, tmp_path):
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Imports (papers, poster slots, calendars, sitedata, e-mails)").click()
    expect(
        page.get_by_role(
            "heading", name="Import papers, poster slots, calendars, sitedata, sponsors, booths and e-mails"
        )
    ).to_be_visible()

    # A papers file with a mistake: every problem, nothing written.
    bad = tmp_path / "papers.csv"
    bad.write_text("UID,title,authors,emails\np1,One,Ada|Alan,ada@example.org\n,Two,Grace,\n", encoding="utf-8")
    page.get_by_label("Papers", exact=True).check()
    page.get_by_label("Files", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-problems li")).to_have_text(
        ["papers.csv, line 2: 1 author e-mails for 2 authors.", "papers.csv, line 3: no UID."]
    )
    save_artifacts(page, "admin-import-1-problems")
    assert_no_serious_axe_violations(page, "#content-main")
    assert Paper.objects.count() == 0

    # The right file: a preview first, then the import.
    page.get_by_label("Papers", exact=True).check()
    page.get_by_label("Files", exact=True).set_input_files(str(CLT / "papers.csv"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-preview")).to_have_text(
        "Dry run, nothing was written. Papers: 5 created, 0 updated, 0 unchanged; 5 new authors, 5 new keywords. "
        "Author e-mails: 7 added, 0 updated.\n"
    )
    save_artifacts(page, "admin-import-2-preview")
    assert_no_serious_axe_violations(page, "#content-main")
    assert Paper.objects.count() == 0
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("#import-result")).to_contain_text(
        "Papers: 5 created, 0 updated, 0 unchanged; 5 new authors, 5 new keywords. Author e-mails: 7 added, 0 updated."
    )
    save_artifacts(page, "admin-import-3-result")
    assert (Paper.objects.count(), AuthorEmail.objects.count()) == (5, 7)

    # One paper_sessions.yml per track, uploaded together: both tracks' slots.
    page.get_by_label("Poster slots", exact=True).check()
    page.get_by_label("Files", exact=True).set_input_files(
        [str(CLT / "main_paper_sessions.yml"), str(CLT / "demo_paper_sessions.yml")]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-preview")).to_contain_text(
        "Poster slots: 6 created, 0 updated, 0 unchanged, 0 removed."
    )
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("#import-result")).to_contain_text(
        "Poster sessions: 2 created, 0 updated, 0 unchanged. "
        "Poster slots: 6 created, 0 updated, 0 unchanged, 0 removed."
    )
    save_artifacts(page, "admin-import-4-slots")
    assert PosterSlot.objects.count() == 6

    # Re-importing one track changes nothing and removes nothing.
    page.get_by_label("Poster slots", exact=True).check()
    page.get_by_label("Files", exact=True).set_input_files(str(CLT / "main_paper_sessions.yml"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-preview")).to_contain_text(
        "Poster slots: 0 created, 0 updated, 4 unchanged, 0 removed. 2 other slots in these sessions are not in "
        "the file and were kept (replace removes them)."
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#import-cancelled")).to_be_visible()
    assert PosterSlot.objects.count() == 6


def test_an_organiser_imports_the_sponsors_from_the_sponsors_list(page, organiser, tmp_path):
    """The sponsors' list in admin leads to the same import page with Sponsors chosen."""
    from booths.models import Sponsor

    sponsors = tmp_path / "sponsors.tsv"
    sponsors.write_text(
        "name\tSponsorship Level\tImage Tag\nAcme\tGold\t<a href='https://acme.example'></a>\n", encoding="utf-8"
    )
    page.goto("/accounts/login/?next=/admin/booths/sponsor/")
    page.get_by_label("Email").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Import from sitedata files").click()
    expect(page.get_by_label("Sponsors", exact=True)).to_be_checked()
    page.get_by_label("Files", exact=True).set_input_files(str(sponsors))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-preview")).to_have_text(
        "Dry run, nothing was written.\n"
        "sponsors.tsv: sponsors 1 created, 0 updated, 0 unchanged; 0 expo talks linked.\n"
    )
    assert Sponsor.objects.count() == 0
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("#import-result")).to_contain_text("sponsors.tsv: sponsors 1 created")
    save_artifacts(page, "admin-import-5-sponsors")
    assert_no_serious_axe_violations(page, "#content-main")
    assert Sponsor.objects.get().website == "https://acme.example"

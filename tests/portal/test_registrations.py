import pytest
from django.core.management import CommandError, call_command

from portal.models import RegisteredEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_import_a_csv_with_an_email_column(tmp_path):
    path = tmp_path / "registrations.csv"
    path.write_text("name,Email\nAda,ada@example.org\nGrace,GRACE@example.org\n")
    call_command("import_registrations", str(path))
    assert list(RegisteredEmail.objects.values_list("email", "name", "source")) == [
        ("ada@example.org", "Ada", "registrations.csv"),
        ("grace@example.org", "Grace", "registrations.csv"),
    ]


def test_import_one_email_a_line_is_idempotent(tmp_path, capsys):
    path = tmp_path / "list.txt"
    path.write_text("ada@example.org\n\n# a comment\nbob@example.org\n")
    call_command("import_registrations", str(path))
    call_command("import_registrations", str(path))
    assert capsys.readouterr().out.splitlines()[-1] == "0 registrations added, 2 already on the list."
    assert RegisteredEmail.objects.count() == 2


def test_a_bad_address_names_the_line_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("ada@example.org\nnot-an-address\n")
    with pytest.raises(CommandError) as error:
        call_command("import_registrations", str(path))
    assert str(error.value) == "bad.txt, line 2: “not-an-address” is not an e-mail address."
    assert RegisteredEmail.objects.count() == 0


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("import_registrations", str(tmp_path / "nope.csv"))
    assert str(error.value) == f"{tmp_path / 'nope.csv'}: no such file."


def test_organisers_import_in_admin(client, tmp_path):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = "/admin/portal/registeredemail/import/"
    assert client.get(url).status_code == 200
    upload = tmp_path / "reg.csv"
    upload.write_text("email\nada@example.org\n")
    with upload.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 302
    assert list(RegisteredEmail.objects.values_list("email", flat=True)) == ["ada@example.org"]


def test_admin_import_shows_the_error_and_keeps_nothing(client, tmp_path):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    upload = tmp_path / "reg.txt"
    upload.write_bytes(b"\xff\xfe\x00garbage")
    with upload.open("rb") as handle:
        response = client.post("/admin/portal/registeredemail/import/", {"file": handle})
    assert response.status_code == 200
    assert "reg.txt: not UTF-8 text" in response.content.decode()
    assert RegisteredEmail.objects.count() == 0


def test_an_import_adds_and_replace_removes_only_this_files_cancelled_addresses(tmp_path, capsys):
    RegisteredEmail.objects.create(email="staff@example.org", source="by hand")
    path = tmp_path / "registrations.csv"
    path.write_text("email\nada@example.org\nbob@example.org\n")
    call_command("import_registrations", str(path))
    path.write_text("email\nada@example.org\ncyd@example.org\n")
    capsys.readouterr()

    call_command("import_registrations", str(path))
    assert capsys.readouterr().out == "1 registrations added, 1 already on the list.\n"
    assert RegisteredEmail.objects.filter(email="bob@example.org").exists()

    call_command("import_registrations", str(path), "--replace", "--dry-run")
    assert capsys.readouterr().out == (
        "Dry run, nothing was written. 0 registrations added, 2 already on the list. 1 removed.\n"
        "  Would remove bob@example.org.\n"
    )
    assert RegisteredEmail.objects.count() == 4

    call_command("import_registrations", str(path), "--replace")
    assert sorted(RegisteredEmail.objects.values_list("email", flat=True)) == [
        "ada@example.org",
        "cyd@example.org",
        "staff@example.org",
    ]

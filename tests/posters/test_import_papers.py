"""`manage.py import_papers`: OpenReview JSON and Mini-Conf CSV, one transaction, idempotent by UID."""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posters.importers import PaperRecord, save_papers
from posters.models import Author, AuthorEmail, Authorship, Keyword, Paper, PaperKeyword
from tests.factories import AuthorFactory, PaperFactory

pytestmark = [
    pytest.mark.django_db,
    # PaperFactory lacks `skip_postgeneration_save` (tests/factories.py); its extra save is harmless here.
    pytest.mark.filterwarnings("ignore:PaperFactory._after_postgeneration:DeprecationWarning"),
]


def run(path):
    # Discovery after an import has its own test below; here it would only cost time.
    out = io.StringIO()
    call_command("import_papers", str(path), "--no-discovery", stdout=out)
    return out.getvalue()


def authors_of(uid):
    return list(Authorship.objects.filter(paper__uid=uid).order_by("position").values_list("author__name", flat=True))


def keywords_of(uid):
    return list(
        PaperKeyword.objects.filter(paper__uid=uid).order_by("position").values_list("keyword__name", flat=True)
    )


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}]


def table_counts():
    return [model.objects.count() for model in (Paper, Author, Keyword, Authorship, PaperKeyword)]


# --- The real ICLR 2020 files ------------------------------------------------------------


@pytest.fixture
def iclr_json(shared_data):
    return shared_data / "iclr2020" / "sitedata" / "papers.json"


@pytest.fixture
def miniconf_csv(shared_data):
    return shared_data / "miniconf" / "sitedata" / "papers.csv"


@pytest.mark.iclr
def test_iclr_openreview_json(iclr_json):
    out = run(iclr_json)

    assert out == "Papers: 687 created, 0 updated, 0 unchanged; 2569 new authors, 223 new keywords.\n"
    assert Paper.objects.count() == 687
    assert authors_of("rkgt0REKwS") == ["Yueming Lyu", "Ivor W. Tsang"]
    assert keywords_of("rkgt0REKwS") == [
        "curriculum learning",
        "expressive power",
        "generalization",
        "robust learning",
        "robustness",
    ]
    paper = Paper.objects.get(uid="rkgt0REKwS")
    # Whitespace runs in titles are collapsed (the source has a double space).
    assert paper.title == "Curriculum Loss: Robust Learning and Generalization against Label Corruption"
    assert paper.tldr == "A novel loss bridges curriculum learning and robust learning"
    assert paper.forum_url == "https://openreview.net/forum?id=rkgt0REKwS"
    assert paper.pdf_url == "https://openreview.net/pdf/800966a39eedb870f2172779e97ac57edbff69e5.pdf"
    assert paper.code_url == ""
    assert sorted(paper.extra) == ["_bibtex", "original_pdf", "paperhash"]
    assert authors_of("B1e9Y2NYvS") == ["Hanshu YAN", "Jiawei DU", "Vincent TAN", "Jiashi FENG"]
    assert Paper.objects.exclude(code_url="").count() == 335
    # Names that differ only by a mark share a slug stem; each still gets its own slug.
    assert list(Author.objects.filter(name__startswith="Chunyuan Li").order_by("name").values_list("slug", flat=True))
    assert sorted(Author.objects.filter(name__in=["Chunyuan Li", "Chunyuan Li*"]).values_list("slug", flat=True)) == [
        "chunyuan-li",
        "chunyuan-li-2",
    ]


@pytest.mark.iclr
def test_iclr_reimport_writes_nothing(iclr_json):
    run(iclr_json)
    before = dict(Paper.objects.values_list("uid", "updated_at"))
    counts = table_counts()

    with CaptureQueriesContext(connection) as queries:
        out = run(iclr_json)

    assert out == "Papers: 0 created, 0 updated, 687 unchanged; 0 new authors, 0 new keywords.\n"
    assert writes(queries.captured_queries) == []
    assert table_counts() == counts
    assert dict(Paper.objects.values_list("uid", "updated_at")) == before


@pytest.mark.iclr
def test_miniconf_csv_gives_the_same_papers(iclr_json, miniconf_csv):
    out = run(miniconf_csv)

    assert out == "Papers: 687 created, 0 updated, 0 unchanged; 2569 new authors, 223 new keywords.\n"
    assert set(Paper.objects.values_list("uid", flat=True)) == set(json.loads(iclr_json.read_text()))
    assert authors_of("rkgt0REKwS") == ["Yueming Lyu", "Ivor W. Tsang"]
    assert keywords_of("rkgt0REKwS") == [
        "curriculum learning",
        "expressive power",
        "generalization",
        "robust learning",
        "robustness",
    ]
    # Extra columns are kept when filled (the file fills `sessions` for one paper only).
    assert Paper.objects.get(uid="rkgt0REKwS").extra == {}
    assert Paper.objects.get(uid="B1xSperKvH").extra == {"sessions": "Tues Session 1|Mon Session 1"}


@pytest.mark.iclr
def test_csv_after_json_keeps_what_the_csv_lacks(iclr_json, miniconf_csv):
    run(iclr_json)
    run(miniconf_csv)

    paper = Paper.objects.get(uid="rkgt0REKwS")
    # The Mini-Conf CSV has no link or TL;DR columns: the OpenReview values stay.
    assert paper.forum_url == "https://openreview.net/forum?id=rkgt0REKwS"
    assert paper.tldr == "A novel loss bridges curriculum learning and robust learning"
    assert Paper.objects.count() == 687


@pytest.mark.postgres
@pytest.mark.iclr
def test_iclr_import_on_postgresql(iclr_json, miniconf_csv):
    run(iclr_json)
    run(iclr_json)

    assert Paper.objects.count() == 687
    assert Authorship.objects.count() == sum(
        len(note["content"]["authors"]) for note in json.loads(iclr_json.read_text()).values()
    )
    assert authors_of("rkgt0REKwS") == ["Yueming Lyu", "Ivor W. Tsang"]
    assert connection.vendor == "postgresql"


# --- Small files: what is read and how it is kept ------------------------------------------


def test_openreview_note_list(tmp_path):
    notes = [
        {
            "id": "abc123",
            "forum": "abc123",
            "content": {
                "title": "  A   title ",
                "authors": ["Ada Lovelace", "Alan Turing", "Ada Lovelace"],
                "authorids": ["Ada@Example.org", "~Alan_Turing1", "ada@example.org"],
                "abstract": " An abstract. ",
                "keywords": ["logic", "machines"],
                "TL;DR": "Short.",
                "pdf": "/pdf/abc.pdf",
                "code": "on request",
                "slides": "",
                "venue": {"value": "ICLR 2020"},
            },
        },
        {"id": "def456", "content": {"title": {"value": "Wrapped (API v2)"}, "authors": {"value": ["Grace Hopper"]}}},
    ]
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(notes))

    assert run(path) == (
        "Papers: 2 created, 0 updated, 0 unchanged; 3 new authors, 2 new keywords. "
        "Author e-mails: 1 added, 0 updated.\n"
    )
    paper = Paper.objects.get(uid="abc123")
    # An e-mail among the author ids is linked to its author, privately; a profile id is not an address.
    assert list(AuthorEmail.objects.values_list("paper__uid", "author__name", "email")) == [
        ("abc123", "Ada Lovelace", "ada@example.org")
    ]
    assert (paper.title, paper.abstract, paper.tldr) == ("A title", "An abstract.", "Short.")
    assert (paper.forum_url, paper.pdf_url, paper.code_url) == (
        "https://openreview.net/forum?id=abc123",
        "https://openreview.net/pdf/abc.pdf",
        "",
    )
    # Unknown fields are kept; author ids (e-mails in real exports: never public) and empty values are not.
    assert paper.extra == {"code": "on request", "venue": "ICLR 2020"}
    assert authors_of("abc123") == ["Ada Lovelace", "Alan Turing"]
    assert keywords_of("abc123") == ["logic", "machines"]
    assert Paper.objects.get(uid="def456").title == "Wrapped (API v2)"
    assert authors_of("def456") == ["Grace Hopper"]


def test_format_is_told_by_content_not_name(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text("UID,title,authors\np1,Paper one,Ada Lovelace|Alan Turing\n")

    run(path)

    assert authors_of("p1") == ["Ada Lovelace", "Alan Turing"]


def test_csv_extra_columns_and_author_time_zones(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text(
        "UID,title,authors,abstract,keywords,author_time_zones,sessions,code\n"
        'p1,Paper one,Ada Lovelace|Alan Turing,"Line one\nline two",logic| machines ,Europe/London|,S1|S2,'
        '"https://git.example.org/a; https://git.example.org/b"\n',
        encoding="utf-8",
    )

    run(path)

    paper = Paper.objects.get(uid="p1")
    assert paper.abstract == "Line one\nline two"
    assert paper.code_url == "https://git.example.org/a"
    assert paper.extra == {"sessions": "S1|S2", "code": "https://git.example.org/a; https://git.example.org/b"}
    assert keywords_of("p1") == ["logic", "machines"]
    assert dict(Author.objects.values_list("name", "time_zone")) == {
        "Ada Lovelace": "Europe/London",
        "Alan Turing": "",
    }


def test_existing_authors_and_keywords_are_reused(tmp_path):
    AuthorFactory(name="Ada Lovelace")
    path = tmp_path / "papers.csv"
    path.write_text("UID,title,authors,keywords\np1,One,Ada Lovelace,logic\np2,Two,Ada Lovelace|Alan Turing,logic\n")

    assert run(path) == "Papers: 2 created, 0 updated, 0 unchanged; 1 new authors, 1 new keywords.\n"
    assert Author.objects.count() == 2
    assert Keyword.objects.count() == 1


def test_changed_row_updates_only_that_paper(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("UID,title,authors,keywords\np1,One,Ada|Alan,logic\np2,Two,Grace,ships\n")
    run(path)
    stamp = datetime(2020, 1, 1, tzinfo=UTC)
    Paper.objects.update(updated_at=stamp)
    path.write_text("UID,title,authors,keywords\np1,One,Alan|Ada|Barbara,\np2,Two,Grace,ships\n")

    out = run(path)

    assert out == "Papers: 0 created, 1 updated, 1 unchanged; 1 new authors, 0 new keywords.\n"
    assert authors_of("p1") == ["Alan", "Ada", "Barbara"]
    assert keywords_of("p1") == []
    assert Paper.objects.get(uid="p2").updated_at == stamp
    assert Paper.objects.get(uid="p1").updated_at > stamp


def test_service_api_without_a_file():
    PaperFactory(uid="p1", title="Old title", author_names=["Ada"])

    result = save_papers(
        [
            PaperRecord(uid="p1", title="New title"),
            PaperRecord(uid="p2", title="Two", authors=["Grace"], keywords=["ships"], code_url="https://x.example.org"),
        ]
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    # Fields a record leaves as None keep their values: p1 keeps its author and abstract.
    assert authors_of("p1") == ["Ada"]
    assert Paper.objects.get(uid="p1").abstract == "We study things and find that they are interesting."
    assert Paper.objects.get(uid="p2").code_url == "https://x.example.org"


# --- Malformed files: a non-zero exit naming file, line and reason; nothing written ----------


BAD_FILES = [
    (
        "bad.json",
        '{"a1": {"content": {"title": "x"}',
        "{path}, line 1 column 34: not valid JSON (Expecting ',' delimiter).",
    ),
    ("notitle.json", '{"a1": {"id": "a1", "content": {"authors": ["Ada"]}}}', "{path}, record a1: no title."),
    ("nocontent.json", '[{"id": "a1"}]', "{path}, record #1: not an OpenReview note (no content object)."),
    ("scalar.json", "[]", "{path}: no papers found."),
    ("notitle.csv", "UID,title,authors\nok1,Fine,Ada\nx2,,Ada\n", "{path}, line 3: no title."),
    ("nouid.csv", "UID,title,authors\n,A title,Ada\n", "{path}, line 2: no UID."),
    (
        "header.csv",
        "id,name\nx,y\n",
        "{path}, line 1: the header has no uid, title column (expected uid, title, found id, name).",
    ),
    (
        "fields.csv",
        "UID,title,authors\nok1,Fine,Ada\nx2,Two,Ada,extra\n",
        "{path}, line 3: 4 fields where the header has 3.",
    ),
    (
        "quote.csv",
        'UID,title,authors\nok1,Fine,Ada\nx2,"Two"x,Ada\n',
        "{path}, line 3: not valid CSV (',' expected after '\"').",
    ),
    ("dup.csv", "UID,title\nx1,One\nx1,Again\n", "{path}, line 3: UID x1 appears again (first at {path}, line 2)."),
    (
        "zone.csv",
        "UID,title,authors,author_time_zones\nx1,One,Ada|Alan,Mars/Olympus|UTC\n",
        "{path}, line 2: unknown time zone “Mars/Olympus” for author Ada.",
    ),
    ("empty.csv", "  \n", "{path}: the file is empty."),
    (
        "call_link.csv",
        "UID,title,abstract\nx1,One,Join us at https://zoom.us/j/123456789 for questions\n",
        "{path}, line 2: abstract: “https://zoom.us/j/123456789” is a video-call link, and this field is public. "
        "Put video-call links in the “Call link” field of its poster slots: they are shown only to the people "
        "the conference lets see call links, and only around the session's time.",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_malformed_file_exits_non_zero_and_writes_nothing(tmp_path, name, content, message):
    PaperFactory(uid="ok1", title="Kept as it was", author_names=["Someone"])
    counts = table_counts()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == "Nothing was imported.\n" + message.format(path=path)
    assert table_counts() == counts
    assert Paper.objects.get(uid="ok1").title == "Kept as it was"


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("UID,title\nx1,Café\n".encode("latin-1"))

    with pytest.raises(CommandError) as error:
        run(path)
    assert str(error.value) == f"Nothing was imported.\n{path}: not UTF-8 text (invalid continuation byte at byte 16)."

    with pytest.raises(CommandError) as error:
        run(tmp_path / "nowhere.csv")
    assert str(error.value) == f"Nothing was imported.\n{tmp_path / 'nowhere.csv'}: no such file."


def test_many_errors_are_listed_then_counted(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("UID,title\n" + "".join(f"x{n},\n" for n in range(12)))

    with pytest.raises(CommandError) as error:
        run(path)

    lines = str(error.value).splitlines()
    assert lines[1] == f"{path}, line 2: no title."
    assert lines[10] == f"{path}, line 11: no title."
    assert lines[11] == "… and 2 more errors."
    assert Paper.objects.count() == 0


def test_an_import_that_changes_papers_recomputes_discovery(tmp_path, tasks_in_process):
    from posters.models import DiscoveryRun, SimilarPaper

    path = tmp_path / "papers.csv"
    path.write_text(
        "UID,title,authors,abstract,keywords\n"
        "p1,Graph networks,Ada,Message passing on graphs,graphs\n"
        "p2,Graph attention,Bob,Attention over graph neighbours,graphs\n"
        "p3,Protein folding,Cy,Predicting protein structure,biology\n"
    )
    out = io.StringIO()
    call_command("import_papers", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "Similar papers and the paper map are being recomputed."
    assert DiscoveryRun.objects.get().paper_count == 3
    assert SimilarPaper.objects.filter(paper__uid="p1").order_by("position").first().similar.uid == "p2"

    call_command("import_papers", str(path), stdout=io.StringIO())  # unchanged: nothing to recompute
    assert DiscoveryRun.objects.count() == 1

"""PostgreSQL full-text search: the triggers keep the document current; ranking; highlights."""

import re

import pytest

from posters.models import Author, Authorship, Keyword, Paper
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.postgres


def found(client, q):
    html = client.get("/papers/", {"q": q}).content.decode()
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'class="paper-title"><a href="[^"]+">(.*?)</a>', html)]


def test_triggers_follow_every_write_path(client, conference):
    paper = PaperFactory(title="Sparse transformers", author_names=["Ada Lovelace"], keyword_names=["attention"])
    assert found(client, "lovelace") == ["Sparse transformers"]
    assert found(client, "attention") == ["Sparse transformers"]
    # A rename of the author, a new co-author, a new title: all searchable at once.
    Author.objects.filter(name="Ada Lovelace").update(name="Ada King")
    Author.objects.filter(name="Ada King").first().save()
    assert found(client, "lovelace") == []
    assert found(client, "king") == ["Sparse transformers"]
    Authorship.objects.create(paper=paper, author=AuthorFactory(name="Charles Babbage"), position=1)
    assert found(client, "babbage") == ["Sparse transformers"]
    Authorship.objects.filter(author__name="Charles Babbage").delete()
    assert found(client, "babbage") == []
    Paper.objects.filter(pk=paper.pk).update(title="Dense transformers")
    assert found(client, "dense") == ["Dense transformers"]
    Keyword.objects.filter(name="attention").update(name="self-attention")
    assert found(client, "self-attention") == ["Dense transformers"]


def test_title_matches_rank_above_abstract_matches(client, conference):
    PaperFactory(title="On optimisers", abstract="We mention diffusion once.")
    PaperFactory(title="Diffusion models", abstract="Diffusion diffusion.")
    assert found(client, "diffusion") == ["Diffusion models", "On optimisers"]


def test_stemming_phrases_and_exclusion(client, conference):
    PaperFactory(title="Learning to rank networks", abstract="graph neural networks")
    PaperFactory(title="Neural graph networks", abstract="nothing")
    assert sorted(found(client, "network")) == ["Learning to rank networks", "Neural graph networks"]
    assert found(client, '"graph neural"') == ["Learning to rank networks"]
    assert found(client, "networks -rank") == ["Neural graph networks"]


def test_headline_marks_the_abstract(client, conference):
    PaperFactory(title="Unrelated title", abstract="A long abstract where contrastive objectives appear.")
    html = client.get("/papers/", {"q": "contrastive"}).content.decode()
    assert "<mark>contrastive</mark>" in html

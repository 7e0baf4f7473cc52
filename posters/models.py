"""Papers, their authors and keywords, and their slots in live poster sessions."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.text import slugify

from schedule.call_links import refuse_call_links
from schedule.models import Session


class Keyword(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(models.Model):
    """A person named on papers; linked to a user account by e-mail when known."""

    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=300, unique=True, allow_unicode=True)
    email = models.EmailField(blank=True, db_index=True)
    affiliation = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def slug_for(name):
        return slugify(name, allow_unicode=True)[:300] or "author"


class Paper(models.Model):
    uid = models.CharField("UID", max_length=64, unique=True)
    title = models.CharField(max_length=500)
    abstract = models.TextField(blank=True)
    tldr = models.TextField("TL;DR", blank=True)
    forum_url = models.URLField(max_length=500, blank=True)
    pdf_url = models.URLField(max_length=500, blank=True)
    code_url = models.URLField(max_length=500, blank=True)
    # Columns of the import we have no field for; kept, never fatal.
    extra = models.JSONField(default=dict, blank=True)
    # Full-text document (title, authors, keywords, TL;DR, abstract). On PostgreSQL,
    # triggers (migration 0002) keep it current whatever writes the rows; on SQLite it
    # stays empty and search falls back to substring matching (posters/search.py).
    search_vector = SearchVectorField(null=True, editable=False)
    authors = models.ManyToManyField(Author, through="Authorship", related_name="papers")
    keywords = models.ManyToManyField(Keyword, through="PaperKeyword", related_name="papers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        refuse_call_links(
            self, ("title", "abstract", "tldr", "forum_url", "pdf_url", "code_url"), where="its poster slots"
        )

    @property
    def chat_room_key(self):
        return self.room_key_for(self.uid)

    @staticmethod
    def room_key_for(uid):
        """The chat room of the paper with this UID (chat/rooms.py)."""
        return f"paper:{uid}"


class AuthorEmail(models.Model):
    """An e-mail address an import gave for an author of a paper (a papers file's e-mail column,
    OpenReview's authorids, or an e-mail file), with the author when the file named one.

    Whoever verifies this address is an author of the paper (posters/uploads.py). Never
    public: no page, API, feed, export or search document reads it.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="author_emails")
    author = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    # Lower case, so it compares with verified addresses as they are looked up.
    email = models.EmailField(db_index=True)
    source = models.CharField(max_length=200, blank=True, help_text="The file it came from.")

    class Meta:
        ordering = ["paper", "email"]
        constraints = [models.UniqueConstraint(fields=["paper", "email"], name="author_email_unique")]

    def __str__(self):
        return f"{self.email} on {self.paper.uid}"


class Authorship(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="authorship_position_unique"),
            models.UniqueConstraint(fields=["paper", "author"], name="authorship_author_unique"),
        ]

    def __str__(self):
        return f"{self.author} ({self.position + 1}) on {self.paper.uid}"


class PaperKeyword(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_keywords")
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="paper_keywords")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "keyword"], name="paperkeyword_unique"),
        ]

    def __str__(self):
        return f"{self.keyword} on {self.paper.uid}"


class PosterSlot(models.Model):
    """A paper presented in one live poster session, with its own video-call link.

    The call link is private: it is shown only under the conference's visibility
    policy and in the session's time window, never in feeds or exports.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="poster_slots")
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="poster_slots",
        limit_choices_to={"kind": Session.Kind.POSTER},
    )
    call_link = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["session__start", "paper__title"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "session"], name="posterslot_unique"),
        ]

    def __str__(self):
        return f"{self.paper.uid} in {self.session}"


class Bookmark(models.Model):
    """A paper a person starred; anonymous visitors keep theirs in the browser."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_bookmarks")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="bookmark_unique")]

    def __str__(self):
        return f"{self.user} ★ {self.paper.uid}"


class SimilarPaper(models.Model):
    """One of a paper's most similar papers by content, computed by `compute_discovery`."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="similar_links")
    similar = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="similarpaper_position_unique"),
        ]

    def __str__(self):
        return f"{self.paper_id} ~ {self.similar_id} ({self.score:.2f})"


class PaperMapPoint(models.Model):
    """A paper's place on the 2-D paper map (a projection of its content)."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, primary_key=True, related_name="map_point")
    x = models.FloatField()
    y = models.FloatField()
    # The map's region (a content cluster); DiscoveryRun.regions names them.
    region = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.paper_id} at ({self.x:.3f}, {self.y:.3f})"


class DiscoveryRun(models.Model):
    """A finished computation of similar papers and the map, for display and staleness checks."""

    finished_at = models.DateTimeField()
    paper_count = models.PositiveIntegerField()
    seconds = models.FloatField()
    method = models.CharField(max_length=200)
    # [{"label": "reinforcement, policy, agent", "x": .., "y": .., "size": n}, ...] by region number.
    regions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self):
        return f"{self.paper_count} papers at {self.finished_at:%Y-%m-%d %H:%M} UTC"

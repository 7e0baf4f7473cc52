"""A message body (a Markdown subset) to safe HTML, and the @mentions in it.

markdown-it renders with raw HTML off (so `<script>` arrives as text); nh3, a maintained
sanitiser, then keeps only the tags below and http(s)/mailto links, and gives every link
rel="nofollow noopener". Images, headings and tables are not part of the subset.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

_markdown = (
    MarkdownIt("zero", {"html": False, "linkify": True, "breaks": True, "typographer": False})
    .enable(
        [
            "emphasis",
            "strikethrough",
            "backticks",
            "link",
            "autolink",
            "linkify",
            "newline",
            "escape",
            "entity",
            "list",
            "blockquote",
            "fence",
            "code",
        ]
    )
    # Long URLs in a chat panel: linkify only those with a scheme or www.
    .disable("text_join", ignoreInvalid=True)
)
_markdown.linkify.set({"fuzzy_email": False, "fuzzy_link": False})

ALLOWED_TAGS = {"p", "br", "em", "strong", "del", "s", "code", "pre", "a", "ul", "ol", "li", "blockquote", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"

# `@` then up to three words: names have spaces ("Ada Lovelace"); the longest that
# names a person wins.
MENTION_RE = re.compile(r"(?<![\w@/.:])@([\w][\w.'-]*(?: [\w][\w.'-]*){0,2})")


def mention_candidates(body):
    """Every phrase that might be a person's name after an @, longest first per mention."""
    candidates = []
    for match in MENTION_RE.finditer(body):
        words = match.group(1).split(" ")
        for n in range(len(words), 0, -1):
            candidates.append(" ".join(words[:n]).rstrip(".'-"))
    return [c for c in dict.fromkeys(candidates) if c]


def render(body, mentioned_names=()):
    """Safe HTML for a body; `mentioned_names` (resolved to real people) get a mention span."""
    rendered = _markdown.render(body)
    if mentioned_names:
        rendered = _mark_mentions(rendered, mentioned_names)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def _mark_mentions(rendered, names):
    """Wrap `@Name` in a mention span, in text only: not in tags, links or code."""
    alternatives = "|".join(re.escape(html.escape(n, quote=False)) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w/.:])@(?:{alternatives})(?![\w])", re.IGNORECASE)
    out, skip_depth = [], 0
    for part in re.split(r"(<[^>]*>)", rendered):
        if part.startswith("<"):
            tag = re.match(r"</?([a-z]+)", part)
            if tag and tag.group(1) in {"a", "code", "pre"}:
                skip_depth += -1 if part.startswith("</") else 1
            out.append(part)
        elif skip_depth:
            out.append(part)
        else:
            out.append(pattern.sub(lambda m: f'<span class="mention">{m.group(0)}</span>', part))
    return "".join(out)


def plain_excerpt(body, length=120):
    """A one-line excerpt for reply previews and notifications (plain text, escaped later)."""
    text = " ".join(body.split())
    return text if len(text) <= length else text[: length - 1] + "…"

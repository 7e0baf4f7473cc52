"""Links in an exported page: every internal URL becomes a path relative to the page's own
file, so the export works from any static host, a sub-path, or file://.

A URL to a page the export holds points at its file (`/papers/abc/` → `../abc/index.html`);
a static asset or a released medium at the copy the export makes of it; anything else of
the portal's (log in, my agenda, a call's confirmation page) at the live portal when its
address is known (`--site-url`), else the link is dropped (the text stays). Forms that post
(stars, agenda, the zone picker) cannot work on a static host and are taken out whole
(HTML forms never nest, so a form ends at the first `</form>`).
"""

import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit

URL_ATTRIBUTE = re.compile(r'\s(?P<name>href|src|action|poster|data|data-source|data-plyr-icon-url)="(?P<url>[^"]*)"')
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>.*?</form>", re.S | re.I)
FORM_ACTION = re.compile(r'\saction="(?P<url>[^"]*)"', re.I)
POSTS = re.compile(r'\smethod="post"', re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?(?P<url>[^'\")]+)['\"]?\s*\)")
KEEP = ("#", "mailto:", "data:", "javascript:", "blob:")


def file_for(path):
    """The file (relative to the export's root, '/'-separated, still %-quoted) that holds `path`."""
    if path.endswith("/"):
        path += "index.json" if path.startswith("/api/") else "index.html"
    return path.lstrip("/")


def disk_name(path):
    """The file's name on disk: unquoted; None for a path that could leave the export."""
    name = unquote(file_for(path))
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in name or "\0" in name:
        return None
    return name


def relative(name, start):
    """posixpath.relpath(name, start or ".") for two clean names inside the export, without
    its trips to the file system (two links in three of a page go through here)."""
    names, starts = name.split("/"), start.split("/") if start else []
    common = 0
    for a, b in zip(names, starts, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(starts) - common) + names[common:]) or "."


class LinkRewriter:
    """Rewrites one page's links; `exported(path)` says whether the export holds a path,
    `asset(path)` copies a /static/ or /media/ file into the export (False: not there)."""

    def __init__(self, *, host, site_url, exported, asset):
        self.origins = (f"http://{host}", f"https://{host}")
        self.site_url = site_url.rstrip("/")
        self.exported = exported
        self.asset = asset

    def internal(self, url, page_path):
        """The absolute path (with query and fragment) of an internal URL, else None."""
        if url.startswith(KEEP) or not url:
            return None
        for origin in self.origins:
            if url == origin or url.startswith(origin + "/"):
                url = url[len(origin) :] or "/"
                break
        if url.startswith("/") and not url.startswith("//") and "/." not in url:
            return url  # what urljoin would give: already absolute, no dot segments
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None  # another site's
        return urljoin(page_path, url)

    def target(self, url, page_path):
        """What `url` (on the page at `page_path`) becomes: a relative link, a link to the
        live portal, the same (another site's), or None (drop it)."""
        absolute = self.internal(url, page_path)
        if absolute is None:
            return url
        parts = urlsplit(absolute)
        path = parts.path
        suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        found = self.asset(path) if path.startswith(("/static/", "/media/")) else self.exported(path)
        if found:
            if path == page_path and parts.fragment and not parts.query:
                return f"#{parts.fragment}"
            return relative(file_for(path), posixpath.dirname(file_for(page_path))) + suffix
        return f"{self.site_url}{absolute}" if self.site_url else None

    def page(self, html, page_path):
        html = FORM.sub(lambda m: self._form(m, page_path), html)

        def attribute(match):
            new = self.target(match["url"].replace("&amp;", "&"), page_path)
            if new is None:
                # The portal's own page that the export does not hold: the link goes (its text stays).
                return f' data-live-{match["name"]}="{match["url"]}"'
            return f' {match["name"]}="{new.replace("&", "&amp;")}"'

        return URL_ATTRIBUTE.sub(attribute, html)

    def _form(self, match, page_path):
        attrs = match["attrs"]
        if POSTS.search(attrs):
            return ""
        action = FORM_ACTION.search(attrs)
        if action is None:
            return match[0]
        absolute = self.internal(action["url"].replace("&amp;", "&"), page_path)
        if absolute is not None and not self.exported(urlsplit(absolute).path):
            return ""  # a search of the live portal's own: gone with it
        return match[0]

    def stylesheet(self, css, css_path):
        """url(...) in a copied stylesheet: relative ones are copied beside it."""
        for match in CSS_URL.finditer(css):
            url = match["url"]
            if not url.startswith(KEEP) and not urlsplit(url).scheme:
                self.asset(urlsplit(urljoin(css_path, url)).path)

"""A tiny HTML reader for page tests: find elements by class or id and read their text."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self):
        return " ".join(self._raw().split())

    def _raw(self):
        return "".join(child if isinstance(child, str) else child._raw() for child in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, cls=None, tag=None):
        return [e for e in self.iter() if (cls is None or cls in e.classes) and (tag is None or e.tag == tag)]

    def find(self, cls=None, tag=None):
        found = self.find_all(cls, tag)
        return found[0] if found else None

    def by_id(self, element_id):
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = _Builder()
    builder.feed(html if isinstance(html, str) else html.decode())
    return builder.root


def rows(response, cls="session-row"):
    """[(title, when text)] of the session rows on a page."""
    document = parse(response.content)
    return [(row.find("title").text, row.find("when").text) for row in document.find_all(cls)]


def titles(response, cls="session-row"):
    return [row.find("title").text for row in parse(response.content).find_all(cls)]


def messages_of(response):
    """The texts of the flash messages shown on a page: in its HTML, or (a public page)
    in the visitor's state that static/js/state.js shows."""
    shown = [li.text for li in parse(response.content).find_all("notice", tag="li")]
    if response.get("Cache-Control", "").startswith("public"):
        shown += [m["text"] for m in response.client.get("/me/state.json").json()["messages"]]
    return shown

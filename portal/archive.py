"""The archive's front page: what each feature shows on it once the conference is over.

A feature adds its section from its AppConfig.ready, so the home page names no feature:

    register_archive_section("papers", order=20, template="posters/_archive_papers.html", build=most_discussed)

`build(now)` returns the section's context (a dict), or None when it has nothing to show
(no keynotes were held): then the section is left out. Keynotes, workshops and booths
add theirs the same way.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchiveSection:
    name: str
    order: int
    template: str
    build: object  # callable(now) -> dict | None


_sections = {}


def register_archive_section(name, *, order, template, build):
    _sections[name] = ArchiveSection(name, order, template, build)


def archive_sections(now):
    """[(template, context)] of the sections with something to show, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        context = section.build(now)
        if context is not None:
            shown.append({"name": section.name, "template": section.template, **context})
    return shown

"""Admin for papers, authors, keywords and poster slots, fast at 20,000 papers.

No unbounded dropdowns: related objects are picked with autocomplete or raw-id widgets,
and list filters offer only short lists (the poster sessions).
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import path

from posters.assignment import AssignmentImpossible, assign_posters
from posters.coverage import OFFSETS, PROMISED_PER_DAY, coverage_table
from posters.discovery import compute_discovery
from posters.models import (
    Author,
    AuthorEmail,
    Authorship,
    Bookmark,
    DiscoveryRun,
    Keyword,
    Paper,
    PaperKeyword,
    PosterSlot,
)
from posters.upload_admin import VideoStatusFilter, remind_missing_videos
from schedule.models import Session

# Links typed without a scheme are https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class PosterSessionFilter(admin.SimpleListFilter):
    title = "poster session"
    parameter_name = "poster_session"

    def lookups(self, request, model_admin):
        return [(s.pk, str(s)) for s in Session.objects.filter(kind=Session.Kind.POSTER).order_by("start")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        if queryset.model is Paper:
            return queryset.filter(Exists(PosterSlot.objects.filter(paper=OuterRef("pk"), session_id=int(value))))
        return queryset.filter(session_id=int(value))


class HasSlotsFilter(admin.SimpleListFilter):
    title = "assigned to a poster session"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        has = Exists(PosterSlot.objects.filter(paper=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has)
        if self.value() == "no":
            return queryset.filter(~has)
        return queryset


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    autocomplete_fields = ["author"]
    extra = 0
    ordering = ["position"]


class PaperKeywordInline(admin.TabularInline):
    model = PaperKeyword
    autocomplete_fields = ["keyword"]
    extra = 0
    ordering = ["position"]


class AuthorEmailInline(admin.TabularInline):
    """The addresses imports gave for the paper's authors: whoever verifies one is an author (private)."""

    model = AuthorEmail
    raw_id_fields = ["author"]
    fields = ["email", "author", "source"]
    readonly_fields = ["source"]
    extra = 0
    verbose_name_plural = "authors' e-mail addresses (private: they give the author role once verified)"


class PosterSlotInline(admin.TabularInline):
    model = PosterSlot
    formfield_overrides = URL_FIELDS
    raw_id_fields = ["session"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["uid", "title", "updated_at"]
    list_display_links = ["uid", "title"]
    search_fields = ["=uid", "title"]
    list_filter = [HasSlotsFilter, PosterSessionFilter, VideoStatusFilter]
    readonly_fields = ["created_at", "updated_at"]
    exclude = ["search_vector"]
    inlines = [AuthorshipInline, PaperKeywordInline, AuthorEmailInline, PosterSlotInline]
    list_per_page = 50
    formfield_overrides = URL_FIELDS
    actions = ["assign_to_poster_sessions", "reassign_to_poster_sessions", "recompute_discovery", remind_missing_videos]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_vector", "abstract", "extra")

    @admin.action(description="Assign the selected papers to poster sessions (2 each, balanced; keeps their slots)")
    def assign_to_poster_sessions(self, request, queryset, replace=False):
        try:
            result = assign_posters(papers=queryset, replace=replace)
        except AssignmentImpossible as exc:
            self.message_user(request, f"Nothing was assigned. {exc}", level=messages.ERROR)
            return
        self.message_user(request, "\n".join(result.report()), level=messages.SUCCESS)

    @admin.action(description="Reassign the selected papers to poster sessions, replacing the slots they have")
    def reassign_to_poster_sessions(self, request, queryset):
        self.assign_to_poster_sessions(request, queryset, replace=True)

    @admin.action(description="Recompute similar papers and the paper map (all papers)")
    def recompute_discovery(self, request, queryset):
        run = compute_discovery()
        self.message_user(request, f"Discovery computed for {run.paper_count} papers in {run.seconds:.1f} s.")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "affiliation", "time_zone"]
    search_fields = ["name", "=email"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 100


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PosterSlot)
class PosterSlotAdmin(admin.ModelAdmin):
    list_display = ["paper", "session"]
    raw_id_fields = ["paper", "session"]
    search_fields = ["=paper__uid", "paper__title"]
    list_filter = [PosterSessionFilter]
    list_select_related = ["paper", "session"]
    list_per_page = 100
    formfield_overrides = URL_FIELDS
    change_list_template = "admin/posters/posterslot/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("paper__search_vector", "paper__abstract", "paper__extra")

    def get_urls(self):
        return [
            path("coverage/", self.admin_site.admin_view(self.coverage_view), name="posters_posterslot_coverage"),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        """The same table as `manage.py poster_coverage`: at every UTC offset, the poster sessions
        on each local day of the conference within healthy hours, partial days marked."""
        if not self.has_view_permission(request):
            return self.changelist_view(request)
        table = coverage_table()
        rows = []
        for offset in OFFSETS:
            row = table.rows[offset] if table.days else None
            least = row.minimum() if row else None
            cells = [
                (row.counts.get(day), day in row.partial) if row and day in row.counts else (None, False)
                for day in table.days
            ]
            short = least is not None and least < PROMISED_PER_DAY
            rows.append({"offset": offset, "cells": cells, "least": least, "short": short})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Poster sessions within healthy hours, per time zone",
            "days": table.days,
            "rows": rows,
            "promised": PROMISED_PER_DAY,
            "statement": table.statement() if table.days else "There are no poster sessions.",
        }
        return render(request, "admin/posters/posterslot/coverage.html", context)


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ["user", "paper", "created_at"]
    raw_id_fields = ["user", "paper"]
    search_fields = ["=user__email", "=paper__uid"]
    list_select_related = ["user", "paper"]


@admin.register(DiscoveryRun)
class DiscoveryRunAdmin(admin.ModelAdmin):
    list_display = ["finished_at", "paper_count", "seconds", "method"]
    readonly_fields = ["finished_at", "paper_count", "seconds", "method", "regions"]

    def has_add_permission(self, request):
        return False

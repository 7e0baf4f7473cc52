from django.contrib import admin

from posters.models import Author, Authorship, Keyword, Paper, PaperKeyword, PosterSlot


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    raw_id_fields = ["author"]
    extra = 0


class PaperKeywordInline(admin.TabularInline):
    model = PaperKeyword
    raw_id_fields = ["keyword"]
    extra = 0


class PosterSlotInline(admin.TabularInline):
    model = PosterSlot
    raw_id_fields = ["session"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["uid", "title"]
    search_fields = ["uid", "title"]
    inlines = [AuthorshipInline, PaperKeywordInline, PosterSlotInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "affiliation"]
    search_fields = ["name", "email"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(PosterSlot)
class PosterSlotAdmin(admin.ModelAdmin):
    list_display = ["paper", "session"]
    raw_id_fields = ["paper", "session"]
    search_fields = ["paper__uid", "paper__title"]
    list_select_related = ["paper", "session"]

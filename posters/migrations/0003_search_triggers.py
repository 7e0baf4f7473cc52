"""PostgreSQL full-text search: a GIN index on Paper.search_vector and the triggers that keep it current.

The vector is maintained in the database, not in Python, so every write path (the bulk
importer, admin, a raw UPDATE) keeps it true. Weights: title and authors A, keywords B,
TL;DR C, abstract D. On other databases this migration does nothing.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION posters_paper_document(p_id bigint, p_title text, p_tldr text, p_abstract text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english', coalesce(p_title, '')), 'A')
      || setweight(to_tsvector('english', coalesce((
             SELECT string_agg(a.name, ' ') FROM posters_authorship s
             JOIN posters_author a ON a.id = s.author_id WHERE s.paper_id = p_id), '')), 'A')
      || setweight(to_tsvector('english', coalesce((
             SELECT string_agg(k.name, ' ') FROM posters_paperkeyword pk
             JOIN posters_keyword k ON k.id = pk.keyword_id WHERE pk.paper_id = p_id), '')), 'B')
      || setweight(to_tsvector('english', coalesce(p_tldr, '')), 'C')
      || setweight(to_tsvector('english', coalesce(p_abstract, '')), 'D')
$$;

-- Recompute on insert, when the text changes, or when a link trigger asks (sets NULL).
CREATE OR REPLACE FUNCTION posters_paper_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.search_vector IS NULL
     OR NEW.title IS DISTINCT FROM OLD.title OR NEW.tldr IS DISTINCT FROM OLD.tldr
     OR NEW.abstract IS DISTINCT FROM OLD.abstract THEN
    NEW.search_vector := posters_paper_document(NEW.id, NEW.title, NEW.tldr, NEW.abstract);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER posters_paper_search BEFORE INSERT OR UPDATE ON posters_paper
  FOR EACH ROW EXECUTE FUNCTION posters_paper_search_row();

-- Authorship / PaperKeyword changes: one statement-level UPDATE of the papers touched.
CREATE OR REPLACE FUNCTION posters_links_touch_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posters_paper SET search_vector = NULL WHERE id IN (SELECT DISTINCT paper_id FROM new_rows);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION posters_links_touch_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posters_paper SET search_vector = NULL WHERE id IN (SELECT DISTINCT paper_id FROM old_rows);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION posters_links_touch_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posters_paper SET search_vector = NULL
   WHERE id IN (SELECT paper_id FROM new_rows UNION SELECT paper_id FROM old_rows);
  RETURN NULL;
END $$;

CREATE TRIGGER posters_authorship_ins AFTER INSERT ON posters_authorship
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION posters_links_touch_new();
CREATE TRIGGER posters_authorship_del AFTER DELETE ON posters_authorship
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION posters_links_touch_old();
CREATE TRIGGER posters_authorship_upd AFTER UPDATE ON posters_authorship
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION posters_links_touch_both();
CREATE TRIGGER posters_paperkeyword_ins AFTER INSERT ON posters_paperkeyword
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION posters_links_touch_new();
CREATE TRIGGER posters_paperkeyword_del AFTER DELETE ON posters_paperkeyword
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION posters_links_touch_old();
CREATE TRIGGER posters_paperkeyword_upd AFTER UPDATE ON posters_paperkeyword
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION posters_links_touch_both();

-- Renaming an author or keyword changes the documents of their papers.
CREATE OR REPLACE FUNCTION posters_author_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posters_paper SET search_vector = NULL
   WHERE id IN (SELECT paper_id FROM posters_authorship WHERE author_id = NEW.id);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION posters_keyword_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posters_paper SET search_vector = NULL
   WHERE id IN (SELECT paper_id FROM posters_paperkeyword WHERE keyword_id = NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER posters_author_search AFTER UPDATE OF name ON posters_author
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION posters_author_renamed();
CREATE TRIGGER posters_keyword_search AFTER UPDATE OF name ON posters_keyword
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION posters_keyword_renamed();

CREATE INDEX posters_paper_search_gin ON posters_paper USING gin (search_vector);
UPDATE posters_paper SET search_vector = NULL;
"""

BACKWARD = r"""
DROP INDEX IF EXISTS posters_paper_search_gin;
DROP TRIGGER IF EXISTS posters_author_search ON posters_author;
DROP TRIGGER IF EXISTS posters_keyword_search ON posters_keyword;
DROP TRIGGER IF EXISTS posters_authorship_ins ON posters_authorship;
DROP TRIGGER IF EXISTS posters_authorship_del ON posters_authorship;
DROP TRIGGER IF EXISTS posters_authorship_upd ON posters_authorship;
DROP TRIGGER IF EXISTS posters_paperkeyword_ins ON posters_paperkeyword;
DROP TRIGGER IF EXISTS posters_paperkeyword_del ON posters_paperkeyword;
DROP TRIGGER IF EXISTS posters_paperkeyword_upd ON posters_paperkeyword;
DROP TRIGGER IF EXISTS posters_paper_search ON posters_paper;
DROP FUNCTION IF EXISTS posters_author_renamed();
DROP FUNCTION IF EXISTS posters_keyword_renamed();
DROP FUNCTION IF EXISTS posters_links_touch_new();
DROP FUNCTION IF EXISTS posters_links_touch_old();
DROP FUNCTION IF EXISTS posters_links_touch_both();
DROP FUNCTION IF EXISTS posters_paper_search_row();
DROP FUNCTION IF EXISTS posters_paper_document(bigint, text, text, text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("posters", "0002_discovery_bookmarks_search")]

    operations = [migrations.RunPython(forward, backward)]

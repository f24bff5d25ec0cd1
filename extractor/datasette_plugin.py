"""The Datasette plugin: findings link to their sources, sources to their place in the text.

Hooks (all inert on databases without the evidence schema):

- ``render_cell``: ``sources`` (and a study's ``reported_in``/``mentioned_in``) become links to
  each document; ``document_id`` links to its document; ``finding_id`` links to the
  ``sources_of_finding`` query for that finding (or, where the row names its
  ``finding_table``, to the finding itself); a fact's ``text`` (or a link's ``evidence``) links
  to the source page at its offsets; a study's ``nct_ids`` link to ClinicalTrials.gov and its
  other JSON lists (``aliases``, ``registry_ids``) read as plain lists.
- ``register_routes``: ``/-/extractor/source/<database>/<document id>?start=&end=`` shows a
  document with the fact marked (``<mark id="fact">``) inside its emphasised sentence, and
  ``/-/extractor/plot/<database>/survival.png`` (or ``.svg``) draws the rows of the
  ``survival_across_studies`` canned query (same parameters) as a forest plot.
- ``extra_body_script``: on the ``survival_across_studies`` page, puts that plot under the table.

Database and document names in URLs are tilde-encoded, as everywhere in Datasette. The module
must not import ``datasette.app`` (nor ``extractor.serve``): Datasette imports it while loading
its plugins.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import weakref
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import Database
from datasette.utils import derive_named_parameters, tilde_decode, tilde_encode
from datasette.utils.asgi import Request, Response
from datasette.version import __version__
from markupsafe import Markup

from extractor.errors import ConfigError
from extractor.evidence import EVIDENCE_KINDS
from extractor.plot import render_survival
from extractor.study_store import FINDING_COLUMNS, VIEW_FINDINGS

SURVIVAL_QUERY = "survival_across_studies"
SOURCES_QUERY = "sources_of_finding"
PLOT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
# The tables that tell a database has the evidence schema.
SCHEMA_TABLES = frozenset({"documents", "finding_sources", "survival_findings", "studies"})

DOCUMENT_LIST_COLUMNS = frozenset({"sources", "reported_in", "mentioned_in"})
SPAN_COLUMNS = frozenset({"text", "evidence"})
SPAN_TABLES = frozenset(
    {kind.table for kind in EVIDENCE_KINDS} | {"finding_sources", "document_studies"}
)
STUDY_LIST_COLUMNS = frozenset({"nct_ids", "registry_ids", "aliases"})
LINKED_COLUMNS = (
    DOCUMENT_LIST_COLUMNS | SPAN_COLUMNS | STUDY_LIST_COLUMNS | {"document_id", "finding_id"}
)

# A finding table's own columns: how a query's row shows which findings it comes from.
_OWN_COLUMNS = {
    table: set(columns).difference(
        *(set(other) for name, other in FINDING_COLUMNS.items() if name != table)
    )
    for table, columns in FINDING_COLUMNS.items()
}

# Whether each open database has the evidence schema; asked once per database object.
_HAS_SCHEMA: weakref.WeakKeyDictionary[Database, bool] = weakref.WeakKeyDictionary()


async def _has_schema(datasette: Any, database: str) -> bool:
    try:
        db = datasette.get_database(database)
    except KeyError:
        return False
    if db not in _HAS_SCHEMA:
        _HAS_SCHEMA[db] = SCHEMA_TABLES.issubset(await db.table_names())
    return _HAS_SCHEMA[db]


def _get(row: Any, key: str) -> Any:
    """A row's value (sqlite3.Row or Datasette's CustomRow), unwrapping expanded foreign keys."""
    try:
        value = row[key]
    except (KeyError, IndexError):
        return None
    return value["value"] if isinstance(value, dict) else value


def _columns(row: Any) -> set[str]:
    keys = getattr(row, "keys", None)
    return set(keys()) if keys else set()


# ---- cells ----------------------------------------------------------------------------------


def document_url(datasette: Any, database: str, document_id: str) -> str:
    """The document's row page."""
    return str(datasette.urls.row(database, "documents", tilde_encode(document_id)))


def source_url(
    datasette: Any,
    database: str,
    document_id: str,
    start: int | None = None,
    end: int | None = None,
) -> str:
    """The source page of a document, at a fact when offsets are given."""
    url = datasette.urls.path(
        f"/-/extractor/source/{tilde_encode(database)}/{tilde_encode(document_id)}"
    )
    if start is None or end is None:
        return str(url)
    return f"{url}?{urlencode({'start': start, 'end': end})}#fact"


def _link(href: str, label: Any, title: str | None = None) -> Markup:
    attribute = Markup(' title="{}"').format(title) if title else ""
    return Markup('<a href="{}"{}>{}</a>').format(href, attribute, label)


def _document_list(datasette: Any, database: str, value: Any) -> Markup | None:
    if not isinstance(value, str) or not value.strip():
        return None
    ids = [part.strip() for part in value.split(";") if part.strip()]
    links = [_link(document_url(datasette, database, i), i) for i in ids]
    return Markup('<span class="extractor-sources">{}</span>').format(Markup(", ").join(links))


def _finding_table(table: str | None, row: Any) -> str | None:
    """Which findings table a row's finding_id is from: its view, or its own columns."""
    if table in VIEW_FINDINGS:
        return VIEW_FINDINGS[table]
    if table is not None:
        return None
    present = _columns(row)
    scores = {name: len(own & present) for name, own in _OWN_COLUMNS.items()}
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] else None


async def _finding_link(
    datasette: Any, database: str, table: str | None, row: Any, value: Any
) -> Markup | None:
    if value is None:
        return None
    named = _get(row, "finding_table")
    if isinstance(named, str) and named in FINDING_COLUMNS:
        row_url = datasette.urls.row(database, named, tilde_encode(str(value)))
        return _link(str(row_url), value, f"The finding in {named}")
    findings = _finding_table(table, row)
    if findings is None:
        return None
    query = {"table": findings, "finding_id": value}
    if await datasette.get_canned_query(database, SOURCES_QUERY, None):
        url = f"{datasette.urls.query(database, SOURCES_QUERY)}?{urlencode(query)}"
    else:
        plain = {"finding_table": findings, "finding_id": value}
        url = f"{datasette.urls.table(database, 'finding_sources')}?{urlencode(plain)}"
    return _link(url, value, "Every fact that reports this finding")


def _span_link(
    datasette: Any, database: str, table: str | None, row: Any, value: Any
) -> Markup | None:
    if table is not None and table not in SPAN_TABLES:
        return None
    document_id, start, end = (_get(row, key) for key in ("document_id", "start", "end"))
    if not isinstance(document_id, str) or not isinstance(start, int) or not isinstance(end, int):
        return None
    if value in (None, ""):
        return None
    url = source_url(datasette, database, document_id, start, end)
    return _link(url, value, "Show it in the document")


def _study_list(column: str, value: Any) -> Markup | None:
    """A JSON list of a study as a list; NCT ids link to their ClinicalTrials.gov record."""
    try:
        items = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        return None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return None
    if column == "nct_ids":
        return Markup(", ").join(
            [_link(f"https://clinicaltrials.gov/study/{i}", i) for i in items]
        ) or Markup("&nbsp;")
    return Markup(", ").join(items) or Markup("&nbsp;")


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Callable[[], Coroutine[Any, Any, Markup | None]] | None:
    if column not in LINKED_COLUMNS:
        return None

    async def render() -> Markup | None:
        if not await _has_schema(datasette, database):
            return None
        if column in DOCUMENT_LIST_COLUMNS:
            return _document_list(datasette, database, value)
        if column == "document_id":
            # A table's foreign key is already a link, labelled with the document's title.
            if isinstance(value, str):
                return _link(document_url(datasette, database, value), value)
            return None
        if column == "finding_id":
            return await _finding_link(datasette, database, table, row, value)
        if column in STUDY_LIST_COLUMNS:
            return _study_list(column, value) if table in (None, "studies") else None
        return _span_link(datasette, database, table, row, value)

    return render


# ---- the source page ------------------------------------------------------------------------

SOURCE_PAGE = """\
{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block crumbs %}{{ crumbs.nav(request=request, database=database, table="documents") }}\
{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<p class="extractor-meta">{{ document_id }}: <a href="{{ row_url }}">its row</a>
{% for label, href in links %}<a href="{{ href }}">{{ label }}</a>{% endfor %}</p>
{% if problem %}<p class="message-error">{{ problem }}</p>{% endif %}
{% if fact %}<p>The fact <a href="#fact">“{{ fact }}”</a> is at characters {{ start }}–{{ end }}\
{% if sentence %}, in the emphasised sentence{% endif %}.</p>{% endif %}
<div class="extractor-text">{{ body }}</div>
{% endblock %}
"""


def _offset(request: Request, name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # refused below, with the other impossible offsets


def _document_links(source: str | None, metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """Where the document comes from: its page, PubMed record and DOI."""
    links: list[tuple[str, str]] = []
    url = metadata.get("url") or (source if (source or "").startswith("http") else None)
    if metadata.get("pmid"):
        links.append(
            (f"PubMed {metadata['pmid']}", f"https://pubmed.ncbi.nlm.nih.gov/{metadata['pmid']}/")
        )
    if metadata.get("doi"):
        links.append((f"doi:{metadata['doi']}", f"https://doi.org/{metadata['doi']}"))
    if url and all(url != href for _, href in links):
        links.append((url, url))
    return links


async def _sentence_around(
    db: Database, document_id: str, start: int, end: int
) -> tuple[int, int] | None:
    """The sentence of a fact stored at these offsets, from any evidence table."""
    sql = " UNION ALL ".join(
        f"SELECT sentence_start, sentence_end FROM [{kind.table}] WHERE document_id = :document "
        "AND start <= :start AND [end] >= :end AND sentence_start <= start "
        "AND sentence_end >= [end]"
        for kind in EVIDENCE_KINDS
    )
    results = await db.execute(
        f"{sql} LIMIT 1", {"document": document_id, "start": start, "end": end}
    )
    row = results.first()
    return (int(row[0]), int(row[1])) if row else None


def _marked(text: str, start: int, end: int, sentence: tuple[int, int] | None) -> Markup:
    """The text with the fact in <mark id="fact"> inside its emphasised sentence."""
    s0, s1 = sentence if sentence else (start, end)
    return Markup(
        '{}<span class="extractor-sentence">{}<mark id="fact">{}</mark>{}</span>{}'
    ).format(text[:s0], text[s0:start], text[start:end], text[end:s1], text[s1:])


async def source_page(datasette: Any, request: Request) -> Response:
    """A document's text, with the fact at ?start=&end= marked and scrolled to (#fact)."""
    database = tilde_decode(request.url_vars["database"])
    document_id = tilde_decode(request.url_vars["document_id"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        return Response.text(f"No database called {database!r} here.", status=404)
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, "documents")), ("view-database", database), "view-instance"],
    )
    results = await db.execute(
        "SELECT title, source, metadata, text FROM documents WHERE id = ?", [document_id]
    )
    document = results.first()
    if document is None:
        return Response.text(
            f"No document {document_id!r} in {database}; see the documents table.", status=404
        )
    text = document["text"] or ""
    try:
        metadata = json.loads(document["metadata"] or "{}")
    except json.JSONDecodeError:
        metadata = {}
    start, end = _offset(request, "start"), _offset(request, "end")
    body: Markup | str = text
    problem = fact = sentence = None
    status = 200
    if start is not None or end is not None:
        if start is None or end is None or not 0 <= start <= end <= len(text):
            problem = (
                f"The offsets start={request.args.get('start')} end={request.args.get('end')} "
                f"are not a span of this document's text ({len(text)} characters)."
            )
            status = 400
        else:
            sentence = await _sentence_around(db, document_id, start, end)
            body = _marked(text, start, end, sentence)
            fact = text[start:end]
    context = {
        "database": database,
        "title": document["title"] or document_id,
        "document_id": document_id,
        "row_url": document_url(datasette, database, document_id),
        "links": _document_links(document["source"], metadata),
        "problem": problem,
        "fact": fact,
        "sentence": sentence,
        "start": start,
        "end": end,
        "body": body,
        "datasette_version": __version__,
    }
    template = datasette.jinja_env.from_string(SOURCE_PAGE)
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


# ---- the forest plot ------------------------------------------------------------------------


async def survival_plot(datasette: Any, request: Request) -> Response:
    """The rows of the survival_across_studies query, with the same parameters, as a plot."""
    database = tilde_decode(request.url_vars["database"])
    fmt = request.url_vars["format"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        return Response.text(f"No database called {database!r} here.", status=404)
    await datasette.ensure_permissions(
        request.actor,
        [("view-query", (database, SURVIVAL_QUERY)), ("view-database", database), "view-instance"],
    )
    query = await datasette.get_canned_query(database, SURVIVAL_QUERY, request.actor)
    if query is None:
        return Response.text(
            f"{database} has no {SURVIVAL_QUERY} query; serve it with `extractor serve`.",
            status=404,
        )
    names = query.get("params") or await derive_named_parameters(db, query["sql"])
    params = {name: request.args.get(name) or "" for name in names}
    rows = [dict(row) for row in (await db.execute(query["sql"], params)).rows]
    if not rows:
        chosen = ", ".join(f"{k}={v}" for k, v in params.items() if v) or "no filters"
        return Response.text(
            f"No survival findings match {chosen}; widen the filters "
            f"(see {datasette.urls.query(database, SURVIVAL_QUERY)}).",
            status=404,
        )
    try:
        image = await asyncio.to_thread(render_survival, rows, fmt)
    except ConfigError as err:
        return Response.text(str(err), status=400)
    # An immutable database never changes while served, so its plots can be cached.
    cache = "no-cache" if db.is_mutable else "public, max-age=3600"
    return Response(image, content_type=PLOT_TYPES[fmt], headers={"Cache-Control": cache})


# ---- the stylesheet -------------------------------------------------------------------------

STYLESHEET = """\
/* extractor: pages of an evidence database */
.rows-and-columns th, .rows-and-columns td { font-size: 0.9rem; }
.rows-and-columns th { padding-right: 0.4em; }
.extractor-sources { font-size: 0.85rem; }
.extractor-sources a { white-space: nowrap; }
td.col-sources, td.col-reported_in, td.col-mentioned_in { min-width: 15em; max-width: 26em; }
td.col-conflicts { max-width: 20em; }
figure.extractor-plot { margin: 1.5em 0; padding: 0; }
figure.extractor-plot img { display: block; max-width: 100%; height: auto;
  border: 1px solid #ddd; background: white; }
figure.extractor-plot figcaption { color: #555; font-size: 0.85em; margin-top: 0.4em; }
.extractor-meta { color: #555; }
.extractor-meta a { margin-right: 0.8em; }
.extractor-text { white-space: pre-wrap; line-height: 1.6; max-width: 46em; font-size: 1.05em;
  padding: 1em 1.2em; background: #fcfcfa; border: 1px solid #e3e3e3; }
.extractor-sentence { background: #fff4c2; font-style: italic; }
.extractor-text mark { background: #ffd54a; font-style: normal; font-weight: bold;
  padding: 0 2px; scroll-margin-top: 40vh; }
"""
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET.encode()).hexdigest()[:8]


async def stylesheet() -> Response:
    return Response(
        STYLESHEET,
        content_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@hookimpl
def extra_css_urls(
    template: str | None,
    database: str | None,
    table: str | None,
    columns: Any,
    view_name: str | None,
    request: Request | None,
    datasette: Any,
) -> Callable[[], Coroutine[Any, Any, list[str]]] | None:
    if database is None:
        return None

    async def urls() -> list[str]:
        if not await _has_schema(datasette, database):
            return []
        return [str(datasette.urls.path(f"/-/extractor/extractor.css?v={STYLESHEET_VERSION}"))]

    return urls


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [
        (r"^/-/extractor/extractor\.css$", stylesheet),
        (r"^/-/extractor/source/(?P<database>[^/]+)/(?P<document_id>[^/]+)$", source_page),
        (r"^/-/extractor/plot/(?P<database>[^/]+)/survival\.(?P<format>png|svg)$", survival_plot),
    ]


PLOT_SCRIPT = """\
(function () {
  var wrapper = document.querySelector(".table-wrapper");
  if (!wrapper) { return; }
  var base = __BASE__;
  var args = new URLSearchParams(window.location.search);
  var chosen = new URLSearchParams();
  __PARAMETERS__.forEach(function (name) {
    if (args.get(name)) { chosen.set(name, args.get(name)); }
  });
  var query = chosen.toString() ? "?" + chosen.toString() : "";
  var figure = document.createElement("figure");
  figure.className = "extractor-plot";
  var image = document.createElement("img");
  image.src = base + ".png" + query;
  image.alt = "Forest plot of the survival figures in the table";
  var caption = document.createElement("figcaption");
  caption.textContent = "Each row of the table as a point with its 95% CI. Download: ";
  [["PNG", ".png"], ["SVG", ".svg"]].forEach(function (format, index) {
    var link = document.createElement("a");
    link.href = base + format[1] + query;
    link.textContent = format[0];
    if (index) { caption.appendChild(document.createTextNode(", ")); }
    caption.appendChild(link);
  });
  figure.appendChild(image);
  figure.appendChild(caption);
  wrapper.parentNode.insertBefore(figure, wrapper.nextSibling);
})();
"""


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@hookimpl
def extra_body_script(
    template: str | None,
    database: str | None,
    table: str | None,
    columns: Any,
    view_name: str | None,
    request: Request | None,
    datasette: Any,
) -> Callable[[], Coroutine[Any, Any, str | None]] | None:
    if request is None or database is None or not (template or "").startswith("query"):
        return None
    if tilde_decode(request.url_vars.get("table") or "") != SURVIVAL_QUERY:
        return None

    async def script() -> str | None:
        query = await datasette.get_canned_query(database, SURVIVAL_QUERY, request.actor)
        if query is None or not await _has_schema(datasette, database):
            return None
        db = datasette.get_database(database)
        names = query.get("params") or await derive_named_parameters(db, query["sql"])
        base = datasette.urls.path(f"/-/extractor/plot/{tilde_encode(database)}/survival")
        return PLOT_SCRIPT.replace("__BASE__", _script_json(str(base))).replace(
            "__PARAMETERS__", _script_json(list(names))
        )

    return script

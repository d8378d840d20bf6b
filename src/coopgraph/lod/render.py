"""HTML: the one Jinja environment (``templates/``, one ``base.html``) and the pages rendered with
it, the same in the static site (``publish``) and in ``serve``."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .. import __version__, resources
from ..directory import Directory
from ..errors import InputError
from ..hrefs import safe_href
from ..register import ATTRIBUTION
from ..store import Store
from .graph import GraphView, view_of
from .pages import PageBuilder, browse_context, ontology_context
from .paths import DEFAULT_BASE, RDF_FILES, Linker, path_for, slash


def link_html(v: dict[str, Any]) -> Markup:
    """A value as HTML: a link (or a span) with the other language's label and the datatype
    beside it. A function, not a template macro: it runs about 100,000 times per publish."""
    text = escape(v["text"])
    href = safe_href(v.get("href"))  # only http(s), mailto and the site's own paths
    if href:
        out = f'<a href="{escape(href)}">{text}</a>'
    elif v.get("lang"):
        out = f'<span lang="{escape(v["lang"])}">{text}</span>'
    else:
        out = f"<span>{text}</span>"
    if v.get("alt"):
        out += f' <span class="alt" lang="{escape(v["alt_lang"])}">{escape(v["alt"])}</span>'
    if v.get("datatype"):
        out += f' <span class="dt">{escape(v["datatype"])}</span>'
    return Markup(out)


def words_html(w: dict[str, str]) -> Markup:
    """Interface words in the page language, the other language's beside them."""
    out = str(escape(w["text"]))
    if w.get("alt"):
        out += f' <span class="alt" lang="{escape(w["alt_lang"])}">{escape(w["alt"])}</span>'
    return Markup(out)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment, with ``x.key`` on a page's dicts read as ``x["key"]`` first.

    Jinja tries the attribute first and falls back to the item through a caught exception;
    page contexts are plain dicts, so that fallback ran for nearly every lookup (12 % of a
    publish). A dict's own methods (``x.items``) still resolve as in Jinja."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _environment() -> Environment:
    env = _Environment(
        loader=FileSystemLoader(str(resources.templates_dir())),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["attribution"] = ATTRIBUTION
    env.globals["a"] = link_html
    env.globals["t"] = words_html
    env.filters["safe_href"] = safe_href  # only http(s), mailto and site paths become links
    return env


_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def site_context(
    linker: Linker, lang: str, *, site_files: bool, stylesheet: str | None = None
) -> dict[str, Any]:
    """What the layout (``base.html``) needs on every page, in the static site and in serve:
    navigation, search form, language switch (serve), footer links to the dataset descriptions
    (only where they exist: ``site_files``)."""
    builder = PageBuilder(GraphView(), lang, linker)
    nav = {
        "index": linker.special("index"),
        "kooperationen": linker.special("kooperationen"),
        "gemeindeverbaende": linker.special("gemeindeverbaende"),
        "search": linker.special("search"),
        "def": linker.special("def"),
        "sparql": linker.site_href("sparql") if linker.served else None,
        "queries": linker.site_href("queries") if linker.served else None,
        "catalog": linker.site_href("catalog.ttl") if site_files else None,
        "void": linker.site_href("void.ttl") if site_files else None,
        "langs": [{"lang": code, "href": f"?lang={code}", "name": name}
                  for code, name in (("de", "Deutsch"), ("en", "English"))]
        if linker.served else None,
        "facets_js": linker.site_href("facets.js"),
        "laender_svg": linker.site_href("laender.svg"),
    }  # fmt: skip
    return {
        "ui": builder.ui,
        "lang": lang,
        "other": builder.other,
        "link": linker,
        "nav": nav,
        "version": __version__,
        "stylesheet": stylesheet,
    }


def render_page(
    view: GraphView,
    iri: str,
    lang: str,
    linker: Linker,
    stylesheet: str | None = None,
    *,
    directory: Directory | None = None,
    site_files: bool = False,
) -> str:
    """The HTML page of one resource, from an indexed graph (CSS inline unless a stylesheet
    href is given); Kreis and Land pages list their area from the ``directory``."""
    builder = PageBuilder(view, lang, linker)
    node = ox.NamedNode(iri)
    context = builder.page(node, directory)
    path = path_for(iri)
    return (
        environment()
        .get_template("resource.html")
        .render(
            page=context,
            path=path,
            formats=_formats(linker, path),
            **site_context(linker, lang, site_files=site_files, stylesheet=stylesheet),
        )
    )


def _formats(linker: Linker, path: str | None) -> list[dict[str, str]]:
    if path is None:
        return []
    return [
        {"label": label, "href": linker.site_href(path + ext), "type": media}
        for ext, (label, media) in RDF_FILES.items()
    ]


def render_html(
    store: Store,
    iri: str,
    lang: str = "de",
    base_uri: str = DEFAULT_BASE,
    suffix: str = "",
    *,
    directory: Directory | None = None,
    site_files: bool = False,
) -> str:
    """The HTML page of one resource, read from any store, with absolute links under
    ``base_uri`` (each IRI's path + ``suffix``: "" where the server negotiates content)."""
    if lang not in ("de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en", field="lang")
    view = view_of(store, iri)
    if not view.out.get(ox.NamedNode(iri)):
        raise InputError(f"no such resource: {iri}")
    linker = Linker(base_uri=slash(base_uri), page=None, suffix=suffix)
    return render_page(view, iri, lang, linker, directory=directory, site_files=site_files)


def render_site_page(
    name: str,
    directory: Directory,
    lang: str,
    linker: Linker,
    *,
    site_files: bool,
    stylesheet: str | None = None,
    **extra: Any,
) -> str:
    """One of the site's own pages, the same in the static site and in serve: ``index`` (home),
    ``kooperationen`` (the list at id/kooperation/), ``gemeindeverbaende``, ``search``."""
    context = site_context(linker, lang, site_files=site_files, stylesheet=stylesheet)
    builder = PageBuilder(GraphView(), lang, linker)
    context["site"] = browse_context(directory, builder)
    template = "kooperationen.html" if name == "kooperationen" else f"{name}.html"
    return environment().get_template(template).render(**context, **extra)


def render_ontology(view: GraphView, lang: str, linker: Linker, *, site_files: bool,
                    stylesheet: str | None = None) -> str:  # fmt: skip
    """The ontology documentation (``def.html``; ``/def`` in serve)."""
    builder = PageBuilder(view, lang, linker)
    context = site_context(linker, lang, site_files=site_files, stylesheet=stylesheet)
    return (
        environment()
        .get_template("ontology.html")
        .render(onto=ontology_context(view, builder), **context)
    )

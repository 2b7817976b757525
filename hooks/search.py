"""MkDocs hook: one search index per language, with readable text and a nav-title field.

Material's search plugin writes one ``search/search_index.json``; mkdocs-static-i18n refills it
with the entries of every language, so without this hook the English site finds Chinese pages.
After each build (priority -200: after the search plugin and after static-i18n has built the
other languages and rewritten the combined index) this hook splits the index by language:

- ``search/search_index.json``: the default language (what Material fetches);
- ``<locale>/search/search_index.json``: every other language. Pages request it through the
  loader in ``overrides/main.html``, which points Material's index request at
  :func:`index_url` of the page and sends it only once the reader opens the search box.

Each entry's TeX (arithmatex ``\\(...\\)`` / ``\\[...\\]``) becomes plain text
(:func:`tex_to_text`), so result snippets read ``k × k``, not ``\\(k \\times k\\)``; code
blocks are left as they are. The first entry of each page gets ``nav`` fields (boosted in
mkdocs.yml) holding its nav title, so the page whose title is the query ranks first
(:func:`nav_fields`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

INDEX = "search/search_index.json"
# Lunr languages per index: English words (API names) appear on the pages of every language.
LUNR_LANGUAGES = {"en": ["en"], "zh": ["en", "zh"]}
# The longest title (in words, or Han characters) that still gets the repeated nav token.
NAV_REPEAT_MAX = 8
# Ends every nav token (see nav_fields). lunr's multi-language trimmer strips everything but
# ASCII word characters and CJK from a token's ends, so the mark is an ASCII word character.
NAV_MARK = "0"

TEX_SPAN = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
CODE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.DOTALL)
HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
TEX_SYMBOLS = {
    "times": "×",
    "cdot": "·",
    "cdots": "⋯",
    "ldots": "…",
    "dots": "…",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "sum": "Σ",
    "prod": "Π",
    "in": "∈",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "mapsto": "↦",
    "infty": "∞",
    "pm": "±",
    "mid": "|",
    "top": "ᵀ",
    "star": "∗",
    "ast": "∗",
    "circ": "∘",
    "otimes": "⊗",
    "odot": "⊙",
    "alpha": "α",
    "beta": "β",
    "delta": "δ",
    "lambda": "λ",
    "sigma": "σ",
    "quad": " ",
    "qquad": " ",
}
# Font and style commands: their argument stays, the command goes.
TEX_STYLES = {
    "mathbf",
    "mathrm",
    "mathit",
    "mathcal",
    "boldsymbol",
    "text",
    "textrm",
    "textbf",
    "operatorname",
    "displaystyle",
    "hat",
    "tilde",
    "bar",
    "vec",
}
SUPERSCRIPT = str.maketrans("0123456789+-=()nT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿᵀ")
SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(body: str, table: dict, mark: str) -> str:
    """``2`` -> ``²`` when every character has a Unicode form, else ``^(n-1)``."""
    if body and all(ord(c) in table for c in body):
        return body.translate(table)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def _command(match: re.Match) -> str:
    name = match.group(1)
    return "" if name in TEX_STYLES else TEX_SYMBOLS.get(name, name) + " "


def tex_to_text(tex: str) -> str:
    """Readable plain text for a TeX formula: ``k \\times k`` -> ``k × k``,
    ``\\lfloor (i + 2p)/s \\rfloor + 1`` -> ``⌊ (i + 2p)/s ⌋ + 1``, ``r^2`` -> ``r²``."""
    text = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)\b\s*", "", tex)
    text = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\[,;:! ]", " ", text)
    text = re.sub(r"\\([A-Za-z]+)\s*", _command, text)
    text = re.sub(r"\s+([_^])", r"\1", text).replace("^ᵀ", "ᵀ")
    for mark, table in (("^", SUPERSCRIPT), ("_", SUBSCRIPT)):
        braced = re.escape(mark) + r"\{([^{}]*)\}|" + re.escape(mark) + r"(\w)"
        text = re.sub(braced, lambda m, t=table, k=mark: _script(m[1] or m[2], t, k), text)
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    text = re.sub(r" +([,.;:)\]])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_text(html: str) -> str:
    """An index entry's text or title with every TeX span outside code made plain text."""
    parts = CODE.split(html)
    for i in range(0, len(parts), 2):  # even parts are outside <pre>/<code>
        parts[i] = TEX_SPAN.sub(lambda m: tex_to_text(m[1] or m[2]), parts[i])
    return "".join(parts)


def nav_fields(title: str) -> dict[str, str]:
    """The ``nav`` and ``nav_prefix`` fields for a page titled ``title``.

    Material appends ``*`` to every query term and segments a Chinese query by the words of the
    index, so a query term matches every nav token it is a prefix of, and lunr has no length
    normalisation there (Material sets ``b = 0``). So that the exact title wins:

    - each Han run and each Latin word of the title is one ``nav`` token ending in
      :data:`NAV_MARK`: ``卷积`` there is a rare word, not the ``卷积`` of every page's text,
      so it weighs as much as ``卷积可视化`` (lunr weighs a term by its rarity); Han runs are
      not segmented, so ``转置卷积`` does not match the nav title ``为什么叫“转置”``;
    - the tokens are repeated more the shorter the title, so ``卷积`` outranks ``卷积可视化``
      for the query ``卷积``, and ``Convolution`` outranks ``Convolution visualizer``;
    - ``nav_prefix`` (boosted next to nothing) holds each Han run without its last character,
      because Material's segmenter never looks up a query's last character: ``输出填充`` is
      searched as ``输出*`` unless ``输出填`` is a word of the index (then ``输出填*``, which
      matches ``输出填充`` and not ``输出尺寸``).
    """
    pieces = re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+", title)
    size = sum(len(piece) if HAN_RUN.fullmatch(piece) else 1 for piece in pieces)
    tokens = [piece + NAV_MARK for piece in pieces] * max(1, NAV_REPEAT_MAX - size)
    prefixes = [piece[:-1] for piece in pieces if HAN_RUN.fullmatch(piece) and len(piece) >= 2]
    return {"nav": " ".join(tokens), "nav_prefix": " ".join(prefixes)}


def language_prefixes(config: MkDocsConfig) -> dict[str, str]:
    """``{locale: URL prefix}``: ``""`` for the default language, ``"en/"`` for the others."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return {config.theme.get("language", "en"): ""}
    return {
        lang.locale: "" if lang.default else f"{lang.locale}/" for lang in i18n.config.languages
    }


def language_of(location: str, prefixes: dict[str, str]) -> str:
    """The locale whose prefix ``location`` starts with (the default one has none)."""
    default = next(locale for locale, prefix in prefixes.items() if not prefix)
    for locale, prefix in prefixes.items():
        if prefix and location.startswith(prefix):
            return locale
    return default


def index_url(page_url: str, prefix: str) -> str:
    """The URL of the page's language index, relative to the page."""
    return get_relative_url(prefix + INDEX, page_url or ".")


def split_index(index: dict, prefixes: dict[str, str], nav_titles: dict[str, str]) -> dict:
    """``{locale: index}`` for the locales that have entries, each cleaned and with nav fields."""
    by_language: dict[str, list] = {}
    for doc in index["docs"]:
        doc = {**doc, "title": clean_text(doc["title"]), "text": clean_text(doc["text"])}
        if "#" not in doc["location"] and doc["location"] in nav_titles:
            doc.update(nav_fields(nav_titles[doc["location"]]))
        by_language.setdefault(language_of(doc["location"], prefixes), []).append(doc)
    config = index["config"]
    return {
        locale: {
            "config": {**config, "lang": LUNR_LANGUAGES.get(locale, ["en", locale])},
            "docs": docs,
        }
        for locale, docs in by_language.items()
    }


def nav_titles(items: list) -> list[str]:
    """Every title in a MkDocs ``nav`` (nested lists of ``{title: page or list}``)."""
    titles = []
    for item in items or []:
        if isinstance(item, dict):
            for title, value in item.items():
                titles.append(str(title))
                if isinstance(value, list):
                    titles += nav_titles(value)
    return titles


@event_priority(100)  # before the search plugin segments any page
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Jieba segments the index's Chinese text. Teaching it the nav titles' terms (转置卷积,
    # 输出填充) keeps them one word in every page's text, so the query 转置卷积, searched as
    # 转置卷* (see nav_fields), still finds every page that mentions it.
    try:
        import jieba
    except ImportError:
        return config
    for title in nav_titles(config.nav):
        for run in HAN_RUN.findall(title):
            if len(run) >= 3:
                jieba.add_word(run)
    return config


# Nav title of every page built in this process ({url: title}), read when the index is split.
_nav_titles: dict[str, str] = {}


@event_priority(-100)  # after static-i18n has set the page's translated nav title
def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
    prefixes = language_prefixes(config)
    locale = language_of(page.url, prefixes)
    _nav_titles[page.url] = str(page.title or "")
    context["convnotes_search_index"] = index_url(page.url, prefixes[locale])
    return context


@event_priority(-200)  # after search (0) wrote the index and static-i18n (-100) refilled it
def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    index_path = site / INDEX
    if not index_path.is_file():
        return
    prefixes = language_prefixes(config)
    index = json.loads(index_path.read_text(encoding="utf-8"))
    for locale, part in split_index(index, prefixes, _nav_titles).items():
        target = site / prefixes[locale] / INDEX
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(part, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text, encoding="utf-8")

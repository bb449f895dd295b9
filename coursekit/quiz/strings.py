"""UI strings (from strings_<lang>.yaml) and small text helpers for the quiz."""
from __future__ import annotations

import html
import os
import re
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@lru_cache(maxsize=4)
def strings(lang: str = "en") -> dict[str, str]:
    """The string catalogue for ``lang`` (env COURSEKIT_LANG), falling back to English per key."""
    english = yaml.safe_load((HERE / "strings_en.yaml").read_text(encoding="utf-8"))
    path = HERE / f"strings_{lang}.yaml"
    if lang != "en" and path.exists():
        english.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return {str(k): str(v) for k, v in english.items()}


def t(key: str, **values) -> str:
    """Look up a UI string and fill in its {placeholders}."""
    text = strings(os.environ.get("COURSEKIT_LANG", "en"))[key]
    return text.format(**values) if values else text


def number(value: float) -> str:
    """1.0 -> "1", 2.5 -> "2.5", 1/3 -> "0.33": at most two decimals, no trailing zeros."""
    rounded = round(float(value), 2)
    return f"{rounded:g}" if rounded != 0 else "0"


def points_of(earned: float, possible: float) -> str:
    """ "0.33 of 1 point", "1.5 of 2 points" (the one way a part of a point is written)."""
    key = "points_of" if round(float(possible), 2) == 1 else "points_of_plural"
    return t(key, earned=number(earned), possible=number(possible))


@lru_cache(maxsize=1)
def _markdown():
    try:
        import mistune

        return mistune.create_markdown(escape=True, plugins=["strikethrough", "table", "url"])
    except (ImportError, AttributeError, TypeError, ValueError):
        return None


def md(text: str, inline: bool = False) -> str:
    """Markdown -> HTML (raw HTML in the source is escaped). Falls back to a tiny subset."""
    if not text:
        return ""
    render = _markdown()
    if render is not None:
        out = render(text).strip()
    else:
        out = html.escape(text)
        out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
        out = re.sub(r"\*(.+?)\*", r"<em>\1</em>", out)
        out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
        out = "".join(f"<p>{p}</p>" for p in out.split("\n\n"))
    if inline and out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def plain(markup: str) -> str:
    """HTML -> plain text with collapsed whitespace (for feedback_text and screen-reader checks)."""
    text = re.sub(r"<(br|/p|/li|/div|/h\d)\s*/?>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)

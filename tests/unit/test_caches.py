"""Every Streamlit cache is bounded: thirty sessions over a day must not grow memory without limit."""

from __future__ import annotations

import ast

from tests.support.data import ROOT

SOURCES = [
    *sorted((ROOT / "explorer").rglob("*.py")),
    *sorted((ROOT / "app_pages").glob("*.py")),
    ROOT / "app.py",
]


def streamlit_caches() -> list[tuple[str, ast.expr]]:
    """(where, decorator) for each @st.cache_data / @st.cache_resource in the app's code."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    found.append((f"{path.relative_to(ROOT)}:{node.name}", decorator))
    return found


def test_the_app_caches_models_and_data():
    assert len(streamlit_caches()) >= 5, "the decorators were found at all"


def test_every_streamlit_cache_has_max_entries_or_ttl():
    unbounded = [
        where
        for where, decorator in streamlit_caches()
        if not (
            isinstance(decorator, ast.Call) and {keyword.arg for keyword in decorator.keywords} & {"max_entries", "ttl"}
        )
    ]
    assert not unbounded, f"caches without max_entries or ttl: {unbounded}"


def test_the_lru_keeps_the_newest_and_a_read_counts_as_use():
    from explorer.lru import LRU

    cache = LRU(2)
    cache["a"], cache["b"] = 1, 2
    assert cache.get("a") == 1  # "a" is now newer than "b"
    cache["c"] = 3
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3 and len(cache) == 2
    cache["a"] = 10  # rewriting refreshes too
    cache["d"] = 4
    assert "c" not in cache and cache.get("a") == 10 and cache.get("missing", "none") == "none"

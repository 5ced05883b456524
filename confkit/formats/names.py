"""Display names as exports write them: platform suffixes such as ``(Guest)`` or
``(External)``, pronouns such as ``(she/her)``, and Zoom's ``Name (Original Name)``.

The raw cell is always kept beside the cleaned name: ``Paul McCartney (Wings)`` may
be a rename or a band, and no rule can tell.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_GUEST = re.compile(r"\((?:guest|gast|invité|invitado|convidado)\)", re.IGNORECASE)
_SUFFIX = re.compile(
    r"\((?:external|ext|extern|externo|unverified|non verified"
    r"|(?:she|he|they|ze|xe|it|her|him|them|hers|his|theirs)(?:\s*/\s*[a-z]+){1,2})\)",
    re.IGNORECASE)


def clean_name(raw: str) -> tuple[str, bool]:
    """The name without guest, external and pronoun suffixes, and whether it said guest."""
    guest = bool(_GUEST.search(raw))
    name = _SUFFIX.sub(" ", _GUEST.sub(" ", raw))
    return " ".join(name.split()), guest


def split_original(raw: str) -> tuple[str, str | None]:
    """Zoom's ``Display (Original)``: the last balanced parenthesised group at the end
    is the original name, the text before it the display name."""
    text = raw.strip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for position in range(len(text) - 1, -1, -1):
        if text[position] == ")":
            depth += 1
        elif text[position] == "(":
            depth -= 1
            if depth == 0:
                before, inside = text[:position].strip(), text[position + 1:-1].strip()
                if before and inside:
                    return before, inside
                return text, None
    return text, None


def clean_names(raw: pd.Series, *, zoom_original: bool = False) -> pd.DataFrame:
    """``name``, ``original_name`` (Zoom only, else <NA>) and ``guest_suffix`` for a
    column of raw display names, computed once per distinct value (and only for
    names with a parenthesis: the others are already clean)."""
    text = raw.fillna("").astype(str)
    values = text.to_numpy(dtype=object)
    names = values.copy()
    originals = np.full(len(values), None, dtype=object)
    guests = np.zeros(len(values), dtype=bool)
    cache: dict[str, tuple[str, str | None, bool]] = {}
    for i in np.flatnonzero(np.fromiter(("(" in value for value in values), dtype=bool, count=len(values))):
        value = values[i]
        found = cache.get(value)
        if found is None:
            name, guest = clean_name(value)
            original = None
            if zoom_original:
                name, original = split_original(name)
            found = cache[value] = (name, original, guest)
        names[i], originals[i], guests[i] = found
    return pd.DataFrame({
        "name": pd.Series(names, index=raw.index, dtype="string"),
        "original_name": pd.Series(originals, index=raw.index, dtype="string"),
        "guest_suffix": pd.Series(guests, index=raw.index, dtype=bool),
    })

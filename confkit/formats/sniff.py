"""Turning a source (path, bytes or binary file object) into text: byte-order mark,
encoding and line endings found from the bytes, never assumed."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ImportFormatError

Source = str | os.PathLike | bytes | bytearray | BinaryIO

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Text:
    """A source decoded: its text with line endings made ``\\n``, the encoding used,
    and the file name (None for bytes or an unnamed stream)."""

    text: str
    encoding: str
    name: str | None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def where(self) -> str:
        return self.name or "<bytes>"


def read_bytes(source: Source) -> tuple[bytes, str | None]:
    """The raw bytes of ``source`` and its file name, if it has one."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes(), str(path)
        except OSError as exc:
            raise ImportFormatError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    read = getattr(source, "read", None)
    if read is None:
        raise ImportFormatError(f"expected a path, bytes or a binary file object, got {type(source).__name__}")
    data = read()
    name = getattr(source, "name", None)
    name = str(name) if isinstance(name, (str, os.PathLike)) else None
    if isinstance(data, str):
        raise ImportFormatError("open the file in binary mode ('rb'): the encoding is found from its bytes",
                                file=name)
    return bytes(data), name


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text has a NUL in every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode(data: bytes, name: str | None = None) -> Text:
    """Decode by the BOM if there is one, else UTF-16 by its NULs, else UTF-8, else cp1252."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None) or _guess_utf16(data)
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as exc:
            if candidate == candidates[-1]:
                line = data[: exc.start].count(b"\n") + 1
                raise ImportFormatError(f"the bytes are not valid {candidate} text ({exc.reason})",
                                        file=name, line=line) from None
            continue
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            raise ImportFormatError("the file holds NUL characters: not a text export", file=name, line=line)
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return Text(text, candidate.removesuffix("-sig"), name)
    raise AssertionError("unreachable")  # pragma: no cover


def load(source: Source) -> Text:
    """Read and decode a source."""
    data, name = read_bytes(source)
    return decode(data, name)

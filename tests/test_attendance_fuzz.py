"""Damaged copies of every attendance export (the shared fixtures that are present
and the hand-made samples): bytes flipped, inserted or cut, lines dropped or
repeated, the text re-encoded. read_attendance either returns a well-formed report
or raises ImportFormatError, never anything else."""

from __future__ import annotations

import codecs

import attendance_samples
import pandas as pd
from exportfiles import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confkit import ImportFormatError, read_attendance
from confkit.formats.model import SEGMENT_COLUMNS

FIXTURE_FILES = ("zoom/participants_heroes.csv", "zoom/participants_heroes_full.csv",
                 "zoom/meeting001_participants.csv", "zoom/Anonymized_Zoom_Attendee_Report.csv",
                 "teams/IDL-14-11-22.csv")
CORPUS = dict(attendance_samples.ALL)
CORPUS.update({name: (FIXTURES / name).read_bytes() for name in FIXTURE_FILES if (FIXTURES / name).is_file()})

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le+bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be+bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "cp1252": lambda text: text.encode("cp1252", errors="replace"),
}


def _text_of(data: bytes) -> str | None:
    for encoding in ("utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig",
                     "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _apply(data: bytes, op: tuple) -> bytes:
    kind = op[0]
    if kind == "flip" and data:
        at = op[1] % len(data)
        return data[:at] + bytes([op[2]]) + data[at + 1:]
    if kind == "insert":
        at = op[1] % (len(data) + 1)
        return data[:at] + op[2] + data[at:]
    if kind == "cut":
        return data[: op[1] % (len(data) + 1)]
    if kind in ("drop", "repeat"):
        lines = data.split(b"\n")
        at = op[1] % len(lines)
        lines[at:at + 1] = [] if kind == "drop" else [lines[at]] * op[2]
        return b"\n".join(lines)
    if kind == "encode":
        text = _text_of(data)
        return data if text is None else ENCODINGS[op[1]](text)
    return data


position = st.integers(min_value=0, max_value=200_000)
operations = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(0, 255)),
    st.tuples(st.just("insert"), position, st.sampled_from([b",", b"\t", b";", b'"', b"\n", b"\r", b"--", b"\x00",
                                                           b"(", b")", b"13/13/22, 25:61:00", b"\xff\xfe", b" PM"])),
    st.tuples(st.just("cut"), position),
    st.tuples(st.just("drop"), position),
    st.tuples(st.just("repeat"), position, st.integers(2, 3)),
    st.tuples(st.just("encode"), st.sampled_from(sorted(ENCODINGS))),
)


@settings(derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CORPUS)), ops=st.lists(operations, min_size=1, max_size=4),
       dayfirst=st.sampled_from([None, True, False]))
def test_damaged_exports_read_or_raise_import_format_error(name, ops, dayfirst):
    data = CORPUS[name]
    for op in ops:
        data = _apply(data, op)
    try:
        report = read_attendance(data, tz="Europe/Paris", date="2021-10-14", dayfirst=dayfirst)
    except ImportFormatError as error:
        assert str(error)
        return
    seg = report.segments
    assert list(seg.columns[: len(SEGMENT_COLUMNS)]) == list(SEGMENT_COLUMNS)
    assert str(seg["joined_at"].dtype) == "datetime64[ns, UTC]" == str(seg["left_at"].dtype)
    both = seg["joined_at"].notna() & seg["left_at"].notna()
    assert (seg.loc[both, "left_at"] >= seg.loc[both, "joined_at"]).all()
    assert seg["line"].gt(0).all() and isinstance(report.warnings, tuple)
    assert report.kind in ("segments", "totals")
    assert all(isinstance(w, str) for w in report.warnings) and isinstance(seg, pd.DataFrame)

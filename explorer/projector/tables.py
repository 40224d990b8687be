"""Projector text tables: vectors.tsv and metadata.tsv read and written, and a projection as CSV.

Read as untrusted uploads: the bounds of `files` are checked before a value is stored, and every
failure is a ProjectorFileError naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from explorer.projector import files
from explorer.projector.files import ProjectorFileError


def read_vectors_tsv(data: bytes, filename: str = files.VECTORS_NAME) -> tuple[np.ndarray, np.ndarray | None]:
    """Vectors (N, D) float32 from a vectors TSV, and the labels (N,) str if its first column has words.

    The first column is taken as labels when any of its values is not a number; then a bad value
    in any later column is an error rather than a second label column.
    """
    lines, line_numbers = _numbered_lines(files.decode_text(data, filename))
    if len(lines) > files.MAX_POINTS:
        raise ProjectorFileError(
            f"{filename} has {len(lines):,} points; at most {files.MAX_POINTS:,} are accepted, so keep a sample of the rows."
        )
    field_count = _check_rectangular(lines, line_numbers, filename)
    first_column = [line.split("\t", 1)[0] for line in lines]
    has_labels = not _all_numbers(first_column)
    check_dimensions(field_count - has_labels, filename)
    vectors = _parse_numbers(lines, line_numbers, int(has_labels), field_count, filename)
    labels = _text_column(first_column, line_numbers, 1, filename) if has_labels else None
    return vectors, labels


def read_metadata_tsv(data: bytes, rows: int, filename: str = files.METADATA_NAME) -> dict[str, np.ndarray]:
    """Metadata columns for `rows` points: {"label": values} for one column, else named by the header."""
    lines = [line.rstrip("\r") for line in files.decode_text(data, filename).split("\n")]
    column_count = lines[0].count("\t") + 1
    has_header = column_count > 1
    if lines[-1] == "":
        lines.pop()  # the piece after the final newline is not a row
    while len(lines) > rows + has_header and not lines[-1].strip():
        lines.pop()  # blank lines at the end, as editors leave them, when there are more than enough
    value_lines = lines[1:] if has_header else lines
    _check_text_size(len(value_lines) * column_count, sum(map(len, value_lines)), filename)
    if len(value_lines) != rows:
        below = " below its header" if has_header else ""
        raise ProjectorFileError(
            f"{filename} has {len(value_lines):,} rows{below} but there are {rows:,} vectors; "
            "the metadata needs exactly one row per vector, in the same order."
        )
    first_value_line = 2 if has_header else 1
    line_numbers = list(range(first_value_line, first_value_line + rows))
    if not has_header:
        return {"label": _text_column(value_lines, line_numbers, 1, filename)}
    for line, number in zip(value_lines, line_numbers):
        value_count = line.count("\t") + 1
        if value_count != column_count:
            raise ProjectorFileError(
                f"{filename}, line {number}: {value_count} values where the header names {column_count} columns."
            )
    columns = zip(*(line.split("\t") for line in value_lines))
    return {
        name: _text_column(list(values), line_numbers, column_number, filename)
        for column_number, (name, values) in enumerate(zip(_column_names(lines[0]), columns), 1)
    }


def _numbered_lines(text: str) -> tuple[list[str], list[int]]:
    """The non-blank lines without line endings or trailing spaces, and their 1-based line numbers."""
    stripped = [line.rstrip() for line in text.split("\n")]
    numbers = [number for number, line in enumerate(stripped, 1) if line]
    return [stripped[number - 1] for number in numbers], numbers


def _check_rectangular(lines: list[str], line_numbers: list[int], filename: str) -> int:
    """The number of tab-separated values per line, the same on every line, or an error naming the odd line."""
    tab_counts = np.fromiter((line.count("\t") for line in lines), dtype=np.int64, count=len(lines))
    odd = np.flatnonzero(tab_counts != tab_counts[0])
    if len(odd):
        index = odd[0]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[index]}: {tab_counts[index] + 1} values where "
            f"the lines above have {tab_counts[0] + 1}."
        )
    return int(tab_counts[0]) + 1


def check_dimensions(dimensions: int, filename: str) -> None:
    if dimensions < files.MIN_DIMENSIONS:
        raise ProjectorFileError(
            f"{filename} has {dimensions} number{'s' if dimensions != 1 else ''} per line, "
            f"but a projection needs at least {files.MIN_DIMENSIONS} dimensions; each line needs "
            f"{files.MIN_DIMENSIONS} or more numbers separated by tabs."
        )
    if dimensions > files.MAX_DIMENSIONS:
        raise ProjectorFileError(
            f"{filename} has {dimensions:,} numbers per line; at most {files.MAX_DIMENSIONS:,} dimensions are accepted."
        )


def _all_numbers(values: list[str]) -> bool:
    """Whether every value reads as a number. One at a time: an array of the text first is as wide as
    its longest value in every row (one 6,000-character label in 200,000 rows: 4.8 GB, MemoryError)."""
    for value in values:
        try:
            float(value)
        except ValueError:
            return False
    return True


def _parse_numbers(
    lines: list[str], line_numbers: list[int], first_column: int, field_count: int, filename: str
) -> np.ndarray:
    """The numeric columns as float32: numpy's parser in bulk, a line-by-line scan only to name a bad value."""
    try:
        numbers = np.loadtxt(
            lines, delimiter="\t", dtype=np.float64, comments=None, ndmin=2, usecols=range(first_column, field_count)
        )
    except ValueError:
        numbers = _parse_numbers_line_by_line(lines, line_numbers, first_column, filename)
    with np.errstate(over="ignore"):  # beyond float32's range becomes infinity, refused just below
        vectors = numbers.astype(np.float32)
    not_finite = np.argwhere(~np.isfinite(vectors))  # NaN, infinity, and beyond float32's ±3.4e38
    if len(not_finite):
        row, column = not_finite[0]
        column_number = first_column + column + 1
        value = lines[row].split("\t")[column_number - 1]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[row]}, column {column_number}: “{files.shorten(value)}” "
            "is not a finite number; NaN, infinity and values beyond ±3.4e38 cannot be "
            "placed on a map, so fix or remove the line."
        )
    return vectors


def _parse_numbers_line_by_line(
    lines: list[str], line_numbers: list[int], first_column: int, filename: str
) -> np.ndarray:
    rows = []
    for line, number in zip(lines, line_numbers):
        row = []
        for column_number, field in enumerate(line.split("\t")[first_column:], first_column + 1):
            try:
                row.append(float(field))
            except ValueError:
                raise ProjectorFileError(
                    f"{filename}, line {number}, column {column_number}: “{files.shorten(field)}” "
                    "is not a number; fix the value or remove the line."
                ) from None
        rows.append(row)
    return np.array(rows, dtype=np.float64)


def _check_text_size(cells: int, characters: int, filename: str) -> None:
    """Refuse text that would cost more than a small server's share once each value is a string."""
    if cells > files.MAX_TEXT_CELLS:
        raise ProjectorFileError(
            f"{filename} holds {cells:,} values; up to {files.MAX_TEXT_CELLS:,} are accepted, "
            "so keep fewer columns or a sample of the rows."
        )
    if characters > files.MAX_TEXT_CHARS:
        raise ProjectorFileError(
            f"{filename} holds {characters:,} characters of text; up to {files.MAX_TEXT_CHARS:,} are accepted, "
            "so keep shorter values, fewer columns or a sample of the rows."
        )


def _text_column(values: list[str], line_numbers: list[int], column_number: int, filename: str) -> np.ndarray:
    """The values as an object array of strings, each distinct value stored once.

    Not numpy's fixed-width str: that stores every value at the longest one's width (one
    1,000-character label among 200,000 rows: 800 MB, and again in every copy)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    too_long = np.flatnonzero(lengths > files.MAX_VALUE_CHARS)
    if len(too_long):
        index = too_long[0]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[index]}, column {column_number}: the value is "
            f"{lengths[index]:,} characters long; values up to {files.MAX_VALUE_CHARS:,} are accepted."
        )
    _check_text_size(len(values), int(lengths.sum()), filename)
    distinct: dict[str, str] = {}
    column = np.empty(len(values), dtype=object)
    column[:] = [distinct.setdefault(value, value) for value in values]
    return column


def _column_names(header: str) -> list[str]:
    """Header names, with blank ones numbered and repeated ones told apart, so no column is lost."""
    names = []
    for number, field in enumerate(header.split("\t"), 1):
        name = field.strip() or f"column {number}"
        names.append(f"{name} (column {number})" if name in names else name)
    return names


def write_vectors_tsv(vectors: np.ndarray) -> bytes:
    """A vectors TSV: one point per line, no header."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"Vectors must be a table of N rows and D columns, not shape {vectors.shape}.")
    buffer = io.BytesIO()
    np.savetxt(buffer, vectors, fmt="%.9g", delimiter="\t")  # 9 significant digits bring every float32 back exactly
    return buffer.getvalue()


def write_metadata_tsv(metadata: dict[str, np.ndarray]) -> bytes:
    """A metadata TSV: a header line only when there are several columns, as the Projector expects."""
    if not metadata:
        return b""
    columns = [[_clean_cell(value) for value in values] for values in metadata.values()]
    lines = ["\t".join(row) for row in zip(*columns)]
    if len(columns) > 1:
        lines.insert(0, "\t".join(_clean_cell(name) for name in metadata))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _clean_cell(value) -> str:
    """A value on one line of one column: a tab or newline inside it would shift or split the rows."""
    return str(value).translate({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})


def projection_csv(coordinates: np.ndarray, metadata: dict[str, np.ndarray]) -> bytes:
    """A CSV of a 2-d or 3-d projection: columns x, y[, z], then the metadata columns, one row per point."""
    coordinates = np.asarray(coordinates, dtype=np.float64)
    if coordinates.ndim != 2 or coordinates.shape[1] not in (2, 3):
        raise ValueError(f"Coordinates must be (N, 2) or (N, 3), not shape {coordinates.shape}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes any value holding a comma, quote or newline
    writer.writerow(["x", "y", "z"][: coordinates.shape[1]] + list(metadata))
    columns = list(metadata.values())
    for index, point in enumerate(coordinates.tolist()):
        writer.writerow([format(value, ".9g") for value in point] + [column[index] for column in columns])
    return buffer.getvalue().encode("utf-8")

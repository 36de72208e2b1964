"""The first sheet of an XLSX workbook, read without letting the file decide what it costs.

An XLSX is a zip of XML files. An 82 KB upload could claim a sheet of A1:XFD1048576, hold rows of
styled empty cells reaching column XFD (read as rows 16,384 cells wide: 1.4 GB), or be a zip bomb.
So, before openpyxl opens the workbook:
1. the zip's directory: number of members, each member's size and compression ratio, their total;
2. every XML member is streamed once through expat: no DTD or entity declaration (« billion
   laughs »), well formed to the end, and a bounded number of elements (limits.py).
openpyxl then opens it read-only (it parses XML with defusedxml, a requirement) and the sheet's rows
come one at a time, each reduced to its cells that hold a value; reading stops with a sentence at the
row or column cap. Whatever the workbook's defect, the caller gets an ImportFileError, never another
exception."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

from . import limits
from .limits import ImportFileError

_END_OF_DIRECTORY = b"PK\x05\x06"
_XML_SUFFIXES = (".xml", ".rels")
# Containers whose items openpyxl reads one at a time, freeing each: rows of a sheet, shared strings.
_STREAMED = {"sheetData": "row", "sst": "si"}
_VALUE_TAGS = frozenset({"v", "is", "f"})
# What openpyxl, zipfile and zlib raise on a damaged workbook (ParseError is a SyntaxError).
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    expat.ExpatError,
    SyntaxError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    OSError,
    EOFError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
)


def _damaged() -> ImportFileError:
    return ImportFileError(
        _("Le classeur Excel est illisible ou endommagé : ouvrez-le dans Excel et enregistrez-le de nouveau en XLSX.")
    )


def _too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "Le classeur Excel est anormalement volumineux une fois décompressé (cellules vides mises en forme, "
            "ou fichier piégé) : copiez les seules données utiles dans un nouveau classeur, ou enregistrez-le en CSV."
        )
    )


@dataclass
class Inspection:
    """What the checks saw: the rows holding at least one value (the header included)."""

    rows: int


def inspect_xlsx(data: bytes) -> Inspection:
    """Check the zip and its XML (see the module's docstring); raises ImportFileError."""
    _check_directory_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_members(members)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
                raise ImportFileError(_("Le fichier est une archive zip, pas un classeur Excel (XLSX)."))
            scan = _Scan()
            for member in members:
                if member.filename.lower().endswith(_XML_SUFFIXES):
                    _scan(archive, member, scan)
            rows = scan.most_rows_with_values
    except ImportFileError:
        raise
    except _DAMAGED as error:
        raise _damaged() from error
    return Inspection(rows=rows)


def xlsx_rows(data: bytes, *, inspected: bool = False) -> Iterator[tuple[int, list]]:
    """(row number, values up to the last one) of each row of the first sheet holding a value,
    after inspect_xlsx (unless the caller just did it); stops with ImportFileError past MAX_ROWS
    data rows or MAX_COLUMNS."""
    if not inspected:
        inspect_xlsx(data)
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with warnings.catch_warnings():
            # « Workbook contains no default style, apply openpyxl's default »: nothing to tell.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            if not workbook.worksheets:
                raise ImportFileError(_("Le classeur Excel ne contient aucune feuille de calcul."))
            sheet = workbook.worksheets[0]
            # The parser of the read-only sheet, without what its iter_rows adds: a row for each one
            # the file leaves out, and every row as wide as its last cell, styled or not (16,384
            # cells for one in column XFD). openpyxl 3.1, pinned in requirements.txt.
            with sheet._get_source() as source:
                parser = WorkSheetParser(
                    source,
                    sheet._shared_strings,
                    data_only=True,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                rows = 0
                for number, cells in parser.parse():
                    values = _row_values(number, cells)
                    if values is None:
                        continue
                    rows += 1
                    if rows > limits.MAX_ROWS + 1:
                        raise limits.too_many_rows()
                    yield number, values
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except _DAMAGED as error:
        raise _damaged() from error


def _row_values(number: int, cells: list[dict]) -> list | None:
    """The row's values by column (None where empty), or None for a row without any value."""
    filled = {}
    for cell in cells:
        value = cell["value"]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = cell["column"]
        if column > limits.MAX_COLUMNS:
            from openpyxl.utils import get_column_letter

            raise ImportFileError(
                _(
                    "Ligne %(line)s : une valeur en colonne %(column)s, au-delà des %(max)s premières colonnes lues : "
                    "retirez les colonnes inutiles."
                )
                % {
                    "line": number,
                    "column": get_column_letter(min(column, limits.XLSX_SHEET_COLUMNS)),
                    "max": limits.MAX_COLUMNS,
                }
            )
        filled[column] = value
    if not filled:
        return None
    values = [None] * max(filled)
    for column, value in filled.items():
        values[column - 1] = value
    return values


# --- The zip -------------------------------------------------------------------------------------


def _check_directory_size(data: bytes) -> None:
    """Refuse a zip announcing too many members before zipfile builds an object for each of them
    (a 30 MB directory holds 600,000). The count is in the end-of-directory record."""
    position = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if position < 0 or position + 22 > len(data):
        raise _damaged()
    (entries,) = struct.unpack_from("<H", data, position + 10)
    # 0xFFFF says « see the ZIP64 record »: no workbook within MAX_FILE_BYTES needs one.
    if entries > limits.XLSX_MAX_MEMBERS:
        raise _too_big()


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > limits.XLSX_MAX_MEMBERS:
        raise _too_big()
    total = 0
    for member in members:
        # zipfile never returns more than file_size bytes (it checks the CRC at the end), so the
        # declared size is a true bound.
        total += member.file_size
        if member.file_size > limits.XLSX_MAX_UNCOMPRESSED_BYTES or total > limits.XLSX_MAX_UNCOMPRESSED_BYTES:
            raise _too_big()
        if member.file_size > limits.XLSX_RATIO_FLOOR and (
            member.file_size > limits.XLSX_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise _too_big()


# --- The XML -------------------------------------------------------------------------------------


class _Scan:
    """Counts the workbook's elements as openpyxl will hold them, streaming (constant memory)."""

    def __init__(self):
        self.kept = self.rows = self.cells = self.strings = 0
        self.most_rows_with_values = 0
        self.begin()

    def begin(self) -> None:
        """A new member: its own nesting, and its own rows holding a value."""
        self.depth = 0
        self.container: tuple[int, str] | None = None  # (depth, item tag) of sheetData or sst
        self.item_depth: int | None = None
        self.item_elements = self.row_cells = 0
        self.item_has_value = False
        self.rows_with_values = 0

    def start(self, name: str, _attributes) -> None:
        local = name.rpartition(":")[2]
        self.depth += 1
        if self.item_depth is not None:
            self.item_elements += 1
            if self.item_elements > limits.XLSX_MAX_ITEM_ELEMENTS:
                raise _too_big()
            if local == "c":
                self.cells += 1
                self.row_cells += 1
                if self.cells > limits.XLSX_MAX_CELLS or self.row_cells > limits.XLSX_SHEET_COLUMNS:
                    raise _too_big()
            elif local in _VALUE_TAGS:
                self.item_has_value = True
            return
        if self.container is not None and self.container[0] == self.depth - 1 and local == self.container[1]:
            if local == "row":
                self.rows += 1
                if self.rows > limits.XLSX_MAX_SHEET_ROWS:
                    raise _too_big()
            else:
                self.strings += 1
                if self.strings > limits.XLSX_MAX_STRINGS:
                    raise _too_big()
            self.item_depth, self.item_elements, self.item_has_value, self.row_cells = self.depth, 0, False, 0
            return
        self.kept += 1
        if self.kept > limits.XLSX_MAX_ELEMENTS:
            raise _too_big()
        if local in _STREAMED and self.container is None:
            self.container = (self.depth, _STREAMED[local])

    def end(self, _name: str) -> None:
        if self.item_depth == self.depth:
            self.item_depth = None
            if self.item_has_value and self.container[1] == "row":
                self.rows_with_values += 1
                self.most_rows_with_values = max(self.most_rows_with_values, self.rows_with_values)
                if self.rows_with_values > limits.MAX_ROWS + 1:
                    raise limits.too_many_rows()
        elif self.container is not None and self.container[0] == self.depth:
            self.container = None
        self.depth -= 1


def _refuse_declarations(*_arguments) -> None:
    # A workbook has no DTD; entity declarations are how an XML bomb or an external read is made.
    raise ImportFileError(_("Le classeur Excel contient des déclarations XML refusées (DTD ou entités)."))


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, scan: _Scan) -> None:
    """Stream one XML member through expat, counting into `scan`."""
    scan.begin()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    parser.UnparsedEntityDeclHandler = _refuse_declarations
    parser.ExternalEntityRefHandler = _refuse_declarations
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    with archive.open(member) as stream:
        while chunk := stream.read(256 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)

"""What an uploaded file may cost: its size, its rows and columns, and for an XLSX workbook (a zip
of XML files, which a small upload can make expand a thousandfold) what the zip and its XML may
hold. Each limit can be changed in the settings; the defaults are read here, once."""

from django.conf import settings
from django.utils.translation import gettext as _

MIB = 1024 * 1024

# The upload itself (form, API and command).
MAX_FILE_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 30 * MIB)
# Data rows (the header row not counted) and the last column a value may stand in: the largest real
# file known (Coco.gg, 23,051 procedures) twice over; the import knows eight columns.
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 50_000)
MAX_COLUMNS = getattr(settings, "IMPORT_MAX_COLUMNS", 100)
# Above this many data rows the dry run is a background job followed by its progress bar; below it
# is done during the upload, as it takes well under a second.
SYNC_MAX_ROWS = getattr(settings, "IMPORT_SYNC_MAX_ROWS", 2_000)

# XLSX: the zip. A member expanding more than MAX_RATIO times its compressed size is a zip bomb (the
# sheet of an export of 23,051 procedures expands 17 times, identical rows 18 times); the ratio is
# only looked at for members larger than RATIO_FLOOR, since small XML can compress that well harmlessly.
XLSX_MAX_MEMBERS = getattr(settings, "IMPORT_XLSX_MAX_MEMBERS", 1_000)
XLSX_MAX_UNCOMPRESSED_BYTES = getattr(settings, "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 200 * MIB)
XLSX_MAX_RATIO = getattr(settings, "IMPORT_XLSX_MAX_RATIO", 100)
XLSX_RATIO_FLOOR = MIB
# XLSX: the XML. openpyxl reads the rows of a sheet and the shared strings one at a time, but keeps
# something of each (about 450 bytes for a styled row, 160 for a string), and keeps every other
# element whole (up to 650 bytes). So, over the whole workbook: rows (blank ones included), cells (a
# styled empty cell is one too), shared strings, and all other elements are counted. With every
# limit reached at once, reading stays under about 300 MiB.
XLSX_MAX_SHEET_ROWS = getattr(settings, "IMPORT_XLSX_MAX_SHEET_ROWS", 100_000)
XLSX_MAX_CELLS = getattr(settings, "IMPORT_XLSX_MAX_CELLS", 1_000_000)
XLSX_MAX_STRINGS = getattr(settings, "IMPORT_XLSX_MAX_STRINGS", 500_000)
XLSX_MAX_ELEMENTS = getattr(settings, "IMPORT_XLSX_MAX_ELEMENTS", 100_000)
# The format's own bound (ECMA-376): a row has at most 16,384 columns (A to XFD).
XLSX_SHEET_COLUMNS = 16_384
# Elements inside one row or one shared string (cells, values, rich text runs).
XLSX_MAX_ITEM_ELEMENTS = 4 * XLSX_SHEET_COLUMNS


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message is a sentence for the user."""


def too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Le fichier dépasse %(max)s lignes de données : découpez-le en plusieurs fichiers.")
        % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")}
    )

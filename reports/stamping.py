"""Assembling a dossier with pikepdf (qpdf): the rendered pieces and the exhibits in order, exhibit pages
placed on A4 and stamped « Pièce n° X – p. i/n » as French lawyers number them, the running
header and « Remis à … » footer on every page, « page X / Y », bookmarks, table-of-contents links
and the document's metadata.

Numbers are drawn last, once the whole dossier is known, so pieces can be rendered apart (and on
several workers) and still be numbered right. They are drawn with an embedded subset of DejaVu
Sans, the font of the running header, in WinAnsi encoding (every character they use is in it).

qpdf rather than pypdf: the whole-case dossier of the reference case holds some 59,000 structure
elements, which as Python objects took three times the memory qpdf's own objects take."""

import io
import logging
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pikepdf
from fontTools import subset, ttLib
from pikepdf import Array, Dictionary, Name
from pypdf import PdfReader

from .archival import StructureTree, archival_problem, finish_document, write_compact

logger = logging.getLogger(__name__)

MM = 72 / 25.4
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM
# Where an exhibit page is drawn on its A4 sheet: below the header and the stamp, above the
# footer, so that no stamp ever hides a word of the exhibit.
EXHIBIT_AREA = (12 * MM, 13 * MM, 186 * MM, 270 * MM)  # x, y, width, height
NUMBER_FONT_SIZE = 7.5
NUMBER_RIGHT = A4_WIDTH - 16 * MM
NUMBER_BASELINE = 10.0 * MM
STAMP_FONT_SIZE = 8.5
STAMP_RIGHT = A4_WIDTH - 12 * MM
STAMP_TOP = A4_HEIGHT - 5 * MM
STAMP_COLOUR = "0.11 0.21 0.34"
FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
STAMP_CHARACTERS = " 0123456789/.–°Pagceèinp"
TOC_LINK_PREFIX = "dossier:page/"


class ExhibitUnreadable(Exception):
    """An exhibit file that cannot be placed in the dossier (damaged, encrypted…)."""


# --- the numbers' font --------------------------------------------------------------------------


@dataclass(frozen=True)
class StampFont:
    data: bytes
    widths: list[int]  # per WinAnsi code 32..255, in 1/1000 em
    bbox: list[int]
    ascent: int
    descent: int

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[code - 32] for code in text.encode("cp1252")) * size / 1000


def _font_file() -> Path:
    if FONT_FILE.exists():
        return FONT_FILE
    # Elsewhere than Debian: ask fontconfig, which WeasyPrint needs anyway.
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(found)


@lru_cache(maxsize=1)
def stamp_font() -> StampFont:
    """DejaVu Sans cut down to the characters of « page X / Y » and « Pièce n° X – p. i/n »: the
    same subset for every dossier, built once per process."""
    font = ttLib.TTFont(_font_file())
    options = subset.Options()
    options.glyph_names = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(character) for character in STAMP_CHARACTERS])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    metrics = font["hmtx"]
    widths = []
    for code in range(32, 256):
        try:
            character = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            widths.append(0)
            continue
        glyph = cmap.get(ord(character))
        widths.append(round(metrics[glyph][0] * scale) if glyph else 0)
    head = font["head"]
    return StampFont(
        data=buffer.getvalue(),
        widths=widths,
        bbox=[round(value * scale) for value in (head.xMin, head.yMin, head.xMax, head.yMax)],
        ascent=round(font["hhea"].ascent * scale),
        descent=round(font["hhea"].descent * scale),
    )


def _font_object(pdf: pikepdf.Pdf, font: StampFont) -> pikepdf.Object:
    program = pdf.make_stream(font.data, Length1=len(font.data))
    name = Name("/COCOST+DejaVuSans")
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=name,
        Flags=32,
        FontBBox=Array(font.bbox),
        ItalicAngle=0,
        Ascent=font.ascent,
        Descent=font.descent,
        CapHeight=729,
        StemV=80,
        FontFile2=program,
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.TrueType,
            BaseFont=name,
            FirstChar=32,
            LastChar=255,
            Widths=Array(font.widths),
            Encoding=Name.WinAnsiEncoding,
            FontDescriptor=pdf.make_indirect(descriptor),
        )
    )


# --- exhibits -----------------------------------------------------------------------------------


@dataclass
class ExhibitFile:
    """A PDF exhibit, read through now so that a damaged file is found before the table of
    contents counts its pages; drawn page by page at assembly."""

    data: bytes
    pages: int
    archival_problem: str = ""  # why drawing it would break PDF/A-2b ("" when it would not)


def exhibit_file(data: bytes) -> ExhibitFile:
    """Raises ExhibitUnreadable. Read twice, by qpdf (which will draw it) and by pypdf (which
    checks each page for PDF/A): a file either of them refuses is not placed."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                box = page.cropbox
                if abs(float(box[2]) - float(box[0])) < 1 or abs(float(box[3]) - float(box[1])) < 1:
                    raise ExhibitUnreadable("page de dimensions nulles")
                page.as_form_xobject()
            count = len(pdf.pages)
    except pikepdf.PasswordError as error:
        raise ExhibitUnreadable("PDF protégé par un mot de passe") from error
    except ExhibitUnreadable:
        raise
    except Exception as error:
        raise ExhibitUnreadable(f"PDF illisible ({type(error).__name__})") from error
    if not count:
        raise ExhibitUnreadable("PDF sans page")
    try:
        problem = _pages_archival_problem(data)
    except Exception as error:
        raise ExhibitUnreadable(f"PDF illisible ({type(error).__name__})") from error
    return ExhibitFile(data=data, pages=count, archival_problem=problem)


def _pages_archival_problem(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExhibitUnreadable("PDF protégé par un mot de passe")
    for page in reader.pages:
        contents = page.get_contents()
        problem = archival_problem(contents.get_data() if contents is not None else b"", page.get("/Resources"))
        if problem:
            return problem
    return ""


# --- the dossier --------------------------------------------------------------------------------


@dataclass
class PageStamp:
    exhibit_number: int | None = None
    exhibit_page: int = 0
    exhibit_pages: int = 0

    @property
    def text(self) -> str:
        return f"Pièce n° {self.exhibit_number} – p. {self.exhibit_page}/{self.exhibit_pages}"


class DossierWriter:
    """Collects the dossier's pages in order, then numbers, stamps and writes them."""

    def __init__(self, *, frame_pdf: bytes):
        self.pdf = pikepdf.new()
        self.stamps: list[PageStamp] = []
        self.structure = StructureTree(self.pdf)
        # Why the dossier cannot be declared PDF/A-2b: exhibits drawn as they are (archival.py).
        self.archival_problems: list[str] = []
        self.font = stamp_font()
        self._font_ref = _font_object(self.pdf, self.font)
        with pikepdf.open(io.BytesIO(frame_pdf)) as frame:
            self._frame_ref = self.pdf.copy_foreign(frame.pages[0].as_form_xobject())

    @property
    def page_count(self) -> int:
        return len(self.pdf.pages)

    def append_document(self, pdf: bytes, *, exhibit_number: int | None = None) -> int:
        """Append the pages of a rendered piece; returns the index of its first page. With an
        exhibit number, its pages are stamped as that exhibit's."""
        first = self.page_count
        with pikepdf.open(io.BytesIO(pdf)) as source:
            count = len(source.pages)
            self.pdf.pages.extend(source.pages)
            self.structure.append_part(source, first)
        if exhibit_number is None:
            self.stamps.extend(PageStamp() for _ in range(count))
        else:
            self.stamps.extend(PageStamp(exhibit_number, index + 1, count) for index in range(count))
            # An image exhibit is drawn by WeasyPrint, but as the file came (a CMYK JPEG…).
            self._note_archival(exhibit_number, _pages_archival_problem(pdf))
        return first

    def _note_archival(self, number: int, problem: str) -> None:
        label = f"pièce n° {number}"
        if problem and not any(known.startswith(label + " ") for known in self.archival_problems):
            self.archival_problems.append(f"{label} : {problem}")

    def append_exhibit(self, number: int, exhibit: ExhibitFile, *, title: str = "") -> int:
        """Each page of a PDF exhibit drawn inside the exhibit area of an A4 sheet (reduced when
        larger, never enlarged, turned as the exhibit asks), so that the stamp and the footer
        cover nothing. Each sheet is one figure in the structure tree, described by the exhibit's
        number and title."""
        first = self.page_count
        area_x, area_y, area_width, area_height = EXHIBIT_AREA
        area = pikepdf.Rectangle(area_x, area_y, area_x + area_width, area_y + area_height)
        described = f"Pièce n° {number}" + (f" — {title}" if title else "")
        with pikepdf.open(io.BytesIO(exhibit.data)) as source:
            for index, page in enumerate(source.pages):
                form = self.pdf.copy_foreign(page.as_form_xobject())
                self.pdf.add_blank_page(page_size=(A4_WIDTH, A4_HEIGHT))
                sheet = self.pdf.pages[-1]
                sheet.obj.Resources = Dictionary(XObject=Dictionary(CocoExhibit=form))
                drawing = sheet.calc_form_xobject_placement(form, Name.CocoExhibit, area)
                sheet.obj.Contents = self.pdf.make_stream(b"/Figure <</MCID 0>> BDC " + drawing + b" EMC\n")
                self.stamps.append(PageStamp(number, index + 1, exhibit.pages))
                self.structure.add_figure(sheet, f"{described}, page {index + 1} sur {exhibit.pages}")
        self._note_archival(number, exhibit.archival_problem)
        return first

    def link_table_of_contents(self, pages: range) -> None:
        """The table of contents was rendered with links `dossier:page/N`: make them go to page N."""
        for index in pages:
            for annotation in self.pdf.pages[index].obj.get("/Annots") or []:
                action = annotation.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if not uri.startswith(TOC_LINK_PREFIX):
                    continue
                target = uri.removeprefix(TOC_LINK_PREFIX)
                if not target.isdigit() or not 1 <= int(target) <= self.page_count:
                    del annotation["/A"]
                    continue
                annotation.A = Dictionary(S=Name.GoTo, D=Array([self.pdf.pages[int(target) - 1].obj, Name.Fit]))

    def add_outline(self, entries: list[tuple[int, str, int]]) -> None:
        """Bookmarks from (level, label, page index), nested by level."""
        with self.pdf.open_outline() as outline:
            parents: list[pikepdf.OutlineItem] = []
            for level, label, page_index in entries:
                depth = max(1, min(level, len(parents) + 1))
                del parents[depth - 1 :]
                item = pikepdf.OutlineItem(label[:250], page_index)
                (parents[-1].children if parents else outline.root).append(item)
                parents.append(item)

    def _stamp(self, index: int, page: pikepdf.Page, total: int, save: pikepdf.Object) -> None:
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = Dictionary()
            resources = page.obj.Resources
        for kind, name, reference in (
            ("/XObject", "/CocoFrame", self._frame_ref),
            ("/Font", "/CocoNumbers", self._font_ref),
        ):
            if kind not in resources:
                resources[kind] = Dictionary()
            resources[kind][name] = reference
        number = f"page {index + 1} / {total}"
        x = NUMBER_RIGHT - self.font.width(number, NUMBER_FONT_SIZE)
        # Header, footer, numbers and stamps repeat on every page: artifacts, not content, for a
        # screen reader (the structure tree knows nothing of them).
        operations = [
            "Q /Artifact BMC q /CocoFrame Do Q",
            f"q BT /CocoNumbers {NUMBER_FONT_SIZE} Tf 0.2 g {x:.2f} {NUMBER_BASELINE:.2f} Td "
            f"<{number.encode('cp1252').hex()}> Tj ET Q",
        ]
        stamp = self.stamps[index]
        if stamp.exhibit_number is not None:
            text = stamp.text
            text_width = self.font.width(text, STAMP_FONT_SIZE)
            padding = 3
            box_width, box_height = text_width + 2 * padding, STAMP_FONT_SIZE + 2 * padding
            left, bottom = STAMP_RIGHT - box_width, STAMP_TOP - box_height
            operations.append(
                f"q 1 g {STAMP_COLOUR} RG 0.8 w {left:.2f} {bottom:.2f} {box_width:.2f} {box_height:.2f} re B "
                f"BT /CocoNumbers {STAMP_FONT_SIZE} Tf {STAMP_COLOUR} rg {left + padding:.2f} "
                f"{bottom + padding + 1.6:.2f} Td <{text.encode('cp1252').hex()}> Tj ET Q"
            )
        operations.append("EMC")
        page.contents_add(save, prepend=True)
        page.contents_add(self.pdf.make_stream(("\n".join(operations) + "\n").encode()))

    def write(self, target, *, metadata: dict[str, str], created: datetime, language: str = "fr-FR") -> int:
        """Stamp every page, add the structure tree and the metadata (PDF/A-2b when every exhibit
        allows it) and write the PDF to `target`; returns the page count."""
        total = self.page_count
        save = self.pdf.make_stream(b"q\n")
        for index, page in enumerate(self.pdf.pages):
            self._stamp(index, page, total, save)
        self.structure.finish()
        if self.archival_problems:
            logger.warning("Dossier non déclaré PDF/A-2b : %s", " ; ".join(self.archival_problems)[:500])
        finish_document(
            self.pdf, metadata=metadata, created=created, language=language, pdfa=not self.archival_problems
        )
        self.pdf.Root.PageMode = Name.UseOutlines
        write_compact(self.pdf, target)
        return total

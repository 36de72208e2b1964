"""Assembling a dossier with pypdf: the rendered pieces and the exhibits in order, exhibit pages
placed on A4 and stamped « Pièce n° X – p. i/n » as French lawyers number them, the running
header and « Remis à … » footer on every page, « page X / Y », bookmarks, table-of-contents links
and the document's metadata.

Numbers are drawn last, once the whole dossier is known, so pieces can be rendered apart (and on
several workers) and still be numbered right. They are drawn with an embedded subset of DejaVu
Sans, the font of the running header, in WinAnsi encoding (every character they use is in it)."""

import io
import logging
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

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


def _font_object(writer: PdfWriter, font: StampFont) -> IndirectObject:
    program = StreamObject()
    program.set_data(font.data)
    program[NameObject("/Length1")] = NumberObject(len(font.data))
    name = NameObject("/COCOST+DejaVuSans")
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): name,
            NameObject("/Flags"): NumberObject(32),
            NameObject("/FontBBox"): ArrayObject([NumberObject(value) for value in font.bbox]),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(font.ascent),
            NameObject("/Descent"): NumberObject(font.descent),
            NameObject("/CapHeight"): NumberObject(729),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/FontFile2"): writer._add_object(program),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/TrueType"),
                NameObject("/BaseFont"): name,
                NameObject("/FirstChar"): NumberObject(32),
                NameObject("/LastChar"): NumberObject(255),
                NameObject("/Widths"): ArrayObject([NumberObject(width) for width in font.widths]),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                NameObject("/FontDescriptor"): writer._add_object(descriptor),
            }
        )
    )


# --- exhibits -----------------------------------------------------------------------------------


@dataclass
class ExhibitPage:
    """One page of a PDF exhibit, ready to be drawn as a form XObject."""

    content: bytes
    resources: object
    box: tuple[float, float, float, float]  # the visible box (crop box), in the page's units


def exhibit_pages(data: bytes) -> list[ExhibitPage]:
    """The pages of a PDF exhibit, read fully now so that a damaged file is found before the
    table of contents counts its pages. Raises ExhibitUnreadable."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExhibitUnreadable("PDF protégé par un mot de passe")
        pages = []
        for page in reader.pages:
            if page.rotation % 360:
                page.transfer_rotation_to_content()
            contents = page.get("/Contents")
            contents = contents.get_object() if contents is not None else None
            if contents is None:
                content = b""
            elif isinstance(contents, ArrayObject):
                content = b"\n".join(part.get_object().get_data() for part in contents)
            else:
                content = contents.get_data()
            box = page.cropbox
            xs, ys = sorted((float(box.left), float(box.right))), sorted((float(box.bottom), float(box.top)))
            left, right, bottom, top = xs[0], xs[1], ys[0], ys[1]
            if right - left < 1 or top - bottom < 1:
                raise ExhibitUnreadable("page de dimensions nulles")
            pages.append(ExhibitPage(content=content, resources=page.get("/Resources"), box=(left, bottom, right, top)))
    except ExhibitUnreadable:
        raise
    except Exception as error:
        raise ExhibitUnreadable(f"PDF illisible ({type(error).__name__})") from error
    if not pages:
        raise ExhibitUnreadable("PDF sans page")
    return pages


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
        self.writer = PdfWriter()
        self.stamps: list[PageStamp] = []
        self.structure = StructureTree(self.writer)
        # Why the dossier cannot be declared PDF/A-2b: exhibits drawn as they are (archival.py).
        self.archival_problems: list[str] = []
        self.font = stamp_font()
        self._font_ref = _font_object(self.writer, self.font)
        frame_page = PdfReader(io.BytesIO(frame_pdf)).pages[0]
        self._frame_ref = self._form_xobject(
            frame_page.get_contents().get_data(),
            frame_page["/Resources"],
            (0, 0, float(frame_page.mediabox.width), float(frame_page.mediabox.height)),
        )

    @property
    def page_count(self) -> int:
        return len(self.writer.pages)

    def _form_xobject(self, content: bytes, resources, box) -> IndirectObject:
        xobject = StreamObject()
        xobject.set_data(content)
        xobject.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([FloatObject(value) for value in box]),
                NameObject("/Resources"): resources.get_object().clone(self.writer)
                if resources is not None
                else DictionaryObject(),
            }
        )
        xobject = xobject.flate_encode()
        return self.writer._add_object(xobject)

    def append_document(self, pdf: bytes, *, exhibit_number: int | None = None) -> int:
        """Append the pages of a rendered piece; returns the index of its first page. With an
        exhibit number, its pages are stamped as that exhibit's."""
        first = self.page_count
        reader = PdfReader(io.BytesIO(pdf))
        count = len(reader.pages)
        added = []
        for index, page in enumerate(reader.pages):
            added.append(self.writer.add_page(page))
            if exhibit_number is None:
                self.stamps.append(PageStamp())
            else:
                self.stamps.append(PageStamp(exhibit_number, index + 1, count))
                # An image exhibit is drawn by WeasyPrint, but as the file came (a CMYK JPEG…).
                self._check_archival(exhibit_number, page.get_contents(), page.get("/Resources"))
        self.structure.append_part(reader, added)
        return first

    def _check_archival(self, number: int, contents, resources) -> None:
        data = contents.get_data() if contents is not None and not isinstance(contents, bytes) else contents or b""
        problem = archival_problem(data, resources)
        label = f"pièce n° {number}"
        if problem and not any(known.startswith(label + " ") for known in self.archival_problems):
            self.archival_problems.append(f"{label} : {problem}")

    def append_exhibit(self, number: int, pages: list[ExhibitPage], *, title: str = "") -> int:
        """Each page of a PDF exhibit drawn inside the exhibit area of an A4 sheet (reduced when
        larger, never enlarged), so that the stamp and the footer cover nothing. Each sheet is one
        figure in the structure tree, described by the exhibit's number and title."""
        first = self.page_count
        area_x, area_y, area_width, area_height = EXHIBIT_AREA
        for index, exhibit_page in enumerate(pages):
            left, bottom, right, top = exhibit_page.box
            width, height = right - left, top - bottom
            scale = min(area_width / width, area_height / height, 1.0)
            x = area_x + (area_width - width * scale) / 2 - left * scale
            y = area_y + (area_height - height * scale) / 2 - bottom * scale
            form = self._form_xobject(exhibit_page.content, exhibit_page.resources, exhibit_page.box)
            sheet = self.writer.add_blank_page(A4_WIDTH, A4_HEIGHT)
            sheet[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/CocoExhibit"): form})}
            )
            drawing = DecodedStreamObject()
            drawing.set_data(
                f"/Figure <</MCID 0>> BDC q {scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm /CocoExhibit Do Q EMC\n".encode()
            )
            sheet[NameObject("/Contents")] = self.writer._add_object(drawing)
            self.stamps.append(PageStamp(number, index + 1, len(pages)))
            described = f"Pièce n° {number}" + (f" — {title}" if title else "")
            self.structure.add_figure(sheet, f"{described}, page {index + 1} sur {len(pages)}")
            self._check_archival(number, exhibit_page.content, exhibit_page.resources)
        return first

    def link_table_of_contents(self, pages: range) -> None:
        """The table of contents was rendered with links `dossier:page/N`: make them go to page N."""
        for index in pages:
            page = self.writer.pages[index]
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                action = annotation.get("/A")
                uri = str(action.get_object().get("/URI", "")) if action is not None else ""
                if not uri.startswith(TOC_LINK_PREFIX):
                    continue
                target = uri.removeprefix(TOC_LINK_PREFIX)
                if not target.isdigit() or not 1 <= int(target) <= self.page_count:
                    del annotation[NameObject("/A")]
                    continue
                annotation[NameObject("/A")] = DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/GoTo"),
                        NameObject("/D"): ArrayObject(
                            [self.writer.pages[int(target) - 1].indirect_reference, NameObject("/Fit")]
                        ),
                    }
                )

    def add_outline(self, entries: list[tuple[int, str, int]]) -> None:
        """Bookmarks from (level, label, page index), nested by level."""
        parents: list = []
        for level, label, page_index in entries:
            depth = max(1, min(level, len(parents) + 1))
            del parents[depth - 1 :]
            parent = parents[-1] if parents else None
            item = self.writer.add_outline_item(title=label[:250], page_number=page_index, parent=parent)
            parents.append(item)

    def _stamp(self, index: int, page, total: int, shared: dict[str, IndirectObject]) -> None:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        if resources is None:
            resources = DictionaryObject()
            page[NameObject("/Resources")] = resources
        for kind, name, reference in (
            ("/XObject", "/CocoFrame", self._frame_ref),
            ("/Font", "/CocoNumbers", self._font_ref),
        ):
            entries = resources.get(kind)
            entries = entries.get_object() if entries is not None else None
            if entries is None:
                entries = DictionaryObject()
                resources[NameObject(kind)] = entries
            entries[NameObject(name)] = reference
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
        drawing = DecodedStreamObject()
        drawing.set_data(("\n".join(operations) + "\n").encode())
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        array = ArrayObject([shared["save"]])
        if isinstance(existing, ArrayObject):
            array.extend(existing)
        elif contents is not None:
            array.append(contents if isinstance(contents, IndirectObject) else self.writer._add_object(existing))
        array.append(self.writer._add_object(drawing))
        page[NameObject("/Contents")] = array

    def write(self, target, *, metadata: dict[str, str], created: datetime, language: str = "fr-FR") -> int:
        """Stamp every page, add the structure tree and the metadata (PDF/A-2b when every exhibit
        allows it) and write the PDF to `target`; returns the page count."""
        total = self.page_count
        save = DecodedStreamObject()
        save.set_data(b"q\n")
        shared = {"save": self.writer._add_object(save)}
        for index, page in enumerate(self.writer.pages):
            self._stamp(index, page, total, shared)
        self.structure.finish()
        if self.archival_problems:
            logger.warning("Dossier non déclaré PDF/A-2b : %s", " ; ".join(self.archival_problems)[:500])
        finish_document(
            self.writer, metadata=metadata, created=created, language=language, pdfa=not self.archival_problems
        )
        self.writer.root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
        write_compact(self.writer, target)
        return total

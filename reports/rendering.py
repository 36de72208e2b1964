"""From a dossier row to a PDF: render the pieces of the body (content + WeasyPrint), prepare the
exhibits, then assemble: the table of contents is rendered last, from the real page counts, and
the whole is numbered and stamped (stamping.py). No database writes here: services.py keeps the
dossier's state."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from . import content
from .models import SECTION_ORDER, Dossier, Section
from .pdf import RenderedDocument, SafeURLFetcher, render_html
from .stamping import DossierWriter, ExhibitFile, ExhibitUnreadable, exhibit_file
from .templatetags.dossier_fr import typeset

logger = logging.getLogger(__name__)


class DossierError(Exception):
    """A rendering that must stop, with a reason a user can read."""


def max_pages() -> int:
    return getattr(settings, "DOSSIER_MAX_PAGES", 2000)


def render_part(dossier: Dossier, spec: dict) -> RenderedDocument:
    document = render_html(content.part_html(dossier, spec), fetcher=SafeURLFetcher())
    if document.pages > max_pages():
        raise DossierError(too_many_pages(document.pages))
    return document


def too_many_pages(pages: int) -> str:
    return (
        f"Le dossier dépasse la limite de {max_pages():,} pages ({pages:,} pages au moins) : "
        "retirez des sections (chronologie, pièces) ou demandez-le en plusieurs fois."
    ).replace(",", "\u202f")


# --- exhibits ---------------------------------------------------------------------------------------


@dataclass
class ExhibitPiece:
    exhibit: object
    pdf: ExhibitFile | None = None  # a PDF exhibit, drawn page by page
    sheet: RenderedDocument | None = None  # an image, or the page standing for an unreadable file
    problem: str = ""

    @property
    def count(self) -> int:
        return self.pdf.pages if self.pdf is not None else self.sheet.pages


def _read(exhibit) -> bytes:
    with exhibit.file.open("rb") as handle:
        return handle.read()


def prepare_exhibit(dossier: Dossier, exhibit) -> ExhibitPiece:
    """Read an exhibit and check its fingerprint: a file that changed since it was received, or
    that cannot be reproduced, is replaced by a page that says so (the dossier still goes out)."""
    try:
        data = _read(exhibit)
    except (OSError, ValueError):
        return _problem(dossier, exhibit, "fichier introuvable dans le stockage")
    if hashlib.sha256(data).hexdigest() != exhibit.sha256:
        return _problem(dossier, exhibit, "le fichier ne correspond plus à l'empreinte SHA-256 enregistrée")
    if exhibit.content_type == "application/pdf":
        try:
            return ExhibitPiece(exhibit, pdf=exhibit_file(data))
        except ExhibitUnreadable as error:
            return _problem(dossier, exhibit, str(error))
    if exhibit.content_type.startswith("image/"):
        fetcher = SafeURLFetcher(exhibits=[exhibit])
        sheet = render_html(content.exhibit_sheet_html(dossier, exhibit), fetcher=fetcher)
        if fetcher.refused or not fetcher.served or sheet.pages != 1:
            return _problem(dossier, exhibit, "image illisible")
        return ExhibitPiece(exhibit, sheet=sheet)
    return _problem(dossier, exhibit, f"type de fichier non imprimable ({exhibit.content_type})")


def _problem(dossier: Dossier, exhibit, problem: str) -> ExhibitPiece:
    logger.warning("Dossier %s : pièce n° %s non reproduite (%s)", dossier.pk, exhibit.number, problem)
    sheet = render_html(content.exhibit_sheet_html(dossier, exhibit, problem=problem))
    return ExhibitPiece(exhibit, sheet=sheet, problem=problem)


# --- assembly ---------------------------------------------------------------------------------------


@dataclass
class Assembled:
    pages: int
    toc: list[dict]


def _printed_rank(key: str) -> int:
    return SECTION_ORDER.index(key) if key in SECTION_ORDER else len(SECTION_ORDER)


def _entries(dossier, parts, exhibits, front_pages: int) -> tuple[list[dict], list[tuple[int, str, int]]]:
    """Table-of-contents entries (label, 1-based page, level) and bookmarks (level, label, index)."""
    entries: list[dict] = []
    outline: list[tuple[int, str, int]] = []
    offset = front_pages
    seen = set()
    for part in parts:
        # A stored chunk's starts went through jsonb, which does not keep the keys' order.
        for key, start in sorted(part.starts.items(), key=lambda item: (item[1], _printed_rank(item[0]))):
            if key not in seen:
                seen.add(key)
                label = typeset(content.section_label(key))
                entries.append({"key": key, "label": label, "page": offset + start + 1, "level": 1})
        outline.extend((level, label, offset + page) for level, label, page in part.bookmarks)
        offset += part.pages
    if exhibits:
        label = typeset(content.section_label(Section.EXHIBITS))
        entries.append({"key": Section.EXHIBITS, "label": label, "page": offset + 1, "level": 1})
        outline.append((1, label, offset))
        for piece in exhibits:
            label = typeset(f"Pièce n° {piece.exhibit.number} — {piece.exhibit.title}")
            entries.append({"key": "", "label": label, "page": offset + 1, "level": 2})
            outline.append((2, label, offset))
            offset += piece.count
    return entries, outline


def assemble(
    dossier: Dossier,
    parts: list[RenderedDocument],
    exhibits: list[ExhibitPiece],
    target,
    *,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Assembled:
    """Write the finished dossier to `target` (a binary file)."""
    cover = Section.COVER in dossier.sections
    body_pages = sum(part.pages for part in parts) + sum(piece.count for piece in exhibits)
    front_pages = (1 if cover else 0) + 1
    for _attempt in range(5):
        entries, outline = _entries(dossier, parts, exhibits, front_pages)
        if front_pages + body_pages > max_pages():
            raise DossierError(too_many_pages(front_pages + body_pages))
        front = render_html(content.front_matter_html(dossier, entries=entries, cover=cover))
        if front.pages == front_pages:
            break
        front_pages = front.pages
    else:  # pragma: no cover - the table of contents does not stop growing: never seen
        raise DossierError("La table des matières n'a pas pu être paginée.")
    progress(0.3)
    frame = render_html(content.frame_html(dossier), tagged=False)
    writer = DossierWriter(frame_pdf=frame.pdf)
    writer.append_document(front.pdf)
    for part in parts:
        writer.append_document(part.pdf)
    progress(0.5)
    for piece in exhibits:
        if piece.pdf is not None:
            writer.append_exhibit(piece.exhibit.number, piece.pdf, title=piece.exhibit.title)
        else:
            writer.append_document(piece.sheet.pdf, exhibit_number=piece.exhibit.number)
    toc_start = front.starts.get("toc", 0)
    writer.link_table_of_contents(range(toc_start, front_pages))
    front_outline = [(1, typeset(content.section_label(Section.COVER)), 0)] if cover else []
    front_outline.append((1, "Sommaire", toc_start))
    writer.add_outline(front_outline + outline)
    progress(0.7)
    case = dossier.case
    pages = writer.write(
        target,
        metadata={
            "Title": f"Dossier {case.reference} — {case.title}",
            "Author": dossier.association.name,
            "Subject": f"Remis à {dossier.recipient} le {content.issued_on(dossier):%d/%m/%Y}",
            "Keywords": "dossier, " + ", ".join(dossier.sections),
            "Creator": "Suivi des affaires",
        },
        created=timezone.localtime(dossier.created_at),
    )
    return Assembled(pages=pages, toc=entries)

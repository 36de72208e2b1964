"""A dossier for the lawyers' e-filing messages (RPVA / e-barreau), whose attachments have a size
limit (`RPVA_MAX_BYTES`): a larger dossier is also offered as numbered parts « Partie 1/3 », each
under the limit, cut between pages and preferably where a section or an exhibit starts.

The parts are computed from the stored file, on demand, so that a change of the limit applies to
every dossier; the plan (page ranges) is cached per file fingerprint and limit, and a part is
rebuilt identically at each download (its file identifier derives from the dossier's SHA-256).
Each part keeps the dossier's page numbers (« page 41 / 120 » still refers to the whole), its
structure tree (the top-level elements of its pages), its bookmarks, its metadata with « Partie k/N »
in the title, and the PDF/A-2b claim when the dossier has it. Table-of-contents links to a page of
another part are left inert: the page number printed beside each entry still says where to look."""

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
)

from .archival import StructureTree, _as_list, _number_tree, finish_document, write_compact

logger = logging.getLogger(__name__)

# What a part carries besides its pages: output intent, XMP, information, trailer, outline.
PART_OVERHEAD = 24 * 1024
# Per structure element, in the estimate (an element is a small dictionary and its references).
ELEMENT_BYTES = 120
# Keys that lead away from a page (to the page tree, other pages, the structure tree) and must
# not count in what a page weighs.
_NOT_FOLLOWED = {"/Parent", "/P", "/A", "/Dest", "/StructParents", "/StructParent", "/Popup", "/Pg", "/B"}


def max_bytes() -> int:
    return settings.RPVA_MAX_BYTES


@dataclass(frozen=True)
class Part:
    number: int
    count: int
    first: int  # index of its first page in the dossier
    end: int  # index after its last page
    size: int

    @property
    def pages(self) -> int:
        return self.end - self.first

    @property
    def label(self) -> str:
        return f"Partie {self.number}/{self.count}"


def _read(dossier) -> bytes:
    with dossier.file.open("rb") as handle:
        return handle.read()


def dossier_parts(dossier, *, data: bytes | None = None) -> list[Part]:
    """The parts of a finished dossier whose file is over the limit; [] when it fits."""
    limit = max_bytes()
    if not dossier.file or not dossier.sha256 or (dossier.size or 0) <= limit:
        return []
    key = f"rpva:{dossier.sha256}:{limit}"
    ranges = cache.get(key)
    if ranges is None:
        ranges = plan(data if data is not None else _read(dossier), limit=limit, seed=dossier.sha256)
        cache.set(key, ranges, timeout=7 * 24 * 3600)
    return [Part(index + 1, len(ranges), first, end, size) for index, (first, end, size) in enumerate(ranges)]


def part_pdf(dossier, part: Part, *, data: bytes | None = None) -> bytes:
    return build_part(
        data if data is not None else _read(dossier),
        part.first,
        part.end,
        number=part.number,
        count=part.count,
        seed=dossier.sha256,
    )


# --- planning ------------------------------------------------------------------------------------


def plan(data: bytes, *, limit: int, seed: str = "") -> list[tuple[int, int, int]]:
    """(first page, end page, size) of each part. For each part: a first guess from an estimate of
    what each page brings (its streams, fonts and images, counted once per part), moved back to
    the last section or exhibit start in its second half; then the part is built and measured,
    and the estimate corrected by what was measured, a few times, keeping the longest part found
    under the limit. A single page over the limit makes a part of its own (said in the log)."""
    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    weights = _page_weights(reader)
    boundaries = sorted(_section_starts(reader))
    # Titles say « Partie k/N »: measured with N as wide as it can get, and a small margin for
    # compression, so that the real part is never larger than measured.
    target = limit - 256
    parts: list[tuple[int, int, int]] = []
    start, factor = 0, 1.0
    while start < total:
        best: tuple[int, int] | None = None
        end = _choose_end(weights, boundaries, start, (target - PART_OVERHEAD) / factor)
        tried = set()
        for _attempt in range(5):
            if end in tried:
                break
            tried.add(end)
            size = len(build_part(data, start, end, number=len(parts) + 1, count=total, seed=seed))
            factor = max(0.05, size / max(1, PART_OVERHEAD + _estimate(weights, start, end)))
            if size <= target:
                if best is None or end > best[0]:
                    best = (end, size)
                if end == total:
                    break
                grown = _choose_end(weights, boundaries, start, (target - PART_OVERHEAD) / factor)
                if grown <= end:
                    break
                end = grown
            else:
                if end - start == 1:
                    break
                shrunk = _choose_end(weights, boundaries, start, (target - PART_OVERHEAD) / factor)
                end = min(end - 1, shrunk) if best is None else max(best[0] + 1, min(end - 1, shrunk))
                if best is not None and end >= best[0] + 1 and end in tried:
                    break
        if best is None:
            if end - start == 1:
                logger.warning("RPVA : la page %s dépasse à elle seule la limite (%s octets)", start + 1, size)
            best = (end, size)
        parts.append((start, best[0], best[1]))
        start = best[0]
    return parts


def _choose_end(weights, boundaries, start: int, budget: float) -> int:
    end = _greedy_end(weights, start, budget)
    if end < len(weights):
        preferred = [page for page in boundaries if start + (end - start) / 2 < page <= end]
        if preferred:
            end = preferred[-1]
    return end


def _estimate(weights: list[dict[int, int]], start: int, end: int) -> int:
    seen: dict[int, int] = {}
    for index in range(start, end):
        seen.update(weights[index])
    return sum(seen.values())


def _greedy_end(weights: list[dict[int, int]], start: int, budget: int) -> int:
    seen: dict[int, int] = {}
    used = 0
    end = start
    while end < len(weights):
        extra = sum(size for key, size in weights[end].items() if key not in seen)
        if used + extra > budget and end > start:
            break
        used += extra
        seen.update(weights[end])
        end += 1
    return end


def _page_weights(reader: PdfReader) -> list[dict[int, int]]:
    """For each page, the indirect objects it draws on (id → bytes), so that a font or a frame
    shared by pages counts once per part."""
    structure = _elements_per_page(reader)
    weights = []
    sizes: dict[int, int] = {}
    for index, page in enumerate(reader.pages):
        reached: dict[int, int] = {}
        _reach(page, reached, sizes, {page.indirect_reference.idnum})
        reached[-(index + 1)] = 200 + structure.get(page.indirect_reference.idnum, 0) * ELEMENT_BYTES
        weights.append(reached)
    return weights


def _reach(obj, reached: dict[int, int], sizes: dict[int, int], path: set) -> None:
    pending = [obj]
    while pending:
        current = pending.pop()
        if isinstance(current, IndirectObject):
            if current.idnum in reached or current.idnum in path:
                continue
            resolved = current.get_object()
            if current.idnum not in sizes:
                sizes[current.idnum] = _object_size(resolved)
            reached[current.idnum] = sizes[current.idnum]
            current = resolved
        if isinstance(current, DictionaryObject):
            for key, value in current.items():
                if key not in _NOT_FOLLOWED:
                    pending.append(value)
        elif isinstance(current, ArrayObject):
            pending.extend(current)


def _object_size(obj) -> int:
    if isinstance(obj, StreamObject):
        return len(obj._data) + 40 + 12 * len(obj)
    if isinstance(obj, DictionaryObject):
        return 40 + 20 * len(obj)
    if isinstance(obj, ArrayObject):
        return 20 + 12 * len(obj)
    return 30


def _elements_per_page(reader: PdfReader) -> dict[int, int]:
    """How many structure elements mark content on each page (page id → count)."""
    tree = reader.root_object.get("/StructTreeRoot")
    if tree is None:
        return {}
    counts: dict[int, int] = {}
    for _key, value in _number_tree(tree.get_object().get("/ParentTree")):
        value = value.get_object()
        elements = value if isinstance(value, ArrayObject) else [value]
        for element in elements:
            element = element.get_object() if isinstance(element, IndirectObject) else element
            if isinstance(element, DictionaryObject) and isinstance(element.get("/Pg"), DictionaryObject):
                page = element.raw_get("/Pg")
                if isinstance(page, IndirectObject):
                    counts[page.idnum] = counts.get(page.idnum, 0) + 1
    return counts


def _section_starts(reader: PdfReader) -> set[int]:
    """Pages where a top-level bookmark (a section) or its first children (exhibits) start."""
    starts = set()
    for depth, _title, page in _outline(reader):
        if depth <= 1 and page is not None:
            starts.add(page)
    return starts


def _outline(reader: PdfReader) -> list[tuple[int, str, int | None]]:
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return entries


# --- one part ------------------------------------------------------------------------------------


def build_part(data: bytes, first: int, end: int, *, number: int, count: int, seed: str = "") -> bytes:
    """Pages [first, end) of the dossier `data` as a PDF of their own."""
    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    kept = {reader.pages[index].indirect_reference.idnum: index - first for index in range(first, end)}
    outline = _outline(reader)
    writer = PdfWriter()
    # Internal links are taken off before the pages are copied (pypdf would copy the pages they
    # point to) and put back once the pages of the part exist.
    links = []
    for local, index in enumerate(range(first, end)):
        for position, annotation in enumerate(reader.pages[index].get("/Annots") or []):
            annotation = annotation.get_object()
            target = _goto_target(annotation)
            if target is not None:
                annotation.pop("/A", None)
                annotation.pop("/Dest", None)
                links.append((local, position, kept.get(target)))
    source_pages = [reader.pages[index] for index in range(first, end)]
    pages = [writer.add_page(page) for page in source_pages]
    for local, position, target in links:
        annotation = pages[local]["/Annots"][position].get_object()
        if target is not None:
            annotation[NameObject("/A")] = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): ArrayObject([pages[target].indirect_reference, NameObject("/Fit")]),
                }
            )
    _copy_structure(reader, writer, source_pages, pages, kept)
    _copy_outline(writer, outline, first, end, number=number, count=count, total=total)
    info = reader.metadata or {}
    metadata = {
        key: str(info[f"/{key}"]) for key in ("Title", "Author", "Subject", "Keywords", "Creator") if f"/{key}" in info
    }
    metadata["Title"] = f"{metadata.get('Title', 'Dossier')} — Partie {number}/{count}"
    pages_text = f"pages {first + 1} à {end} sur {total}"
    metadata["Subject"] = f"{metadata['Subject']} — {pages_text}" if metadata.get("Subject") else pages_text
    created = getattr(info, "creation_date", None) or timezone.now()
    finish_document(
        writer,
        metadata=metadata,
        created=created,
        language=str(reader.root_object.get("/Lang", "fr-FR")),
        pdfa=_declares_pdfa(reader),
    )
    writer.root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    identifier = hashlib.sha256(f"{seed}:{first}:{end}:{number}/{count}".encode()).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    buffer = io.BytesIO()
    write_compact(writer, buffer)
    return buffer.getvalue()


def _goto_target(annotation) -> int | None:
    """The object number of the page an internal link goes to."""
    action = annotation.get("/A")
    destination = annotation.get("/Dest")
    if action is not None:
        action = action.get_object()
        if action.get("/S") != "/GoTo":
            return None
        destination = action.get("/D")
    if destination is None:
        return None
    destination = destination.get_object()
    if isinstance(destination, ArrayObject) and destination and isinstance(destination[0], IndirectObject):
        return destination[0].idnum
    return -1  # a named destination: dropped, the part has no name tree


def _copy_structure(reader, writer, source_pages, pages, kept: dict[int, int]) -> None:
    tree = reader.root_object.get("/StructTreeRoot")
    if tree is None:
        return
    tree = tree.get_object()
    structure = StructureTree(writer)
    elements = []
    for top in _as_list(tree.get("/K")):
        top_object = top.get_object()
        elements.extend(_as_list(top_object.get("/K")) if top_object.get("/S") == "/Document" else [top])
    chosen = [element for element in elements if _element_page(element) in kept]
    for element in chosen:
        if isinstance(element, IndirectObject):
            element.get_object()[NameObject("/P")] = NullObject()
    for element in chosen:
        clone = element.clone(writer)
        clone.get_object()[NameObject("/P")] = structure.document_ref
        structure.document["/K"].append(clone)
    keys = set()
    for source, page in zip(source_pages, pages, strict=True):
        if "/StructParents" in source:
            keys.add(int(source["/StructParents"]))
            page[NameObject("/StructParents")] = NumberObject(int(source["/StructParents"]))
        for annotation in source.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                keys.add(int(annotation["/StructParent"]))
    # Only elements already copied: cloning another would drag its parents and pages along.
    copied = writer._id_translated.get(id(reader), {})

    def copied_or_null(reference):
        if isinstance(reference, IndirectObject) and reference.idnum in copied:
            return IndirectObject(copied[reference.idnum], 0, writer)
        return NullObject()

    for key, value in _number_tree(tree.get("/ParentTree")):
        if key in keys:
            resolved = value.get_object() if isinstance(value, IndirectObject) else value
            if isinstance(resolved, ArrayObject):
                value = ArrayObject([copied_or_null(item) for item in resolved])
            else:
                value = copied_or_null(value)
            structure.nums.extend([NumberObject(key), value])
    structure.next_key = max(keys) + 1 if keys else 0
    structure.finish()


def _element_page(element) -> int | None:
    """The page (object number) of a top-level structure element: its own /Pg, or its first
    child's. WeasyPrint starts new elements on each page, so one page is enough."""
    pending = [element]
    while pending:
        current = pending.pop(0)
        current = current.get_object() if isinstance(current, IndirectObject) else current
        if not isinstance(current, DictionaryObject):
            continue
        page = current.raw_get("/Pg") if "/Pg" in current else None
        if isinstance(page, IndirectObject):
            return page.idnum
        pending.extend(_as_list(current.get("/K")))
    return None


def _copy_outline(writer, outline, first: int, end: int, *, number: int, count: int, total: int) -> None:
    parents: list = [
        writer.add_outline_item(title=f"Partie {number}/{count} — pages {first + 1} à {end} sur {total}", page_number=0)
    ]
    for depth, title, page in outline:
        if page is None or not first <= page < end:
            continue
        level = depth + 2
        level = max(2, min(level, len(parents) + 1))
        del parents[level - 1 :]
        parents.append(writer.add_outline_item(title=title, page_number=page - first, parent=parents[-1]))


def _declares_pdfa(reader: PdfReader) -> bool:
    metadata = reader.root_object.get("/Metadata")
    return metadata is not None and b'pdfaid:part="2"' in metadata.get_object().get_data()

"""A dossier for the lawyers' e-filing messages (RPVA / e-barreau), whose attachments have a size
limit (`RPVA_MAX_BYTES`): a larger dossier is also offered as numbered parts « Partie 1/3 », each
under the limit, cut between pages and preferably where a section or an exhibit starts.

The parts are computed from the stored file, on demand, so that a change of the limit applies to
every dossier; the plan (page ranges) is cached per file fingerprint and limit, and a part is
rebuilt identically at each download (its file identifier derives from the dossier's SHA-256).
Each part keeps the dossier's page numbers (« page 41 / 120 » still refers to the whole), its
structure tree (the top-level elements of its pages), its bookmarks, its metadata with « Partie k/N »
in the title, and the PDF/A-2b claim when the dossier has it. Table-of-contents links to a page of
another part are left inert: the page number printed beside each entry still says where to look.

Parts are cut with qpdf (pikepdf): pypdf reads a compressed dossier's object streams object by
object, and planning a 37-page tagged table took 193 s with it, 4.4 s with qpdf."""

import io
import logging
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.core.cache import cache

from .archival import tree_leaves

logger = logging.getLogger(__name__)

# What a part carries besides its pages: output intent, XMP, information, trailer, outline.
PART_OVERHEAD = 24 * 1024
# Per structure element, in the estimate (an element is a small dictionary and its references).
ELEMENT_BYTES = 40
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
    with pikepdf.open(io.BytesIO(data)) as source:
        total = len(source.pages)
        weights = _page_weights(source)
        boundaries = sorted(_section_starts(source))
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


def _page_weights(source: pikepdf.Pdf) -> list[dict]:
    """For each page, the indirect objects it draws on (object id → bytes), so that a font or a
    frame shared by pages counts once per part."""
    structure = _elements_per_page(source)
    sizes: dict = {}
    weights = []
    for index, page in enumerate(source.pages):
        reached: dict = {}
        _reach(page.obj, reached, sizes)
        reached[("page", index)] = 200 + structure.get(page.obj.objgen, 0) * ELEMENT_BYTES
        weights.append(reached)
    return weights


def _reach(start, reached: dict, sizes: dict) -> None:
    pending = [start]
    first = True
    while pending:
        current = pending.pop()
        if (
            isinstance(current, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array)
            and current.is_indirect
            and not first
        ):
            key = current.objgen
            if key in reached:
                continue
            if key not in sizes:
                sizes[key] = _object_size(current)
            reached[key] = sizes[key]
        first = False
        if isinstance(current, pikepdf.Stream | pikepdf.Dictionary):
            for key in current.keys():  # noqa: SIM118 - a Stream is not iterable as a mapping
                if key not in _NOT_FOLLOWED:
                    pending.append(current.get(key))
        elif isinstance(current, pikepdf.Array):
            pending.extend(current)


def _object_size(obj) -> int:
    if isinstance(obj, pikepdf.Stream):
        return int(obj.get("/Length", 0)) + 40 + 12 * len(obj.keys())
    if isinstance(obj, pikepdf.Dictionary):
        return 30 + 10 * len(obj.keys())
    return 20 + 6 * len(obj)


def _elements_per_page(source: pikepdf.Pdf) -> dict:
    """How many structure elements mark content on each page (page id → count)."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return {}
    counts: dict = {}
    for _key, value in tree_leaves(tree.get("/ParentTree")):
        for element in value if isinstance(value, pikepdf.Array) else [value]:
            if isinstance(element, pikepdf.Dictionary) and "/Pg" in element:
                counts[element.Pg.objgen] = counts.get(element.Pg.objgen, 0) + 1
    return counts


def _outline(source: pikepdf.Pdf) -> list[tuple[int, str, int | None]]:
    """(depth, title, page index) of every bookmark, in order."""
    pages = {page.obj.objgen: index for index, page in enumerate(source.pages)}
    entries = []

    def walk(items, depth):
        for item in items:
            target = None
            destination = item.destination
            if destination is None and item.action is not None and item.action.get("/S") == "/GoTo":
                destination = item.action.get("/D")
            if isinstance(destination, pikepdf.Array) and len(destination):
                target = pages.get(destination[0].objgen) if destination[0].is_indirect else None
            entries.append((depth, str(item.title), target))
            walk(item.children, depth + 1)

    with source.open_outline() as outline:
        walk(outline.root, 0)
    return entries


def _section_starts(source: pikepdf.Pdf) -> set[int]:
    """Pages where a top-level bookmark (a section) or its first children (exhibits) start."""
    return {page for depth, _title, page in _outline(source) if depth <= 1 and page is not None}


# --- one part ------------------------------------------------------------------------------------


def build_part(data: bytes, first: int, end: int, *, number: int, count: int, seed: str = "") -> bytes:
    """Pages [first, end) of the dossier `data` as a PDF of their own (qpdf copies the pages and
    what they use; the structure elements of those pages are copied after them, so that their
    page references land on the copies)."""
    with pikepdf.open(io.BytesIO(data)) as source:
        total = len(source.pages)
        chosen_pages = [source.pages[index] for index in range(first, end)]
        kept = {page.obj.objgen: local for local, page in enumerate(chosen_pages)}
        outline = _outline(source)
        # Internal links are taken off before the pages are copied (qpdf would copy the pages
        # they point to) and put back once the part's pages exist.
        links = []
        for local, page in enumerate(chosen_pages):
            for position, annotation in enumerate(page.obj.get("/Annots") or []):
                target = _goto_target(annotation)
                if target is not None:
                    for key in ("/A", "/Dest"):
                        if key in annotation:
                            del annotation[key]
                    links.append((local, position, kept.get(target)))
        elements, keys = _chosen_structure(source, chosen_pages, kept)
        part = pikepdf.new()
        part.pages.extend(chosen_pages)
        for local, position, target in links:
            if target is not None:
                part.pages[local].obj.Annots[position].A = pikepdf.Dictionary(
                    S=pikepdf.Name.GoTo, D=pikepdf.Array([part.pages[target].obj, pikepdf.Name.Fit])
                )
        _copy_structure(source, part, elements, keys)
        _copy_outline(part, outline, first, end, number=number, count=count, total=total)
        part.Root.Lang = pikepdf.String(str(source.Root.get("/Lang", "fr-FR")))
        part.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        if "/StructTreeRoot" in part.Root:
            part.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        if "/OutputIntents" in source.Root:
            part.Root.OutputIntents = pikepdf.Array(
                [part.copy_foreign(intent) if intent.is_indirect else intent for intent in source.Root.OutputIntents]
            )
        part.Root.PageMode = pikepdf.Name.UseOutlines
        for key, value in source.docinfo.items():
            part.docinfo[key] = pikepdf.String(str(value))
        if "/Metadata" in source.Root:
            part.Root.Metadata = part.make_stream(source.Root.Metadata.read_bytes(), Type=pikepdf.Name.Metadata)
            part.Root.Metadata.Subtype = pikepdf.Name.XML
        title = f"{source.docinfo.get('/Title', 'Dossier')} — Partie {number}/{count}"
        pages_text = f"pages {first + 1} à {end} sur {total}"
        subject = source.docinfo.get("/Subject")
        subject = f"{subject} — {pages_text}" if subject else pages_text
        with part.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:description"] = subject
        part.docinfo.Title = title
        part.docinfo.Subject = subject
        buffer = io.BytesIO()
        part.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            fix_metadata_version=False,
            deterministic_id=True,
        )
    return buffer.getvalue()


def _goto_target(annotation):
    """The object id of the page an internal link goes to; None for other annotations."""
    action = annotation.get("/A")
    destination = annotation.get("/Dest")
    if action is not None:
        if action.get("/S") != "/GoTo":
            return None
        destination = action.get("/D")
    if destination is None:
        return None
    if isinstance(destination, pikepdf.Array) and len(destination) and destination[0].is_indirect:
        return destination[0].objgen
    return (-1, -1)  # a named destination: dropped, the part has no name tree


def _chosen_structure(source, chosen_pages, kept: dict):
    """The top-level structure elements on the part's pages (WeasyPrint starts new elements on
    each page), cut from their old parent so that copying them copies nothing else, and the
    parent-tree keys of those pages and their annotations."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return [], set()
    elements = []
    for top in _as_list(tree.get("/K")):
        elements.extend(_as_list(top.get("/K")) if top.get("/S") == "/Document" else [top])
    chosen = [element for element in elements if _element_page(element) in kept]
    for element in chosen:
        if "/P" in element:
            del element["/P"]
    keys = set()
    for page in chosen_pages:
        if "/StructParents" in page.obj:
            keys.add(int(page.obj.StructParents))
        for annotation in page.obj.get("/Annots") or []:
            if "/StructParent" in annotation:
                keys.add(int(annotation.StructParent))
    return chosen, keys


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _element_page(element):
    pending = [element]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, pikepdf.Dictionary):
            continue
        page = current.get("/Pg")
        if page is not None:
            return page.objgen
        pending.extend(_as_list(current.get("/K")))
    return None


def _copy_structure(source, part, elements, keys: set) -> None:
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return
    document = part.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document))
    root = part.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document])))
    document.P = root
    copies = pikepdf.Array()
    allowed = set()
    for element in elements:
        _collect(element, allowed)
        copy = part.copy_foreign(element)
        copy.P = document
        copies.append(copy)
    document.K = copies
    nums = pikepdf.Array()
    for key, value in tree_leaves(tree.get("/ParentTree")):
        key = int(key)
        if key not in keys:
            continue
        # Only elements already copied: copying another would drag its parents and pages along.
        if isinstance(value, pikepdf.Array):
            value = pikepdf.Array(
                [part.copy_foreign(item) if item.is_indirect and item.objgen in allowed else None for item in value]
            )
        else:
            value = part.copy_foreign(value) if value.is_indirect and value.objgen in allowed else None
        nums.extend([key, value])
    root.ParentTree = part.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = max(keys) + 1 if keys else 0
    # The identifiers of the elements kept (header cells), so that a cell still names its header;
    # a header left in another part is dropped from the cells that name it.
    kept = pikepdf.Array()
    known = set()
    for key, value in tree_leaves(tree.get("/IDTree"), "/Names"):
        if value.is_indirect and value.objgen in allowed:
            kept.extend([key, part.copy_foreign(value)])
            known.add(bytes(key))
    if len(kept):
        root.IDTree = part.make_indirect(pikepdf.Dictionary(Names=kept))
    _drop_unknown_headers(copies, known)
    part.Root.StructTreeRoot = root


def _drop_unknown_headers(elements, known: set) -> None:
    pending = list(elements)
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.get("/S") == "/Span":
            continue
        if element.get("/S") == "/TD":
            attributes = element.get("/A")
            for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
                if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                    attribute.Headers = pikepdf.Array([key for key in attribute.Headers if bytes(key) in known])
        pending.extend(_as_list(element.get("/K")))


def _collect(element, found: set) -> None:
    pending = [element]
    while pending:
        current = pending.pop()
        if isinstance(current, pikepdf.Dictionary) and "/S" in current:
            if current.is_indirect:
                found.add(current.objgen)
            pending.extend(_as_list(current.get("/K")))


def _copy_outline(part, outline, first: int, end: int, *, number: int, count: int, total: int) -> None:
    with part.open_outline() as tree:
        top = pikepdf.OutlineItem(f"Partie {number}/{count} — pages {first + 1} à {end} sur {total}", 0)
        tree.root.append(top)
        parents = [top]
        for depth, title, page in outline:
            if page is None or not first <= page < end:
                continue
            level = max(2, min(depth + 2, len(parents) + 1))
            del parents[level - 1 :]
            item = pikepdf.OutlineItem(title, page - first)
            parents[-1].children.append(item)
            parents.append(item)

"""Tagged PDF (accessibility) and PDF/A-2b (archival) for the dossiers assembled with pikepdf.

WeasyPrint writes each rendered piece tagged and as PDF/A-2b (`reports.pdf.render_html`); the
assembly then loses what belongs to the catalog (structure tree, XMP, output intent, file
identifier), so this module rebuilds it for the whole dossier:
- one structure tree: a `Document` element whose children are the top-level elements of every
  piece, in page order, with a parent tree renumbered piece by piece; a PDF exhibit drawn on an A4
  sheet is one `Figure` per page, with its number and title as alternative text; the running
  header, footer and stamps are artifacts;
- the sRGB output intent WeasyPrint uses (GTS_PDFA1), an XMP packet that repeats the document
  information dictionary, `/Lang`, a file identifier.

PDF exhibits are arbitrary files: drawn unchanged, a font they do not embed or a CMYK colour makes
the dossier non-conforming whatever we write. `archival_problem` inspects each exhibit page; the
dossier declares PDF/A-2b (`pdfaid`) only when no exhibit has a problem, and otherwise stays a
tagged PDF with the same metadata and output intent, without the claim, and the reason is logged.
A false claim would be worse than none: archiving services reject a file that lies."""

import io
import re
from datetime import datetime
from importlib.resources import files
from xml.sax.saxutils import escape, quoteattr

import pikepdf
from pikepdf import Array, Dictionary, Name
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

PRODUCER = "Suivi des affaires (WeasyPrint, pikepdf)"
SRGB_PROFILE_NAME = "sRGB IEC61966-2.1"


def srgb_profile() -> bytes:
    # The profile WeasyPrint itself embeds for `pdf/a-2b`: the pieces and the whole agree.
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


# --- structure tree ------------------------------------------------------------------------------


class StructureTree:
    """The structure tree of a PDF assembled page by page in a pikepdf `Pdf`."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=Array()))
        self.root.K = Array([self.document])
        self.nums: list = []
        self.next_key = 0
        self.parts = 0
        self.identifiers: dict[bytes, pikepdf.Object] = {}

    def append_part(self, source: pikepdf.Pdf, first_page: int) -> None:
        """Graft the structure of a tagged piece whose pages were just appended from `source`,
        from page index `first_page` on. Untagged pieces add nothing. The pages must have been
        copied first: qpdf then maps each element's `/Pg` to the dossier's own copy."""
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            return
        elements = []
        for top in _as_list(tree.get("/K")):
            if isinstance(top, Dictionary) and top.get("/S") == "/Document":
                elements.extend(_as_list(top.get("/K")))
            else:
                elements.append(top)
        offset = self.next_key
        # Cut the link to the old root before copying: otherwise qpdf follows /P up to it and
        # copies the whole old tree as unreachable objects.
        for element in elements:
            if isinstance(element, Dictionary) and "/P" in element:
                del element["/P"]
        self.parts += 1
        for element in elements:
            if not isinstance(element, Dictionary):
                continue
            clone = _copy(self.pdf, element)
            clone.P = self.document
            self.document.K.append(clone)
            _identify(self.pdf, clone, prefix=f"{self.parts}-".encode(), identifiers=self.identifiers)
        highest = -1
        for key, value in tree_leaves(tree.get("/ParentTree")):
            self.nums.extend([offset + int(key), _copy(self.pdf, value)])
            highest = max(highest, int(key))
        for page in self.pdf.pages[first_page:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = offset + int(page.obj.StructParents)
            for annotation in page.obj.get("/Annots") or []:
                if "/StructParent" in annotation:
                    annotation.StructParent = offset + int(annotation.StructParent)
        self.next_key = offset + highest + 1

    def add_figure(self, page: pikepdf.Page, alternative: str) -> None:
        """A page whose content was wrapped in `/Figure <</MCID 0>> BDC … EMC`."""
        figure = self.pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem,
                S=Name.Figure,
                P=self.document,
                Pg=page.obj,
                K=0,
                Alt=pikepdf.String(alternative),
            )
        )
        self.document.K.append(figure)
        page.obj.StructParents = self.next_key
        self.nums.extend([self.next_key, Array([figure])])
        self.next_key += 1

    def finish(self) -> None:
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(self.nums)))
        self.root.ParentTreeNextKey = self.next_key
        if self.identifiers:
            self.root.IDTree = _id_tree(self.pdf, self.identifiers)
        self.pdf.Root.StructTreeRoot = self.root
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)


def _identify(pdf: pikepdf.Pdf, top: pikepdf.Object, *, prefix: bytes, identifiers: dict) -> None:
    """Element identifiers (WeasyPrint gives one to each header cell, and each data cell names its
    headers by them) made unique across the pieces by `prefix` and collected for the IDTree,
    without which a reader cannot tell which header a cell belongs to (ISO 32000-1 §14.7.2). An
    identified element is made indirect: the IDTree must point at the element itself."""
    pending = [(top, None, 0)]
    while pending:
        element, parent, index = pending.pop()
        if "/ID" in element:
            if not element.is_indirect and parent is not None:
                element = pdf.make_indirect(element)
                parent[index] = element
            identifier = prefix + bytes(element.ID)
            element.ID = pikepdf.String(identifier)
            identifiers[identifier] = element
        if prefix and element.get("/S") in ("/TD", "/TH"):
            attributes = element.get("/A")
            for attribute in attributes if isinstance(attributes, Array) else [attributes]:
                if isinstance(attribute, Dictionary) and "/Headers" in attribute:
                    attribute.Headers = Array([pikepdf.String(prefix + bytes(key)) for key in attribute.Headers])
        if element.get("/S") == "/Span":
            continue  # text runs: the bulk of the tree, never a table nor an identifier
        kids = element.get("/K")
        if isinstance(kids, Array):
            pending.extend(
                (kid, kids, position)
                for position, kid in enumerate(kids)
                if isinstance(kid, Dictionary) and "/S" in kid
            )
        elif isinstance(kids, Dictionary) and "/S" in kids:
            if not kids.is_indirect:
                element.K = Array([kids])
                kids = element.K
                pending.append((kids[0], kids, 0))
            else:
                pending.append((kids, None, 0))


def _id_tree(pdf: pikepdf.Pdf, identifiers: dict) -> pikepdf.Object:
    names = Array()
    for identifier in sorted(identifiers):  # a name tree's keys come in order
        names.extend([pikepdf.String(identifier), identifiers[identifier]])
    return pdf.make_indirect(Dictionary(Names=names))


def with_id_tree(data: bytes) -> bytes:
    """A PDF written by WeasyPrint alone (the statistics report), its IDTree added."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        identifiers: dict = {}
        for top in _as_list(tree.get("/K")) if tree is not None else []:
            if isinstance(top, Dictionary):
                _identify(pdf, top, prefix=b"", identifiers=identifiers)
        if not identifiers:
            return data
        tree.IDTree = _id_tree(pdf, identifiers)
        target = io.BytesIO()
        write_compact(pdf, target)
        return target.getvalue()


def _copy(pdf: pikepdf.Pdf, value):
    """`value` of another PDF, copied into `pdf`: qpdf copies indirect objects (and remembers
    them, so that shared ones stay shared); direct containers are rebuilt around them."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(pdf, item) for key, item in value.items()})
    return value


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def tree_leaves(node, entries: str = "/Nums"):
    """(key, value) pairs of a number tree (`/Nums`) or a name tree (`/Names`), leaves in order."""
    if node is None:
        return
    pairs = node.get(entries)
    if pairs is not None:
        for index in range(0, len(pairs) - 1, 2):
            yield pairs[index], pairs[index + 1]
    for kid in node.get("/Kids") or []:
        yield from tree_leaves(kid, entries)


# --- catalog, information, XMP -------------------------------------------------------------------


def pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment:%Y%m%d%H%M%S}{offset[0]}{offset[1:3]}'{offset[3:5]}'"


def xmp_packet(*, info: dict[str, str], created: datetime, language: str, pdfa: bool) -> bytes:
    """The XMP packet repeating the information dictionary (PDF/A-2 §6.6.2.3 wants both to agree),
    with the PDF/A-2b identification when the file conforms."""
    moment = quoteattr(created.isoformat(timespec="seconds"))
    parts = ['<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>']
    parts.append('<x:xmpmeta xmlns:x="adobe:ns:meta/">')
    parts.append('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">')
    if pdfa:
        parts.append(
            '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
            ' pdfaid:part="2" pdfaid:conformance="B"/>'
        )
    parts.append('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">')
    parts.append("<dc:format>application/pdf</dc:format>")
    if info.get("Title"):
        parts.append(
            f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info["Title"])}</rdf:li></rdf:Alt></dc:title>'
        )
    if info.get("Author"):
        parts.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(info['Author'])}</rdf:li></rdf:Seq></dc:creator>")
    if info.get("Subject"):
        parts.append(
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(info["Subject"])}</rdf:li>'
            "</rdf:Alt></dc:description>"
        )
    parts.append(f"<dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language>")
    parts.append("</rdf:Description>")
    keywords = f" pdf:Keywords={quoteattr(info['Keywords'])}" if info.get("Keywords") else ""
    parts.append(
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        f" pdf:Producer={quoteattr(info['Producer'])}{keywords}/>"
    )
    parts.append(
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        f" xmp:CreatorTool={quoteattr(info.get('Creator', PRODUCER))}"
        f" xmp:CreateDate={moment} xmp:ModifyDate={moment} xmp:MetadataDate={moment}/>"
    )
    parts.append("</rdf:RDF></x:xmpmeta>")
    # Room for an in-place edit, as the XMP specification advises; "w": writable.
    parts.append(" " * 512 + '\n<?xpacket end="w"?>')
    return "\n".join(parts).encode("utf-8")


def finish_document(
    pdf: pikepdf.Pdf, *, metadata: dict[str, str], created: datetime, language: str, pdfa: bool
) -> None:
    """Information dictionary, XMP, output intent, language, title display."""
    date = pdf_date(created)
    info = {**metadata, "Producer": PRODUCER}
    pdf.docinfo = pdf.make_indirect(
        Dictionary(
            {
                **{f"/{key}": pikepdf.String(value) for key, value in info.items()},
                "/CreationDate": pikepdf.String(date),
                "/ModDate": pikepdf.String(date),
            }
        )
    )
    packet = pdf.make_stream(
        xmp_packet(info=info, created=created, language=language, pdfa=pdfa), Type=Name.Metadata, Subtype=Name.XML
    )
    profile = pdf.make_stream(srgb_profile(), N=3)
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(SRGB_PROFILE_NAME),
        Info=pikepdf.String(SRGB_PROFILE_NAME),
        DestOutputProfile=profile,
    )
    # PDF/A-2 §6.2.8.1 wants no image interpolation; WeasyPrint asks for it on every raster image
    # (CSS `image-rendering: auto`) and exhibits may too. It is only a hint to the viewer.
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" and "/Interpolate" in obj:
            obj.Interpolate = False
    root = pdf.Root
    root.Metadata = packet
    root.OutputIntents = Array([pdf.make_indirect(intent)])
    root.Lang = pikepdf.String(language)
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def write_compact(pdf: pikepdf.Pdf, target) -> None:
    """Write as PDF 1.7 with compressed object streams (allowed by PDF/A-2): the structure
    tree's thousands of small dictionaries then weigh what WeasyPrint's own output does. The
    file identifier is derived from the content, as PDF/A wants one."""
    pdf.save(
        target,
        min_version="1.7",
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,
        deterministic_id=True,
    )


# --- exhibits and PDF/A --------------------------------------------------------------------------

# Content-stream operators and names that PDF/A-2b forbids or that need an output intent we do not
# have (CMYK, with an sRGB intent): `k`/`K` set a CMYK colour; LZW is forbidden (§6.1.7.2).
_CMYK_OPERATOR = re.compile(rb"(?:^|[\s\]])[-+.\d]+\s+[-+.\d]+\s+[-+.\d]+\s+[-+.\d]+\s+[kK](?=[\s\[/]|$)")
_FORBIDDEN_NAMES = re.compile(rb"/(?:DeviceCMYK|CMYK|LZWDecode|LZW)\b")
_STANDARD_BLEND_MODES = {
    "/Normal",
    "/Compatible",
    "/Multiply",
    "/Screen",
    "/Overlay",
    "/Darken",
    "/Lighten",
    "/ColorDodge",
    "/ColorBurn",
    "/HardLight",
    "/SoftLight",
    "/Difference",
    "/Exclusion",
    "/Hue",
    "/Saturation",
    "/Color",
    "/Luminosity",
}


def archival_problem(content: bytes, resources) -> str:
    """Why a page drawn from `content` and `resources` would break PDF/A-2b ("" when it would
    not): fonts not embedded, CMYK, LZW, PostScript, transfer functions, external references.
    Conservative: a doubt counts as a problem, the dossier is then simply not declared PDF/A."""
    if _CMYK_OPERATOR.search(content) or _FORBIDDEN_NAMES.search(content):
        return "couleurs CMJN ou compression LZW"
    return _resources_problem(resources, set())


def _resources_problem(resources, seen: set) -> str:
    if resources is None:
        return ""
    if isinstance(resources, IndirectObject):
        if resources.idnum in seen:
            return ""
        seen.add(resources.idnum)
    resources = resources.get_object()
    if not isinstance(resources, DictionaryObject):
        return ""
    for font in (resources.get("/Font") or DictionaryObject()).get_object().values():
        problem = _font_problem(font, seen)
        if problem:
            return problem
    for colour_space in (resources.get("/ColorSpace") or DictionaryObject()).get_object().values():
        if _FORBIDDEN_NAMES.search(repr(colour_space.get_object()).encode()):
            return "couleurs CMJN"
    for state in (resources.get("/ExtGState") or DictionaryObject()).get_object().values():
        state = state.get_object()
        if "/TR" in state or ("/TR2" in state and state["/TR2"] != "/Default"):
            return "fonction de transfert"
        mode = state.get("/BM")
        modes = mode if isinstance(mode, ArrayObject) else [mode] if mode is not None else []
        if any(str(value) not in _STANDARD_BLEND_MODES for value in modes):
            return "mode de fusion non standard"
    for kind in ("/XObject", "/Pattern", "/Shading"):
        for item in (resources.get(kind) or DictionaryObject()).get_object().values():
            problem = _object_problem(item, seen)
            if problem:
                return problem
    return ""


def _object_problem(item, seen: set) -> str:
    if isinstance(item, IndirectObject):
        if item.idnum in seen:
            return ""
        seen.add(item.idnum)
    item = item.get_object()
    if not isinstance(item, DictionaryObject):
        return ""
    subtype = item.get("/Subtype")
    if subtype == "/PS" or "/OPI" in item or "/Ref" in item or "/Alternates" in item:
        return "contenu PostScript ou externe"
    filters = item.get("/Filter")
    filters = filters if isinstance(filters, ArrayObject) else [filters] if filters is not None else []
    if any(str(name) == "/LZWDecode" for name in filters):
        return "compression LZW"
    if _FORBIDDEN_NAMES.search(repr(item.get("/ColorSpace")).encode()):
        return "couleurs CMJN"
    if subtype == "/Image":
        return ""  # `/Interpolate` is a hint that `finish_document` turns off everywhere.
    if isinstance(item, StreamObject) and subtype == "/Form":
        try:
            data = item.get_data()
        except Exception:  # noqa: BLE001 - a foreign stream that will not decode is not provably conforming
            return "flux illisible"
        problem = archival_problem(data, item.get("/Resources"))
        if problem:
            return problem
    return _resources_problem(item.get("/Resources"), seen)


def _font_problem(font, seen: set) -> str:
    font = font.get_object()
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return _resources_problem(font.get("/Resources"), seen)
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        font = descendants.get_object()[0].get_object() if descendants else DictionaryObject()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else DictionaryObject()
    if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
        return f"police non incorporée ({str(font.get('/BaseFont', '?'))[1:60]})"
    return ""

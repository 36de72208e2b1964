"""Dossiers and the statistics report are tagged PDF and PDF/A-2b, read back with pikepdf (qpdf),
a reader independent of the pypdf that assembles them."""

import io

import pikepdf
import pytest
from django.core.files.base import ContentFile

from reports import services
from reports.models import Dossier, DossierStatus

pytestmark = pytest.mark.django_db

ALL_SECTIONS = ["cover", "summary", "parties", "procedures", "timeline", "deadlines", "exhibits"]


def render(owner, case, sections=None) -> Dossier:
    dossier = services.dossier_request(user=owner, case=case, recipient="Me Dupont", sections=sections or ALL_SECTIONS)
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error
    return dossier


def open_pdf(field) -> pikepdf.Pdf:
    with field.open("rb") as handle:
        return pikepdf.open(io.BytesIO(handle.read()))


def structure_elements(pdf: pikepdf.Pdf):
    """Every structure element under the root, depth first."""
    pending = list(pdf.Root.StructTreeRoot.K)
    while pending:
        element = pending.pop()
        if (
            isinstance(element, pikepdf.Dictionary)
            and element.get("/Type") in (None, "/StructElem")
            and "/S" in element
        ):
            yield element
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Array):
                pending.extend(kids)
            elif isinstance(kids, pikepdf.Dictionary):
                pending.append(kids)


def id_tree(pdf: pikepdf.Pdf) -> dict[bytes, pikepdf.Dictionary]:
    """The structure tree's element identifiers (a name tree), flattened."""
    found: dict[bytes, pikepdf.Dictionary] = {}
    pending = [pdf.Root.StructTreeRoot.IDTree] if "/IDTree" in pdf.Root.StructTreeRoot else []
    while pending:
        node = pending.pop()
        names = node.get("/Names")
        if names is not None:
            for index in range(0, len(names), 2):
                assert bytes(names[index]) not in found, "an identifier names two elements"
                found[bytes(names[index])] = names[index + 1]
        pending.extend(node.get("/Kids") or [])
    return found


def assert_table_headers_resolve(pdf: pikepdf.Pdf) -> int:
    """Every data cell names its header cells by identifiers the IDTree resolves to TH elements
    (ISO 32000-1 §14.7.2 and §14.8.5.7): what a screen reader announces with each cell."""
    identifiers = id_tree(pdf)
    cells = 0
    assert identifiers or not any(element.S == "/TH" for element in structure_elements(pdf))
    for element in structure_elements(pdf):
        if "/ID" in element:
            assert element.is_indirect and identifiers[bytes(element.ID)].objgen == element.objgen
        if element.S != "/TD":
            continue
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            for header in (attribute or {}).get("/Headers", []):
                assert identifiers[bytes(header)].S == "/TH"
                cells += 1
    return cells


def assert_tagged_pdfa(pdf: pikepdf.Pdf, *, title: str) -> None:
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) in {"fr", "fr-FR"}
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    with pdf.open_metadata() as meta:
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert title in meta["dc:title"]
    intent = root.OutputIntents[0]
    assert intent.S == "/GTS_PDFA1"
    assert int(intent.DestOutputProfile.N) == 3
    assert len(intent.DestOutputProfile.read_bytes()) > 1000
    identifier = pdf.trailer.ID
    assert len(identifier) == 2 and len(bytes(identifier[0])) >= 16


def test_a_dossier_is_tagged_and_declared_pdfa_2b(owner, rich_case):
    dossier = render(owner, rich_case)
    pdf = open_pdf(dossier.file)
    assert_tagged_pdfa(pdf, title=f"Dossier {rich_case.reference}")
    assert str(pdf.docinfo.Title).startswith(f"Dossier {rich_case.reference}")
    with pdf.open_metadata() as meta:
        assert "fr" in str(meta.get("dc:language"))
    assert pdf.check_pdf_syntax() == []


def test_the_structure_tree_of_every_piece_is_merged_and_points_at_the_dossier_s_own_pages(owner, rich_case):
    pdf = open_pdf(render(owner, rich_case).file)
    tree = pdf.Root.StructTreeRoot
    (document,) = tree.K
    assert document.S == "/Document"
    pages = {page.obj.objgen for page in pdf.pages}
    elements = list(structure_elements(pdf))
    kinds = {str(element.S) for element in elements}
    assert {"/H1", "/P", "/Figure"} <= kinds
    for element in elements:
        if "/Pg" in element:
            assert element.Pg.objgen in pages
    # Each page's marked content is found through the parent tree under the key the page names.
    nums = dict(zip(list(tree.ParentTree.Nums)[::2], list(tree.ParentTree.Nums)[1::2], strict=True))
    assert int(tree.ParentTreeNextKey) > max(int(key) for key in nums)
    tagged_pages = [page for page in pdf.pages if "/StructParents" in page.obj]
    assert len(tagged_pages) == len(pdf.pages)
    for page in tagged_pages:
        assert int(page.obj.StructParents) in nums
    # Figures stand for the exhibit sheets, with the exhibit's number as alternative text.
    figures = [element for element in elements if element.S == "/Figure" and "/Alt" in element]
    assert any(str(figure.Alt).startswith("Pièce n° 1 — Procès-verbal") for figure in figures)
    assert assert_table_headers_resolve(pdf) > 10


def test_an_exhibit_that_is_not_archivable_keeps_the_tags_but_drops_the_pdfa_claim(owner, rich_case, media_root):
    from cases import services as case_services

    # A PDF whose text uses Helvetica without embedding it: PDF/A forbids it, and drawing it as it
    # is means the dossier cannot claim conformance.
    content = b"BT /F1 12 Tf 72 720 Td (Non incorporee) Tj ET"
    unembedded = pikepdf.new()
    unembedded.add_blank_page(page_size=(595, 842))
    page = unembedded.pages[0]
    page.obj.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(Type="/Font", Subtype="/Type1", BaseFont="/Helvetica"))
    )
    page.obj.Contents = unembedded.make_stream(content)
    buffer = io.BytesIO()
    unembedded.save(buffer)
    case_services.exhibit_upload(
        user=owner,
        case=rich_case,
        file=ContentFile(buffer.getvalue(), name="scan.pdf"),
        title="Courrier non archivable",
        source="Association",
        received_on=rich_case.created_at.date(),
    )
    pdf = open_pdf(render(owner, rich_case, sections=["summary", "exhibits"]).file)
    assert bool(pdf.Root.MarkInfo.Marked) is True
    with pdf.open_metadata() as meta:
        assert "pdfaid:part" not in meta
        assert meta["dc:title"].startswith(f"Dossier {rich_case.reference}")
    assert "/OutputIntents" in pdf.Root


def test_the_statistics_report_is_tagged_and_declared_pdfa_2b(owner, association, media_root):
    from reports.statistics.models import ReportStatus, StatisticsReport
    from reports.statistics.services import statistics_report_render

    report = StatisticsReport.objects.create(association=association, requested_by=owner)
    report = statistics_report_render(report_id=report.pk)
    assert report.status == ReportStatus.DONE
    pdf = open_pdf(report.file)
    assert_tagged_pdfa(pdf, title=str(report))
    # No figures yet (no case), so no data cell: the header cells are still found by identifier.
    assert assert_table_headers_resolve(pdf) == 0 and len(id_tree(pdf)) >= 5
    assert any(str(element.S) == "/Table" for element in structure_elements(pdf))

"""A PDF exhibit is drawn inside the exhibit area of an A4 sheet: reduced when larger, never
enlarged, turned as its /Rotate asks, so that the stamp and the footer cover none of it."""

import io
from datetime import UTC, datetime

import pikepdf
import pytest

from reports.stamping import A4_HEIGHT, A4_WIDTH, EXHIBIT_AREA, DossierWriter, exhibit_file

MM = 72 / 25.4


def one_page_pdf(width: float, height: float, *, rotate: int = 0) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(width, height))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(f"0 0 {width} {height} re S".encode())
    if rotate:
        page.obj.Rotate = rotate
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def drawn_box(sheet: pikepdf.Page) -> tuple[float, float, float, float]:
    """Where the sheet draws its exhibit: the form's box through its matrix and the `cm`."""
    form = sheet.obj.Resources.XObject.CocoExhibit
    outer = pikepdf.Matrix()
    for operands, operator in pikepdf.parse_content_stream(sheet):
        if str(operator) == "cm":
            outer = pikepdf.Matrix(*[float(value) for value in operands]) @ outer
    inner = pikepdf.Matrix(*[float(value) for value in form.get("/Matrix", [1, 0, 0, 1, 0, 0])])
    matrix = inner @ outer
    left, bottom, right, top = (float(value) for value in form.BBox)
    points = [matrix.transform((x, y)) for x in (left, right) for y in (bottom, top)]
    xs, ys = [point[0] for point in points], [point[1] for point in points]
    return min(xs), min(ys), max(xs), max(ys)


def assemble(*exhibits: bytes) -> pikepdf.Pdf:
    writer = DossierWriter(frame_pdf=one_page_pdf(A4_WIDTH, A4_HEIGHT))
    for number, data in enumerate(exhibits, start=1):
        writer.append_exhibit(number, exhibit_file(data), title="Procès-verbal")
    target = io.BytesIO()
    writer.write(target, metadata={"Title": "Essai"}, created=datetime(2024, 6, 25, tzinfo=UTC))
    return pikepdf.open(io.BytesIO(target.getvalue()))


@pytest.mark.parametrize(
    ("width", "height", "rotate"),
    [(297 * MM, 420 * MM, 0), (420 * MM, 297 * MM, 0), (297 * MM, 420 * MM, 90), (210 * MM, 297 * MM, 270)],
    ids=["A3 portrait", "A3 landscape", "A3 turned", "A4 turned back"],
)
def test_a_large_exhibit_is_reduced_into_the_area_keeping_its_proportions(width, height, rotate):
    pdf = assemble(one_page_pdf(width, height, rotate=rotate))
    (sheet,) = pdf.pages
    assert [round(float(value)) for value in sheet.mediabox] == [0, 0, round(A4_WIDTH), round(A4_HEIGHT)]
    left, bottom, right, top = drawn_box(sheet)
    area_x, area_y, area_width, area_height = EXHIBIT_AREA
    assert left >= area_x - 0.5 and right <= area_x + area_width + 0.5
    assert bottom >= area_y - 0.5 and top <= area_y + area_height + 0.5
    # Seen as the exhibit asks to be seen: a turned page is drawn turned.
    seen_width, seen_height = (height, width) if rotate % 180 else (width, height)
    assert (right - left) / (top - bottom) == pytest.approx(seen_width / seen_height, rel=1e-3)
    # It fills the area on its limiting side.
    assert (right - left) == pytest.approx(area_width, abs=0.5) or (top - bottom) == pytest.approx(area_height, abs=0.5)


def test_a_small_exhibit_is_never_enlarged_and_every_sheet_is_a_described_figure():
    pdf = assemble(one_page_pdf(105 * MM, 148 * MM))
    left, bottom, right, top = drawn_box(pdf.pages[0])
    assert right - left == pytest.approx(105 * MM, abs=0.1)
    assert top - bottom == pytest.approx(148 * MM, abs=0.1)
    (figure,) = [kid for kid in pdf.Root.StructTreeRoot.K[0].K if kid.S == "/Figure"]
    assert str(figure.Alt) == "Pièce n° 1 — Procès-verbal, page 1 sur 1"
    assert figure.Pg.objgen == pdf.pages[0].obj.objgen

"""What tagging and PDF/A cost a dossier: a table of --rows rows (like a procedures annex) laid out
by WeasyPrint, written plain and tagged PDF/A-2b, then assembled as a dossier is (pikepdf with the
structure tree merged, saved with object streams), then planned into RPVA parts.

    .venv/bin/python benchmarks/bench_pdf_archival.py [--rows 3000] [--limit-kb 300]

No database: it measures the PDF machinery only. Prints seconds and bytes for each step.
"""

import argparse
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--limit-kb", type=int, default=300)
    options = parser.parse_args()

    import django

    django.setup()
    import pikepdf
    from weasyprint import HTML

    from reports import rpva
    from reports.archival import StructureTree, write_compact

    rows = "".join(
        f"<tr><td>{n}</td><td>24/{n:05d}</td><td>Parquet de test {n % 70}</td><td>Enquête</td><td>Classement</td></tr>"
        for n in range(options.rows)
    )
    html = (
        '<html lang="fr"><head><title>Annexe</title></head><body><h1>Procédures</h1><table><thead><tr>'
        "<th>n°</th><th>Référence</th><th>Parquet</th><th>Stade</th><th>Issue</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
    started = time.perf_counter()
    document = HTML(string=html).render()
    laid_out = time.perf_counter()
    print(f"layout: {len(document.pages)} pages in {laid_out - started:.1f} s")
    outputs = {}
    for label, settings in (("plain", {}), ("tagged PDF/A-2b", {"pdf_variant": "pdf/a-2b", "pdf_tags": True})):
        started = time.perf_counter()
        outputs[label] = document.write_pdf(**settings)
        print(f"write {label}: {time.perf_counter() - started:.1f} s, {len(outputs[label]):,} bytes")
    for label, data in outputs.items():
        started = time.perf_counter()
        pdf = pikepdf.new()
        structure = StructureTree(pdf)
        with pikepdf.open(io.BytesIO(data)) as source:
            pdf.pages.extend(source.pages)
            structure.append_part(source, 0)
        structure.finish()
        merged = time.perf_counter()
        plain, packed = io.BytesIO(), io.BytesIO()
        pdf.save(plain)
        written = time.perf_counter()
        write_compact(pdf, packed)
        compacted = time.perf_counter()
        print(
            f"assemble {label}: pages+structure {merged - started:.1f} s; plain objects "
            f"{len(plain.getvalue()):,} bytes in {written - merged:.1f} s; with object streams "
            f"{len(packed.getvalue()):,} bytes in {compacted - written:.1f} s"
        )
        outputs[label] = packed.getvalue()
    data = outputs["tagged PDF/A-2b"]
    started = time.perf_counter()
    parts = rpva.plan(data, limit=options.limit_kb * 1024)
    print(
        f"RPVA plan at {options.limit_kb} KB: {len(parts)} parts "
        f"({', '.join(f'{end - first} p. {size:,} B' for first, end, size in parts)}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()

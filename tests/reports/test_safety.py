"""WeasyPrint may load only the project's static files and the case's own exhibits: no network,
no file:// outside, and user text prints as text."""

import http.server
import threading

import pytest

from reports import services
from reports.pdf import SafeURLFetcher, render_html
from tests.reports.conftest import read_pdf

pytestmark = pytest.mark.django_db


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def spy_server():
    """A local HTTP server that records every request: any fetch would show up here."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_markup_in_user_text_prints_as_text_and_fetches_nothing(owner, case, spy_server, media_root):
    case.title = f'<script>alert(1)</script><img src="{spy_server}/pixel.png"> Valenciennes'
    case.summary = f"<img src='{spy_server}/summary.png'> « Faits : voir PV »"
    case.save()
    dossier = services.dossier_request(
        user=owner, case=case, recipient=f'<img src="{spy_server}/r.png">', sections=["cover", "summary"]
    )
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == "done", dossier.error
    text = "\n".join(page.extract_text() for page in read_pdf(dossier)[0].pages)
    assert "<script>alert(1)</script>" in text and f'<img src="{spy_server}/pixel.png">' in text
    assert Recorder.hits == []


def test_the_fetcher_refuses_the_network_and_local_files_even_in_raw_html(spy_server):
    fetcher = SafeURLFetcher()
    html = (
        f'<img src="{spy_server}/direct.png"><img src="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{spy_server}/x.css"><img src="/exhibits/1">'
        '<img src="https://example.org/a.png"><img src="/static/../../config/settings.py">'
        '<p style="background: url(data:image/png;base64,iVBORw0KGgo=)">x</p>'
    )
    document = render_html(html, fetcher=fetcher)
    assert document.pages == 1
    assert Recorder.hits == []
    assert len(fetcher.refused) == 7 and fetcher.served == []


def test_the_fetcher_serves_static_files_and_only_the_case_s_image_exhibits(owner, rich_case):
    image = rich_case.exhibits.get(number=2)
    pdf = rich_case.exhibits.get(number=1)
    fetcher = SafeURLFetcher(exhibits=[image, pdf])
    assert fetcher("https://dossier.invalid/static/reports/print.css").content_type == "text/css"
    assert fetcher(f"https://dossier.invalid/exhibits/{image.pk}").read()[:4] == b"\x89PNG"
    for url in (
        f"https://dossier.invalid/exhibits/{pdf.pk}",  # PDFs are appended, never fetched
        f"https://dossier.invalid/exhibits/{image.pk + 1000}",  # another case's exhibit
        "https://dossier.invalid/static/../manage.py",
        "https://dossier.invalid/static/%2e%2e/manage.py",
        "https://dossier.invalid:8443/static/reports/print.css",
        "https://user@dossier.invalid/static/reports/print.css",
        "http://dossier.invalid/static/reports/print.css",
    ):
        with pytest.raises(ValueError):
            fetcher(url)

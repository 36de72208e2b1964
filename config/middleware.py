import re
import uuid

from pghistory.middleware import HistoryMiddleware

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _request_id(request) -> str:
    # Keep a proxy's X-Request-ID when it looks sane, so logs on both sides match.
    header = request.headers.get("X-Request-ID", "")
    return header if _REQUEST_ID.match(header) else uuid.uuid4().hex


class RequestHistoryMiddleware(HistoryMiddleware):
    """pghistory's middleware, plus a request id on every history row and on the response."""

    def __call__(self, request):
        request.request_id = _request_id(request)
        response = super().__call__(request)
        response["X-Request-ID"] = request.request_id
        return response

    def get_context(self, request):
        return {**super().get_context(request), "request_id": request.request_id}

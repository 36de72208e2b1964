"""The client's address behind the TLS proxy.

Behind nginx every request comes from 127.0.0.1: the sign-in lockout (django-axes, by address),
the API's throttling of anonymous requests and the logs would then treat every visitor as one.
When the request comes from an address in FORWARDED_ALLOW_IPS (the proxy's), REMOTE_ADDR becomes
the last address of X-Forwarded-For, the one the proxy itself saw; from anywhere else the header
is ignored, so a client cannot choose its own address."""

import ipaddress
import os


def trusted_networks(value: str) -> list:
    """The networks of a comma-separated list of addresses or CIDR ranges ("*" is refused: it
    would let any client choose its address)."""
    networks = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        if item == "*":
            raise ValueError("FORWARDED_ALLOW_IPS ne peut pas valoir « * » : indiquez l'adresse du proxy TLS.")
        networks.append(ipaddress.ip_network(item, strict=False))
    return networks


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class ForwardedClientAddress:
    """WSGI middleware: REMOTE_ADDR from the trusted proxy's X-Forwarded-For."""

    def __init__(self, application, networks):
        self.application = application
        self.networks = networks

    def __call__(self, environ, start_response):
        if self.networks:
            self._rewrite(environ)
        return self.application(environ, start_response)

    def _rewrite(self, environ) -> None:
        peer = _address(environ.get("REMOTE_ADDR", ""))
        if peer is None or not any(peer in network for network in self.networks):
            return
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
        client = _address(forwarded[-1])
        if client is not None:
            environ["REMOTE_ADDR"] = str(client)


def behind_proxy(application):
    """The application, wrapped when FORWARDED_ALLOW_IPS names the proxy."""
    networks = trusted_networks(os.environ.get("FORWARDED_ALLOW_IPS", ""))
    return ForwardedClientAddress(application, networks) if networks else application

"""Strict check of an iCalendar document by libical, a parser independent of `icalendar` (the one
calendar servers and Evolution use). Run by Debian's own Python, which has the GObject bindings:

    /usr/bin/python3 tests/procedures/libical_check.py < feed.ics

Prints a JSON list of the errors found (empty when the document is valid); exits with 3 when the
bindings are missing (apt-get install gir1.2-ical-3.0 python3-gi)."""

import json
import sys

try:
    import gi

    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib
except (ImportError, ValueError) as error:
    print(f"libical introuvable ({error}) : apt-get install gir1.2-ical-3.0 python3-gi", file=sys.stderr)
    sys.exit(3)


def _kind(component) -> str:
    return ICalGLib.Component.kind_to_string(component.isa())


def _parse_errors(component, found: list[str]) -> None:
    # The parser and the restriction check leave their findings as X-LIC-ERROR properties.
    prop = component.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{_kind(component)}: {prop.get_xlicerror()}")
        prop = component.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        _parse_errors(child, found)
        child = component.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)


def check(text: str) -> list[str]:
    component = ICalGLib.Component.new_from_string(text)
    if component is None or _kind(component) != "VCALENDAR":
        return ["le document n'est pas un VCALENDAR"]
    found: list[str] = []
    # RFC 5546 (iTIP) restrictions for the calendar's METHOD: for PUBLISH, each VEVENT needs
    # exactly one DTSTAMP, DTSTART, UID, ORGANIZER, SUMMARY…
    if not component.check_restrictions():
        found.append("restrictions iTIP non respectées")
    _parse_errors(component, found)
    # RFC 5545 §3.6: icalbody = calprops component, and component = 1*(…): at least one.
    if component.count_components(ICalGLib.ComponentKind.ANY_COMPONENT) == 0:
        found.append("VCALENDAR sans aucun composant (RFC 5545 §3.6)")
    return found


if __name__ == "__main__":
    print(json.dumps(check(sys.stdin.buffer.read().decode("utf-8")), ensure_ascii=False))

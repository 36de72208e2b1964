"""The « mis en cause » column of generate_dataset: suspects as a file from parquets names them.

At the Coco.gg size, about 60 % of procedures name one suspect and a few name two, drawn from a
pool of about 2,500 fictional suspects (proportionally fewer for a smaller file) with a skewed
distribution: a few recur in tens of procedures (at as many parquets as chance gives), most in one
to a handful. Some recurring suspects are written differently from one procedure to the next
(« Julien Fictif-Lefèvre », « FICTIF-LEFEVRE J. », « FICTIF-LEFÈVRE Julien », accents dropped),
as parquets do; about a third come with identifiers (an e-mail at example.fr, a phone +33 6 00 …,
a platform account, an IP of the documentation ranges, RFC 5737), each procedure giving some of
them, written with or without their kind.

Every surname is prefixed « Fictif- » and every pseudonym made of common words: no real person.
Drawn from its own generator (seeded from --seed), so the other columns are those the file had
before this one was added."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

# Suspects of the Coco.gg-sized file (23,051 procedures) and mentions per procedure.
POOL_AT_REFERENCE = 2_500
REFERENCE_PROCEDURES = 23_051
SUSPECTS_PER_PROCEDURE = ((0, 40), (1, 56), (2, 4))
PSEUDONYM_SHARE = 0.15
WITH_IDENTIFIERS_SHARE = 0.35

GIVEN_NAMES = (
    "Julien", "Thomas", "Nicolas", "Maxime", "Kévin", "Jérôme", "François", "Sébastien", "Anthony", "Romain",
    "Alexandre", "Mathieu", "Guillaume", "Quentin", "Théo", "Hugo", "Lucas", "Enzo", "Noé", "Raphaël",
    "Benoît", "Cédric", "Frédéric", "Grégory", "Loïc", "Jérémy", "Mickaël", "Stéphane", "Yannick", "Damien",
    "Hélène", "Léa", "Chloé", "Anaïs", "Manon", "Camille", "Sarah", "Inès", "Océane", "Maëlle",
)  # fmt: skip
SURNAMES = (
    "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour",
    "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre",
)  # fmt: skip
HANDLE_WORDS = (
    "kiwi", "lynx", "orage", "pixel", "nova", "azur", "comete", "givre", "renard", "hibou",
    "loup", "brume", "cactus", "corail", "dune", "eclair", "falaise", "galet", "nuage", "ombre",
)  # fmt: skip
# The linking demo (linking/demo.py) adds its own recurring suspects to the reference case.
LEFT_TO_THE_LINKING_DEMO = {"Martin", "Exemple", "Témoin-Fictive"}
DOCUMENTATION_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass
class FictionalSuspect:
    given: str  # "" for a pseudonym
    surname: str  # « Fictif-Lefèvre », or the pseudonym
    recurring: bool
    identifiers: list = field(default_factory=list)  # (kind, value)

    @property
    def name(self) -> str:
        return f"{self.given} {self.surname}".strip()

    def spelling(self, rng: random.Random) -> str:
        """The name as one parquet writes it: recurring suspects under several spellings."""
        if not self.given:
            return self.surname
        draw = rng.random()
        if not self.recurring or draw < 0.55:
            return self.name
        if draw < 0.75:
            return f"{self.surname.upper()} {self.given[0]}."
        if draw < 0.85:
            return f"{self.surname.upper()} {self.given}"
        if draw < 0.95:
            return _plain(self.name)
        return self.name.lower()

    def written_identifiers(self, rng: random.Random) -> list[str]:
        """What one procedure gives: each identifier half the time, with or without its kind."""
        written = []
        for kind, value in self.identifiers:
            if rng.random() >= 0.5:
                continue
            if kind == "phone" and rng.random() < 0.4:
                value = "0" + value[4:]  # « +33 6 00 12 34 56 » → « 06 00 12 34 56 »
            prefix = {"email": "courriel:", "phone": "tel:", "account": "compte:", "ip": "ip:"}[kind]
            written.append(value if rng.random() < 0.5 else prefix + value)
        return written


def suspect_pool(rng: random.Random, size: int) -> list[FictionalSuspect]:
    """`size` distinct fictional suspects, the first hundredth the recurring ones."""
    recurring = max(1, size // 100)
    names: set[str] = set()
    pool = []
    while len(pool) < size:
        index = len(pool)
        if rng.random() < PSEUDONYM_SHARE:
            handle = f"{rng.choice(HANDLE_WORDS)}{rng.choice(('', '_'))}{rng.randrange(10, 100)}"
            suspect = FictionalSuspect("", handle.capitalize(), index < recurring)
        else:
            surname = rng.choice(SURNAMES)
            if surname in LEFT_TO_THE_LINKING_DEMO:
                continue
            suspect = FictionalSuspect(rng.choice(GIVEN_NAMES), f"Fictif-{surname}", index < recurring)
        if suspect.name.casefold() in names:
            continue
        names.add(suspect.name.casefold())
        if rng.random() < (0.8 if suspect.recurring else WITH_IDENTIFIERS_SHARE):
            suspect.identifiers = _identifiers(rng, suspect, index)
        pool.append(suspect)
    return pool


def _identifiers(rng: random.Random, suspect: FictionalSuspect, index: int) -> list:
    handle = _plain(suspect.surname if not suspect.given else f"{suspect.given[0]}{suspect.surname[7:]}").lower()
    handle = handle.replace(" ", "").replace("-", "")
    identifiers = []
    if rng.random() < 0.6:
        identifiers.append(("account", f"{handle}{index % 97}"))
    if rng.random() < 0.5:
        local = _plain(suspect.name).lower().replace(" ", ".").replace("-", "")
        identifiers.append(("email", f"{local}{index}@example.fr"))
    if rng.random() < 0.4:
        identifiers.append(
            ("phone", f"+33 6 00 {index // 10_000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d}")
        )
    if rng.random() < 0.3:
        identifiers.append(("ip", f"{rng.choice(DOCUMENTATION_NETWORKS)}.{rng.randrange(1, 255)}"))
    return identifiers or [("account", f"{handle}{index % 97}")]


def _weights(rng: random.Random, pool: list[FictionalSuspect]) -> list[float]:
    """Recurring suspects in tens of procedures, a tenth of the pool in several, the rest in one to
    a handful."""
    middle = len(pool) // 9
    weights = []
    for index, suspect in enumerate(pool):
        if suspect.recurring:
            weights.append(rng.uniform(12, 40))
        elif index < middle:
            weights.append(rng.uniform(4, 12))
        else:
            weights.append(rng.choice((1, 1, 1, 2, 2, 3)))
    return weights


def suspect_cells(procedures: int, *, seed: int, pool_size: int | None = None) -> list[str]:
    """The « mis en cause » cell of each of `procedures` rows (empty for most of the others)."""
    rng = random.Random(f"{seed}:mis-en-cause")  # noqa: S311 - synthetic data, reproducible from its seed
    size = pool_size or max(2, round(procedures * POOL_AT_REFERENCE / REFERENCE_PROCEDURES))
    pool = suspect_pool(rng, size)
    weights = _weights(rng, pool)
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    counts = [count for count, _weight in SUSPECTS_PER_PROCEDURE]
    count_weights = [weight for _count, weight in SUSPECTS_PER_PROCEDURE]
    cells = []
    for _index in range(procedures):
        wanted = min(rng.choices(counts, count_weights)[0], len(pool))
        chosen: list[FictionalSuspect] = []
        while len(chosen) < wanted:
            suspect = rng.choices(pool, cum_weights=cumulative)[0]
            if all(other is not suspect for other in chosen):
                chosen.append(suspect)
        mentions = []
        for suspect in chosen:
            identifiers = suspect.written_identifiers(rng)
            spelling = suspect.spelling(rng)
            mentions.append(f"{spelling} [{'; '.join(identifiers)}]" if identifiers else spelling)
        cells.append(" | ".join(mentions))
    return cells

"""The successive laws on the prescription of the public action, as data (pure, no Django).

Each `LawVersion` is the state of art. 7, 8 and 9-1 CPP from its first day in force; its rules are
tried in order, first match wins. `LIST_706_47` dates each offence's entry into art. 706-47 CPP, to
which art. 7 and 8 refer from the law of 9 March 2004. Texts read (Dec. 2026, search corpus):
- art. 7 and 8 versions: doctrine.fr (chronology of versions), git.tricoteuses.fr and archeo-lex.fr
  (LEGI versions with their dates), codes-et-lois.fr (art. 7 in its 2004–2017 wording);
- art. 112-2 C. pén.: doctrine.fr, versions of 1 March 1994 and 10 March 2004 (loi 2004-204 art. 72);
- art. 706-47: version 2005–2016 on prison.rezo.net; 1998 wording on lexinter.net; the 1° quoted
  in AN amendment n° 86 of 14 May 2018 (rejected); the numbered list in Sénat text n° 272 (2021).

Entry into force: before 1 June 2004 a law bound Paris one clear day after its publication (décret
of 5 Nov. 1870), so two days after the Journal officiel; since then, the day after publication
(art. 1 C. civ.). Légifrance often shows the publication day. Where unsure we take the later day:
a longer law then saves fewer offences, and the date shown is never too late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from procedures.eligibility import ArticleRange, in_ranges, parse_ranges

# Art. 9-1 al. 3 CPP (loi 2017-242): hidden offences, cap counted from the facts.
HIDDEN_CAP_YEARS = {"delit": 12, "crime": 30}

# Art. 7 al. 3 and 8 al. 4 CPP (loi 2021-478, JO 22 April 2021, in force 23 April 2021).
SLIDING_FROM = date(2021, 4, 23)
# Art. 9-2 last al.: left out of the JO of 22 April 2021, restored by a rectificatif in the JO of
# 24 April 2021 (Légifrance JORFTEXT000043415718): applied from the day after, 25 April 2021.
CROSS_PROCEDURE_FROM = date(2021, 4, 25)

RAPE = parse_ranges("222-23..222-26")  # viols, incl. 222-23-1 to 222-23-3 (loi 2021-478)
SEXUAL_ASSAULTS = parse_ranges("222-27..222-31")  # agressions sexuelles autres que le viol
ATTEINTES = parse_ranges("227-25..227-27")  # atteintes sexuelles sur mineur
MURDER = parse_ranges("221-1..221-4")
TERRORISM = parse_ranges("421-1..421-6")
DRUG_TRAFFICKING = parse_ranges("222-34..222-40")
APOLOGY = parse_ranges("421-2-5..421-2-5-2")  # art. 8: excluded from the 20 years of terrorism délits
# Art. 7 al. 2: also 214-1 to 214-4, 221-12 and livre IV bis, 30 years since their creation by
# their own texts (not verified: not met in these cases).
THIRTY_YEAR_CRIMES = (*TERRORISM, *DRUG_TRAFFICKING, *parse_ranges("214-1..214-4, 221-12, 461-1..462-11"))


@dataclass(frozen=True)
class ListEntry:
    """Offences of art. 706-47 CPP, from the day they count for art. 7 and 8."""

    ranges: tuple[ArticleRange, ...]
    since: date
    label_fr: str
    source: str
    condition: str = ""  # "murder_rape_torture", "murder_recidivism": a fact the article does not say


LIST_706_47: tuple[ListEntry, ...] = (
    # Art. 7 and 8 refer to 706-47 only from the law of 9 March 2004. Its 2004 wording: murder of a
    # minor « précédé ou accompagné d'un viol, de tortures ou d'actes de barbarie », 222-23 to
    # 222-31, 225-12-1, 227-22 to 227-27. The murder condition is still in 1° (AN amendment n° 86
    # of 14 May 2018 to delete it was rejected); a translation of the current text (french-business-
    # law.com) omits it: not confirmed, so the condition is kept.
    ListEntry(
        MURDER,
        date(2004, 3, 12),
        "meurtre ou assassinat d'un mineur précédé ou accompagné d'un viol, de tortures ou d'actes de barbarie",
        "art. 706-47 1° CPP",
        "murder_rape_torture",
    ),
    ListEntry(RAPE + SEXUAL_ASSAULTS, date(2004, 3, 12), "viols et agressions sexuelles", "art. 706-47 3°-4° CPP"),
    ListEntry(
        parse_ranges("225-12-1"), date(2004, 3, 12), "recours à la prostitution d'un mineur", "art. 706-47 7° CPP"
    ),
    ListEntry(
        parse_ranges("227-22..227-27"),
        date(2004, 3, 12),
        "corruption, propositions sexuelles, images, atteintes sexuelles (227-22 à 227-27)",
        "art. 706-47 8°-13° CPP",
    ),
    # Loi 2005-1549 of 12 Dec. 2005, art. 28 (JO 13 Dec.): torture crimes, murders in récidive.
    ListEntry(
        parse_ranges("222-1..222-6"),
        date(2005, 12, 14),
        "tortures et actes de barbarie",
        "art. 706-47 2° CPP (loi n° 2005-1549)",
    ),
    ListEntry(
        MURDER,
        date(2005, 12, 14),
        "meurtre ou assassinat en état de récidive légale",
        "art. 706-47 1° CPP (loi n° 2005-1549)",
        "murder_recidivism",
    ),
    # Traite of minors: in the list by 27 May 2016 (Sénat amendment n° 2 on the prescription bill);
    # the inserting law (2013?) not read: that date, the latest possible, is used.
    ListEntry(
        parse_ranges("225-4-1..225-4-4"),
        date(2016, 5, 27),
        "traite des êtres humains à l'égard d'un mineur",
        "art. 706-47 5° CPP",
    ),
    # The list form of 706-47 read in a public consolidated copy (markdown of the CPP, 2020s:
    # 3° names 222-26-1, 10° « consultation … en contrepartie d'un paiement »): « 1° Crimes de meurtre
    # ou d'assassinat prévus aux articles 221-1 à 221-4 du code pénal, lorsqu'ils sont commis sur un
    # mineur ou lorsqu'ils sont commis en état de récidive légale » — every murder of a minor, without
    # the 2004 condition. The law that dropped the condition was not found: the latest plausible date,
    # 23 April 2021, is used (earlier facts keep the condition: the earlier prescription date).
    ListEntry(
        MURDER,
        date(2021, 4, 23),
        "meurtre ou assassinat commis sur un mineur",
        "art. 706-47 1° CPP (rédaction en liste)",
    ),
    # Proxénétisme of a minor (225-7 1°, 225-7-1) and 225-12-2: listed today (practitioners after the
    # law of 21 April 2021); the date they entered 706-47 was not found (2016?): that law's date
    # is used, the latest possible. Check Légifrance's version history of 706-47 and move it back.
    ListEntry(
        parse_ranges("225-7, 225-7-1, 225-12-2"),
        date(2021, 4, 23),
        "proxénétisme à l'égard d'un mineur, recours aggravé à la prostitution d'un mineur",
        "art. 706-47 6°-7° CPP",
    ),
)
# 227-21-1, 222-22-1 are definitions; 227-28-3 was only proposed (Sénat text n° 272, 2021); the
# other procuring articles (225-8 to 225-12) are not in the list: none of them is listed here.

# The offences of the list whatever the facts (a flat view, for display and tests).
ARTICLE_706_47: tuple[ArticleRange, ...] = tuple(
    r for entry in LIST_706_47 if not entry.condition for r in entry.ranges
)


def list_706_47_on(day: date, conditions: frozenset[str] = frozenset()) -> tuple[ArticleRange, ...]:
    """The articles of 706-47 that count on `day` for an offence meeting `conditions`."""
    return tuple(
        r
        for entry in LIST_706_47
        if entry.since <= day and (not entry.condition or entry.condition in conditions)
        for r in entry.ranges
    )


@dataclass(frozen=True)
class Rule:
    key: str
    nature: str
    years: int | None  # None: imprescriptible
    from_majority: bool
    label_fr: str
    source: str
    articles: tuple[ArticleRange, ...] = ()  # empty and not list_706_47: any article
    excluded: tuple[ArticleRange, ...] = ()
    flags: tuple[str, ...] = ()  # "terrorism", "drug_trafficking": match even without an article
    minor_victim: bool = False
    list_706_47: bool = False  # the articles are those of 706-47 on the day considered
    hidden_allowed: bool = False  # art. 9-1: derogates only from 7 al. 1 and 8 al. 1

    def matches(
        self, nature: str, article: str | None, flags: set[str], minor: bool, on: date, conditions: frozenset[str]
    ) -> bool:
        if nature != self.nature or (self.minor_victim and not minor):
            return False
        if article is not None and in_ranges(article, self.excluded):
            return False
        if flags & set(self.flags):
            return True
        if self.list_706_47:
            return article is not None and in_ranges(article, list_706_47_on(on, conditions))
        if not self.articles:
            return not self.flags
        return article is not None and in_ranges(article, self.articles)


@dataclass(frozen=True)
class LawVersion:
    key: str
    valid_from: date  # first day in force
    title_fr: str
    source: str  # where the text and its date were read
    rules: tuple[Rule, ...]
    applies_to_pending: bool = True  # art. 112-2 4° C. pén.
    hidden: bool = False  # art. 9-1 (loi 2017-242)


_OLD = "rédaction antérieure à la loi n° 2017-242"
IMPRESCRIPTIBLE = Rule(
    "imprescriptible",
    "crime",
    None,
    False,
    "Crime contre l'humanité ou génocide : imprescriptible",
    "art. 7 dernier al. CPP ; art. 213-5 C. pén.",
    parse_ranges("211-1..212-3"),
)
CONTRAVENTION = Rule("contravention", "contravention", 1, False, "Contravention : 1 an", "art. 9 CPP")
OLD_CRIME = Rule("crime", "crime", 10, False, "Crime : 10 ans", f"art. 7 al. 1 CPP ({_OLD})")
OLD_DELIT = Rule("delit", "delit", 3, False, "Délit : 3 ans", f"art. 8 al. 1 CPP ({_OLD})")
# Loi 95-125 of 8 Feb. 1995 (art. 706-25-1 and 706-31 CPP): 30 / 20 years; read in an AN bill's
# explanatory statement (nosdeputes.fr, document 3748); wording and date not read.
OLD_CRIME_30 = Rule(
    "crime_30_years",
    "crime",
    30,
    False,
    "Crime de terrorisme ou de trafic de stupéfiants : 30 ans",
    "art. 706-25-1 et 706-31 CPP (loi n° 95-125)",
    THIRTY_YEAR_CRIMES,
    (),
    ("terrorism", "drug_trafficking"),
)
OLD_DELIT_20 = Rule(
    "delit_20_years",
    "delit",
    20,
    False,
    "Délit de terrorisme ou de trafic de stupéfiants : 20 ans",
    "art. 706-25-1 et 706-31 CPP (loi n° 95-125)",
    TERRORISM + DRUG_TRAFFICKING,
    APOLOGY,
    ("terrorism", "drug_trafficking"),
)
_ORDINARY_OLD = (OLD_CRIME_30, OLD_DELIT_20, OLD_CRIME, OLD_DELIT, CONTRAVENTION)

# Loi 98-468 of 17 June 1998, art. 8 CPP as read on doctrine.fr (version « 18 juin 1998 »); art. 7
# (every crime on a minor from the majority) from the Sénat debate of 30 Oct. 1997 (amendment
# n° 37) and AN debates of 2018: wording not read.
_L1998 = parse_ranges("222-9, 222-11..222-15, 222-27..222-30, 225-7, 227-22, 227-25..227-27")
_L2003 = parse_ranges("222-9, 222-11..222-15, 222-27..222-30, 225-4-2, 225-7, 225-15, 227-22, 227-25..227-27")


def _minors_1998(ten_years: str, listed: tuple[ArticleRange, ...], law: str) -> tuple[Rule, ...]:
    return (
        Rule(
            "minor_crime_1998",
            "crime",
            10,
            True,
            "Crime sur mineur : 10 ans à compter de la majorité",
            f"art. 7 al. 3 CPP ({law})",
            minor_victim=True,
        ),
        Rule(
            "minor_delit_1998_10_years",
            "delit",
            10,
            True,
            "Délit sur mineur (art. 8 al. 3) : 10 ans à compter de la majorité",
            f"art. 8 al. 3 CPP ({law})",
            parse_ranges(ten_years),
            minor_victim=True,
        ),
        Rule(
            "minor_delit_1998",
            "delit",
            3,
            True,
            "Délit sur mineur (art. 8 al. 2) : 3 ans à compter de la majorité",
            f"art. 8 al. 2 CPP ({law})",
            listed,
            minor_victim=True,
        ),
    )


def _minors_2004(twenty: str, law: str) -> tuple[Rule, ...]:
    return (
        Rule(
            "minor_crime_706_47",
            "crime",
            20,
            True,
            "Crime sur mineur (art. 706-47) : 20 ans à compter de la majorité",
            f"art. 7 al. 3 CPP ({law})",
            minor_victim=True,
            list_706_47=True,
        ),
        Rule(
            "minor_delit_20_years",
            "delit",
            20,
            True,
            f"Délit sur mineur ({twenty}) : 20 ans à compter de la majorité",
            f"art. 8 al. 2 CPP ({law})",
            parse_ranges(twenty.replace(" et ", ", ")),
            minor_victim=True,
        ),
        Rule(
            "minor_delit_706_47",
            "delit",
            10,
            True,
            "Délit sur mineur (art. 706-47) : 10 ans à compter de la majorité",
            f"art. 8 al. 2 CPP ({law})",
            minor_victim=True,
            list_706_47=True,
        ),
    )


def _current(crime_years: int, crime_source: str, extra_delits: str = "") -> tuple[Rule, ...]:
    """Art. 7 and 8 from 1 March 2017 (loi 2017-242), with the minors' crimes period of the day."""
    ten_year_articles = parse_ranges(extra_delits) if extra_delits else ()
    return (
        IMPRESCRIPTIBLE,
        Rule(
            "minor_delit_20_years",
            "delit",
            20,
            True,
            "Délit sur mineur (222-12, 222-29-1, 227-26) : 20 ans à compter de la majorité",
            "art. 8 al. 3 CPP",
            parse_ranges("222-12, 222-29-1, 227-26"),
            minor_victim=True,
        ),
        Rule(
            "minor_crime_706_47",
            "crime",
            crime_years,
            True,
            f"Crime sur mineur (art. 706-47) : {crime_years} ans à compter de la majorité",
            crime_source,
            minor_victim=True,
            list_706_47=True,
        ),
        *(
            [
                Rule(
                    "minor_delit_10_years",
                    "delit",
                    10,
                    True,
                    "Délit sur mineur (223-15-2, 223-15-3) : 10 ans à compter de la majorité",
                    "art. 8 al. 2 CPP",
                    ten_year_articles,
                    minor_victim=True,
                )
            ]
            if ten_year_articles
            else []
        ),
        Rule(
            "minor_delit_706_47",
            "delit",
            10,
            True,
            "Délit sur mineur (art. 706-47) : 10 ans à compter de la majorité",
            "art. 8 al. 2 CPP",
            minor_victim=True,
            list_706_47=True,
        ),
        Rule(
            "crime_30_years",
            "crime",
            30,
            False,
            "Crime de terrorisme, de trafic de stupéfiants ou assimilé : 30 ans",
            "art. 7 al. 2 CPP",
            THIRTY_YEAR_CRIMES,
            (),
            ("terrorism", "drug_trafficking"),
        ),
        Rule(
            "delit_20_years",
            "delit",
            20,
            False,
            "Délit de terrorisme ou de trafic de stupéfiants : 20 ans",
            "art. 8 CPP (délits des art. 706-16 et 706-26)",
            TERRORISM + DRUG_TRAFFICKING,
            APOLOGY,
            ("terrorism", "drug_trafficking"),
        ),
        Rule("crime", "crime", 20, False, "Crime : 20 ans", "art. 7 al. 1 CPP", hidden_allowed=True),
        Rule("delit", "delit", 6, False, "Délit : 6 ans", "art. 8 al. 1 CPP", hidden_allowed=True),
        CONTRAVENTION,
    )


LAW_VERSIONS: tuple[LawVersion, ...] = (
    LawVersion(
        "before_1995",
        date.min,
        "droit antérieur à 1995",
        "art. 7, 8 et 9 CPP (10 ans, 3 ans, 1 an) ; les lois de 1989 et 1995 (auteur ascendant) ne sont pas modélisées",
        (IMPRESCRIPTIBLE, OLD_CRIME, OLD_DELIT, CONTRAVENTION),
        False,
    ),
    LawVersion(
        "loi_1995_125",
        date(1995, 2, 11),
        "loi n° 95-125 du 8 février 1995",
        "terrorisme et stupéfiants : 30 / 20 ans (date d'entrée en vigueur non vérifiée)",
        (IMPRESCRIPTIBLE, *_ORDINARY_OLD),
        False,
    ),
    # Art. 112-2 4° C. pén. before 10 March 2004 excluded laws « qui auraient pour résultat d'aggraver
    # la situation de l'intéressé » (wording from memory; the 1994 version exists on doctrine.fr):
    # the laws of 1995, 1998 and 2003 apply only to facts committed after them.
    LawVersion(
        "loi_1998_468",
        date(1998, 6, 20),
        "loi n° 98-468 du 17 juin 1998",
        "JO du 18 juin 1998 ; art. 8 lu sur doctrine.fr ; art. 7 : débats parlementaires",
        (IMPRESCRIPTIBLE, *_minors_1998("222-30, 227-26", _L1998, "loi n° 98-468"), *_ORDINARY_OLD),
        False,
    ),
    LawVersion(
        "loi_2003_239",
        date(2003, 3, 21),
        "loi n° 2003-239 du 18 mars 2003",
        "JO du 19 mars 2003 ; art. 8 lu sur git.tricoteuses.fr (version du 19 mars 2003)",
        (IMPRESCRIPTIBLE, *_minors_1998("222-30, 225-4-2, 227-26", _L2003, "loi n° 2003-239"), *_ORDINARY_OLD),
        False,
    ),
    # Loi 2004-204 art. 72 also rewrote art. 112-2 4°: from it on, every prescription law applies at
    # once to offences not yet prescribed, longer or shorter (the 1998 start at majority for every
    # crime and for 222-9, 222-11 to 222-15, 225-7… on minors ends there).
    LawVersion(
        "loi_2004_204",
        date(2004, 3, 12),
        "loi n° 2004-204 du 9 mars 2004",
        "JO du 10 mars 2004 ; art. 7 lu sur "
        "codes-et-lois.fr, art. 8 : réponse ministérielle AN n° 33135 (10 ou 20 ans), art. 112-2 sur doctrine.fr",
        (IMPRESCRIPTIBLE, *_minors_2004("222-30 et 227-26", "loi n° 2004-204"), *_ORDINARY_OLD),
    ),
    LawVersion(
        "loi_2006_399",
        date(2006, 4, 6),
        "loi n° 2006-399 du 4 avril 2006",
        "JO du 5 avril 2006 ; art. 8 lu sur git.tricoteuses.fr (version du 5 avril 2006 au 16 mars 2011)",
        (IMPRESCRIPTIBLE, *_minors_2004("222-12, 222-30 et 227-26", "loi n° 2006-399"), *_ORDINARY_OLD),
    ),
    # The 2011 and 2014 versions of art. 8 were not read (not needed: 222-30 then fell under the
    # 706-47 délits, ten years, the shorter reading).
    # Minors' crimes from 1 March 2017: 20 years (the ordinary period) from the majority, a rule the
    # 2017 art. 7 (read) no longer holds; placed in art. 9-1 al. 1 from memory, alinéa not read.
    LawVersion(
        "loi_2017_242",
        date(2017, 3, 1),
        "loi n° 2017-242 du 27 février 2017",
        "en vigueur le 1er mars 2017 ; art. 7 (LEGIARTI000034099808) sur legal.tricoteuses.fr, art. 8 sur doctrine.fr",
        _current(20, "art. 9-1 al. 1 et 7 al. 1 CPP (loi n° 2017-242)"),
        hidden=True,
    ),
    LawVersion(
        "loi_2018_703",
        date(2018, 8, 6),
        "loi n° 2018-703 du 3 août 2018",
        "JO du 5 août 2018 ; art. 7 (LEGIARTI000037289482, 6 août 2018) sur git.tricoteuses.fr",
        _current(30, "art. 7 al. 3 CPP"),
        hidden=True,
    ),
    LawVersion(
        "loi_2021_478",
        date(2021, 4, 23),
        "loi n° 2021-478 du 21 avril 2021",
        "JO du 22 avril 2021 ; art. 7 et 8 sur doctrine.fr et archeo-lex.fr (version du 23 avril 2021)",
        _current(30, "art. 7 al. 3 CPP"),
        hidden=True,
    ),
    # Version of art. 8 of 12 May 2024 (doctrine.fr chronology): 223-15-2 and 223-15-3 on minors, per
    # avl-avocat.com; the law (n° 2024-420 of 10 May 2024, dérives sectaires) not read.
    LawVersion(
        "loi_2024_420",
        date(2024, 5, 12),
        "loi du 10 mai 2024 (dérives sectaires)",
        "version de l'art. 8 du 12 mai 2024 (doctrine.fr) ; texte non lu",
        _current(30, "art. 7 al. 3 CPP", "223-15-2..223-15-3"),
        hidden=True,
    ),
)
RULES: tuple[Rule, ...] = LAW_VERSIONS[-1].rules


def version_on(day: date) -> LawVersion:
    return next(version for version in reversed(LAW_VERSIONS) if version.valid_from <= day)


def boundaries_after(day: date) -> list[date]:
    """Every later day on which the applicable rule may change: a law, or an entry into 706-47."""
    days = {v.valid_from for v in LAW_VERSIONS} | {entry.since for entry in LIST_706_47}
    return sorted(d for d in days if d > day)

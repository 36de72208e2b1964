# ruff: noqa: S608 - every statement is built from constants of this module, values go as parameters
"""The SQL of the statistics job, entirely inside PostgreSQL: the query that turns procedures into
fact rows, and the grouped queries that turn fact rows into figures (GROUPING SETS,
COUNT(DISTINCT), histograms of days). Table names are written out, as the migrations write them."""

from procedures.models import DecisionKind, Outcome

FACT = "reports_statistics_fact"
CHANGE = "reports_statistics_change"
FIGURE = "reports_statistics_figure"
HISTOGRAM = "reports_statistics_histogram"

# A judgment on the merits: what « from filing to judgment » measures (art. 464 and 231 CPP).
JUDGMENT_KINDS = (DecisionKind.JUDGMENT_CORRECTIONNEL, DecisionKind.VERDICT_ASSISES)

# The triggers that record which procedures changed (statement-level, with transition tables, one
# INSERT … SELECT into CHANGE per statement) are defined by the migrations alone: the latest body
# of each function is in reports/migrations/0004_statistics_facts.py; a change to them is a new
# migration with its own frozen SQL.

# --- Facts: one row per procedure ------------------------------------------------------------------

# The fact rows hold a procedure's categories as the bits of a bigint (OR-ed over its offences:
# no sort per procedure, which array_agg(DISTINCT …) needs; grouped by a number, not an array),
# the bit of a category being its position in this list. Append only: the stored bits name
# categories by position (a test checks that every category is here, and fewer than 64).
CATEGORIES = (
    "sexual_offence_minor",
    "procuring",
    "rape",
    "homicide",
    "violence",
    "discrimination",
    "drugs",
    "laundering",
    "criminal_association",
    "platform",
    "theft",
    "other",
)
CATEGORY_LIST = "ARRAY[" + ", ".join(f"'{name}'" for name in CATEGORIES) + "]::varchar[]"


def category_names_sql(bits: str) -> str:
    """The names of the categories whose bits are set in `bits`, as text[] in CATEGORIES order."""
    names = ", ".join(f"CASE WHEN {bits} & {1 << bit} <> 0 THEN '{name}' END" for bit, name in enumerate(CATEGORIES))
    return f"array_remove(ARRAY[{names}]::text[], NULL)"


def category_bit_sql(name: str) -> str:
    """The bit of the category named by the SQL expression `name` (0 if unknown)."""
    return f"coalesce(1::int8 << (array_position({CATEGORY_LIST}, {name}::varchar) - 1), 0)"


FACT_COLUMNS = (
    "procedure_id, association_id, parquet_id, court_of_appeal_id, platform_id, month, stage, outcome, "
    "category_bits, filings, decision_days, judgment_days, victims, minor_victims, suspects"
)


def offence_bits_sql(offences: list[tuple[int, list[str]]]) -> str | None:
    """The category bits of each offence (id, categories) as an SQL array subscripted by offence
    id, or None when their ids are too far apart for an array (facts_select then reads the
    offences' categories row by row)."""
    if not offences:
        return None
    low, high = min(pk for pk, _names in offences), max(pk for pk, _names in offences)
    if high - low >= OFFENCE_BITS_SPAN:
        return None
    bits = [0] * (high - low + 1)
    for pk, names in offences:
        bits[pk - low] = sum(1 << CATEGORIES.index(name) for name in set(names) if name in CATEGORIES)
    return f"('[{int(low)}:{int(high)}]={{{','.join(map(str, bits))}}}'::int8[])"


# Beyond this span of offence ids, an array of their bits would be too big to send with the query.
OFFENCE_BITS_SPAN = 200_000


# A procedure a lawyer judged to be an earlier one imported again (linking's live `same` decision
# on a duplicate pair, the later id on the right) has no fact row of its own: it counts once.
NOT_GROUPED = (
    "NOT EXISTS (SELECT 1 FROM linking_proceduredecision g WHERE g.right_id = p.id "
    "AND g.judgement = 'same' AND g.withdrawn_at IS NULL)"
)


def facts_select(*, claimed: bool = False, ids: tuple[int, int] | None = None, offence_bits: str | None = None) -> str:
    """The fact rows of every procedure; of the procedures listed in the temporary table
    statistics_claim (claimed=True); or of the procedures with ids from ids[0] to ids[1] (a part
    of a full rebuild, read by a parallel worker). Each link table is aggregated once per
    procedure and read only over the part asked for. No CTE is read twice: PostgreSQL would
    materialise it, and a materialised CTE keeps the statement out of parallel workers.

    `offence_bits` (offence_bits_sql): the offences' category bits looked up by id in an array
    sent with the query; a join to the offences and an unnest of their categories per link
    costs several times more (0.45 s per half million procedures)."""
    claim, where = "", f"WHERE {NOT_GROUPED}"
    if claimed:
        scope = "JOIN statistics_claim k ON k.id = {alias}.procedure_id WHERE TRUE"
        # Joined first, not after the left joins: the planner would keep it for last.
        claim = "JOIN statistics_claim k ON k.id = p.id"
    elif ids:
        scope = f"WHERE {{alias}}.procedure_id BETWEEN {int(ids[0])} AND {int(ids[1])}"
        where = f"WHERE p.id BETWEEN {int(ids[0])} AND {int(ids[1])} AND {NOT_GROUPED}"
    else:
        scope = "WHERE TRUE"
    judgments = ", ".join(f"'{kind}'" for kind in JUDGMENT_KINDS)
    first_filed = (
        f"SELECT f.procedure_id, count(*) AS filings, min(f.filed_on) AS first_filed "
        f"FROM procedures_filing f {scope.format(alias='f')} AND f.filed_on IS NOT NULL GROUP BY f.procedure_id"
    )
    if offence_bits:
        bits, offences = f"{offence_bits}[po.offence_id]", ""
    else:
        bits = category_bit_sql("category")
        offences = "JOIN cases_offence o ON o.id = po.offence_id CROSS JOIN LATERAL unnest(o.categories) AS category"
    return f"""
WITH cat AS (
    SELECT po.procedure_id, bit_or({bits}) AS bits
    FROM procedures_procedure_offences po {offences}
    {scope.format(alias="po")}
    GROUP BY po.procedure_id
), vic AS (
    SELECT pv.procedure_id, array_agg(pv.victim_id) AS victims,
           coalesce(array_agg(pv.victim_id) FILTER (WHERE v.minor_at_facts), '{{}}') AS minor_victims
    FROM procedures_procedure_victims pv
    JOIN cases_victim v ON v.id = pv.victim_id
    {scope.format(alias="pv")}
    GROUP BY pv.procedure_id
), sus AS (
    SELECT ps.procedure_id, array_agg(ps.suspect_id) AS suspects
    FROM procedures_procedure_suspects ps {scope.format(alias="ps")}
    GROUP BY ps.procedure_id
), fil AS ({first_filed}
), dec AS (
    SELECT d.procedure_id, min(d.decided_on) AS first_decision,
           min(d.decided_on) FILTER (WHERE d.kind IN ({judgments}) AND d.decided_on >= fl.first_filed)
             - min(fl.first_filed) AS judgment_days
    FROM procedures_decision d LEFT JOIN ({first_filed}) AS fl ON fl.procedure_id = d.procedure_id
    {scope.format(alias="d")}
    GROUP BY d.procedure_id
)
SELECT p.id, p.association_id, p.parquet_id, q.court_of_appeal_id, c.platform_id,
       p.opened_on - (date_part('day', p.opened_on)::int - 1), p.stage, p.outcome,
       coalesce(cat.bits, 0), coalesce(fil.filings, 0),
       CASE WHEN dec.first_decision >= p.opened_on THEN dec.first_decision - p.opened_on END,
       dec.judgment_days,
       coalesce(vic.victims, '{{}}'), coalesce(vic.minor_victims, '{{}}'), coalesce(sus.suspects, '{{}}')
FROM procedures_procedure p {claim}
JOIN cases_case c ON c.id = p.case_id
JOIN cases_parquet q ON q.id = p.parquet_id
LEFT JOIN cat ON cat.procedure_id = p.id
LEFT JOIN vic ON vic.procedure_id = p.id
LEFT JOIN sus ON sus.procedure_id = p.id
LEFT JOIN fil ON fil.procedure_id = p.id
LEFT JOIN dec ON dec.procedure_id = p.id
{where}"""


# --- Figures: grouped measures over fact rows ------------------------------------------------------

# (dimension, column of the fact rows, key as text).
GROUPED = (
    ("parquet", "parquet_id", "parquet_id::text"),
    ("court_of_appeal", "court_of_appeal_id", "court_of_appeal_id::text"),
    ("platform", "platform_id", "coalesce(platform_id::text, '')"),
    ("month", "month", "coalesce(to_char(month, 'YYYY-MM'), '')"),
    ("outcome", "outcome", "outcome"),
    ("stage", "stage", "stage"),
)
KEYS = {name: key for name, _column, key in GROUPED}
# The grouping sets of the first pass over the rows, and the figures the groups of each stand for.
# A parquet's group also makes its court of appeal's and the total (a procedure is in one parquet,
# a parquet in one court); a procedure's combination of categories makes each of its categories
# (a procedure counts once in each). Rolling these up from groups already made costs a fraction of
# grouping every row again (sums at a million procedures: 1.28 s → 0.84 s, victims 1.72 → 1.11 s).
FIRST_PASS = (
    (("parquet_id", "court_of_appeal_id"), ("parquet", "court_of_appeal", "total")),
    (("platform_id",), ("platform",)),
    (("month",), ("month",)),
    (("outcome",), ("outcome",)),
    (("stage",), ("stage",)),
)
# What a grouped query reads of a fact row (narrow rows hash faster than rows dragging arrays).
DIMENSION_COLUMNS = ", ".join(
    ["f.association_id", *(f"f.{column}" for _name, column, _key in GROUPED), "f.category_bits"]
)

# A measure: (aggregate over the rows, how the figures of the first pass combine into a coarser
# one: a template of an aggregate over the first pass's column).
SUM = "sum({})::bigint"


def grouped_sql(
    relation: str,
    measures: list[tuple[str, str]],
    *,
    where: str = "TRUE",
    category_where: str = "TRUE",
    association: bool = True,
    extra: str = "",
) -> str:
    """(association, dimension, key[, extra], m0, m1, …) for every figure of a relation with the
    fact rows' columns: one GROUPING SETS pass over the rows (FIRST_PASS), then its groups rolled
    up into every figure they stand for. `extra` is grouped in every set (the days of a histogram,
    the block of a bitmap). `category_where` filters the categories (column `category`). Without
    association: every association together (the published aggregate)."""
    always = [column for column in ("association_id" if association else "", extra) if column]
    head = "association_id" if association else "NULL::bigint AS association_id"
    tail = f", {extra}" if extra else ""
    sets = [*(columns for columns, _figures in FIRST_PASS), ("category_bits",)]
    grouping_sets = ", ".join(f"({', '.join([*always, *columns])})" for columns in sets)
    dimensions, keys = [], []
    for columns, figures in FIRST_PASS:
        dimensions.append(f"WHEN GROUPING({columns[0]}) = 0 THEN '{{{','.join(figures)}}}'::text[]")
        figure_keys = ", ".join(KEYS.get(name, "''") for name in figures)
        keys.append(f"WHEN GROUPING({columns[0]}) = 0 THEN ARRAY[{figure_keys}]")
    first = ", ".join(f"{aggregate} AS m{index}" for index, (aggregate, _rollup) in enumerate(measures))
    second = ", ".join(
        f"{rollup.format(f'm{index}')} AS m{index}" for index, (_aggregate, rollup) in enumerate(measures)
    )
    return f"""
SELECT association_id, dimension, key{tail}, {second} FROM (
    SELECT *, unnest(dimensions) AS dimension, unnest(keys) AS key, unnest(keys) AS category FROM (
        SELECT {head}{tail},
               CASE {" ".join(dimensions)} ELSE array_fill('category'::text, ARRAY[bit_count(category_bits::bit(64))::int]) END AS dimensions,
               CASE {" ".join(keys)} ELSE {category_names_sql("category_bits")} END AS keys,
               {first}
        FROM {relation} WHERE {where} GROUP BY GROUPING SETS ({grouping_sets})
    ) AS first_pass
) AS figure WHERE dimension <> 'category' OR ({category_where})
GROUP BY association_id, dimension, key{tail}"""


def sums_measures(sign: str = "1") -> list[tuple[str, str]]:
    """procedures, filings, convictions; `sign` is a column of ±1 when the relation holds old
    rows to subtract and new rows to add."""
    return [
        (f"sum({sign})", SUM),
        (f"sum({sign} * filings)", SUM),
        (f"coalesce(sum({sign}) FILTER (WHERE outcome = '{Outcome.CONVICTION}'), 0)", SUM),
    ]


# A figure's people as bitmaps of their ids, in blocks of WORDS words of 64 bits: a block is one
# group of the first pass, so a figure of few people among many (suspects by parquet) makes few
# groups (at a million procedures, 8 words: suspects 3.13 s → 1.84 s).
WORDS = 8
BLOCK_SHIFT = 6 + (WORDS.bit_length() - 1)


def items_relation(source: str, kind: str, where: str = "TRUE", item_where: str = "TRUE") -> str:
    """The fact rows once per victim (kind 'victims', with its minor flag) or suspect, with the
    block, word and bit that stand for the person in a bitmap of ids (see bitmap_count_sql).
    `where` filters fact rows, `item_where` people (`item`, their id). unnest in the select list
    (one ProjectSet node), not in a lateral join: three times cheaper per fact row."""
    minor = "item = ANY(minor_victims)" if kind == "victims" else "false"
    return (
        f"(SELECT {DIMENSION_COLUMNS.replace('f.', '')}, item >> {BLOCK_SHIFT} AS block, "
        f"(item >> 6) & {WORDS - 1} AS word, 1::int8 << (item & 63)::int AS bit, "
        f"{minor} AS minor FROM (SELECT {DIMENSION_COLUMNS}, f.minor_victims, unnest(f.{kind}) AS item "
        f"FROM {source} f WHERE {where} AND cardinality(f.{kind}) > 0) AS u WHERE {item_where}) AS i"
    )


def bitmap_count_sql(
    relation: str,
    bitmaps: dict[str, str],
    *,
    where: str = "TRUE",
    category_where: str = "TRUE",
    association: bool = True,
) -> str:
    """(association, dimension, key, one count per bitmap) over a relation of people (items_relation):
    COUNT(DISTINCT person) computed as the number of bits set in the bitmaps of their ids.

    Each figure ORs the people's bits into 64-bit words (bit_or: a plain aggregate, so PostgreSQL
    hashes every grouping set in one pass, and figures roll up by OR-ing words), then counts the
    bits set. Exact, and without the sort per grouping set that COUNT(DISTINCT) needs (victims
    and suspects at a million procedures: 13.2 s → 8.1 s, then → 3 s with the roll-up and blocks)."""
    measures = [
        (f"bit_or(bit) FILTER (WHERE {condition} AND word = {word})", "bit_or({})")
        for condition in bitmaps.values()
        for word in range(WORDS)
    ]
    counts = ", ".join(
        "coalesce(sum("
        + " + ".join(f"coalesce(bit_count(m{index * WORDS + word}::bit(64)), 0)" for word in range(WORDS))
        + "), 0)::bigint"
        for index in range(len(bitmaps))
    )
    figures = grouped_sql(
        relation, measures, where=where, category_where=category_where, association=association, extra="block"
    )
    return (
        f"SELECT association_id, dimension, key, {counts} FROM ({figures}) AS g GROUP BY association_id, dimension, key"
    )


# Bitmaps counted per kind of person: the victims also count their minors.
PEOPLE_BITMAPS = {"victims": {"victims": "true", "minor": "minor"}, "suspects": {"suspects": "true"}}


def people_sql(source: str, kind: str, where: str = "TRUE", *, item_where: str = "TRUE", **grouping) -> str:
    """(association, dimension, key, victims, minor_victims, suspects) of one kind of person (the
    other kind's counts are 0), one row per figure. `grouping`: association, category_where."""
    counts = bitmap_count_sql(items_relation(source, kind, where, item_where), PEOPLE_BITMAPS[kind], **grouping)
    if kind == "victims":
        return f"SELECT association_id, dimension, key, v0, v1, 0::bigint FROM ({counts}) AS v (association_id, dimension, key, v0, v1)"
    return f"SELECT association_id, dimension, key, 0::bigint, 0::bigint, s0 FROM ({counts}) AS s (association_id, dimension, key, s0)"


DAY_KINDS = ("decision", "judgment")


def histogram_sql(source: str, where: str = "TRUE", *, association: bool = True, sign: str = "1") -> str:
    """(association, dimension, key, days, count, kind) per figure and number of days."""
    return "\nUNION ALL\n".join(
        f"SELECT *, '{kind}' FROM ("
        + grouped_sql(
            source,
            [(f"sum({sign})", SUM)],
            where=f"{where} AND {kind}_days IS NOT NULL",
            association=association,
            extra=f"{kind}_days",
        )
        + ") AS h"
        for kind in DAY_KINDS
    )


def percentiles_sql(histograms: str) -> str:
    """(association, dimension, key, kind, median, p90) of each figure and kind of a histogram
    relation, exactly as percentile_cont computes them (orderedsetaggs.c: the values at ranks
    floor and ceil of p × (n − 1), linearly interpolated), from the counts alone: one pass over
    the days of each figure in order."""
    ranks = []
    for name, fraction in (("median", 0.5), ("p90", 0.9)):
        position = f"{fraction}::float8 * (total - 1)"
        ranks.append(
            f"min(days) FILTER (WHERE upto > floor({position}))::float8 AS {name}_first, "
            f"min(days) FILTER (WHERE upto > ceil({position}))::float8 AS {name}_second, "
            f"min({position} - floor({position})) AS {name}_proportion"
        )
    partition = "PARTITION BY association_id, dimension, key, kind"
    return f"""
SELECT association_id, dimension, key, kind,
       median_first + (median_second - median_first) * median_proportion AS median,
       p90_first + (p90_second - p90_first) * p90_proportion AS p90
FROM (
    SELECT association_id, dimension, key, kind, {", ".join(ranks)}
    FROM (
        SELECT association_id, dimension, key, kind, days,
               sum(count) OVER ({partition} ORDER BY days) AS upto, sum(count) OVER ({partition}) AS total
        FROM {histograms} WHERE count > 0
    ) AS h GROUP BY association_id, dimension, key, kind
) AS v"""


# --- Parts: the figures and histograms as independent parts run side by side -----------------------

# Every part is a query of its own over the fact rows; PostgreSQL runs them side by side in its
# parallel workers (session.side_by_side: a Parallel Append of whole subplans, each part in one
# process), and their results only add up.
PEOPLE_PARTS = {"victims": 1, "suspects": 2}
# The fact columns that hold people, left out of the rebuild's ANALYZE (their statistics cost more
# than all the others and no query filters on them).
PEOPLE_COLUMNS = ("victims", "minor_victims", "suspects")
PART_COLUMNS = (
    "association_id, dimension, key, kind, days, procedures, filings, convictions, victims, minor_victims, "
    "suspects, count"
)


def parts_sql(source: str, where: str = "TRUE", *, category_where: str = "TRUE", association: bool = True) -> str:
    """(PART_COLUMNS) of every figure (kind NULL) and every histogram day (kind 'decision' or
    'judgment') over the fact rows of `source` (`where`, `category_where`: as grouped_sql), as a
    UNION ALL of independent parts whose rows only add up: distinct people split by their block
    in the bitmaps (a person is counted in one part only)."""
    zero = "0::bigint"
    grouping = {"category_where": category_where, "association": association}
    sums = grouped_sql(source, sums_measures(), where=where, **grouping)
    parts = [
        f"SELECT association_id, dimension, key, NULL::varchar, NULL::int, procedures, filings, convictions, "
        f"{zero}, {zero}, {zero}, {zero} FROM ({sums}) AS s (association_id, dimension, key, procedures, filings, convictions)"
    ]
    for kind, count in PEOPLE_PARTS.items():
        for part in range(count):
            people = people_sql(
                source, kind, where, item_where=f"mod(item >> {BLOCK_SHIFT}, {count}) = {part}", **grouping
            )
            parts.append(
                f"SELECT association_id, dimension, key, NULL::varchar, NULL::int, {zero}, {zero}, {zero}, "
                f"victims, minor_victims, suspects, {zero} FROM ({people}) "
                "AS p (association_id, dimension, key, victims, minor_victims, suspects)"
            )
    for kind in DAY_KINDS:
        days = grouped_sql(
            source, [("count(*)", SUM)], where=f"{where} AND {kind}_days IS NOT NULL", extra=f"{kind}_days", **grouping
        )
        parts.append(
            f"SELECT association_id, dimension, key, '{kind}'::varchar, days, {zero}, {zero}, {zero}, {zero}, "
            f"{zero}, {zero}, count FROM ({days}) AS h (association_id, dimension, key, days, count)"
        )
    return "\nUNION ALL\n".join(parts)


# The measures of a figure that add up over parts (its medians come from the histograms).
FIGURE_MEASURES = ("procedures", "filings", "convictions", "victims", "minor_victims", "suspects")


def part_figures_sql(parts: str) -> str:
    """(association, dimension, key, FIGURE_MEASURES…) of each figure of a table of parts
    (parts_sql): its parts added up."""
    return (
        f"SELECT association_id, dimension, key, {', '.join(f'sum({m})::bigint AS {m}' for m in FIGURE_MEASURES)} "
        f"FROM {parts} WHERE kind IS NULL GROUP BY association_id, dimension, key"
    )

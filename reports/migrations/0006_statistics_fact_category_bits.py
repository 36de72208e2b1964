# The fact rows hold a procedure's categories as the bits of a bigint (reports.statistics.sql.CATEGORIES)
# instead of an array of names: the rows already there are converted, so no rebuild is needed.

from django.db import migrations, models

# sql.CATEGORIES as of this migration (the list is append only).
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
NAMES = "ARRAY[" + ", ".join(f"'{name}'" for name in CATEGORIES) + "]::varchar[]"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_statistics_fact_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="statisticsfact",
            name="category_bits",
            field=models.BigIntegerField(
                default=0, help_text="Catégories des infractions : bit n° i pour la i-ème de sql.CATEGORIES."
            ),
        ),
        migrations.RunSQL(
            "UPDATE reports_statistics_fact SET category_bits = (SELECT coalesce(bit_or(1::int8 << "  # noqa: S608
            f"(array_position({NAMES}, c) - 1)), 0) FROM unnest(categories) AS c)",
            reverse_sql="UPDATE reports_statistics_fact SET categories = ARRAY(SELECT name FROM "  # noqa: S608
            f"unnest({NAMES}) WITH ORDINALITY AS c (name, n) WHERE category_bits & (1::int8 << (n - 1)::int) <> 0)",
        ),
        migrations.RemoveField(
            model_name="statisticsfact",
            name="categories",
        ),
    ]

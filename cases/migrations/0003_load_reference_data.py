"""Loads the reference data (courts of appeal, parquets, offence catalogue, Coco.gg) into a fresh database.

The loaders receive this migration's historical app registry instead of importing the models: they look models up with
apps.get_model() and only write the fields that exist at this point of the history, so a field added to Parquet or
Offence later cannot break this migration. They read cases/data/*.csv as shipped with the code, are idempotent, and
`python manage.py load_reference_data` runs them again after a data update. Reversing is a no-op: reference rows may
already be referenced by cases.
"""

from django.db import migrations


def load_reference_data(apps, schema_editor):
    from cases.reference_data import load_all

    load_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_courtofappeal_offenceevent_parquet_parquetevent_and_more"),
    ]

    operations = [
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]

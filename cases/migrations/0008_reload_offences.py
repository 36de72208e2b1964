"""Reloads the offence catalogue (cases/data/offences.csv) so that existing databases get the corrected rows.

The table now fills the two fields of 0007 (continuing, source) and corrects penalties (225-7-1, 225-12-2, 227-22,
222-12…); it adds the offences of the loi n° 2021-478 and of the Coco.gg procedures. Like 0003, the loader gets this
migration's historical app registry and only writes the fields that exist at this point of the history. A row whose
label changed is renamed in place (column former_labels), so the cases and procedures it qualifies keep it; the rows of
RETIRED_OFFENCES (227-21-1, which defines nothing punishable) are deleted unless a case or a procedure still refers to
them, in which case the load leaves them and says so. Reversing is a no-op: reference rows may be referenced.
"""

from django.db import migrations


def reload_offences(apps, schema_editor):
    from cases.reference_data import load_offences

    result = load_offences(apps=apps)
    for notice in result.notices:  # a retired row still in use: the person migrating must hear of it
        print(f"\n  {result.name} : {notice}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_offence_continuing_source"),
    ]

    operations = [
        migrations.RunPython(reload_offences, migrations.RunPython.noop),
    ]

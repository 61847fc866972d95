"""The consultations' rate-limit counter becomes the shared one in core.

Recent hits are copied (same keyed hash, so the limits carry over); the old table goes.
"""

from django.db import migrations


def copy_hits(apps, schema_editor):
    old = apps.get_model("participation", "SubmissionHit")
    new = apps.get_model("core", "RateLimitHit")
    rows = old.objects.values_list("scope", "key_hash", "occurred_at").iterator()
    new.objects.bulk_create(
        (new(scope=s, key_hash=k, occurred_at=t) for s, k, t in rows), batch_size=1000
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("participation", "SubmissionHit")
    new = apps.get_model("core", "RateLimitHit")
    rows = new.objects.exclude(scope="registration")
    old.objects.bulk_create(
        old(scope=r.scope, key_hash=r.key_hash, occurred_at=r.occurred_at) for r in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_rate_limit_hit"),
        ("participation", "0002_consultation_rate_limit_and_report_index"),
    ]

    operations = [
        migrations.RunPython(copy_hits, copy_back),
        migrations.DeleteModel(name="SubmissionHit"),
    ]

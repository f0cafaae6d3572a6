"""Events stored before the live stream's contract used shorter type names:
rename them to the names the stream and replay send (engine/events.py)."""

from django.db import migrations

RENAMED = {"status": "sweep.status", "progress": "sweep.progress", "steer": "steering"}


def rename(apps, mapping: dict[str, str]) -> None:
    SweepEvent = apps.get_model("experiments", "SweepEvent")
    for old, new in mapping.items():
        SweepEvent.objects.filter(type=old).update(type=new)


def forwards(apps, schema_editor) -> None:
    rename(apps, RENAMED)


def backwards(apps, schema_editor) -> None:
    # sweep.created took the first queued status event's place; it goes back
    # to being one (its snapshot payload says "status": "queued").
    rename(apps, {new: old for old, new in RENAMED.items()})
    SweepEvent = apps.get_model("experiments", "SweepEvent")
    SweepEvent.objects.filter(type="sweep.created").update(type="status")


class Migration(migrations.Migration):
    dependencies = [
        ("experiments", "0008_run_trace"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]

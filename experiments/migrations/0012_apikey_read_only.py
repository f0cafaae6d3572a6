from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("experiments", "0011_promotions")]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="read_only",
            field=models.BooleanField(
                default=False,
                help_text="When set, the key reads only: the API, the WebSocket "
                "and the MCP server refuse its writes, starts and steering.",
            ),
        ),
        migrations.AddField(
            model_name="sweep",
            name="caps",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]

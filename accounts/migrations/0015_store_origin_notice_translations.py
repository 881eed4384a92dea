from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_guest_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="origin_notice_translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="origin notice translations"),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_add_login_lock_and_password_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="passwordrecord",
            name="is_one_time",
            field=models.BooleanField(default=False, verbose_name="一次性密码"),
        ),
    ]

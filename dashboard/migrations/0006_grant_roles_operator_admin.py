# "manager" is AdultWork's group manager and "owner" the user who owns an account or an agency,
# so the grant roles that shared those words become operator and admin; existing grants keep
# their rights under the new names. Audit entries keep the words they were written with.

from django.db import migrations, models

RENAMES = {"manager": "operator", "owner": "admin"}


def rename_roles(apps, renames):
    Grant = apps.get_model("dashboard", "Grant")
    for old, new in renames.items():
        Grant.objects.filter(role=old).update(role=new)


def forwards(apps, schema_editor):
    rename_roles(apps, RENAMES)


def backwards(apps, schema_editor):
    rename_roles(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0005_account_reconnect_needed_help_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="grant",
            name="role",
            field=models.CharField(
                choices=[
                    ("viewer", "Viewer (sees)"),
                    ("operator", "Operator (acts)"),
                    ("admin", "Admin (manages grants)"),
                ],
                default="viewer",
                max_length=10,
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

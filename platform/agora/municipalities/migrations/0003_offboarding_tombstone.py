# The offboarding tombstone (docs/adr/0020-tenant-lifecycle.md): the row stays for the audit trail;
# slug and CBS code are unique among current municipalities only.

import django.core.validators
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('geography', '0001_initial'),
        ('municipalities', '0002_cbs_code_exactly_four_digits'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='municipality',
            options={'base_manager_name': 'all_objects', 'ordering': ['name'], 'verbose_name': 'municipality', 'verbose_name_plural': 'municipalities'},
        ),
        migrations.AlterModelManagers(
            name='municipality',
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name='municipality',
            name='offboarded_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='offboarded at'),
        ),
        migrations.AlterField(
            model_name='municipality',
            name='cbs_code',
            field=models.CharField(max_length=6, validators=[django.core.validators.RegexValidator('^GM(?!0000)[0-9]{4}\\Z', 'A CBS municipality code is GM and four digits (not 0000), e.g. GM0344.')], verbose_name='CBS code'),
        ),
        migrations.AlterField(
            model_name='municipality',
            name='slug',
            field=models.SlugField(verbose_name='slug'),
        ),
        migrations.AddConstraint(
            model_name='municipality',
            constraint=models.UniqueConstraint(condition=models.Q(('offboarded_at', None)), fields=('cbs_code',), name='municipality_cbs_code_current'),
        ),
        migrations.AddConstraint(
            model_name='municipality',
            constraint=models.UniqueConstraint(condition=models.Q(('offboarded_at', None)), fields=('slug',), name='municipality_slug_current'),
        ),
    ]

from django.db import migrations, models

BATCH_SIZE = 2000


def choice_lines(text: str | None) -> list[str]:
    """The choices of a question, one per non-empty line (as ScreeningQuestion.choice_list)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def set_choices(apps, schema_editor):
    """Record which choice each stored answer was, from its text in English or in French.

    Answers were stored as the text in the applicant's language; the position of that text in
    the question's English lines, or else its French lines, is the choice in both languages. An
    answer that matches no line keeps its text and no choice.
    """
    ScreeningAnswer = apps.get_model("applications", "ScreeningAnswer")
    answers = (
        ScreeningAnswer.objects.filter(question__kind="choice", choice__isnull=True)
        .exclude(answer="")
        .select_related("question")
        .order_by("pk")
    )
    matched = []
    for answer in answers.iterator(chunk_size=BATCH_SIZE):
        text = answer.answer.strip()
        for choices in (answer.question.choices_en, answer.question.choices_fr):
            lines = choice_lines(choices)
            if text in lines:
                answer.choice = lines.index(text) + 1
                matched.append(answer)
                break
        if len(matched) >= BATCH_SIZE:
            ScreeningAnswer.objects.bulk_update(matched, ["choice"])
            matched = []
    ScreeningAnswer.objects.bulk_update(matched, ["choice"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_queue_sort_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeninganswer",
            name="choice",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "For choice questions: the position of the answer in the question's choices "
                    "(1 for the first), the same in English and French."
                ),
                null=True,
                verbose_name="choice",
            ),
        ),
        migrations.RunPython(set_choices, migrations.RunPython.noop),
    ]

"""What the catalogue and place models share: fixtures name their rows by a key, not by id."""

from django.db import models


class NaturalKeyManager(models.Manager):
    """Find a row by its model's natural key field (a slug, a province's code)."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.natural_key_field: key})


class NaturalKeyModel(models.Model):
    """A model whose fixtures refer to its rows by one unique field, its slug by default."""

    natural_key_field = "slug"

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (getattr(self, self.natural_key_field),)

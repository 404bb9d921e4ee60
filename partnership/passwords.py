"""Context-specific words that a password may not contain (OWASP ASVS 5.0, 6.1.2 and 6.2.11):
the service's own words (``PASSWORD_CONTEXT_WORDS``), every partnership's name, short name and
first word (the place: "Mercia"), and every partner organisation's name. Letters only, in any
case, anywhere in the password: "Partnership2026!" and "merciavale-board" are refused. Django's
own validators beside it refuse the person's name and e-mail address, short passwords and the
20,000 most common ones; nothing asks for capitals, digits or symbols."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

MIN_WORD = 5  # shorter words ("vale", "fire") are too common to refuse inside a password


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def context_words() -> set[str]:
    from partnership.models import Organisation, Partnership

    words = {_letters(w) for w in settings.PASSWORD_CONTEXT_WORDS}
    for name, slug in Partnership.objects.values_list("name", "slug"):
        words |= {_letters(name), _letters(slug), _letters(name.split()[0]) if name else ""}
    words |= {_letters(name) for name in Organisation.objects.values_list("name", flat=True)}
    return {w for w in words if len(w) >= MIN_WORD}


class ContextWordsValidator:
    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        found = sorted(w for w in context_words() if w in letters)
        if found:
            raise ValidationError(
                "Your password must not contain the name of this service, a partnership or a "
                f"partner organisation (it contains '{found[0]}'). Choose another.",
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return (
            "Your password must not contain the name of this service, a partnership or a "
            "partner organisation."
        )

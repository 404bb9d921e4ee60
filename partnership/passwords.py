"""Context-specific words that a password may not contain (OWASP ASVS 5.0, 6.1.2 and 6.2.11):
the service's own words (``PASSWORD_CONTEXT_WORDS``) and, for a person with a place in a
partnership, its name, short name and first word (the place: "Mercia") and every one of its
organisations' names. Letters only, in any
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


def context_words(user=None) -> set[str]:
    """The words refused for ``user``: the service's own, and those of the partnerships they
    have a place in (as a member or an officer) and of those partnerships' organisations. Only
    their own: a password form must not tell anyone which other partnerships exist."""
    from django.db.models import Q

    from partnership.models import Organisation, Partnership

    words = {_letters(w) for w in settings.PASSWORD_CONTEXT_WORDS}
    if user is not None and user.pk is not None:
        theirs = Partnership.objects.filter(
            Q(bodies__memberships__person=user) | Q(appointments__person=user)
        ).distinct()
        for name, slug in theirs.values_list("name", "slug"):
            words |= {_letters(name), _letters(slug), _letters(name.split()[0]) if name else ""}
        organisations = Organisation.objects.filter(partnership__in=theirs)
        words |= {_letters(name) for name in organisations.values_list("name", flat=True)}
    return {w for w in words if len(w) >= MIN_WORD}


class ContextWordsValidator:
    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        if any(word in letters for word in context_words(user)):
            raise ValidationError(
                "Your password must not contain the name of this service, your partnership or "
                "one of its partner organisations. Choose another.",
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return (
            "Your password must not contain the name of this service, your partnership or one "
            "of its partner organisations."
        )

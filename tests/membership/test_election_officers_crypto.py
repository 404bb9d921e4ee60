"""Counting codes and wrapped key shares (membership/crypto/officers.py).

No database: the module is pure.
"""

from __future__ import annotations

import re

import pytest

from membership.crypto import group, officers
from membership.crypto.group import ORDER, POINT_SIZE, SCALAR_SIZE, Point, base_mul
from membership.crypto.officers import (
    CODE_ALPHABET,
    CODE_LENGTH,
    WRAPPED_SIZE,
    code_key,
    code_secret,
    new_code,
    normalise_code,
    unwrap_share,
    wrap_share,
)

ELECTION = "41"
CODE_SHAPE = re.compile(r"^([A-Z0-9]{4}-){5}[A-Z0-9]{6}$")


# --- the code ------------------------------------------------------------------------------------


def test_the_alphabet_has_32_symbols_and_none_easily_misread():
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 32
    assert not set("01OI") & set(CODE_ALPHABET)
    assert CODE_ALPHABET.upper() == CODE_ALPHABET and CODE_ALPHABET.isalnum()
    assert CODE_LENGTH * 5 >= 128  # at least 128 bits


def test_a_new_code_is_five_groups_of_four_and_one_of_six_from_the_alphabet():
    for _ in range(50):
        code = new_code()
        assert CODE_SHAPE.match(code), code
        assert len(code) == CODE_LENGTH + 5
        raw = code.replace("-", "")
        assert len(raw) == CODE_LENGTH
        assert set(raw) <= set(CODE_ALPHABET), code
        assert normalise_code(code) == raw


def test_new_codes_differ():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200


def test_new_codes_use_the_whole_alphabet():
    seen = set("".join(new_code().replace("-", "") for _ in range(200)))
    assert seen == set(CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ23",
        "abcd-efgh-jklm-npqr-stuv-wxyz23",
        "abcd efgh jklm npqr stuv wxyz23",
        "  AbCd-EfGh JkLm--NpQr\tstuv-WXYZ23 \n",
        "ABCDEFGHJKLMNPQRSTUVWXYZ23",
    ],
)
def test_a_code_is_normalised_however_it_is_typed(typed):
    assert normalise_code(typed) == "ABCDEFGHJKLMNPQRSTUVWXYZ23"


def test_a_code_typed_differently_gives_the_same_key():
    code = new_code()
    typed = code.lower().replace("-", " ")
    assert code_key(typed, election=ELECTION, index=2) == code_key(code, election=ELECTION, index=2)


# --- the code key --------------------------------------------------------------------------------


def test_the_code_key_is_deterministic():
    code = new_code()
    first = code_key(code, election=ELECTION, index=1)
    assert isinstance(first, Point) and not first.is_identity
    assert code_key(code, election=ELECTION, index=1) == first
    assert first == base_mul(code_secret(code, election=ELECTION, index=1))
    assert len(first.encode()) == POINT_SIZE


def test_the_code_key_is_bound_to_the_election_the_index_and_the_code():
    code = new_code()
    key = code_key(code, election=ELECTION, index=1)
    assert code_key(code, election="42", index=1) != key
    assert code_key(code, election="4", index=11) != code_key(code, election="41", index=1)
    assert code_key(code, election=ELECTION, index=2) != key
    assert code_key(new_code(), election=ELECTION, index=1) != key


def test_the_code_key_does_not_contain_the_code():
    code = new_code()
    stored = code_key(code, election=ELECTION, index=1).encode()
    for form in (code, normalise_code(code)):
        assert form.encode() not in stored
        assert form.encode().hex() not in stored.hex()


def test_the_code_secret_is_a_scalar():
    secret = code_secret(new_code(), election=ELECTION, index=3)
    assert 0 < secret < ORDER


# --- wrapping a share ----------------------------------------------------------------------------


def _wrapped(code, *, share=None, election=ELECTION, index=1):
    share = group.random_scalar() if share is None else share
    key = code_key(code, election=election, index=index)
    return share, wrap_share(share, key=key, election=election, index=index)


def test_a_wrapped_share_unwraps_with_its_code():
    code = new_code()
    for index in (1, 2, 9):
        share, wrapped = _wrapped(code, index=index)
        assert unwrap_share(wrapped, code=code, election=ELECTION, index=index) == share


def test_it_unwraps_with_the_code_however_typed_and_from_a_memoryview():
    code = new_code()
    share, wrapped = _wrapped(code)
    typed = code.lower().replace("-", " ")
    assert unwrap_share(memoryview(wrapped), code=typed, election=ELECTION, index=1) == share


@pytest.mark.parametrize("share", [0, 1, ORDER - 1])
def test_edge_shares_round_trip(share):
    code = new_code()
    _, wrapped = _wrapped(code, share=share)
    assert unwrap_share(wrapped, code=code, election=ELECTION, index=1) == share


def test_a_wrapped_share_is_a_point_and_a_scalar():
    assert WRAPPED_SIZE == POINT_SIZE + SCALAR_SIZE == 65
    _, wrapped = _wrapped(new_code())
    assert len(wrapped) == WRAPPED_SIZE
    Point.decode(wrapped[:POINT_SIZE])  # a point of the curve
    group.decode_scalar(wrapped[POINT_SIZE:])


def test_wrapping_is_randomised_and_hides_the_share():
    code = new_code()
    share = group.random_scalar()
    _, once = _wrapped(code, share=share)
    _, twice = _wrapped(code, share=share)
    assert once != twice
    for wrapped in (once, twice):
        assert group.encode_scalar(share) not in wrapped
        assert unwrap_share(wrapped, code=code, election=ELECTION, index=1) == share


@pytest.mark.parametrize("size", [0, 64, 66, 97])
def test_a_wrapped_share_of_the_wrong_size_is_refused(size):
    with pytest.raises(ValueError, match="65 bytes"):
        unwrap_share(bytes(size), code=new_code(), election=ELECTION, index=1)


def test_a_wrapped_share_with_no_point_is_refused():
    _, wrapped = _wrapped(new_code())
    with pytest.raises(ValueError):
        unwrap_share(b"\x05" + wrapped[1:], code=new_code(), election=ELECTION, index=1)


def _fails_the_check(value: int, share: int) -> bool:
    """What the count checks: ``s G`` against the officer's verification key ``Y = s G``."""
    return base_mul(value) != base_mul(share)


def test_a_wrong_code_gives_a_share_that_fails_the_verification_key():
    code = new_code()
    share, wrapped = _wrapped(code)
    wrong = unwrap_share(wrapped, code=new_code(), election=ELECTION, index=1)
    assert wrong != share and _fails_the_check(wrong, share)


def test_a_code_one_symbol_off_fails_too():
    code = new_code()
    share, wrapped = _wrapped(code)
    last = code[-1]
    typo = code[:-1] + CODE_ALPHABET[(CODE_ALPHABET.index(last) + 1) % len(CODE_ALPHABET)]
    assert _fails_the_check(unwrap_share(wrapped, code=typo, election=ELECTION, index=1), share)


def test_the_right_code_for_another_election_or_index_fails():
    code = new_code()
    share, wrapped = _wrapped(code, index=2)
    for election, index in (("42", 2), (ELECTION, 1), (ELECTION, 3)):
        value = unwrap_share(wrapped, code=code, election=election, index=index)
        assert _fails_the_check(value, share), (election, index)


@pytest.mark.parametrize("at", [POINT_SIZE - 1, POINT_SIZE, WRAPPED_SIZE - 1])
def test_a_tampered_wrapping_gives_a_share_that_fails(at):
    code = new_code()
    share, wrapped = _wrapped(code)
    tampered = bytearray(wrapped)
    tampered[at] ^= 0x01
    try:
        value = unwrap_share(bytes(tampered), code=code, election=ELECTION, index=1)
    except ValueError:
        return  # the ephemeral point no longer decodes: refused outright
    assert _fails_the_check(value, share)


def test_a_share_wrapped_to_one_officer_does_not_open_with_anothers_code():
    mine, theirs = new_code(), new_code()
    share, wrapped = _wrapped(mine, index=1)
    assert _fails_the_check(unwrap_share(wrapped, code=theirs, election=ELECTION, index=1), share)


def test_the_module_draws_randomness_only_from_the_group(monkeypatch):
    drawn = []

    def recording():
        value = 12345 + len(drawn)
        drawn.append(value)
        return value

    monkeypatch.setattr(group, "random_scalar", recording)
    code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ23"
    key = code_key(code, election=ELECTION, index=1)
    first = wrap_share(7, key=key, election=ELECTION, index=1)
    drawn.clear()
    assert wrap_share(7, key=key, election=ELECTION, index=1) == first  # same r, same bytes
    assert drawn == [12345]
    assert first[:POINT_SIZE] == base_mul(12345).encode()
    assert officers.unwrap_share(first, code=code, election=ELECTION, index=1) == 7

"""The public bulletin board of a counted election: the page, board.json, the verifier
(``membership.crypto.verify``) and ``manage.py verify_election``; every kind of tampering
is caught."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from membership import services as ms
from membership.crypto.verify import BOARD_FORMAT, check_board, verify_board
from membership.models import Ballot, Election
from membership.services.election_board import board_build
from tests.membership.elections_helpers import add_voters, chair_election, close, set_phase, stand

pytestmark = pytest.mark.django_db


def _url(world, name, election, *, body=None):
    return reverse(
        f"membership:{name}",
        kwargs={
            "partnership": world.partnership.slug,
            "body": body or world.board.slug,
            "pk": election.pk,
        },
    )


@pytest.fixture
def voting(world):
    """A chair election with two candidates standing and five voters, voting open."""
    voters = add_voters(world, 5)
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[3])
    return set_phase(election, "voting"), voters, a, b


@pytest.fixture
def counted(voting):
    """The election counted: three votes for a, one for b, one abstention."""
    election, voters, a, b = voting
    receipts = [ms.ballot_cast(voter=v, election=election, choices=[a.pk]) for v in voters[:3]]
    receipts.append(ms.ballot_cast(voter=voters[3], election=election, choices=[b.pk]))
    receipts.append(ms.ballot_cast(voter=voters[4], election=election, choices=[], abstain=True))
    election = close(election)
    assert election.status == "closed"
    return election, receipts, a, b


@pytest.fixture
def board(counted):
    election = Election.objects.select_related("body__partnership", "seat").get(pk=counted[0].pk)
    return board_build(election=election)


# --- the page and board.json -----------------------------------------------------------------


def test_the_board_is_public_once_the_election_is_counted(client, world, counted):
    election, receipts, a, b = counted
    page = client.get(_url(world, "election_board", election))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bulletin board: election of Chair" in html
    assert "verify_election --file board.json" in html
    assert "5 ballots, in order of fingerprint" in html
    for receipt in receipts:
        assert " ".join(receipt[i : i + 8] for i in range(0, 64, 8)) in html
    assert _url(world, "election_board_json", election) in html
    client.force_login(world.outsider)
    assert client.get(_url(world, "election_board", election)).status_code == 200


def test_board_json_has_every_field_and_names_no_voter(client, world, counted):
    election, receipts, a, b = counted
    response = client.get(_url(world, "election_board_json", election))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    board = json.loads(response.content)
    assert board["format"] == BOARD_FORMAT
    assert board["election"] == str(election.pk)
    assert (board["body"], board["post"], board["places"]) == (world.board.name, "Chair", 1)
    assert board["layout"] == [str(a.pk), str(b.pk), "abstain"]
    assert board["threshold"] == 2 and [o["index"] for o in board["officers"]] == [1, 2, 3]
    assert len(board["partials"]) == 2
    assert [x["fingerprint"] for x in board["ballots"]] == sorted(receipts)
    assert board["board_digest"] == election.board_digest
    assert board["tally"] == bytes(election.tally).hex()
    assert board["public_key"] == bytes(election.public_key).hex()
    assert board["results"] == {str(a.pk): 3, str(b.pk): 1, "abstain": 1}
    assert board["candidates"] == {str(a.pk): a.person.full_name, str(b.pk): b.person.full_name}
    assert board["turnout"] == 5
    text = response.content.decode()
    assert "@" not in text  # no e-mail address, and no voter's name
    # The voters who are no candidate ("Chair", the persona, is a word of the board).
    known = {a.person_id, b.person_id, world.chair.pk}
    electors = election.electors.exclude(person__in=known).select_related("person")
    assert len(electors) == 4
    assert all(e.person.full_name not in text for e in electors)


@pytest.mark.parametrize("phase", ["voting", "sealed", "void", "unencrypted"])
def test_an_election_not_counted_with_encryption_has_no_board(client, world, voting, phase):
    election, voters, a, b = voting
    if phase != "voting":
        ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
        set_phase(election, "counting")
        election = ms.election_close(actor=None, election=election)
        assert election.status == "sealed"
    if phase == "void":
        ms.election_void(actor=None, election=election)
    if phase == "unencrypted":  # closed before ballots were encrypted: no tally
        Election.objects.filter(pk=election.pk).update(status="closed", tally=None)
    for name in ("election_board", "election_board_json"):
        assert client.get(_url(world, name, election)).status_code == 404


def test_the_board_of_another_bodys_election_is_not_found(client, world, counted):
    election = counted[0]
    url = _url(world, "election_board", election, body=world.group.slug)
    assert client.get(url).status_code == 404


def test_a_voter_finds_their_receipt_by_its_first_characters(client, world, counted):
    election, receipts, a, b = counted
    mine = receipts[3]
    url = _url(world, "election_board", election)
    # As written down: capitals and a space are fine.
    html = client.get(url, {"receipt": f"{mine[:4].upper()} {mine[4:10]}"}).content.decode()
    assert f"with a fingerprint starting {mine[:10]}" in html
    assert mine[:8] in html
    others = [r for r in receipts if not r.startswith(mine[:10])]
    assert all(r[:8] not in html for r in others)
    html = client.get(url, {"receipt": mine}).content.decode()
    assert "1 ballot with a fingerprint starting" in html


def test_a_receipt_not_on_the_board_is_not_found(client, world, counted):
    election, receipts, a, b = counted
    missing = next(p for p in ("0000000", "fffffff") if not any(r.startswith(p) for r in receipts))
    html = client.get(_url(world, "election_board", election), {"receipt": missing}).content
    assert f"No ballot has a fingerprint starting {missing}" in html.decode()


def test_a_search_that_is_not_a_receipt_is_refused_next_to_the_field(client, world, counted):
    election = counted[0]
    html = client.get(_url(world, "election_board", election), {"receipt": "xyz"}).content.decode()
    assert "There is a problem" in html and "govuk-error-message" in html
    assert "only the digits 0 to 9 and the letters a to f" in html
    assert "<title>Error:" in html
    assert "5 ballots, in order of fingerprint" in html  # the list, unfiltered


def _more_ballots(election, n):
    """Rows that look like ballots on the page (nothing on the page checks them)."""
    Ballot.objects.bulk_create(
        Ballot(election=election, ciphertexts=b"x", proofs=b"y", fingerprint=f"{i:064x}")
        for i in range(n)
    )


@pytest.mark.parametrize("extra", [0, 120])
def test_the_board_page_takes_the_same_queries_however_many_ballots(
    client, world, counted, extra, django_assert_num_queries
):
    election = counted[0]
    _more_ballots(election, extra)
    url = _url(world, "election_board", election)
    # The body, the election, the page of ballots with their count, the candidates, the
    # officers.
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(5):
        client.get(url, {"receipt": counted[1][0][:3]})
    if extra:
        with django_assert_num_queries(5):
            html = client.get(url, {"page": "2"}).content.decode()
        assert "showing 51 to 100" in html and 'aria-label="Pages of ballots"' in html


@pytest.mark.parametrize("extra", [0, 30])
def test_board_json_takes_the_same_queries_however_many_ballots(
    client, world, counted, extra, django_assert_num_queries
):
    election = counted[0]
    _more_ballots(election, extra)
    # The body, the election, the candidates, the officers, the ballots.
    with django_assert_num_queries(5):
        board = client.get(_url(world, "election_board_json", election)).json()
    assert len(board["ballots"]) == 5 + extra


# --- checking the board ----------------------------------------------------------------------


def test_a_true_board_checks(board):
    check = check_board(board)
    assert check.problems == []
    assert check.ballots == 5
    assert list(check.totals.values()) == [3, 1, 1]


def test_the_verifier_imports_nothing_from_django():
    code = (
        "import sys, membership.crypto.verify; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _hex_swap(value: str, size: int, i: int, j: int) -> str:
    """Swap the i-th and j-th ``size``-byte items of a hex string."""
    items = [value[k : k + 2 * size] for k in range(0, len(value), 2 * size)]
    items[i], items[j] = items[j], items[i]
    return "".join(items)


def _ciphertext_altered(board):
    # Another ballot's ciphertexts: valid points, but not what this ballot's proofs prove.
    board["ballots"][0]["ciphertexts"] = board["ballots"][1]["ciphertexts"]
    return "Ballot 1"


def _ballot_removed(board):
    board["ballots"].pop()
    return "digest"


def _ballot_added(board):
    extra = dict(board["ballots"][0])
    extra["fingerprint"] = "f" * 64
    board["ballots"].append(extra)
    return "fingerprint does not match"


def _tally_altered(board):
    board["tally"] = _hex_swap(board["tally"], 66, 0, 1)
    return "tally is not the sum"


def _partial_altered(board):
    board["partials"][0]["partials"] = _hex_swap(board["partials"][0]["partials"], 97, 0, 1)
    return "partial decryption of candidate"


def _results_altered(board):
    first = board["layout"][0]
    board["results"][first] += 1
    return "the published result is 4, the count gives 3"


def _public_key_altered(board):
    board["public_key"] = board["officers"][0]["verification_key"]
    return "verification keys do not fit the public key"


@pytest.mark.parametrize(
    "tamper",
    [
        _ciphertext_altered,
        _ballot_removed,
        _ballot_added,
        _tally_altered,
        _partial_altered,
        _results_altered,
        _public_key_altered,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_tampered_board_fails_the_check(board, tamper):
    tampered = copy.deepcopy(board)
    expected = tamper(tampered)
    problems = verify_board(tampered)
    assert problems and any(expected in p for p in problems), problems
    assert verify_board(board) == []  # the original is untouched


@pytest.mark.parametrize(
    "broken",
    [
        lambda b: b.pop("ballots"),
        lambda b: b.update(format="something-else/9"),
        lambda b: b.update(public_key="zz"),
        lambda b: b["ballots"][0].update(proofs="not hex"),
        lambda b: b["partials"][0].update(partials="00"),
    ],
)
def test_a_malformed_board_is_reported_not_crashed_on(board, broken):
    broken(board)
    assert verify_board(board)


def test_a_board_that_is_not_an_object_is_reported():
    assert verify_board([]) == ["The board is malformed: it is not a JSON object."]  # type: ignore[arg-type]


# --- manage.py verify_election ---------------------------------------------------------------


def test_the_command_checks_an_election_from_the_database(counted, capsys):
    election, receipts, a, b = counted
    call_command("verify_election", str(election.pk))
    out = capsys.readouterr().out
    assert "the board checks" in out and "5 ballot(s) checked" in out
    assert f"{a.person.full_name} ({a.pk}): 3" in out and "Abstentions: 1" in out


def test_the_command_checks_a_downloaded_board(board, tmp_path, capsys):
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    call_command("verify_election", "--file", str(path))
    assert "the board checks" in capsys.readouterr().out


def test_the_command_lists_the_problems_of_a_tampered_board(board, tmp_path):
    _results_altered(board)
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    with pytest.raises(CommandError) as failed:
        call_command("verify_election", "--file", str(path))
    assert "does not check: 1 problem(s)" in str(failed.value)
    assert "the published result is 4, the count gives 3" in str(failed.value)


def test_the_command_refuses_what_it_cannot_check(world, voting, tmp_path):
    election = voting[0]
    with pytest.raises(CommandError, match="has no bulletin board"):
        call_command("verify_election", str(election.pk))
    with pytest.raises(CommandError, match="There is no election"):
        call_command("verify_election", "999999")
    with pytest.raises(CommandError, match="not both"):
        call_command("verify_election")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_election", "--file", str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("verify_election", "--file", str(tmp_path / "bad.json"))


# --- the benchmark ----------------------------------------------------------------------------


def test_the_election_benchmark_runs_on_tiny_data(db):
    """benchmarks/bench_elections.py's code path, so it cannot rot (not a timed test)."""
    from benchmarks import bench_elections

    built = bench_elections.build(voters=6, candidates=2)
    rows, totals = bench_elections.measure(*built, seed=1)
    assert [step for step, _ in rows][-1] == "manage.py verify_election <pk>"
    assert totals.startswith("Voter 00000 ") and "abstentions" in totals

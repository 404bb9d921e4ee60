import pytest
from tests.governance.helpers import build_meetings
def test_smoke(world, client):
    g = build_meetings(world)
    for who in [None, world.member, world.coordinator, world.chair]:
        client.logout()
        if who: client.force_login(who)
        for m in (g.upcoming, g.past):
            r = client.get(m.get_absolute_url())
            assert r.status_code == 200
            body = r.content.decode()
            if who is None:
                assert "SECRET" not in body, body

"""A flood of junk views against the real ingest and feeds: nothing of it lingers in Redis,
and every real view sent among it is counted."""

import pytest

from tests.support.flood import flood_platform, run_flood


@pytest.mark.slow
def test_a_flood_of_junk_views_leaves_nothing_behind_and_loses_no_real_view(tmp_path):
    with flood_platform(tmp_path) as (platform, client):
        result = run_flood(platform, client, junk=200_000)

    assert result.dropped == 200_000
    assert result.stored == result.real  # and run_flood waited for each to be counted
    assert result.after.within(result.before, 0.05), (result.before, result.after)

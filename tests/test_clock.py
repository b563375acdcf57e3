"""The hotline's clock: the day and the time are the hotline's (``timezone``), not the machine's."""

import datetime as dt
import os
import time
import zoneinfo

import pytest

from kb_app import config, load_settings, open_kb
from kb_app.exceptions import ConfigError


@pytest.fixture
def machine_in_utc(monkeypatch):
    """A machine whose own zone is UTC; the process's zone is put back afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_day_and_the_time_are_the_hotlines_whatever_the_machines_zone(sample_root, tmp_path, machine_in_utc):
    east = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "data", timezone="Pacific/Kiritimati"))
    west = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "data", timezone="Pacific/Pago_Pago"))
    # 25 hours apart: never the same day, each kept by its own knowledge base.
    assert east.today() > west.today()
    before = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    today, now = east.today(), east.now()
    after = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    assert today in (before.date(), after.date())
    assert before.replace(tzinfo=None, microsecond=0) <= now <= after.replace(tzinfo=None)
    # A moment with a zone (from the API) is read as the hotline's local time.
    assert east.local(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc)) == dt.datetime(2026, 11, 20, 22, 0)
    assert east.local(dt.datetime(2026, 11, 20, 8, 0)) == dt.datetime(2026, 11, 20, 8, 0)
    # The process runs on the hotline's clock too: the dates git writes, the times shown.
    assert os.environ["TZ"] == "Pacific/Pago_Pago" and time.localtime().tm_gmtoff == -11 * 3600


def test_a_dispatch_at_a_moment_with_a_zone_is_due_by_the_hotlines_clock(kb, machine_in_utc):
    text = "小区旁边工地半夜还在打桩，吵得睡不着"
    local = kb.dispatch(text, now=dt.datetime(2026, 11, 20, 16, 0), answers=False)
    zoned = kb.dispatch(text, now=dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc), answers=False)
    assert kb.settings.timezone == "Asia/Shanghai"
    assert zoned.now == local.now == dt.datetime(2026, 11, 20, 16, 0)
    assert zoned.candidates[0].due == local.candidates[0].due


def test_without_system_zone_files_the_zone_is_set_as_its_offset(monkeypatch, machine_in_utc):
    monkeypatch.setattr(config, "_zone_dirs", lambda: [])
    config.use_timezone("Asia/Shanghai")
    assert os.environ["TZ"] == "<+0800>-8:00" and time.localtime().tm_gmtoff == 8 * 3600
    config.use_timezone("Asia/Shanghai")     # already in use: nothing changes
    assert os.environ["TZ"] == "<+0800>-8:00"


def test_an_unknown_time_zone_is_refused_saying_how_to_write_one(sample_root):
    with pytest.raises(ConfigError, match="Asia/Shanghai"):
        load_settings(root=sample_root, timezone="Beijing")

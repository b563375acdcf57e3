import threading
import time

from kb_app.web.timing import pause


def test_pause_returns_when_the_event_is_set_or_the_time_is_up():
    event = threading.Event()
    assert pause(event, 0.05) is False
    threading.Thread(target=lambda: (time.sleep(0.05), event.set())).start()
    assert pause(event, 30) is True
    assert pause(event, 0) is True


def test_a_worker_hands_free_memory_back_now_and_then(web_kb, make_client, monkeypatch):
    from kb_app.web import app

    trims = []
    monkeypatch.setattr(app, "METRICS_DUMP_SECONDS", 0.01)
    monkeypatch.setattr(app, "release_free_memory", lambda: trims.append(1) or True)
    make_client(web_kb)
    deadline = time.monotonic() + 30
    while len(trims) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(trims) >= 2
    assert app._libc() is None or app._libc().malloc_trim(0) in (0, 1)   # glibc's, where there is one

import threading
import time

from kb_app.web.timing import pause


def test_pause_returns_when_the_event_is_set_or_the_time_is_up():
    event = threading.Event()
    assert pause(event, 0.05) is False
    threading.Thread(target=lambda: (time.sleep(0.05), event.set())).start()
    assert pause(event, 30) is True
    assert pause(event, 0) is True

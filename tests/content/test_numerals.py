import pytest

from kb_app.content.numerals import article_label, from_int, to_int


@pytest.mark.parametrize("text, n", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十八", 38),
                                     ("四十二", 42), ("一百零五", 105), ("一百一十", 110), ("19", 19)])
def test_to_int(text, n):
    assert to_int(text) == n


def test_round_trip():
    assert all(to_int(from_int(n)) == n for n in range(1, 500))
    assert article_label(38) == "第三十八条"

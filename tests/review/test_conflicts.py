"""A change request whose entry was published by someone else meanwhile: merged as git merges, never a
silent revert of what was published, and shown to reviewers against main's current version."""

import pytest

from kb_app.exceptions import KbError, ReviewStateError

from ..review_helpers import HRSS, make_users

A_LINE = "（A补充）补卡申领期限为丢失之日起60日内。"


@pytest.fixture
def users(kb):
    return make_users(kb)


@pytest.fixture(autouse=True)
def no_reindex(kb, monkeypatch):
    monkeypatch.setattr(kb, "reindex", lambda *a, **k: None)


def publish(kb, users, cr):
    kb.review.approve(users["hrss-reviewer"], cr.id)
    return kb.review.approve(users["center"], cr.id)


@pytest.fixture
def crossed(kb, users):
    """B's request written before A's line was published; once A's is, nobody may approve B's before B updates it."""
    original = kb.store.read(HRSS)
    kb.users.add("hrss-editor2", "吴编辑", "secret-pass-1", "unit_editor", "city-hrss", "e2@example.invalid")
    users["hrss-editor2"] = kb.users.get("hrss-editor2")
    b_text = original.replace("请尽快办理正式挂失和补卡。", "请尽快办理正式挂失并补卡。")
    b = kb.review.create(users["hrss-editor2"], "B 的修改", {HRSS: b_text}, submit=True)
    kb.review.approve(users["hrss-reviewer"], b.id)
    a = kb.review.create(users["hrss-editor"], "A 的补充", {HRSS: original + "\n" + A_LINE + "\n"}, submit=True)
    a = publish(kb, users, a)
    assert a.state == "published" and A_LINE in kb.store.read(HRSS)
    with pytest.raises(ReviewStateError) as e:
        kb.review.approve(users["center"], b.id)
    assert "有冲突，现在不能批准" in str(e.value)
    b = kb.review.get(b.id)
    assert b.state == "in_review" and kb.review.status(b).conflicts == [HRSS]
    return a, b, original, b_text


def test_an_update_from_the_requests_own_text_is_merged_with_what_was_published(kb, users, crossed):
    a, b, original, b_text = crossed
    edited = b_text.replace("免收工本费", "免收任何工本费")
    b = kb.review.update(users["hrss-editor2"], b.id, {HRSS: edited})
    text = kb.store.read(HRSS, b.head)
    assert A_LINE in text and "正式挂失并补卡" in text and "免收任何工本费" in text
    assert b.state == "in_review" and b.base == kb.store.head()
    b = publish(kb, users, b)
    assert b.state == "published" and A_LINE in kb.store.read(HRSS)


def test_an_overlapping_update_is_refused_and_names_who_published(kb, users, crossed):
    a, b, original, b_text = crossed
    overlapping = b_text + "\nB 在末尾补充的一句。\n"
    with pytest.raises(ReviewStateError) as e:
        kb.review.update(users["hrss-editor2"], b.id, {HRSS: overlapping})
    assert f"已由变更请求 #{a.id}（李编辑，" in str(e.value) and "无法自动合并" in str(e.value)
    b2 = kb.review.get(b.id)
    assert (b2.state, b2.head) == ("conflicting", b.head)      # nothing saved, still conflicting
    assert A_LINE in kb.store.read(HRSS)


def test_a_text_written_on_mains_version_is_taken_as_written(kb, users, crossed):
    a, b, original, b_text = crossed
    on_main = kb.store.read(HRSS).replace(A_LINE, A_LINE + "\nB 在末尾补充的一句。")
    b = kb.review.update(users["hrss-editor2"], b.id, {HRSS: on_main}, based_on=kb.store.head())
    assert kb.store.read(HRSS, b.head) == on_main and b.state == "in_review"
    # Written on main's version without saying so: kept too, as it has what main gained.
    c = kb.review.create(users["hrss-editor2"], "再改", {HRSS: on_main.replace("B 在末尾", "B 在文末")})
    assert kb.store.read(HRSS, c.head).count(A_LINE) == 1


def test_main_text_saved_unchanged_is_refused_as_no_change_against_main(kb, users, crossed):
    a, b, original, b_text = crossed
    with pytest.raises(KbError) as e:
        kb.review.update(users["hrss-editor2"], b.id, {HRSS: kb.store.read(HRSS)}, based_on=kb.store.head())
    assert "与主干上的现行版本完全相同" in str(e.value)


def test_reviewers_see_the_change_against_main_and_the_published_lines_it_would_remove(kb, users, crossed):
    a, b, original, b_text = crossed
    [f] = kb.review.files(kb.review.get(b.id))
    assert f.old == kb.store.read(HRSS) and f.base == original and f.new == b_text
    assert [p["cr"] for p in f.published] == [a.id] and f.published[0]["author"] == "李编辑"
    assert f.reverted == [A_LINE]


def test_merge_texts_is_gits_line_merge(kb):
    base = "一\n二\n三\n四\n五\n"
    assert kb.store.merge_texts(base, base.replace("一", "壹"), base.replace("五", "伍")) == "壹\n二\n三\n四\n伍\n"
    assert kb.store.merge_texts(base, base.replace("三", "叁"), base.replace("三", "參")) is None
    assert kb.store.merge_texts(base, None, base.replace("三", "參")) is None


def test_an_item_renumbered_on_main_is_not_a_line_the_request_drops():
    from kb_app.review.queries import dropped_lines

    base = "1. 挂失\n2. 补办\n3. 代办：家属可代办。\n"
    main = "1. 挂失\n2. 补办\n3. 进度查询\n4. 代办：家属可代办。\n"
    mine = "1. 挂失\n2. 补办：线上办理\n3. 代办：家属可代办。\n"
    assert dropped_lines(base, main, mine) == ["3. 进度查询"]

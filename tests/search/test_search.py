import json
import shutil

import pytest
from click.testing import CliRunner

from kb_app import load_settings, open_kb
from kb_app.cli import cli
from kb_app.exceptions import KbError
from kb_app.search.index import SCHEMA_VERSION

from ..conftest import TODAY, commit_all, git

INTERNAL = "heating-peak-season-internal"
NOTES = ["0000-69619001", "和平里", "不要承诺能领取"]


def ids(results):
    return [h.id for h in results.hits]


def at_day(kb, day):
    """The same knowledge base and index, seen on another day."""
    return open_kb(load_settings(root=kb.settings.root, data_dir=kb.settings.data_dir, today=day))


def stored_docs(kb, audience):
    searcher = kb.index.searcher(audience)
    return sorted((f["id"], f["source"], f["title"], f["text"], f["category"], f["regions"], f["effective"], f["expires"])
                  for f in searcher.all_stored_fields())


# -- basics ---------------------------------------------------------------------------------------


def test_first_search_builds_the_index_and_finds_the_answer_first(kb):
    results = kb.search("失业金怎么领")
    assert ids(results)[0] == "unemployment-insurance-claim"
    assert kb.index.indexed_commit == kb.store.head()
    hit = results.hits[0]
    assert (hit.kind, hit.unit, hit.unit_name, hit.status, hit.audience) == (
        "policy", "city-hrss", "示例市人力资源和社会保障局", "in_force", "public")
    assert hit.path == "entries/policy/city-hrss/unemployment-insurance-claim.md"
    assert "<mark>" in hit.snippet


def test_a_question_does_not_list_the_whole_knowledge_base(kb):
    """Matches on one common pair of characters (怎么, 办理) are not results."""
    public = sum(1 for e in kb.snapshot().entry_list if e.is_public_on(kb.today()))
    results = kb.search("社保卡丢了怎么办", limit=50)
    assert ids(results)[0] == "sscard-reissue"
    assert results.total == len(results.hits) <= public // 4


def test_one_character_is_read_as_the_start_of_a_word_unless_it_only_says_who_or_how(kb):
    """电 finds what is about electricity; 我 and 的, in nearly every document, find nothing."""
    assert {"power-outage-repair", "power-bill-payment"} <= set(ids(kb.search("电", limit=3)))
    for word in ("我", "的", "吗"):
        assert kb.search(word).hits == [], word
        assert kb.search(word).vague, word
    # Counted only (no page asked for), a question that names something is not vague.
    assert not kb.search("电", limit=0).vague


def test_a_greeting_or_asking_leave_finds_nothing_and_does_not_change_the_answer(kb):
    """我想问一下 alone lists no articles (我想、问一 are in many texts); before a matter it changes nothing."""
    for question in ("我想问一下", "你好，我想了解一下", "麻烦问下", "您好，我有个问题"):
        results = kb.search(question)
        assert results.hits == [] and results.vague, question
    plain = ids(kb.search("社保卡丢了怎么补办", limit=5))
    assert plain[0] == "sscard-reissue"
    assert ids(kb.search("您好，我想咨询一下社保卡丢了怎么补办", limit=5)) == plain


def test_a_filler_word_is_no_subject(kb):
    """一些nonsense finds nothing, as nonsense alone does: 一些 (an article says 一些 too) is no subject; before a
    matter a filler changes nothing."""
    for question in ("一些nonsense", "有些nonsense", "这些nonsense", "一点nonsense", "什么的nonsense", "之类nonsense"):
        assert kb.search(question, audience="public").total == 0, question
        assert kb.search(question, audience="agent").total == 0, question
    assert kb.search("nonsense").total == 0
    assert ids(kb.search("社保卡丢了有些什么手续", limit=1)) == ["sscard-reissue"]


def test_an_expired_answer_yields_to_the_one_in_force_for_agents(kb):
    """Last year's 养老金调整 (已失效) scores nearly as this year's: the agent sees this year's first,
    last year's just after it; a question naming last year by its year still finds it first."""
    agent = {"audience": "agent", "kind": "policy", "limit": 3}
    assert ids(kb.search("养老金调整", **agent))[:2] == ["pension-adjustment-2026", "pension-adjustment-2025"]
    assert ids(kb.search("2025年养老金调整", **agent))[0] == "pension-adjustment-2025"
    # The public never sees the expired one.
    assert ids(kb.search("养老金调整", kind="policy", limit=3))[0] == "pension-adjustment-2026"
    assert "pension-adjustment-2025" not in ids(kb.search("养老金调整", kind="policy"))


def test_enumeration_is_found_by_the_run_together_form(kb):
    assert "hotline-utilities-24x7" in ids(kb.search("水电气热", limit=3))
    assert "baoding-2022/19" in ids(kb.search("水电气热", kind="article", limit=3))


@pytest.mark.parametrize("number", ["京政办发〔2024〕12号", "京政办发[2024]12号", "京政办发(2024)12号", "京政办发（2024）12号"])
def test_document_number_variants_find_the_same_entry(kb, number):
    assert ids(kb.search(number, limit=1)) == ["residence-permit-apply"]


def test_regulation_articles_are_documents(kb):
    hit = kb.search("承办单位 退单申请 说明退回理由", kind="article", limit=1).hits[0]
    assert (hit.id, hit.kind, hit.title, hit.audience) == ("baoding-2022/20", "article", "保定市接诉即办工作条例 第二十条", "public")
    assert hit.unit_name == "保定市人民代表大会常务委员会"


@pytest.mark.parametrize("query", ["", "   ", "AND OR (", '"unbalanced', "*?~^:", "🙂🙂", "x" * 5000, "的了吗", "\x00\x01",
                                   "title:失业", "水"])
def test_any_string_is_a_query(kb, query):
    for audience in ("public", "agent"):
        results = kb.search(query, audience=audience)
        assert len(results.hits) <= 10


@pytest.mark.parametrize("query", ["1", "12", "<script>alert(1)</script>", "alert(1) 2"])
def test_a_short_number_alone_finds_nothing(kb, query):
    """One or two digits are in most documents: on their own they would list half the knowledge base."""
    for audience in ("public", "agent"):
        assert kb.search(query, audience=audience).total == 0


def test_a_number_with_words_still_counts(kb):
    assert kb.search("12345", audience="public").total > 0
    assert ids(kb.search("2025年城乡居民医保缴费", audience="agent", limit=3))


@pytest.mark.parametrize("number", ["13812345678", "138 1234 5678", "11010119900307123X"])
def test_a_phone_or_id_number_does_not_match_the_12345_inside_it(kb, number):
    """12345 inside a phone number is no mention of the hotline: its synonyms (市民服务热线, 热线) listed
    81 answers and articles for 13812345678."""
    for audience in ("public", "agent"):
        assert kb.search(number, audience=audience).total == 0, (number, audience)
    assert "hotline-what-can-report" in ids(kb.search("打12345", audience="public", limit=3))
    assert ids(kb.search("京政办发〔2024〕12号", limit=1)) == ["residence-permit-apply"]


def test_bad_audience_and_public_as_of_are_reported(kb):
    with pytest.raises(KbError, match="未知的查询身份“everyone”：应为 public（公众）或 agent（坐席）。"):
        kb.search("x", audience="everyone")
    with pytest.raises(KbError, match=r"按日期查询（as_of）仅对坐席开放：请以 agent 身份查询。"):
        kb.search("x", as_of="2026-01-01")


def test_filters(kb):
    assert {h.kind for h in kb.search("热线", kind="article", limit=20).hits} == {"article"}
    assert {h.unit for h in kb.search("供暖", unit="heat-group", limit=20).hits} == {"heat-group"}
    assert all("社保" in h.category for h in kb.search("社保", category="社保", limit=20).hits)
    assert kb.search("社保", category="社保").hits
    for h in kb.search("停车", region="东湖区", limit=20).hits:
        assert "东湖区" in h.regions or "全市" in h.regions
    assert "donghu-community-parking" in ids(kb.search("小区停车", region="东湖区", limit=20))
    assert "donghu-community-parking" not in ids(kb.search("小区停车", region="西山区", limit=20))


def test_repeated_query_is_served_from_cache_until_main_moves(kb):
    first = kb.search("居住证")
    assert kb.search("居住证") is first
    kb.store.write_change("main", {"entries/policy/city-hrss/new-entry.md": NEW_ENTRY}, "新增")
    assert kb.search("居住证") is not first


# -- audiences ------------------------------------------------------------------------------------


def test_internal_entries_and_agent_notes_never_reach_the_public_index(kb):
    kb.reindex()
    public = stored_docs(kb, "public")
    assert INTERNAL not in [d[0] for d in public]
    blob = json.dumps(public, ensure_ascii=False)
    for note in NOTES:
        assert note not in blob
    assert INTERNAL in ids(kb.search("供暖初期话务高峰坐席处置口径", audience="agent"))
    assert INTERNAL not in ids(kb.search("供暖初期话务高峰坐席处置口径", audience="public", limit=100))
    # The agent finds it by its notes; the excerpt is of the answer, the notes being shown apart, marked internal.
    agent = kb.search("和平里 二次管网改造", audience="agent", limit=1).hits[0]
    assert agent.id == INTERNAL and "片区" not in agent.snippet and "片区" in kb.entry(INTERNAL).agent_notes


def test_public_sees_entries_only_while_in_force(kb):
    query = "2027年最低工资是多少"
    assert "minimum-wage-2027" not in ids(kb.search(query, limit=50))
    agent = [h for h in kb.search(query, audience="agent").hits if h.id == "minimum-wage-2027"]
    assert agent and agent[0].status == "pending" and agent[0].status_label == "未生效"
    # The day it takes effect, without re-indexing; still there on its last day (expires: 2028-12-31), gone
    # the day after.
    assert "minimum-wage-2027" in ids(at_day(kb, "2027-01-01").search(query))
    assert "minimum-wage-2027" in ids(at_day(kb, "2028-12-31").search(query))
    assert "minimum-wage-2027" not in ids(at_day(kb, "2029-01-01").search(query, limit=50))
    expired = [h for h in kb.search("2025年城乡居民医保缴费", audience="agent", limit=20).hits
               if h.id == "medical-resident-contribution-2025"]
    assert expired and expired[0].status == "expired"


# -- incremental updates --------------------------------------------------------------------------

NEW_ENTRY = """---
id: new-entry
kind: policy
title: 紫藤萝补贴怎么申请
questions: [紫藤萝补贴在哪里办]
unit: city-hrss
audience: public
category: [社保]
regions: [全市]
keywords: [紫藤萝补贴]
---
紫藤萝补贴在区人社服务大厅申请。
"""


def edit_sample(root):
    """Add, change, rename and delete entries, and change a regulation article."""
    (root / "entries/policy/city-hrss/new-entry.md").write_text(NEW_ENTRY, encoding="utf-8")
    path = root / "entries/policy/city-public-security/residence-permit-apply.md"
    path.write_text(path.read_text(encoding="utf-8").replace("居住证如何申领", "居住证如何申领和续签"), encoding="utf-8")
    git(root, "mv", "entries/policy/city-hrss/sscard-reissue.md", "entries/policy/city-hrss/sscard-reissue-2.md")
    renamed = root / "entries/policy/city-hrss/sscard-reissue-2.md"
    renamed.write_text(renamed.read_text(encoding="utf-8").replace("id: sscard-reissue", "id: sscard-reissue-2"), encoding="utf-8")
    git(root, "rm", "-q", "entries/policy/city-education/kindergarten-enrollment.md")
    reg = root / "regulations/texts/baoding-2022.md"
    reg.write_text(reg.read_text(encoding="utf-8").replace("本市积极参与建立京津冀热线联动机制", "本市积极参与建立京津冀蒙热线联动机制"),
                   encoding="utf-8")
    return commit_all(root, "批量修改")


QUERIES = ["紫藤萝补贴", "居住证续签", "社保卡丢了怎么补办", "幼儿园报名", "京津冀蒙热线联动", "失业金", "供暖"]


def strong(results):
    """Hits scoring at least half of the best one."""
    return {h.id for h in results.hits if h.score >= results.hits[0].score / 2} if results.hits else set()


def test_incremental_update_equals_a_full_rebuild(kb, sample_root, tmp_path):
    kb.reindex()
    head = edit_sample(sample_root)
    stats = kb.reindex()
    assert (stats["mode"], stats["added"], stats["updated"], stats["deleted"], stats["commit"]) == ("incremental", 2, 2, 2, head)
    fresh = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "fresh", today=TODAY))
    assert fresh.reindex(rebuild=True)["mode"] == "rebuild"
    for audience in ("public", "agent"):
        assert stored_docs(kb, audience) == stored_docs(fresh, audience)
        for q in QUERIES:
            # The strong matches agree; the order of weak ones (single shared character pairs) may not,
            # since an incremental index still counts deleted documents in its term statistics.
            assert strong(kb.search(q, audience=audience)) == strong(fresh.search(q, audience=audience)), q
            assert ids(kb.search(q, audience=audience))[:1] == ids(fresh.search(q, audience=audience))[:1], q
    assert ids(kb.search("紫藤萝补贴"))[:1] == ["new-entry"]
    assert "sscard-reissue" not in ids(kb.search("社保卡丢了怎么补办", limit=50))
    assert ids(kb.search("社保卡丢了怎么补办"))[:1] == ["sscard-reissue-2"]
    assert "kindergarten-enrollment" not in ids(kb.search("幼儿园报名", limit=50))
    assert ids(kb.search("京津冀蒙", kind="article"))[:1] == ["baoding-2022/9"]


def indexed_sources(kb):
    """Each audience's documents as (source, id, unreadable?): what a rebuild and an update must agree on."""
    return {aud: sorted((f["source"], f["id"], bool(f.get("invalid"))) for f in kb.index.searcher(aud).all_stored_fields())
            for aud in ("public", "agent")}


def test_an_update_follows_the_files_around_an_answer_as_a_rebuild_does(kb, sample_root, tmp_path):
    """Whether an answer is public also depends on other files: units.yaml registering its unit as in use, and no
    second file named by its id. An incremental update re-indexes the answers such a change concerns, both ways."""
    kb.reindex()
    units = sample_root / "regulations/units.yaml"
    registered = units.read_text(encoding="utf-8")
    hrss = "entries/policy/city-hrss/"
    twin = sample_root / "entries/policy/city-housing/sscard-reissue.md"
    original = (sample_root / hrss / "sscard-reissue.md").read_text(encoding="utf-8")
    steps = [
        ("unit unregistered", lambda: units.write_text(registered.replace("- id: city-hrss\n", "- id: city-hrss-old\n"),
                                                       encoding="utf-8")),
        ("unit registered again", lambda: units.write_text(registered, encoding="utf-8")),
        ("unit retired", lambda: units.write_text(registered.replace("- id: city-hrss\n", "- id: city-hrss\n  active: false\n"),
                                                  encoding="utf-8")),
        ("unit in use again", lambda: units.write_text(registered, encoding="utf-8")),
        ("a second file of an id", lambda: twin.write_text(original.replace("unit: city-hrss", "unit: city-housing"),
                                                           encoding="utf-8")),
        ("the second file removed", twin.unlink),
    ]
    for n, (step, change) in enumerate(steps):
        change()
        commit_all(sample_root, step)
        assert kb.reindex()["mode"] == "incremental"
        fresh = open_kb(load_settings(root=sample_root, data_dir=tmp_path / f"fresh-{n}", today=TODAY))
        fresh.reindex(rebuild=True)
        assert indexed_sources(kb) == indexed_sources(fresh), step
        public = [source for source, _id, _invalid in indexed_sources(kb)["public"]]
        hidden = {"unit unregistered": [s for s in public if s.startswith(hrss)],
                  "unit retired": [s for s in public if s.startswith(hrss)],
                  "a second file of an id": [s for s in public if s.endswith("/sscard-reissue.md")]}
        assert hidden.get(step, []) == [], step
        shown = step not in ("unit unregistered", "unit retired", "a second file of an id")
        assert ("sscard-reissue" in ids(kb.search("社保卡丢了怎么补办", limit=50))) == shown, step
    assert ids(kb.search("失业金怎么领"))[:1] == ["unemployment-insurance-claim"]


def test_search_follows_main_without_an_explicit_reindex(kb):
    kb.search("居住证")
    kb.store.write_change("main", {"entries/policy/city-hrss/new-entry.md": NEW_ENTRY}, "新增条目")
    assert ids(kb.search("紫藤萝补贴"))[:1] == ["new-entry"]
    assert kb.index.indexed_commit == kb.store.head()


def test_schema_change_or_missing_index_forces_a_rebuild(kb):
    kb.reindex()
    state = json.loads(kb.index.state_path.read_text(encoding="utf-8"))
    kb.index.state_path.write_text(json.dumps({**state, "schema": SCHEMA_VERSION - 1}), encoding="utf-8")
    assert kb.reindex()["mode"] == "rebuild"
    shutil.rmtree(kb.settings.index_dir)
    assert kb.reindex()["mode"] == "rebuild"
    assert kb.reindex()["mode"] == "none"


def test_synonyms_change_needs_no_reindex(kb, sample_root):
    assert "residence-permit-apply" not in ids(kb.search("小红本", limit=50))
    path = sample_root / "regulations/synonyms.yaml"
    text = path.read_text(encoding="utf-8")
    assert "[居住证, 暂住证]" in text
    path.write_text(text.replace("[居住证, 暂住证]", "[居住证, 暂住证, 小红本]"), encoding="utf-8")
    commit_all(sample_root, "同义词")
    stats = kb.reindex()
    assert (stats["mode"], stats["added"], stats["updated"], stats["deleted"]) == ("incremental", 0, 0, 0)
    results = kb.search("小红本怎么办")
    assert ids(results)[0] == "residence-permit-apply"
    assert "居住证" in results.expanded


# -- as of a date ---------------------------------------------------------------------------------


@pytest.fixture
def dated_kb(tmp_path, monkeypatch):
    """The sample published on 2026-01-01, then a changed answer published on 2026-07-01."""
    from kb_app import init_repo

    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T09:00:00+08:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T09:00:00+08:00")
    root = init_repo(tmp_path / "dated")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    kb = open_kb(load_settings(root=root, data_dir=tmp_path / "dated-data", today=TODAY))
    path = "entries/policy/city-hrss/unemployment-insurance-claim.md"
    text = kb.store.read(path).replace("title: 失业保险金怎么申领", "title: 失业保险金怎么申领（七月新规）")
    kb.store.write_change("main", {path: text}, "修订", date="2026-07-01T09:00:00+08:00")
    return kb


def test_as_of_returns_the_version_in_force_then(dated_kb):
    before = dated_kb.search("失业金怎么领", audience="agent", as_of="2026-03-01")
    assert before.hits[0].id == "unemployment-insurance-claim"
    assert before.hits[0].title == "失业保险金怎么申领"
    assert before.as_of == "2026-03-01"
    after = dated_kb.search("失业金怎么领", audience="agent", as_of="2026-08-01")
    assert after.hits[0].title == "失业保险金怎么申领（七月新规）"
    assert dated_kb.search("失业金怎么领", audience="agent").hits[0].title == "失业保险金怎么申领（七月新规）"
    # Not in force on that day (effective 2027-01-01): left out, although it was published.
    assert "minimum-wage-2027" not in ids(dated_kb.search("最低工资", audience="agent", as_of="2026-03-01", limit=50))
    assert ids(dated_kb.search("失业金", audience="agent", as_of="2025-06-01")) == []


# -- command line ---------------------------------------------------------------------------------


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_cli_index_and_search_contract(kb, sample_root, tmp_path):
    base = ["--root", str(sample_root), "--data-dir", str(kb.settings.data_dir)]
    out = run(["index", *base, "--rebuild"])
    assert out.exit_code == 0
    assert out.stdout.startswith("索引全部重建：新增 ")
    assert f"对应提交 {kb.store.head()[:10]}" in out.stdout
    assert run(["index", *base]).stdout.startswith("索引已是最新，无需更新：新增 0、更新 0、删除 0 个文件；")
    queries = tmp_path / "q.txt"
    queries.write_text("失业金怎么领\n\nAND OR (\n", encoding="utf-8")
    out = run(["search", *base, "--json", "--limit", "3", "--queries-file", str(queries)])
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["失业金怎么领", "", "AND OR ("]
    first = lines[0]["hits"][0]
    assert set(first) == {"id", "kind", "title", "unit", "score", "snippet"}
    assert first["id"] == "unemployment-insurance-claim"
    assert len(lines[0]["hits"]) <= 3 and lines[1]["hits"] == []
    out = run(["search", *base, "--audience", "agent", "失业金", "怎么领"])
    assert out.stdout.splitlines()[0] == "序号\t编号\t类型\t标题\t单位\t得分\t状态"
    assert out.stdout.splitlines()[1].startswith("1\tunemployment-insurance-claim\t答复口径\t失业保险金怎么申领\t示例市人力资源和社会保障局\t")
    out = run(["search", *base, "护照怎么办理"])
    assert out.stdout.splitlines()[0] == "知识库里没有提到“护照”：以下结果只和问题中的部分词语有关。"
    assert json.loads(run(["search", *base, "--json", "护照怎么办理"]).stdout)["unknown"] == ["护照"]
    assert run(["search", *base, "护照"]).stdout == "知识库里没有提到“护照”：没有找到相关结果。\n"
    assert json.loads(run(["search", *base, "--json", "护照"]).stdout) == {"query": "护照", "hits": [], "unknown": ["护照"]}
    out = CliRunner().invoke(cli, ["search", *base, "--as-of", "2026-01-01", "x"])
    assert out.exit_code == 1
    assert out.output.endswith("错误：--as-of（按日期查询）只对坐席开放：请同时加上 --audience agent。\n")


def test_cli_search_gives_the_emergency_line_first(kb, sample_root):
    """As the public site and the workbench do: the line to call before any result; for someone who may end
    their life, no policy answers beside it for the public."""
    base = ["--root", str(sample_root), "--data-dir", str(kb.settings.data_dir)]
    run(["index", *base])
    out = run(["search", *base, "楼下着火了快来人"]).stdout.splitlines()
    assert out[0].startswith("可能是正在发生的紧急情况（火情）：请立即拨打 119（火警）")
    assert out[1].startswith("  - ") and any(line.startswith("序号") for line in out)
    out = run(["search", *base, "有人要跳楼"]).stdout.splitlines()
    assert out[0].startswith("可能是正在发生的紧急情况（有人要轻生）：请立即拨打 110") and "12356" in out[1]
    assert not any(line.startswith("序号") for line in out)
    body = json.loads(run(["search", *base, "--json", "有人要跳楼"]).stdout)
    assert body["emergency"]["line"] == "110" and body["hits"] == []
    agent = run(["search", *base, "--audience", "agent", "有人要跳楼"]).stdout.splitlines()
    assert agent[0].endswith("坐席请先向来电人确认，转接话术见 kb dispatch。") and agent[1].startswith("知识库里")
    assert "emergency" not in json.loads(run(["search", *base, "--json", "失业金怎么领"]).stdout)


def test_many_small_updates_merge_segments_and_stay_equal_to_a_rebuild(kb, sample_root, tmp_path):
    kb.reindex()
    for i in range(12):
        text = NEW_ENTRY.replace("new-entry", f"new-entry-{i}").replace("紫藤萝", f"紫藤萝{i}号")
        kb.store.write_change("main", {f"entries/policy/city-hrss/new-entry-{i}.md": text}, f"新增 {i}")
        assert ids(kb.search(f"紫藤萝{i}号补贴", audience="agent"))[:1] == [f"new-entry-{i}"]
    assert len(list(kb.index.searcher("agent").reader().leaf_readers())) < 12
    fresh = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "fresh", today=TODAY))
    fresh.reindex(rebuild=True)
    for audience in ("public", "agent"):
        assert stored_docs(kb, audience) == stored_docs(fresh, audience)
        for q in ["紫藤萝3号补贴", "失业金", "居住证"]:
            assert ids(kb.search(q, audience=audience))[:1] == ids(fresh.search(q, audience=audience))[:1]


def test_a_damaged_index_is_rebuilt(kb):
    kb.reindex()
    state = json.loads(kb.index.state_path.read_text(encoding="utf-8"))
    for toc in (kb.settings.index_dir / state["gen"] / "agent").glob("_MAIN_*.toc"):
        toc.write_bytes(b"damaged")
    assert kb.reindex()["mode"] == "rebuild"
    assert ids(kb.search("失业金怎么领"))[:1] == ["unemployment-insurance-claim"]


def test_progress_is_reported_on_a_rebuild(kb):
    seen = []
    kb.reindex(rebuild=True, progress=lambda stage, done, total: seen.append(stage))
    assert seen[0] == "读取内容"


def test_an_agents_excerpt_is_of_the_answer_alone_though_its_internal_notes_are_searched(kb):
    """Internal notes are shown apart, marked as internal; an excerpt, which an agent may read out, never holds
    them. 社保卡's note says what to do when it was used by someone else (冒用, 盗刷); its answer does not."""
    assert "盗刷" in kb.entry("sscard-reissue").agent_notes and "盗刷" not in kb.entry("sscard-reissue").body
    hits = {h.id: h for h in kb.search("社保卡被人冒用医保被盗刷", audience="agent").hits}
    assert "sscard-reissue" in hits                                  # the notes are searched
    plain = hits["sscard-reissue"].snippet.replace("<mark>", "").replace("</mark>", "")
    assert "盗刷" not in plain and "内部提示" not in plain


@pytest.mark.parametrize("question, first, shown", [
    ("社保卡补办要钱吗", "sscard-reissue", "免收工本费"),
    ("居住证办理需要多久", "residence-permit-apply", "15日内"),
])
def test_the_excerpt_is_the_part_of_the_answer_the_question_asks_about(kb, question, first, shown):
    """社保卡补办要钱吗 asks the cost: the public excerpt is the step on 费用, not the first step naming 社保卡."""
    hit = kb.search(question).hits[0]
    assert hit.id == first
    assert shown in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_a_pair_of_characters_across_two_words_is_not_marked(kb):
    """燃气报修电话是多少: 修电 of 报修电话 is no word, and 抢修电话 is not marked as 抢<mark>修电</mark>话."""
    snippets = " ".join(h.snippet for h in kb.search("燃气报修电话是多少").hits)
    assert "<mark>修电</mark>" not in snippets and "<mark>电话</mark>" in snippets

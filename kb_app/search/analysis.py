"""Chinese text analysis for search: words, character bigrams, synonyms and document numbers.

Documents and queries go through the same functions, so a term found in a query can be found in
the index. Two complementary token streams are produced:

* **words** — jieba (its Rust port, rjieba) in search mode, which also yields the shorter words
  inside long ones (``失业保险金`` → ``失业``, ``保险``, ``保险金``), with a user dictionary built from
  entry titles and keywords. Words win on short colloquial questions.
* **bigrams** — overlapping pairs of Chinese characters, bridging enumeration commas so that
  ``水电气热`` meets ``水、电、气、热``. Bigrams win when segmentation differs between the question
  and the text, as it often does on long formal questions.

Document numbers (文号) are normalised so that ``〔2024〕``, ``[2024]``, ``(2024)`` and ``（2024）``
are one and the same.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import rjieba

#: Longest query text that is analysed; the rest of a pasted text adds nothing but time.
MAX_QUERY_CHARS = 200

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[.\-_][a-z0-9]+)*")
# Sentence punctuation ends a run of characters for bigrams; the enumeration comma, spaces,
# quotes and brackets do not (水、电、气、热 gives 水电 电气 气热).
_RUN_BREAK = re.compile(r"[，。；：！？,.;:!?\n\r\t|]+")
_NON_CJK = re.compile(f"[^{CJK}0-9a-z]+")
_YEAR_BRACKETS = re.compile(r"[〔\[(（【［〖{｛]\s*((?:19|20)\d{2})\s*[〕\])）】］〗}｝]")
#: 京政办发〔2024〕12号, and the numbering of announcements by year: 国家税务总局公告2020年第4号.
_DOCNO = re.compile(f"([{CJK}]{{1,12}})?(?:〔((?:19|20)\\d{{2}})〕\\s*第?|((?:19|20)\\d{{2}})\\s*年\\s*第)\\s*(\\d{{1,5}})\\s*号")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202f\ufeff]")

#: The segmenter's tags of a word saying what is done or happens (扣押, 冻结, 动; not 工资, 就业补贴's 灵活, nor 咨询, a verb
#: used as a noun).
VERB_TAGS = frozenset("v vd vg vi vl vq vf vx".split())

#: Words that carry no meaning in a question (how, what, can, please ...), nor do fillers of quantity and
#: talk (一些, 有点, 之类, 然后): a question sharing only them with a text is not about it.
STOPWORDS = frozenset("""
的 了 吗 呢 啊 吧 呀 么 嘛 哦 哪 和 与 及 或 在 是 有 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 就 都 也 还 又
怎么 怎么办 怎样 怎么样 如何 什么 哪些 哪里 哪儿 哪个 多少 几 为什么 可以 可不可以 能 能不能 能否 是否 是不是 会 会不会
要 需要 请问 请 想 想问 问 一下 一个 有没有 没有 吗 应该 该 去 到 给 把 被 让 对 从 向 将 得 地 着 过 啥 咋 咋办
一些 有些 这些 那些 某些 一点 一点儿 有点 有点儿 什么的 之类 等等 然后 其实
""".split())

_local = threading.local()


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, simplified characters
    (:func:`simplified`), one bracket style for years."""
    text = simplified(unicodedata.normalize("NFKC", text or "").lower())
    return _YEAR_BRACKETS.sub(r"〔\1〕", text)


#: 著 where simplified Chinese writes 着 (著火, 关著, 著急: the traditional form, or a common mistyping);
#: not in the words that keep it (著名, 著作, 显著, 名著, 土著, 卓著, 昭著 …).
_ZHU = re.compile("(?<![显卓昭土编名原巨专论遗译合新拙])著(?![名作称述录书者])")


@functools.cache
def _traditional():
    """OpenCC's traditional-to-simplified tables (opencc-python-reimplemented): the traditional characters, a
    ``str.translate`` table of them, the characters some phrase reads otherwise (乾, 瞭), and a pattern of those phrases (乾隆 stays 乾隆, 乾淨 becomes 干净) with their mapping."""
    from importlib.resources import files

    mapping: dict[str, str] = {}
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        text = (files("opencc") / "dictionary" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            source, _, targets = line.partition("\t")
            if source and targets and source not in mapping:
                mapping[source] = targets.split()[0]
    table = {ord(k): v for k, v in mapping.items() if len(k) == 1 and k != v}
    # The phrases read otherwise than their characters, and the characters they are read otherwise at.
    phrases = {k: v for k, v in mapping.items() if len(k) > 1 and k.translate(table) != v}
    marks = {a for k, v in phrases.items() for a, b, c in zip(k, k.translate(table), v) if b != c or len(k) != len(v)}
    return (frozenset(map(chr, table)), table, frozenset(marks),
            re.compile(f"(?=[{re.escape(''.join(sorted({k[0] for k in phrases})))}])(?:"
                       + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) + ")"), phrases)


def simplified(text: str) -> str:
    """The text in simplified characters: a caller typing traditional ones (我家著火了, 廚房煤氣味好重, 孩子不見了)
    is read as one typing simplified ones. Unchanged (and quick) when it holds no traditional character."""
    if "著" in text:
        text = _ZHU.sub("着", text)
    any_traditional, table, marked, phrases, mapping = _traditional()
    if any_traditional.isdisjoint(text):
        return text
    if marked.isdisjoint(text):
        return text.translate(table)
    out, at = [], 0
    for m in phrases.finditer(text):
        out += [text[at:m.start()].translate(table), mapping[m.group()]]
        at = m.end()
    out.append(text[at:].translate(table))
    return "".join(out)


#: :func:`normalize` of texts that come back query after query: synonym terms, and the titles and
#: texts of the documents that rank first (re-ranked by word order).
normalized = functools.lru_cache(maxsize=2048)(normalize)


#: The A-not-A question form (能不能, 管不管, 有没有, 可不可以): the answer is about A, and the
#: negated copy only adds pairs such as 不能 that a text uses with the opposite meaning.
_A_NOT_A = re.compile(f"([{CJK}]{{1,2}})[不没]\\1")
_A_NOT_AB = re.compile(f"([{CJK}])不(\\1[{CJK}])")
#: Sentence-final particles of a question, and question tails that ask nothing about the matter.
_QUESTION_TAIL = re.compile(r"(?:是怎么回事|怎么回事|是什么意思|什么意思|怎么办|咋办|咋整|咋弄|咋搞|吗|呢|吧|呀|啊|么|嘛|哇|咧|撒|噻)"
                            r"(?=[\s，。？！,.?!]|$)")


#: What follows 事 in a word of its own (事故, 事项): 有个事故 is no 有个事 + 故.
_NOT_LONE_EVENT = "[故件业务项宜实物迹]"
#: What a caller says before the matter: a greeting (喂、您好、在吗), and asking leave to ask
#: (我想问一下、想咨询一下、请问、我有个问题). Only at the start of a clause, so that 问题 in 水质问题 or
#: 咨询 in 咨询电话 stays.
_CLAUSE_START = r"(?:^|(?<=[\s，。；：！？,.;:!?、]))"
_CLAUSE_END = r"(?=[\s，。；：！？,.;:!?、]|$)"
_A_LITTLE = r"(?:一下|下" + _CLAUSE_END + ")"
_COURTESY = re.compile(
    _CLAUSE_START + r"(?:(?:"
    r"喂+|哈喽|(?:你|您)们?好(?:啊|呀)?|在吗|打扰(?:了|一下)|麻烦(?:你|您)(?:们)?(?:了|一下)?|谢谢(?:你|您)?"
    r"|(?:我|我们)?(?:就)?(?:想|要|需要)(?:问问|问|咨询|了解|请教|打听)" + _A_LITTLE + "?"
    r"|(?:问问|问|咨询|了解|请教|打听)" + _A_LITTLE + "|(?:请问|麻烦问)" + _A_LITTLE + "?"
    r"|(?:我|我们)?有(?:个|一个)(?:问题|事情|事(?!" + _NOT_LONE_EVENT + "))(?:想)?(?:问|咨询|请教)?" + _A_LITTLE + "?"
    r")[\s，。；：！？,.;:!?、]*)+"
)


def without_courtesy(text: str) -> str:
    """A text without the greetings and asking leave that open it or its clauses, as written:
    您好，我想问一下社保卡丢了怎么办 → 社保卡丢了怎么办."""
    return _COURTESY.sub("", text or "").strip()


def question_form(text: str) -> str:
    """A (normalised) question with its question form taken out: 热线管不管 → 热线管, 能不能打 → 能打,
    您好，我想问一下社保卡丢了怎么办 → 社保卡丢了."""
    text = _COURTESY.sub(" ", text)
    text = _A_NOT_AB.sub(r"\2", text)
    text = _A_NOT_A.sub(r"\1", text)
    return _QUESTION_TAIL.sub(" ", text)


def sanitize_query(query) -> str:
    """Any input made into plain query text: no control characters, bounded length."""
    if query is None:
        return ""
    text = _CONTROL.sub(" ", str(query))
    return " ".join(text.split())[:MAX_QUERY_CHARS]


class Analyzer:
    """Tokenizers sharing one jieba dictionary (the default one plus a user dictionary)."""

    def __init__(self, user_words=()):
        self.jieba = rjieba.Jieba()
        self.user_words: set[str] = set()
        self.add_words(user_words)

    def add_words(self, words) -> list[str]:
        """Add words to the user dictionary; returns those that were new."""
        new = []
        for w in words:
            w = normalize(str(w)).strip()
            if 2 <= len(w) <= 16 and w not in self.user_words and not _NON_CJK.search(w):
                self.user_words.add(w)
                self.jieba.add_word(w, None, None)
                new.append(w)
        return new

    def words(self, text: str, normalized: bool = False) -> list[str]:
        """Search-mode words of two or more characters (single characters are left to bigrams); a word in
        digits or letters only where it stands whole, not the 110 or 12345 the user dictionary finds
        inside an ID or phone number."""
        text = text if normalized else normalize(text)
        out = []
        for tok in self.jieba.cut_for_search(text, True):
            if len(tok) >= 2 and (_CJK_CHAR.match(tok) or _ASCII_WORD.fullmatch(tok) and holds_term(text, tok)):
                out.append(tok)
        return out

    def query_words(self, text: str) -> list[str]:
        """The meaningful words of a question, each once, in order."""
        words = [w for w in self.words(text, normalized=True) if w not in STOPWORDS]
        return list(dict.fromkeys(words))


def bigrams(text: str, normalized: bool = False) -> list[str]:
    """Overlapping character pairs of each run of Chinese text; ASCII words and numbers whole."""
    text = text if normalized else normalize(text)
    out = []
    for run in _RUN_BREAK.split(text):
        for piece in _ASCII_WORD.findall(run):
            out.append(piece)
        chars = "".join(_CJK_CHAR.findall(run))
        if len(chars) == 1:
            out.append(chars)
        out.extend(chars[i:i + 2] for i in range(len(chars) - 1))
    return out


def query_bigrams(text: str) -> list[str]:
    """Distinct bigrams of a (normalised) question, leaving out pairs that are question words."""
    return [b for b in dict.fromkeys(bigrams(text, normalized=True)) if b not in STOPWORDS]


#: Words that ask rather than name what is asked about. A document sharing only these (and the pairs
#: of characters that straddle them) with a question does not answer it: 市民从哪里查… for 蓝鲸卡在哪里查.
_ASKING = re.compile("在哪里|在哪儿|在哪|哪里|哪儿|去哪|为什么|为啥|为何|什么|怎么样|怎么|怎样|如何|多少|哪些|哪个|"
                     "哪家|哪位|是否|能否|可以|是不是|有没有|吗|呢|咋整|咋弄|咋搞|咋个|咋样|咋")


class Asking:
    """Where a (normalised) question asks rather than names: which of its query tokens only ask, and which ask
    an aspect of the matter (its cost, time, place, papers or number: ASKED_ASPECT)."""

    def __init__(self, text: str):
        self.text = text
        self.mask = [False] * len(text)
        for m in _ASKING.finditer(text):
            self.mask[m.start():m.end()] = [True] * (m.end() - m.start())
        self.aspect = aspect_mask(text)
        named = [c if not asked and (_CJK_CHAR.match(c) or c.isalnum()) else " "
                 for c, asked in zip(text, self.mask)]
        rest = "".join(named)
        #: Whether the question names something besides asking: a pair of characters (or a word in
        #: letters or digits) outside the asking words.
        self.names = bool(_ASCII_WORD.search(rest)) or any(
            len(b) == 2 and b not in STOPWORDS for part in rest.split() for b in bigrams(part, normalized=True))

    def only_asks(self, token: str) -> bool:
        """Whether every place the token comes from in the question touches an asking word.

        Tokens that are not in the question (synonyms, document numbers as indexed) name something.
        """
        return self._touches(self.mask, token)

    def asks_aspect(self, token: str) -> bool:
        """Whether every place the token comes from in the question touches words asking an aspect of the
        matter (花钱 of 社保卡补办要花钱吗, 哪补 of 去哪补): the token names no subject."""
        return self._touches(self.aspect, token)

    def _touches(self, mask: list[bool], token: str) -> bool:
        text, n = self.text, len(token)
        spans = [range(i, i + n) for i in range(len(text) - n + 1) if text.startswith(token, i)]
        if not spans and n == 2:  # a pair one apart (see skip_bigrams): its two characters
            spans = [(i, i + 2) for i in range(len(text) - 2) if text[i] == token[0] and text[i + 2] == token[1]]
        return bool(spans) and all(any(mask[i] for i in span) for span in spans)


#: What a caller says of a request that names no matter: the kind of request (反映、投诉、举报、咨询), a thing
#: in general (问题、事、情况、政策), how it feels (挺烦的、受不了) or goes on (天天、一直、没人管), and where it
#: points back (那个、上次). 我想反映个事，就是那个挺烦的 matched 价格投诉 through 投诉, and 我家这边有点问题 入学:
#: a request that says nothing else is one to ask about (kb_app.dispatch's DispatchResult.vague), and a search
#: saying nothing else is no missing answer (names_something). 事 only where it stands alone
#: (个事、这事), not in 事故 or 出事.
NO_MATTER = re.compile(
    "(?:(?:我们|我|咱们|咱)(?:就|还)?(?:想要|想|要|得|来)?)?"
    "(?:反映|投诉|举报|求助|咨询|建议|意见|报告|说说|讲讲|问问|问下|打听|了解|请教|解决|处理|帮忙|帮帮|查一下|查查)"
    "|(?:问题|事情|事儿|事项|情况|政策|麻烦|毛病|东西)"
    "|(?:(?<=[个件点些的有这那啥么])|^)事(?!" + _NOT_LONE_EVENT + ")"
    "|(?:挺|太|好|真|很|特别|非常|有点|有些|实在)?(?:烦人|烦|闹心|糟心|窝火|气人|生气|着急|头疼|难受|受不了|受够了)(?:死了|得很)?"
    "|没人管|没人理|没人|不管|不理|天天|一直|老是|总是|每天|这样|那样|那个|这个|这边|那边|上次|之前|以前|就是")


def names_something(text: str) -> bool:
    """Whether a question names a matter at all (社保卡 does; 我想问一下、怎么办、您好、我想反映个事，挺烦的 do not)."""
    return Asking(without_request_words(normalize(text))).names


def without_request_words(norm: str) -> str:
    """A (normalised) request in question form (question_form) without the words any request says (NO_MATTER): the
    greetings taken off first (我有个问题, 我想了解一下), and again after (我想 of 我想反映)."""
    return question_form(NO_MATTER.sub(" ", question_form(norm)))


def skip_bigrams(text: str) -> list[str]:
    """Pairs of characters one apart in a (normalised) question: ``停水停电`` gives ``水电``.

    A question often runs together what a text enumerates (停水停电 against 水、电、气、热), so
    these pairs meet the text's bigrams where the question's own bigrams do not.
    """
    out = []
    for run in _RUN_BREAK.split(text):
        chars = "".join(_CJK_CHAR.findall(run))
        out.extend(chars[i] + chars[i + 2] for i in range(len(chars) - 2))
    return [b for b in dict.fromkeys(out) if b not in STOPWORDS]


_PHRASING_RUN = re.compile(f"[{CJK}0-9a-z]+")


@functools.lru_cache(maxsize=8192)
def phrasing_bigrams(text: str) -> frozenset:
    """The distinct character pairs of a phrasing with its question form taken out, for comparing
    one question with another (the stored questions come back query after query: cached)."""
    runs = _PHRASING_RUN.findall(question_form(normalize(text)))
    return frozenset(run[i:i + 2] for run in runs for i in range(len(run) - 1))


def query_trigrams(text: str) -> list[str]:
    """Distinct character trigrams of the Chinese runs of a (normalised) question."""
    out = []
    for run in _RUN_BREAK.split(text):
        chars = "".join(_CJK_CHAR.findall(run))
        out.extend(chars[i:i + 3] for i in range(len(chars) - 2))
    return list(dict.fromkeys(out))


def document_numbers(text: str, normalized: bool = False, for_query: bool = False) -> list[str]:
    """Tokens for the document numbers (文号) in a text, e.g. ``京政办发〔2024〕12号``.

    The same number is written after varying context (``依据京政办发…``), so a document yields
    its number alone and with every tail of the issuer prefix; a query yields the number alone and
    with its whole prefix, one of which then meets the document's.
    """
    text = text if normalized else normalize(text)
    out = []
    for m in _DOCNO.finditer(text):
        prefix, year, num = m.group(1) or "", m.group(2) or m.group(3), str(int(m.group(4)))
        core = f"{year}-{num}"
        out.append(core)
        if for_query:
            if prefix:
                out.append(prefix + core)
        else:
            out.extend(prefix[-k:] + core for k in range(1, min(len(prefix), 8) + 1))
    return out


def synonym_expansion(text: str, groups) -> list[str]:
    """Synonyms of the terms a (normalised) query contains, from synonyms.yaml groups.

    Every group is a set of equivalent terms; a query containing one of them gets the others.
    """
    extra = []
    for group in groups:
        terms = [normalized(t) for t in group if t]
        if any(t and holds_term(text, t) for t in terms):
            extra.extend(t for t in terms if not holds_term(text, t))
    return list(dict.fromkeys(extra))


def synonym_variants(word: str, groups) -> list[str]:
    """A word with a synonym it contains swapped for the others of its group (煤气费 → 燃气费, 天然气费),
    for matching a word of a request against a wording that expands only whole terms."""
    out = []
    for group in groups:
        terms = [normalized(t) for t in group if t]
        for term in terms:
            if term and term != word and term in word:
                out.extend(word.replace(term, other) for other in terms if other != term)
    return list(dict.fromkeys(out))


def holds_term(text: str, term: str) -> bool:
    """Whether a (normalised) text holds a term as a term: one starting or ending in a letter or digit
    not inside a longer run of them, so 12345 is in 打12345 and 12345热线 but not in the phone number
    13812345678 (which otherwise found every answer naming the hotline through its synonyms)."""
    return bool(term) and term in text and _term_pattern(term).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern:
    before = "(?<![0-9a-z])" if term[0].isascii() and term[0].isalnum() else ""
    after = "(?![0-9a-z])" if term[-1].isascii() and term[-1].isalnum() else ""
    return re.compile(before + re.escape(term) + after)


def default_analyzer() -> Analyzer:
    """A per-thread analyzer without user words (for callers with no index at hand)."""
    ana = getattr(_local, "analyzer", None)
    if ana is None:
        ana = _local.analyzer = Analyzer()
    return ana


# -- display text ------------------------------------------------------------------------------


#: What a question asks of an answer besides its matter (the cost, the time, the place, the papers, the
#: number), as callers say it, and the words by which answers tell it: 社保卡补办要钱吗 asks the cost, so
#: its excerpt is the step on 费用, not the first step naming 社保卡.
ASPECTS = (
    (re.compile("要钱|花钱|收钱|收费|多少钱|费用|免费|贵不贵|工本费"),
     ("费用", "工本费", "收费", "免费", "免收", "收取")),
    (re.compile("多久|多长时间|几天|多少天|什么时候能|时限|期限|要等"),
     ("工作日", "时限", "期限", "日内", "天内", "当场", "小时内", "办理时间")),
    (re.compile("去哪|在哪|哪里办|什么地方|地址|地点"),
     ("地址", "地点", "大厅", "网点", "窗口", "线上", "线下", "渠道")),
    (re.compile("带什么|什么材料|哪些材料|要带|需要什么证"),
     ("材料", "证件", "携带", "户口簿", "身份证")),
    (re.compile("电话|号码|打哪个|打什么"),
     ("电话", "拨打")),
)


def asked_aspects(text: str) -> tuple[str, ...]:
    """The words by which an answer tells what a (normalised) question asks of it (see ASPECTS)."""
    return tuple(w for asks, words in ASPECTS if asks.search(text) for w in words)


#: How callers ask for an aspect of a matter (ASPECTS) rather than name it: 要花钱不、收费吗、贵不贵 (the cost),
#: 多久、几个工作日 (the time), 得去哪、在哪儿 (the place), 带什么、准备啥 (the papers), 电话多少、打哪个电话 (the
#: number). What such words ask is no subject: 师傅我社保卡丢了，得去哪补啊，要花钱不 is about 社保卡 and its
#: replacement, whatever it costs. Only the asking forms: 乱收费 and 骚扰电话 name a matter (收费 and 电话 are
#: asked only before a question particle, or the space question_form leaves of one, or 多少).
ASKED_ASPECT = re.compile(
    # the cost
    "花(?:多少|几个)?钱|要(?:不要)?钱|收(?:不收)?钱|多少钱|几个钱|贵不贵|贵吗|费用(?:是)?多少|多少费用"
    "|(?:收不收|要不要|是否|是不是|需要|要)(?:收|交)?费用?|收费(?=[吗么嘛呢不没啊吧 ]|多少)"
    "|(?:是不是|是否)?免(?:不免)?费(?=[吗么嘛呢不没啊吧 ])"
    # the time
    "|多久|多长时间|多少天|(?<![好这那前])几个?(?:工作日|天)|什么时候(?:能|可以|才)"
    # the place
    "|(?:得|要|该|应该)?(?:去|到|在)?(?:哪里|哪儿|哪)|什么地方|啥地方"
    # the papers
    "|(?:要|得|需要)?(?:带|准备)(?:什么|啥|哪些)(?:材料|证件|东西|手续)?|(?:什么|啥|哪些)(?:材料|证件|手续)|需要什么证"
    # the number to call
    "|(?:电话|号码)(?:是)?(?:多少|几号)|(?:什么|哪个|啥)(?:电话|号码)|打(?:哪个|什么|啥|几号)")


def aspect_mask(text: str) -> list[bool]:
    """For each character of a (normalised) text, whether it belongs to words asking an aspect (ASKED_ASPECT)."""
    mask = [False] * len(text)
    for m in ASKED_ASPECT.finditer(text):
        mask[m.start():m.end()] = [True] * (m.end() - m.start())
    return mask


def without_asked_aspects(text: str) -> str:
    """A (normalised) text without the words asking an aspect of its matter (ASKED_ASPECT), each left as a break
    between clauses: 社保卡丢了，得去哪补啊，要花钱不 → 社保卡丢了，，补啊，，不."""
    return ASKED_ASPECT.sub("，", text)


def within_words(grams, words) -> list[str]:
    """The character pairs of a question that lie inside one of its words: 修电 of 报修电话 is no
    word to mark in 抢修电话, 保卡 of 社保卡 is."""
    return [g for g in grams if any(g in w for w in words)]


_UNBROKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-－]|[.\-－][0-9A-Za-z]")


def snippet(text: str, terms, width: int = 120, aspects=()) -> str:
    """An HTML excerpt of ``text`` around the cluster holding the most different ``terms`` (the first such
    cluster: an answer says what matters first), each in ``<mark>``. A word said many times counts once: the
    routine paragraph naming 燃气 five times is not a better excerpt than the steps to take when one smells it.

    A cluster that also holds one of the ``aspects`` (the words telling what was asked: the cost, the time,
    see asked_aspects) comes first, so 社保卡补办要钱吗 reads the step on 费用; they are marked too.

    Everything other than the ``<mark>`` tags is escaped, so the result is safe to render.
    """
    import html

    if not text:
        return ""
    terms = {t for t in terms if t and len(t) >= 2 or (t and _CJK_CHAR.match(t))}
    aspects = set(aspects) - terms
    terms = sorted(terms | aspects, key=len, reverse=True)
    spans = []
    lowered = text.lower()
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in terms[:200]))
        spans = [m.span() for m in pattern.finditer(lowered)]
    start = 0
    if spans:
        best, best_end, best_count, j = spans[0][0], spans[0][1], (0, 0), 0
        for i, (s, e) in enumerate(spans):
            while spans[j][0] < s - width:
                j += 1
            found = {lowered[a:b] for a, b in spans[j:i + 1]}
            subject = len(found - aspects)
            count = (bool(subject and found & aspects), subject)
            if count > best_count:
                best_count, best, best_end = count, spans[j][0], e
                if count[0]:  # the words telling what was asked are shown, with a little before them
                    best = max(best, min(a for a, b in spans[j:i + 1] if lowered[a:b] in aspects) - width // 4)
        start = max(0, min(best - 12, len(text) - width))
        start = max(start, best_end - width)  # the cluster's last word is shown too
    end = min(len(text), start + width)
    # A number or a Latin word is not cut in two (0000-6777… is no telephone number to read).
    while end < len(text) and end - start < width + 20 and _UNBROKEN.match(text[end - 1:end + 1]):
        end += 1
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")

"""Text matchers behind the rule checks, with their built-in Chinese and English defaults.

Pure functions over strings; the rules in `checks.py` decide which fields they look at. The defaults
are regular expressions rather than fixed phrases so that a reworded defect ("作为一名人工智能助手，我…",
"As an AI developed by …") is still caught, and each is anchored so that ordinary prose that shares a
word ("an AI researcher", "a TODO list app", "XXL", "Plan A:") is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from synthpipe.lang import compact, normalize, strip_code
from synthpipe.stages.rules.match import Guarded, PatternSet, unique

# --- placeholders / unrendered template text (matched on the raw text with code removed) -------------
DEFAULT_PLACEHOLDER_PATTERNS: tuple[str, ...] = (
    r"(?<![A-Za-z])[xX]{3,}(?![A-Za-z])",  # xxx, XXX公司
    r"×{2,}",  # ××公司
    r"(?i)\[\s*(?:insert|your|add|enter|fill(?:\s+in)?|placeholder|put|todo|tbd)\b[^\]\n]{0,60}\](?!\()",
    r"(?i)\[\s*(?:(?:company|product|customer|recipient|sender|first|last|full|user)\s+)?"
    r"(?:name|date|address|phone(?: number)?|e-?mail(?: address)?|link|url|amount|number)\s*\](?!\()",
    r"\{\{\s*[^{}\n]{1,40}?\s*\}\}|\{%[^%\n]{0,60}%\}",  # {{var}}, {% if %}
    r"(?<![\\$A-Za-z0-9_{}])\{[A-Za-z_][A-Za-z0-9_]{0,30}\}(?!\})",  # {topic}; not ${x}, \frac{a}{b}, {{x}}
    r"\{[\u4e00-\u9fff]{1,10}\}",  # {主题}
    r"(?i)<\s*(?:placeholder|insert[^<>\n]{0,40}|your[ _][^<>\n]{1,30}|tbd|todo)\s*>",
    r"<[\u4e00-\u9fff]{1,10}>",  # <公司名称>
    # <TIME>, <COMPANY_NAME>, <first_name>; not HTML tags such as <BR> or <div>
    r"<(?!(?:BR|HR|DIV|SPAN|HTML|BODY|HEAD|IMG|TD|TR|TH|LI|UL|OL|TABLE|SCRIPT|STYLE|META|LINK)>)[A-Z][A-Z0-9_]{2,30}(?: [A-Z0-9_]+){0,3}>",
    r"<[a-z]+(?:_[a-z]+)+>",
    r"\[[A-Z]{2,}(?:[ _][A-Z]{2,})*\](?!\()(?<=[A-Z]{4}\])|\$\[[^\]\n]{1,30}\]",  # [PRICE], $[amount]
    # a date format left where a date belongs: "请于 YYYY-MM-DD 前", "by MM/DD/YYYY"
    r"(?:于|在|截至|截止到?|\b(?:on|by|before|until|from))\s*(?:YYYY[-/.年]MM[-/.月]DD|MM/DD/YYYY|DD/MM/YYYY)",
    # "TODO: …" or a bare "TODO" ending a line is a leftover; "a TODO app", "what does TODO mean" are not.
    r"(?<![\w-])TODO(?=\s*[:：]|[ \t]*$)|(?<![\w-])FIXME(?![\w-])",
    r"(?i)lorem ipsum dolor",
    r"待补充|待填写|此处填写|在此填写|此处插入|在此插入|此处省略|请在此处|此处添加|在这里填写",
    r"[\[［【]\s*请?(?:在此|此处)?(?:填写|插入|输入|补充|替换|添加)[^\]］】\n]{0,20}[\]］】]",
    r"[\[［]\s*(?:你的|您的|客户|用户|公司|产品|收件人)?"
    r"(?:姓名|名字|名称|电话(?:号码)?|手机号(?:码)?|地址|邮箱(?:地址)?|日期|时间|金额|链接|编号|订单号)\s*[\]］]",
)
# For each default placeholder pattern, literal text every match contains one of (see checks_match); a
# leading "~" means: compared with the lower-cased text.
_PLACEHOLDER_KEYS: tuple[tuple[str, ...], ...] = (
    ("~xxx",),
    ("××",),
    ("[",),
    ("[",),
    ("{",),
    ("{",),
    ("{",),
    ("<",),
    ("<",),
    ("<",),
    ("<",),
    ("[",),
    ("YYYY",),
    ("TODO", "FIXME"),
    ("~um dol",),
    ("待补充", "待填写", "此处", "在此", "在这里填写"),
    ("[", "［", "【"),
    ("[", "［"),
)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- template slots: a bracketed name left where a value belongs (matched on the raw text, code removed) ---
# Brackets have many honest uses (links, citations, intervals, checkboxes, index syntax, editorial "[sic]",
# stage directions, 【】 headings), so a slot is recognised by what it names: a thing that gets filled in
# (a name, a brand, a place, a date…). A lowercase word outside that list counts only where a value
# belongs in running text ("from the [warehouse]", "in [city]") and is not quoted.
# fmt: off
_SLOT_NOUNS_EN = (
    "name", "names", "firstname", "lastname", "surname", "nickname", "username", "fullname", "brand",
    "company", "business", "organi[sz]ation", "employer", "product", "service", "location", "city", "town",
    "country", "state", "region", "venue", "destination", "address", "street", "zip(?:code)?", "postcode",
    "date", "time", "day", "weekday", "month", "year", "deadline", "price", "cost", "amount", "fee",
    "budget", "salary", "discount", "percentage", "number", "quantity", "phone", "e-?mail", "website",
    "url", "link", "title", "position", "department", "manager", "industry", "topic", "subject",
    "school", "university", "college", "degree", "major", "event", "holiday", "store", "shop",
    "restaurant", "hotel", "platform", "recipient", "sender", "signature", "skills?", "achievement",
    "hobby", "goal", "competitor", "audience", "niche", "keyword", "occupation", "profession", "job",
)
# Bracketed words that are editorial marks, stage directions, tags or usage syntax, not slots.
_NOT_SLOTS = _word_set("""
    sic edit edited update updated deleted removed redacted omitted ellipsis emphasis ibid etc sp
    inaudible unintelligible indistinct crosstalk laughs laughter laughing chuckles chuckling giggles
    sighs sighing pause pauses silence applause cheers cheering music singing coughs sobs sobbing crying
    groans gasps whispers shouts beep static noise smiles nods shrugs winks sarcasm intro outro verse
    chorus bridge hook refrain spoiler nsfw serious meta tldr solved resolved closed help question
    discussion bug wip draft pdf video audio image photo picture options option flags args arguments
    argument params parameters command path file files dir directory info debug warn warning error
    fatal trace notice critical done fail failed pass passed success quote code img translation
    translated original paraphrased abridged continued cont note source ref citation sources
""")
# fmt: on
_SLOT_NOUN_EN = "(?:" + "|".join(_SLOT_NOUNS_EN) + ")"
# A word before the bracket that puts it where a value belongs.
_SLOT_LEAD = _word_set(
    "the a an your our my his her their its this that in at from to for of on with by about near into "
    "via visit call contact email dear hi hello hey and or during before after until till between within "
    "under over around across through per"
)
_SLOT_WORDS = r"(?:[A-Za-z][A-Za-z'’]*[ _-])"  # the words before the noun: "[hiring manager's name]"
_EN_SLOT = re.compile(
    # [brand], [Company Name], [name of the venue], [your city]; not right after a word or bracket (index
    # syntax, [a][b]) and not a link ([text](url), [text][ref]), nor an aside such as "[the company]".
    r"(?<![\w\]\[])\[\s*(?i:(?!(?:the|a|an|his|her|their|its|this|that|these|those|him|them|dead|broken)\b)"
    rf"{_SLOT_WORDS}{{0,3}}{_SLOT_NOUN_EN}(?:\s+(?:here|of|for)\b[^\[\]\n]{{0,30}})?)\s*\](?![(\[\w])"
    # [first_name], [companyName]: a variable name in brackets
    r"|(?<![\w\]\[])\[(?:[a-z]{2,}(?:_[a-z0-9]+)+|[a-z]{2,}(?:[A-Z][a-z0-9]+)+)\](?![(\[\w])"
    # <store name>, <Name>, {Product Name}: the angle and brace forms (one word only capitalised, since
    # <name> is usage syntax and <title> a tag)
    rf"|<\s*(?i:{_SLOT_WORDS}{{1,3}}{_SLOT_NOUN_EN})\s*>|<(?=[A-Z][a-z]+>)(?i:{_SLOT_NOUN_EN})>(?!\w)"
    rf"|\{{\s*(?i:{_SLOT_WORDS}{{1,3}}{_SLOT_NOUN_EN})\s*\}}"
)
_EN_SLOT_WORD = re.compile(r"(?<![\w\]\[])\[([A-Za-z][a-z]{2,19}(?: [a-z]{2,19}){0,2})\](?![(\[\w:])")
_GREETING_LEAD = frozenset(("dear", "hi", "hello", "hey"))  # "Dear [Customer]," takes a capital too
_LEAD_WORD = re.compile(r"([A-Za-z]+)[ \t]+$")
_ZH_SLOT_NOUN = (
    r"(?:[\u4e00-\u9fff]{0,6}(?:名称|名字|姓名|全名|称呼|昵称|品牌|公司|企业|单位|机构|门店|店铺|产品|商品|型号|"
    r"日期|时间|地址|地点|城市|省份|国家|电话|号码|手机号|联系方式|邮箱|账号|卡号|网址|链接|金额|价格|费用|数量|天数|编号|"
    r"订单号|单号|职位|岗位|部门|学校|专业|主题|话题|关键词|收件人|联系人|负责人)"
    r"|[\u4e00-\u9fff]{0,4}(?:产品|公司|品牌|店|用户|客户|商品|活动|项目|课程|网站|平台|书|人|地|姓|酒店|餐厅|医院)名)"
)
_ZH_SLOT = re.compile(
    rf"[\[［]\s*{_ZH_SLOT_NOUN}\s*[\]］](?![(（:：])|(?P<lent>【\s*{_ZH_SLOT_NOUN}\s*】)"
    # Square brackets and braces are not Chinese punctuation: a short Chinese phrase inside them, within a
    # sentence ("请拨打 [售后热线]", "｛会员等级｝会员"), is a slot whatever it names.
    r"|(?<=[\u4e00-\u9fff，、：\s])[\[［]\s*[\u4e00-\u9fff]{2,8}\s*[\]］](?![(（:：\[])"
    r"|[{｛]\s*[\u4e00-\u9fff]{2,8}\s*[}｝]"
)
_LINK_LABEL = re.compile(r"^[ \t]{0,3}\[([^\]\n]+)\]:", re.M)
_SLOT_KEYS = ("[", "［", "【", "<", "{", "｛")
_LATIN = re.compile("[A-Za-z]")


def template_slots(prose: str) -> list[str]:
    """Bracketed slot names left where a value belongs: "[brand]", "[Company Name]", "[first_name]",
    "<store name>", "[仓库地址]", "我是【公司名称】的客服". `prose` is the text with code removed."""
    if not any(k in prose for k in _SLOT_KEYS):
        return []
    found = []
    if prose.isascii() or _LATIN.search(prose):
        found = [m.group(0) for m in _EN_SLOT.finditer(prose) if not _ui_label(prose, m)]
    if "[" in prose:
        plain = unquote(prose)
        for m in _EN_SLOT_WORD.finditer(plain):
            lead = _LEAD_WORD.search(plain, max(0, m.start() - 30), m.start())
            word, lead_word = m.group(1), lead.group(1).lower() if lead else ""
            if (
                lead_word in (_SLOT_LEAD if word.islower() else _GREETING_LEAD)
                and not _NOT_SLOTS.intersection(word.lower().split())
                and (" " not in word or word.islower())
                and not _ui_label(plain, m)
            ):
                found.append(m.group(0))
    if not prose.isascii():
        found += [
            m.group(0)
            for m in _ZH_SLOT.finditer(prose)
            if (not m.group("lent") or _inline(prose, m)) and not _ui_label(prose, m)
        ]
    if found and "]:" in prose:  # [docs] used as a Markdown reference link, defined as "[docs]: url"
        defined = {label.lower() for label in _LINK_LABEL.findall(prose)}
        found = [f for f in found if f[1:-1].strip().lower() not in defined]
    return unique(found)


# A button, menu or field named in brackets: "click [Address]", "the [Date] column", "进入【收货地址】页面".
_UI_BEFORE = re.compile(
    r"(?:(?i:click|tap|press|select|choose|open|hit)(?:\s+on)?(?:\s+the)?|[>→»])\s*$"
    r"|(?:点击|点|进入|打开|(?<![您你])选择|选中|找到|切换到|前往|勾选|长按|搜索)\s*$"
)
_UI_AFTER = re.compile(
    r"\s*(?:>|→|»|[-—/]\s*【)"
    r"|\s+(?i:field|tab|menu|button|page|section|screen|column|table|box|option|dropdown|setting|key|icon|header)s?\b"
    r"|\s*(?:页面|页|按钮|选项|菜单|栏|一栏|入口|标签|图标|中|里|内|下)"
)


def _ui_label(text: str, m: re.Match[str]) -> bool:
    return bool(_UI_AFTER.match(text, m.end()) or _UI_BEFORE.search(text, max(0, m.start() - 20), m.start()))


def _inline(text: str, m: re.Match[str]) -> bool:
    """A 【】 slot sits inside a sentence ("我是【公司名称】的客服"); one that opens a line or sentence and is
    followed by its value ("【活动时间】6月1日", "【产品名称】：…") or stands alone is a heading or a label."""
    after = text[m.end() : m.end() + 1]
    if after in ("：", ":") or after.isdigit():
        return False
    line_start = text.rfind("\n", 0, m.start()) + 1
    before = text[line_start : m.start()].rstrip(" \t\u3000-*•·")
    if not before or before[-1] in "。！？!?；;":
        return after in ("，", ",", "、", "的")
    return True


# --- boilerplate: model self-talk, stock refusals, test answers (matched on normalize()d text) ---------
DEFAULT_BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"\bas an? (?:ai|artificial intelligence)(?: (?:language )?(?:model|assistant|chatbot|system|program|tool|product))?"
    r"(?=\s*,|\s+(?:i|model|developed|created|trained|designed)\b)",
    r"\bas an? (?:large )?language model\b",
    r"\bi(?:'m| am) (?:just |only |merely )?an? (?:ai|artificial intelligence|(?:large )?language model)\b",
    r"\bi(?: cannot| can't| can not| am unable to|'m unable to| am not able to|'m not able to| won't be able to)"
    r" (?:help|assist|comply|fulfill)(?: you)? with (?:that|this|it|your request|the request|such requests?)\b",
    r"\bi'm sorry,? but i(?: cannot| can't| am unable to|'m unable to) (?:help|assist|comply|fulfill)\b",
    r"\b(?:as of|based on|according to) my (?:last )?(?:knowledge|training)(?: data)?"
    r"(?: cutoff| cut-off| update)?\b",
    r"\bmy (?:knowledge|training data) (?:cutoff|cut-off|only goes)\b",
    r"\bi (?:do not|don't) have (?:personal )?(?:opinions|feelings|emotions|beliefs|personal experiences)\b",
    r"^\s*(?:this is )?(?:a |just a )?test (?:answer|response|reply)\b",
    r"\bthis is (?:a|just a|only a) test (?:answer|response|reply|record)?",
    r"\b(?:i am|i'm|as) chatgpt\b",
    # Chinese: normalize() keeps spaces, so allow optional spaces around embedded Latin words.
    r"作为(?:一个|一名|一款)?\s*(?:ai|人工智能)\s*(?:语言模型|大模型|模型|助手|聊天机器人|产品|程序|系统|工具)?(?=\s*[，,、]|\s*我)",
    r"作为(?:一个|一款)?(?:大型)?语言模型",
    r"我(?:只是|是)(?:一个|一款)?\s*(?:ai|人工智能)\s*(?:语言模型|模型|助手)?(?=\s*[，,。.！!]|$|\s*没有|\s*无法|\s*不能)",
    r"我(?:无法|不能|没法)(?:帮助|帮|协助)(?:你|您)?(?:完成|处理|回答)?(?:这个|该|此|这类)?(?:请求|问题|要求)",
    r"(?:抱歉|对不起|很抱歉)[，,\s]*我(?:无法|不能)(?:回答|提供|协助|帮助|满足)(?:你|您)?(?:这个|该|此|这类)?(?:问题|请求|要求)",
    r"测试(?:回答|答案|回复)",
    r"这是一(?:个|条)测试",
    r"(?:截至|截止|根据)(?:到)?我的(?:知识|训练)",
    r"我的训练数据",
    r"我没有个人(?:观点|感情|情感|意见|偏好|经历)",
    r"我是\s*chatgpt",
)
_BOILERPLATE_KEYS: tuple[tuple[str, ...], ...] = (
    (" ai", "artificial intelligence"),
    ("language model",),
    (" ai", "artificial intelligence", "language model"),
    ("i can", "unable to", "not able to", "won't be able"),
    ("i'm sorry",),
    ("my knowledge", "my training", "my last "),
    ("my knowledge", "my training"),
    ("i do not have", "i don't have"),
    ("test a", "test r"),
    ("a test",),
    ("chatgpt",),
    ("作为",),
    ("语言模型",),
    ("我只是", "我是"),
    ("我无法", "我不能", "我没法"),
    ("抱歉", "对不起"),
    ("测试",),
    ("测试",),
    ("我的知识", "我的训练"),
    ("我的训练",),
    ("我没有个人",),
    ("chatgpt",),
)

# --- filler: an assistant turn made only of these says nothing (matched on compact()ed text) --------
# fmt: off
DEFAULT_FILLER_PHRASES: tuple[str, ...] = (
    # zh acknowledgements, thanks and "anything else?"
    "好的", "好", "好滴", "好嘞", "好吧", "好的呢", "好的呀", "嗯", "嗯嗯", "嗯呢", "哦", "噢", "哈哈", "呵呵",
    "明白", "明白了", "我明白了", "明白您的意思", "明白你的意思", "了解", "了解了", "我了解了", "收到",
    "知道了", "我知道了", "懂了", "我懂了", "理解", "我理解", "没问题", "当然", "当然可以", "太好了",
    "很好", "非常好", "谢谢", "谢谢你", "谢谢您", "感谢", "感谢您", "不客气", "不用谢", "客气了",
    "请稍等", "稍等", "请继续", "继续", "还有问题吗", "还有其他问题吗", "还有什么问题吗", "您还有其他问题吗",
    "你还有其他问题吗", "还有什么可以帮您的吗", "还有什么可以帮你的吗", "还有什么需要帮助的吗",
    "请问还有什么可以帮您", "请问还有什么需要", "有什么可以帮您", "有什么可以帮你",
    "我来帮您", "我来帮你", "我可以帮您", "我可以帮你", "让我来帮您", "让我看看", "我帮您看看", "我帮您查一下",
    "我帮你查一下", "交给我吧", "我明白您的意思了", "我明白你的意思了", "明白您的意思了", "我理解您的心情",
    "我理解您的感受", "理解您的心情", "了",
    # sentence-final particles, so that "明白啦", "好的呀", "收到哈" are filler too
    "啦", "呀", "呢", "哦", "哈", "吧", "嘛", "哒", "喔", "咯", "嘞", "哟",
    # en
    "ok", "okay", "sure", "sure thing", "of course", "certainly", "absolutely", "alright", "all right",
    "got it", "i see", "understood", "i understand", "noted", "great", "perfect", "cool", "awesome",
    "sounds good", "makes sense", "that makes sense", "thanks", "thank you", "thank you so much",
    "you're welcome", "you are welcome", "no worries", "no problem", "my pleasure", "glad to help",
    "happy to help", "anything else", "is there anything else", "is there anything else i can help with",
    "is there anything else i can help you with", "any other questions", "do you have any other questions",
    "do you have any questions", "let me know", "let me know if you have any other questions",
    "let me know if you have any questions", "hmm", "hm", "um", "uh", "ah", "oh", "wow", "indeed", "right",
    "i can help with that", "i can help you with that", "i'd be happy to help", "i'd be glad to help",
    "happy to help with that", "let me help you", "let me help you with that", "let me check", "let me see",
    "let me look into that", "i'll look into it", "i understand your concern", "i understand how you feel",
    "i hear you", "i see what you mean", "sounds good to me", "no worries at all", "not at all",
    # intensifiers that only ever pad a filler ("thanks again", "ok then")
    "at all", "to me", "then", "again", "so much", "very much",
)
# fmt: on

# Speaker labels. Strong ones name a side outright; weak ones (Q/A, 问/答) only count in pairs, since a
# lone "A:" is usually an option in a multiple-choice list.
_USER_STRONG = r"用户|客户|顾客|提问者|user|human|customer"
_ASSISTANT_STRONG = r"助手|客服|机器人|回答者|assistant|ai|bot|agent|chatgpt|gpt"
_WEAK_Q = r"q|question|问"
_WEAK_A = r"a|answer|答"
_LINE_START = r"(?:^|\n|[。！？!?]\s*|\.\s+)[>*_#\s•·\-—–]*"
_AFTER = r"\s*(?:说|问|答|回答|回复|\s+(?:says|said|asks|asked|replies|replied|writes))?\s*[*_]*\s*[:：]"
_LABEL = re.compile(
    rf"{_LINE_START}(?P<label>{_USER_STRONG}|{_ASSISTANT_STRONG}|{_WEAK_Q}|{_WEAK_A}){_AFTER}"
    rf"|[\[【]\s*(?P<blabel>{_USER_STRONG}|{_ASSISTANT_STRONG})\s*[\]】]",
    re.I,
)
_LABEL_KEYS = (":", "：", "[", "【")  # every label match holds one of these
_FAQ_CONTEXT = re.compile(r"faq|q\s*&\s*a|q&a|问答|常见问题|面试题|练习题|quiz|interview questions", re.I)
# Asked for a dialogue or script, an assistant turn may rightly write several speakers' lines.
_SCRIPT_CONTEXT = re.compile(r"对话|剧本|情景|台词|角色扮演|dialog|conversation|script|role-?play", re.I)
# Asked for a template, placeholders are the point.
TEMPLATE_CONTEXT = re.compile(r"模板|模版|范本|样板|填空|template|fill-in|form letter|mail merge", re.I)


def compile_patterns(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.M) for p in patterns]


def default_placeholders(extra: Sequence[str] = ()) -> PatternSet:
    """The built-in placeholder patterns (matched on text with code removed) plus `extra` ones."""
    return PatternSet.build(compile_patterns([*DEFAULT_PLACEHOLDER_PATTERNS, *extra]), _PLACEHOLDER_KEYS)


def default_boilerplate(phrases: Sequence[str] = ()) -> PatternSet:
    """The built-in boilerplate patterns (matched on normalize()d text) plus literal `phrases`."""
    built = PatternSet.build(compile_patterns(DEFAULT_BOILERPLATE_PATTERNS), _BOILERPLATE_KEYS)
    return built + PatternSet(Guarded(phrase_pattern(p), (phrase_key(p),)) for p in phrases if p.strip())


_QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|「[^」\n]{1,300}」|『[^』\n]{1,300}』')
_QUOTED_ASCII = re.compile(r'"[^"\n]{1,300}"')  # all of _QUOTED that can match ASCII text


def unquote(text: str) -> str:
    """`text` with double-quoted passages blanked out: a quoted phrase is being talked about, not said."""
    if text.isascii():
        return _QUOTED_ASCII.sub(" ", text) if '"' in text else text
    if '"' in text or "“" in text or "「" in text or "『" in text:
        return _QUOTED.sub(" ", text)
    return text


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A user-given literal phrase as a pattern over normalize()d text: whole words for Latin phrases,
    plain substring (spaces optional) for phrases with CJK characters, where there are no word breaks."""
    norm = normalize(phrase)
    if _is_cjk_phrase(norm):
        return re.compile(r"\s*".join(re.escape(ch) for ch in norm.replace(" ", "")))
    # Words may be joined by spaces, hyphens or underscores: "guaranteed-returns" is "guaranteed returns".
    parts = [re.escape(p) for p in re.split(r"[\s\-_]+", norm) if p]
    return re.compile(r"(?<![\w])" + r"[\s\-_]+".join(parts) + r"(?![\w])")


def phrase_key(phrase: str) -> str:
    """Literal text every match of `phrase_pattern(phrase)` contains ("" if there is none)."""
    norm = normalize(phrase)
    if _is_cjk_phrase(norm):
        return norm.replace(" ", "")[:1]
    return next((p for p in re.split(r"[\s\-_]+", norm) if p), "")


def _is_cjk_phrase(norm: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in norm)


class Filler:
    """Filler phrases (compact()ed) and what `is_filler` needs to rule most texts out at once."""

    __slots__ = ("phrases", "sizes", "lasts")

    def __init__(self, phrases: frozenset[str]) -> None:
        self.phrases = phrases
        sizes: dict[str, set[int]] = {}
        for p in phrases:
            if p:
                sizes.setdefault(p[0], set()).add(len(p))
        self.sizes = {first: sorted(v) for first, v in sizes.items()}  # phrase lengths by first character
        self.lasts = frozenset(p[-1] for p in phrases if p)

    def covers(self, s: str) -> bool:
        """True when compact()ed `s` splits into filler phrases."""
        if not s:
            return True
        if s[0] not in self.sizes or s[-1] not in self.lasts:
            return False
        n, phrases, sizes = len(s), self.phrases, self.sizes
        reach = [True] + [False] * n  # reach[i]: s[:i] splits into phrases
        furthest = 0
        for i in range(n):
            if i > furthest:
                return False  # nothing reaches this far, so nothing reaches the end
            if reach[i]:
                for size in sizes.get(s[i], ()):
                    if i + size > n:
                        break
                    if s[i : i + size] in phrases:
                        reach[i + size] = True
                        furthest = max(furthest, i + size)
        return reach[-1]


def is_filler(text: str, phrases: frozenset[str] | Filler, max_len: int = 80) -> bool:
    """True when `text`, without punctuation, spaces and emoji, is made only of filler phrases."""
    return is_filler_compact(compact(text), phrases, max_len)


def is_filler_compact(s: str, phrases: frozenset[str] | Filler, max_len: int = 80) -> bool:
    if len(s) > max_len:
        return False
    return (phrases if isinstance(phrases, Filler) else Filler(phrases)).covers(s)


def speaker_labels(text: str, prose: str | None = None) -> list[str]:
    """Speaker labels in `text` (line-start "用户：", "User:", "Q:", or bracketed "[助手]"), lower-cased.
    `prose` is `strip_code(text)` where the caller has it already."""
    if prose is None:
        prose = strip_code(text)
    if not any(ch in prose for ch in _LABEL_KEYS):
        return []
    return [(m.group("label") or m.group("blabel")).lower() for m in _LABEL.finditer(prose)]


def self_talk(content: str, role: str, previous_user: str = "", prose: str | None = None) -> str | None:
    """Why a turn looks like it writes both sides of the conversation, or None. `previous_user` is
    what the user said so far: a request for a script or an FAQ makes speaker labels legitimate."""
    labels = speaker_labels(content, prose)
    if not labels or (role == "assistant" and _SCRIPT_CONTEXT.search(previous_user)):
        return None
    user = [lb for lb in labels if re.fullmatch(_USER_STRONG, lb, re.I)]
    assistant = [lb for lb in labels if re.fullmatch(_ASSISTANT_STRONG, lb, re.I)]
    weak_q = [lb for lb in labels if re.fullmatch(_WEAK_Q, lb, re.I)]
    weak_a = [lb for lb in labels if re.fullmatch(_WEAK_A, lb, re.I)]
    if user and assistant:
        return f"labels {user[0]!r} and {assistant[0]!r} in one turn"
    if role == "assistant" and user:
        return f"assistant turn writes a {user[0]!r} line"
    if role == "user" and assistant:
        return f"user turn writes an {assistant[0]!r} line"
    if weak_q and weak_a and not (_FAQ_CONTEXT.search(previous_user) or _FAQ_CONTEXT.search(content)):
        return f"question/answer labels {weak_q[0]!r}/{weak_a[0]!r} in one turn"
    return None


def repeats(answer: str, source: str, near: bool = True, fragment: bool = False) -> bool:
    """True when `answer` is `source` again: equal after normalising away case, width, spaces and
    punctuation, or `source` plus a short echo prefix/suffix ("问题是：…", "You asked: …"), or (with
    `near`) a near copy by character trigrams, or (with `fragment`) most of `source` cut out of it
    ("请解释什么是区块链" -> "什么是区块链")."""
    return repeats_compact(compact(answer), compact(source), near, fragment)


def repeats_compact(a: str, s: str, near: bool = True, fragment: bool = False) -> bool:
    """`repeats` on texts already compact()ed."""
    if len(s) < 4 or not a:
        return False
    if a == s:
        return True
    if s in a and _only_echo_words(a.replace(s, "", 1)):
        return True
    if fragment and len(a) >= 4 and a in s and len(a) >= 0.6 * len(s):
        return True
    if not near or not 0.8 <= len(a) / len(s) <= 1.25:
        return False
    ga, gs = _trigrams(a), _trigrams(s)
    return bool(ga and gs) and len(ga & gs) / len(ga | gs) >= 0.85


_TRANSLATION_WORDS = {
    "zh": "英文|英语|english|日语|日文|法语|德语|韩语|西班牙语|俄语|translat",
    "en": "chinese|mandarin|cantonese|japanese|french|spanish|german|korean|translat|中文|汉语|pinyin",
}
_TRANSLATION_TO = {
    lang: Guarded(re.compile(words, re.I), [f"~{w}" if w.isascii() else w for w in words.split("|")])
    for lang, words in _TRANSLATION_WORDS.items()
}


def asks_for_other_language(instruction: str, expected: str) -> bool:
    """True when the instruction itself asks for another language (a translation task, say)."""
    guarded = _TRANSLATION_TO.get(expected)
    return bool(guarded and guarded.search(instruction))


# What an echo may add around the repeated text ("You asked: …", "问题是：…呢"), compacted.
_ECHO_WORDS = frozenset(
    compact(w)
    for w in (
        "you asked",
        "your question is",
        "the question is",
        "question",
        "q",
        "instruction",
        "input",
        "prompt",
        "answer",
        "a",
        "问题",
        "问题是",
        "你的问题是",
        "您的问题是",
        "你问的是",
        "您问的是",
        "你问",
        "您问",
        "指令",
        "输入",
        "回答",
        "答",
        "答案",
        "呢",
        "吗",
        "啊",
        "呀",
        "吧",
    )
)


def _only_echo_words(rest: str) -> bool:
    if len(rest) <= 1 or rest in _ECHO_WORDS:
        return True
    return any(rest[:i] in _ECHO_WORDS and rest[i:] in _ECHO_WORDS for i in range(1, len(rest)))


def _trigrams(s: str) -> set[str]:
    return {s[i : i + 3] for i in range(len(s) - 2)}

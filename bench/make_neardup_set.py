"""Make a labelled near-duplicate set (English + Chinese) for bench/dedup_bench.py.

    python bench/make_neardup_set.py --out /tmp/synthpipe-bench/neardup.jsonl [--bases 1500] [--seed 7]

English bases are real prose: docstrings of the Python standard library (10-150 words, so short and
medium records); Chinese bases are customer-service / policy paragraphs built from phrase lists. Bases that
are already alike (same normal form, or sharing half their word bigrams) are dropped, so two bases are
never duplicates of each other.

Each base gets one variant (a family of two, labelled duplicates), made by one edit kind:
  format      case, punctuation, spacing, full-width forms only (exact duplicate after normalisation)
  substitute  replace k tokens        insert   insert k tokens       delete  delete k tokens
  swap        swap k adjacent pairs   mixed    two of the above, k each
with k = max(1, round(rate * tokens)), rate 5% or 10% (tokens: words; for Chinese, words of the phrase
lists, i.e. 1-4 characters). A fifth of the bases also get a hard negative, a family of its own: the same
text with its second half (40-60% of the tokens) rewritten from another base — it shares a long span with
the base but is not a duplicate.

Every line is a synthpipe record {id, text, label, meta: {task: classify, extra: {family, role, edit, lang,
words}}}; the order is shuffled so the base is not always first.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import random
import re
import warnings
from pathlib import Path

STDLIB = (  # noqa: SIM905
    "os os.path shutil json re string textwrap collections itertools functools pathlib datetime calendar decimal "
    "fractions statistics random math heapq bisect array copy pprint enum typing dataclasses abc contextlib io "
    "csv configparser logging argparse tempfile glob fnmatch zipfile tarfile gzip bz2 lzma zlib hashlib hmac "
    "secrets base64 binascii struct codecs unicodedata locale gettext time sched queue threading "
    "multiprocessing subprocess socket ssl select selectors asyncio signal mmap email mailbox mimetypes html "
    "html.parser xml.dom.minidom xml.etree.ElementTree urllib.parse urllib.request http.client http.server "
    "http.cookies ftplib smtplib uuid socketserver xmlrpc.client ipaddress wave colorsys shlex cmd pydoc "
    "doctest unittest difflib inspect ast dis tokenize pickle shelve sqlite3 operator weakref types numbers "
    "traceback warnings sys platform ctypes optparse filecmp tracemalloc timeit trace pdb gc sysconfig pkgutil "
    "runpy importlib graphlib netrc plistlib webbrowser reprlib linecache stat fileinput resource "
    "concurrent.futures contextvars code codeop modulefinder zoneinfo tomllib pickletools symtable"
).split()

ZH_SUBJECTS = [
    "用户",
    "客户",
    "会员",
    "新注册的用户",
    "企业客户",
    "我们的客服团队",
    "售后部门",
    "平台",
    "商家",
    "物流公司",
    "财务部门",
    "系统管理员",
    "学生",
    "家长",
    "老师",
    "医院的患者",
    "租户",
    "房东",
    "游客",
    "司机",
]
ZH_TIMES = [
    "在下单后七天内",
    "在收到商品后",
    "每个月的第一天",
    "在工作日的上午",
    "在节假日期间",
    "在账户注销之前",
    "在合同到期前三十天",
    "在活动开始以前",
    "在付款成功以后",
    "在每个季度结束时",
    "在系统升级期间",
    "晚上十点以后",
]
ZH_VERBS = [
    "可以申请",
    "需要提交",
    "应当确认",
    "有权取消",
    "必须更新",
    "可以免费获得",
    "需要重新绑定",
    "可以查询",
    "应该及时处理",
    "可以联系客服修改",
    "需要上传",
    "可以在线预约",
    "必须妥善保管",
    "可以选择延长",
]
ZH_OBJECTS = [
    "退款申请",
    "发票信息",
    "收货地址",
    "会员积分",
    "登录密码",
    "身份证明材料",
    "银行卡信息",
    "订单状态",
    "优惠券",
    "维修服务",
    "租赁合同",
    "课程安排",
    "预约时间",
    "保修期限",
    "隐私设置",
    "配送方式",
    "电子发票",
    "账户余额",
    "退货运费",
    "套餐内容",
]
ZH_REASONS = [
    "以免影响后续的服务",
    "否则系统将自动关闭该请求",
    "具体规则以页面公告为准",
    "相关费用由平台承担",
    "处理结果会通过短信通知",
    "逾期将无法恢复",
    "如有疑问请拨打热线电话",
    "审核通常需要三个工作日",
    "超过期限的申请不予受理",
    "这样可以保障账户安全",
    "部分商品不适用此规定",
    "请保留好相关凭证",
]
ZH_LINKS = ["同时", "此外", "另外", "但是", "因此", "如果遇到问题", "一般情况下", "特殊情况下"]
ZH_FILLERS = ["特别", "及时", "务必", "尽快", "全部", "相关", "具体", "另行", "主动", "详细"]
EN_FILLERS = ["also", "then", "only", "usually", "simply", "actually", "however", "new", "all", "the", "very"]
ZH_PUNCT = {"，": ",", "。": ".", "；": ";", "：": ":"}


def english_bases() -> list[str]:
    warnings.simplefilter("ignore")
    docs: dict[str, None] = {}
    for name in STDLIB:
        try:
            mod = importlib.import_module(name)
        except Exception:  # a module missing on this build of Python is simply skipped
            continue
        objs: list[object] = [mod]
        for attr, obj in sorted(vars(mod).items()):
            if attr.startswith("_"):
                continue
            objs.append(obj)
            if inspect.isclass(obj):
                objs.extend(v for k, v in sorted(vars(obj).items()) if not k.startswith("_"))
        for obj in objs:
            doc = getattr(obj, "__doc__", None)
            if isinstance(doc, str) and not re.search(r">>>|[{}\[\]=]{2}", doc):
                text = " ".join(doc.split())
                if 10 <= len(text.split()) <= 150:
                    docs[text] = None
    return sorted(docs)


def chinese_base(rng: random.Random) -> list[str]:
    """A paragraph as a list of tokens (phrases and punctuation), 2-5 clauses long."""
    tokens: list[str] = []
    for i in range(rng.choice([2, 2, 3, 4, 5])):
        if i:
            tokens += [rng.choice(ZH_LINKS), "，"]
        tokens += [
            rng.choice(ZH_SUBJECTS),
            rng.choice(ZH_TIMES),
            rng.choice(ZH_VERBS),
            rng.choice(ZH_OBJECTS),
            "，",
            rng.choice(ZH_REASONS),
            "。",
        ]
    return tokens


def _words(tokens: list[str]) -> list[int]:
    return [i for i, t in enumerate(tokens) if t not in ZH_PUNCT and re.search(r"\w", t)]


def edit(tokens: list[str], kind: str, k: int, rng: random.Random, lang: str) -> list[str]:
    out = list(tokens)
    fill = ZH_FILLERS + ZH_OBJECTS if lang == "zh" else EN_FILLERS
    for _ in range(k):
        idx = _words(out)
        if not idx:
            break
        i = rng.choice(idx)
        if kind == "substitute":
            out[i] = rng.choice(fill)
        elif kind == "insert":
            out.insert(i, rng.choice(fill))
        elif kind == "delete" and len(idx) > 2:
            del out[i]
        elif kind == "swap":
            j = idx[min(idx.index(i) + 1, len(idx) - 1)]
            out[i], out[j] = out[j], out[i]
    return out


def format_noise(text: str, rng: random.Random, lang: str) -> str:
    if lang == "zh":
        for full, half in ZH_PUNCT.items():
            if rng.random() < 0.5:
                text = text.replace(full, half)
        text = text.replace("七", "７") if rng.random() < 0.3 else text
        return text + rng.choice(["", "！", "……"])
    words = text.split()
    if rng.random() < 0.5:
        words = [w.upper() if rng.random() < 0.2 else w for w in words]
    text = "  ".join(words) if rng.random() < 0.5 else " ".join(words)
    text = re.sub(r"[.,;:]", lambda m: rng.choice([m.group(0), "", " ,", "!"]), text)
    return text + rng.choice(["", ".", "!!", " ?"])


def join(tokens: list[str], lang: str) -> str:
    return "".join(tokens) if lang == "zh" else " ".join(tokens)


def _bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    low = [t.lower().strip(".,;:()'\"") for t in tokens]
    return set(zip(low, low[1:], strict=False)) or {(low[0], "")} if low else set()


def distinct(bases: list[list[str]], limit: float = 0.5) -> list[list[str]]:
    """Drop bases sharing >= `limit` of their word bigrams (Jaccard) with an earlier kept base."""
    kept: list[list[str]] = []
    kept_sets: list[set[tuple[str, str]]] = []
    index: dict[tuple[str, str], list[int]] = {}
    for tokens in bases:
        grams = _bigrams(tokens)
        hits: dict[int, int] = {}
        for g in grams:
            posting = index.get(g, ())
            if len(posting) <= 50:  # a very common bigram says little; skipping it keeps this linear
                for j in posting:
                    hits[j] = hits.get(j, 0) + 1
        if any(len(grams & kept_sets[j]) / len(grams | kept_sets[j]) >= limit for j in hits):
            continue
        for g in grams:
            index.setdefault(g, []).append(len(kept))
        kept.append(tokens)
        kept_sets.append(grams)
    return kept


def make(n_bases: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    en = distinct([d.split() for d in english_bases()])
    rng.shuffle(en)
    zh_pool = distinct([chinese_base(rng) for _ in range(n_bases * 2)])
    bases = [("en", t) for t in en[:n_bases]] + [("zh", t) for t in zh_pool[:n_bases]]
    kinds = ["format", "substitute", "insert", "delete", "swap", "mixed"]
    rows: list[dict[str, object]] = []

    def add(fam: str, role: str, kind: str, lang: str, tokens: list[str], text: str | None = None) -> None:
        rows.append(
            {
                "text": text if text is not None else join(tokens, lang),
                "label": "-",
                "meta": {
                    "task": "classify",
                    "extra": {
                        "family": fam,
                        "role": role,
                        "edit": kind,
                        "lang": lang,
                        "words": len(_words(tokens)),
                    },
                },
            }
        )

    for n, (lang, tokens) in enumerate(bases):
        fam = f"{lang}{n}"
        add(fam, "base", "-", lang, tokens)
        kind = kinds[n % len(kinds)]
        rate = 0.05 if (n // len(kinds)) % 2 else 0.10
        k = max(1, round(rate * len(_words(tokens))))
        if kind == "format":
            add(fam, "variant", "format", lang, tokens, format_noise(join(tokens, lang), rng, lang))
        else:
            first, second = rng.sample(kinds[1:5], 2) if kind == "mixed" else (kind, None)
            var = edit(tokens, first, k, rng, lang)
            if second:
                var = edit(var, second, k, rng, lang)
            text = join(var, lang)
            add(
                fam,
                "variant",
                f"{kind}{int(rate * 100)}",
                lang,
                var,
                format_noise(text, rng, lang) if rng.random() < 0.3 else text,
            )
        if n % 5 == 0:  # hard negative: keep the first half, take the rest from another base
            cut = max(1, int(len(tokens) * rng.uniform(0.4, 0.6)))
            need = len(tokens) - cut
            for step in range(1, len(bases)):
                lang2, other = bases[(n + step * 7919) % len(bases)]
                if lang2 == lang and other is not tokens and len(other) >= need:
                    add(f"{fam}h", "hard_negative", "-", lang, tokens[:cut] + other[len(other) - need :])
                    break
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row["id"] = f"n{i:05d}"
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/synthpipe-bench/neardup.jsonl")
    ap.add_argument("--bases", type=int, default=1500, help="bases per language")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rows = make(args.bases, args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(
                json.dumps(
                    {"id": row["id"], **{k: v for k, v in row.items() if k != "id"}}, ensure_ascii=False
                )
                + "\n"
            )
    print(f"wrote {len(rows)} records to {out}")


if __name__ == "__main__":
    main()

"""Build bench/data/rules_labelled.jsonl: clean records and labelled defects for the rule checks.

Clean records come from the hand-written corpora (rules_corpus_*.py) plus product-FAQ templates.
Each defect takes a clean record and breaks it one way, with wording written here independently of
the checker's own phrase lists, so that recall measures the rules rather than echoing them.

    python bench/make_rules_data.py     # rewrites bench/data/rules_labelled.jsonl (deterministic)
"""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from rules_corpus_defects import (  # noqa: E402
    BAD_LABELS,
    BAD_ROLES,
    BOILER,
    FILLER,
    OTHER_LANG,
    PLACEHOLDERS,
    SELF_TALK,
    SHORT,
)
from rules_corpus_dialogue import EN_SCENARIOS, EN_SYSTEM, ZH_SCENARIOS, ZH_SYSTEM  # noqa: E402
from rules_corpus_fresh import FRESH  # noqa: E402
from rules_corpus_hard import HARD_DIALOGUE, HARD_QA  # noqa: E402
from rules_corpus_holdout import HOLDOUT  # noqa: E402
from rules_corpus_more import (  # noqa: E402
    CLASSIFY,
    EN_FAQ,
    EN_INTENT,
    EN_PRODUCTS,
    EN_SENTIMENT,
    REWRITE,
    SUMMARIZE,
    ZH_FAQ,
    ZH_INTENT,
    ZH_PRODUCTS,
    ZH_SENTIMENT,
)
from rules_corpus_qa import QA_PAIRS  # noqa: E402
from rules_corpus_unseen import UNSEEN  # noqa: E402

OUT = Path(__file__).parent / "data" / "rules_labelled.jsonl"
BANNED = {
    "zh": ["稳赚不赔", "包治百病", "竞品A"],
    "en": ["guaranteed returns", "miracle cure", "CompetitorX"],
}
QA_LENGTHS = {"instruction": [2, 300], "output": [1, 2000]}


def line(
    kind: str,
    n: int,
    expect: list[str],
    task: str,
    rec: dict[str, Any],
    *,
    lang: str | None,
    data_lang: str,
    labels: list[str] | None = None,
    rounds: tuple[int, int] = (3, 6),
    lengths: dict[str, list[int]] | None = None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "id": f"{kind}-{task}-{data_lang}-{n:03d}",
        "expect": expect,
        "task": task,
        "check_lang": lang,
        "data_lang": data_lang,
        "labels": labels or [],
        "rounds": list(rounds),
        "constraints": {"banned_words": BANNED[data_lang], "lengths": lengths or {}},
        "record": rec,
        "note": note,
    }


def clean_records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    n = 0
    for i, (zi, zo, ei, eo) in enumerate(QA_PAIRS):
        for lang, ins, outp in (("zh", zi, zo), ("en", ei, eo)):
            n += 1
            out.append(
                line(
                    "clean",
                    n,
                    [],
                    "qa",
                    {"instruction": ins, "input": "", "output": outp},
                    lang=lang if i % 2 else None,
                    data_lang=lang,
                    lengths=QA_LENGTHS,
                )
            )
    rng = random.Random(3)
    for lang, products, faq in (("zh", ZH_PRODUCTS, ZH_FAQ), ("en", EN_PRODUCTS, EN_FAQ)):
        for p in products:
            for q, a in rng.sample(faq, 3):
                n += 1
                vals = {"p": p, "a": rng.choice([1, 2, 3]), "b": rng.choice([3, 6, 12, 24])}
                out.append(
                    line(
                        "clean",
                        n,
                        [],
                        "qa",
                        {"instruction": q.format(**vals), "input": "", "output": a.format(**vals)},
                        lang=lang if n % 3 else None,
                        data_lang=lang,
                        lengths=QA_LENGTHS,
                    )
                )
    for task, items in (("summarize", SUMMARIZE), ("rewrite", REWRITE)):
        for lang, ins, inp, outp in items:
            n += 1
            out.append(
                line(
                    "clean",
                    n,
                    [],
                    task,
                    {"instruction": ins, "input": inp, "output": outp},
                    lang=lang if n % 2 else None,
                    data_lang=lang,
                )
            )
    for lang, labels, text, label in CLASSIFY:
        n += 1
        out.append(
            line(
                "clean",
                n,
                [],
                "classify",
                {"text": text, "label": label},
                lang=lang,
                data_lang=lang,
                labels=labels,
            )
        )
    for lang, scenarios, systems in (("zh", ZH_SCENARIOS, ZH_SYSTEM), ("en", EN_SCENARIOS, EN_SYSTEM)):
        for s_i, scenario in enumerate(scenarios):
            for cut in range(3, len(scenario) + 1):
                n += 1
                msgs = [{"role": "system", "content": systems[s_i % len(systems)]}] if (cut + s_i) % 2 else []
                for user, assistant in scenario[:cut]:
                    msgs += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
                out.append(
                    line(
                        "clean",
                        n,
                        [],
                        "dialogue",
                        {"messages": msgs},
                        lang=lang if cut % 2 else None,
                        data_lang=lang,
                        lengths={"assistant": [2, 600]},
                    )
                )
    for h, (task, lang, ins, inp, outp) in enumerate(HARD_QA):
        out.append(
            line(
                "hard",
                h,
                [],
                task,
                {"instruction": ins, "input": inp, "output": outp},
                lang=lang if h % 2 else None,
                data_lang=lang,
                lengths=QA_LENGTHS if task == "qa" else None,
            )
        )
    for h, (lang, turns) in enumerate(HARD_DIALOGUE, len(HARD_QA)):
        out.append(
            line(
                "hard",
                h,
                [],
                "dialogue",
                {"messages": [{"role": r, "content": c} for r, c in turns]},
                lang=lang if h % 2 else None,
                data_lang=lang,
            )
        )
    return out


def defects(clean: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    plain = [x for x in clean if not x["id"].startswith("hard-")]  # defects are built from ordinary records
    by = {
        (c["task"], c["data_lang"]): [
            x for x in plain if x["task"] == c["task"] and x["data_lang"] == c["data_lang"]
        ]
        for c in plain
    }
    out: list[dict[str, Any]] = []

    def base(task: str, lang: str) -> dict[str, Any]:
        return copy.deepcopy(rng.choice(by[(task, lang)]))

    def add(code: str, b: dict[str, Any], note: str, lengths: dict[str, list[int]] | None = None) -> None:
        if lengths is not None:
            b["constraints"]["lengths"] = lengths
        b.update(id=f"defect-{code}-{len(out):03d}", expect=[code], note=note)
        out.append(b)

    def turns_of(b: dict[str, Any], role: str) -> list[int]:
        return [i for i, m in enumerate(b["record"]["messages"]) if m["role"] == role]

    for k in range(20):
        lang = "zh" if k % 2 == 0 else "en"
        other = "en" if lang == "zh" else "zh"
        qa, dia, cls = base("qa", lang), base("dialogue", lang), base("classify", lang)
        # structure
        b = [qa, cls, dia][k % 3]
        if b is qa:
            b["record"].pop(rng.choice(["output", "instruction"]))
        elif b is cls:
            b["record"][rng.choice(["text", "label"])] = None
        elif k % 2:
            del b["record"]["messages"]
        else:
            del b["record"]["messages"][turns_of(b, "assistant")[0]]["content"]
        add("missing_field", b, "field removed")
        qa, dia, cls = base("qa", lang), base("dialogue", lang), base("classify", lang)
        j = k % 7
        if j < 3:
            out_text = qa["record"]["output"]
            qa["record"]["output"] = [[out_text[:20], out_text[20:]], 391, {"answer": "ok"}][j]
        elif j < 5:
            cls["record"]["label"] = [cls["record"]["label"]] if j == 3 else True
        elif j == 5:
            dia["record"]["messages"] = "\n".join(m["content"] for m in dia["record"]["messages"])
        else:
            dia["record"]["messages"][turns_of(dia, "assistant")[0]]["content"] = ["a", "b"]
        add("wrong_type", qa if j < 3 else cls if j < 5 else dia, "wrong JSON type")
        qa, dia, cls = base("qa", lang), base("dialogue", lang), base("classify", lang)
        empties = [
            (qa, "output", ""),
            (qa, "output", "  \n\t"),
            (qa, "output", "\u3000\u3000"),
            (qa, "instruction", " "),
            (cls, "text", ""),
            (cls, "label", " "),
            (dia, "messages", []),
        ]
        tgt, fld, val = empties[k % len(empties)]
        tgt["record"][fld] = val
        add("empty_field", tgt, f"{fld} emptied")
        # lengths
        if k < 14:
            b = base("qa", lang)
            b["record"]["output"] = rng.choice(SHORT[lang])
            add("too_short", b, "short answer under min 30", lengths={"output": [30, 2000]})
            b = base("qa", lang)
            parts = [x["record"]["output"] for x in rng.sample(by[("qa", lang)], 8)]
            b["record"]["output"] = "\n\n".join(
                parts[: next(i for i in range(1, 9) if len("".join(parts[:i])) > 260)]
            )
            add("too_long", b, "answer over max 200", lengths={"output": [1, 200]})
        else:
            b = base("dialogue", lang)
            b["record"]["messages"][turns_of(b, "assistant")[1]]["content"] = rng.choice(SHORT[lang])
            add("too_short", b, "assistant turn under min 15", lengths={"assistant": [15, 600]})
            b = base("dialogue", lang)
            a = turns_of(b, "assistant")[1]
            b["record"]["messages"][a]["content"] = " ".join(
                x["record"]["output"] for x in by[("qa", lang)][k : k + 3]
            )
            add("too_long", b, "assistant turn over max 150", lengths={"assistant": [2, 150]})
        # banned words, anywhere in the record, in any case
        b = base(["qa", "qa", "classify", "dialogue"][k % 4], lang)
        word = rng.choice(BANNED[lang])
        word = word.upper() if k % 3 == 0 and lang == "en" else word
        phrase = {"zh": f"这款产品{word}，放心购买。", "en": f"Our plan offers {word} for everyone."}[lang]
        if b["task"] == "qa":
            b["record"]["output"] += ("" if lang == "zh" else " ") + phrase
        elif b["task"] == "classify":
            b["record"]["text"] = phrase + b["record"]["text"]
        else:
            b["record"]["messages"][turns_of(b, "assistant")[-1]]["content"] += " " + phrase
        add("banned_word", b, f"banned word {word!r}")
        # boilerplate at the start, the end or instead of the answer
        b = base(["qa", "qa", "summarize", "dialogue"][k % 4], lang)
        bp = BOILER[lang][k % len(BOILER[lang])]
        if b["task"] == "dialogue":
            b["record"]["messages"][turns_of(b, "assistant")[k % 3]]["content"] = (
                bp + b["record"]["messages"][turns_of(b, "assistant")[k % 3]]["content"]
            )
        elif b["task"] == "summarize" or b["record"]["output"] and k % 3 == 0:
            b["record"]["output"] = b["record"]["output"] + (" " if lang == "en" else "") + bp
        else:
            b["record"]["output"] = bp + ("" if lang == "zh" else " ") + b["record"]["output"]
        add("boilerplate", b, "stock model text")
        # placeholders in the answer or the instruction
        b = base(["qa", "qa", "rewrite", "dialogue"][k % 4], lang)
        ph = PLACEHOLDERS[lang][k % len(PLACEHOLDERS[lang])]
        if b["task"] == "dialogue":
            b["record"]["messages"][turns_of(b, "assistant")[0]]["content"] += (
                "" if lang == "zh" else " "
            ) + ph
        elif k % 5 == 1:
            b["record"]["instruction"] = b["record"]["instruction"].rstrip("？?") + (
                f"（{ph}）" if lang == "zh" else f" ({ph})"
            )
        else:
            b["record"]["output"] = ph + ("" if lang == "zh" else " ") + b["record"]["output"]
        add("placeholder", b, f"placeholder {ph!r}")
        # the answer only repeats the instruction or input
        b = base(["qa", "qa", "summarize", "rewrite", "dialogue"][k % 5], lang)
        rec = b["record"]
        if b["task"] == "qa":
            ins = rec["instruction"]
            rec["output"] = [
                ins,
                ins.lower().rstrip("?？") + ".",
                ("问题：" if lang == "zh" else "Question: ") + ins,
                ins.replace("，", ", ").replace("？", "?"),
            ][k % 4]
        elif b["task"] in ("summarize", "rewrite"):
            rec["output"] = rec["input"] if k % 2 else rec["input"].replace("。", ".")
        else:
            a = turns_of(b, "assistant")[1]
            rec["messages"][a]["content"] = rec["messages"][a - 1]["content"]
        add("repeats_instruction", b, "echo")
        # wrong language: crossed pairs, other languages, auto mode
        b = base(["qa", "qa", "dialogue", "classify", "summarize"][k % 5], lang)
        # Long enough to judge: one-word answers ("Beijing.") are deliberately left to the judge.
        long_foreign = [x["record"]["output"] for x in by[("qa", other)] if len(x["record"]["output"]) >= 40]
        foreign = rng.choice(long_foreign) if k % 4 else rng.choice(OTHER_LANG)
        if b["task"] == "qa" or b["task"] == "summarize":
            b["record"]["output"] = foreign
        elif b["task"] == "dialogue":
            b["record"]["messages"][turns_of(b, "assistant")[1]]["content"] = foreign
        else:
            b["record"]["text"] = foreign
        b["check_lang"] = lang if b["task"] == "classify" or k % 3 else None
        add("wrong_language", b, f"answer in another language (check_lang={b['check_lang']})")
        # dialogue structure
        b = base("dialogue", lang)
        msgs = b["record"]["messages"]
        idx = rng.choice(turns_of(b, "user") + turns_of(b, "assistant"))
        if k % 5 == 4:
            msgs.insert(
                2 + (msgs[0]["role"] == "system") * 1, {"role": "system", "content": "Answer briefly."}
            )
        else:
            msgs[idx]["role"] = BAD_ROLES[k % len(BAD_ROLES)]
        add("bad_role", b, "bad role")
        b = base("dialogue", lang)
        msgs = b["record"]["messages"]
        if k % 2:
            msgs.insert(
                1 if msgs[0]["role"] == "system" else 0,
                {
                    "role": "assistant",
                    "content": {"zh": "您好，请问有什么可以帮您？", "en": "Hello! How can I help you today?"}[
                        lang
                    ],
                },
            )
        else:
            del msgs[turns_of(b, "user")[0]]
        add("starts_with_assistant", b, "assistant first")
        b = base("dialogue", lang)
        msgs = b["record"]["messages"]
        u = turns_of(b, "user")[1]
        extra = {
            "zh": ["还有一个问题。", "另外想问一下。"],
            "en": ["One more thing.", "Also, quick question."],
        }[lang]
        if k % 2:
            msgs.insert(u, {"role": "user", "content": extra[k % 2]})
        else:
            msgs.insert(u, copy.deepcopy(msgs[u - 1]))
        add("not_alternating", b, "two turns in a row from one side")
        b = base("dialogue", lang)
        b["record"]["messages"][rng.choice(turns_of(b, "assistant") + turns_of(b, "user"))]["content"] = [
            "",
            " ",
            "\n\n",
        ][k % 3]
        add("empty_turn", b, "empty content")
        b = base("dialogue", lang)
        msgs = b["record"]["messages"]
        if k % 2:
            keep = 2 * (k % 4 // 2 + 1) + (msgs[0]["role"] == "system")
            del msgs[keep:]
        else:
            more = [m for m in base("dialogue", lang)["record"]["messages"] if m["role"] != "system"]
            msgs += more
            while sum(m["role"] == "user" for m in msgs) < 7:
                msgs += more[:2]
        add("rounds_out_of_range", b, f"{sum(m['role'] == 'user' for m in msgs)} rounds, allowed 3-6")
        b = base("dialogue", lang)
        b["record"]["messages"].append(
            {
                "role": "user",
                "content": {
                    "zh": ["好的，谢谢", "那我再想想。"],
                    "en": ["Thanks!", "Let me think about it."],
                }[lang][k % 2],
            }
        )
        add("ends_with_user", b, "last user turn unanswered")
        b = base("dialogue", lang)
        b["record"]["messages"][rng.choice(turns_of(b, "assistant"))]["content"] = FILLER[lang][
            k % len(FILLER[lang])
        ]
        add("filler_turn", b, "filler-only assistant turn")
        b = base("dialogue", lang)
        a = rng.choice(turns_of(b, "assistant"))
        st = SELF_TALK[lang][k % len(SELF_TALK[lang])]
        b["record"]["messages"][a]["content"] = (
            st if k % 3 else b["record"]["messages"][a]["content"] + "\n" + st
        )
        add("self_talk", b, "one turn writes both sides")
        b = base("classify", lang)
        b["record"]["label"] = BAD_LABELS[lang][k % len(BAD_LABELS[lang])]
        add("label_not_allowed", b, "label outside the set")
    return out


def main() -> None:
    rng = random.Random(11)
    clean = clean_records()
    rows = clean + defects(clean, rng)
    held = (
        [("holdout", row) for row in HOLDOUT]
        + [("unseen", row) for row in UNSEEN]
        + [("fresh", row) for row in FRESH]
    )
    for h, (kind, (task, lang, expect, rec, lengths)) in enumerate(held):
        data_lang = lang or (
            "zh"
            if any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(rec, ensure_ascii=False)[:40])
            else "en"
        )
        row = line(kind, h, expect, task, rec, lang=lang, data_lang=data_lang, lengths=lengths)
        if task == "classify":
            row["labels"] = ZH_SENTIMENT + ZH_INTENT if data_lang == "zh" else EN_SENTIMENT + EN_INTENT
        rows.append(row)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} records ({len(clean)} clean, {len(held)} held out) to {OUT}")


if __name__ == "__main__":
    main()

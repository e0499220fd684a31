"""Make the labelled template-heavy FAQ set (qa, English + Chinese) for dedup quality.

    python bench/data/make_template_set.py          # writes template_faq_{tune,…,blind6,blind7}.jsonl
    python bench/data/make_template_set.py blind3   # writes only the parts named

Real FAQ data and LLM output reuse a few answer templates across many subjects and numbers: "How long does
onboarding take? … within 3 working days" next to "How long does payroll changes take? … within 5
working days". Such look-alikes are different facts, not duplicates. This set has many of them and, among
them, planted true duplicates.

Each template (template_specs_tune.py / template_specs_heldout.py) is filled with twelve subjects, one
number each; a third of the subjects get a second number too. Every filled template is a base and a
family of its own, so two bases of one template (other subject, or the same subject and another number)
are labelled distinct. Two bases in five get a duplicate (one in ten a second one), made by one edit:

  format       case, punctuation, spacing, full-width forms (an exact duplicate once normalised)
  reword_q     the question reworded lightly: a synonym swapped or a word inserted
  reword_a     the answer reworded lightly, one or two edits: the same facts in slightly other words
  reword_qa    one edit in each
  number_form  the answer's number written in words (three, 三) or in digits again
A third of the reworded duplicates also get format noise. The tuning part and the held-out part come from
different templates, subjects and rewording lists; the held-out part was written first and is measured,
not tuned on. The blind part (template_specs_blind.py: healthcare administration, utilities, public
services, car and home services) was written later by someone who never read the dedup code, after the
held-out part had been measured, and was measured once. The blind2 part (template_specs_blind2.py: telecom
and mobile plans, insurance policies, online learning, sports clubs and gyms, rental housing and event
ticketing) was written on 2026-12-06 by someone who never read the dedup code, to be measured once. The
blind3 part (template_specs_blind3.py: car rental, veterinary clinic administration, co-working spaces,
language schools, moving and storage companies and event venues) was written the same way, to be
measured once. The blind4 part (template_specs_blind4.py: dental clinic administration, bicycle shops,
photo printing, translation agencies, wedding planners and tailoring) was written the same way, to be
measured once. The blind5 part (template_specs_blind5.py: restaurants and catering, dry cleaning and
laundry, childcare and nurseries, music lessons, pet grooming and locksmiths) and the blind6 part
(template_specs_blind6.py: hotels, parcel lockers and couriers, driving tests and lessons, library rooms
and loans, home appliance repair and florists) were written on 2026-12-06 the same way, to be measured
once. The blind7 part (template_specs_blind7.py: electric-vehicle charging, campsites and caravan
pitches, tax filing help, piano and instrument repair, hair salons and barbers, and theme parks) was
written on 2026-12-06 the same way, to be measured once.
Fixed seeds: the files are the same on every run.

Every line is a qa record {id, instruction, input, output, meta: {task: qa, extra: {family, role, edit,
lang, part, template, subject, number}}}, shuffled.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import template_specs_blind  # noqa: E402
import template_specs_blind2  # noqa: E402
import template_specs_blind3  # noqa: E402
import template_specs_blind4  # noqa: E402
import template_specs_blind5  # noqa: E402
import template_specs_blind6  # noqa: E402
import template_specs_blind7  # noqa: E402
import template_specs_heldout  # noqa: E402
import template_specs_tune  # noqa: E402

from synthpipe.lang import EN_NUMBER_WORDS  # noqa: E402

SEEDS = {
    "tune": 12,
    "heldout": 1212,
    "blind": 121212,
    "blind2": 20261207,
    "blind3": 20261208,
    "blind4": 20261209,
    "blind5": 20261210,
    "blind6": 20261211,
    "blind7": 20261212,
}
FILES = {part: HERE / f"template_faq_{part}.jsonl" for part in SEEDS}
SUBJECTS_PER_TEMPLATE = 12
SECOND_NUMBER = 0.33
DUPLICATE, SECOND_DUPLICATE = 0.4, 0.1
EDITS = ("format", "reword_q", "reword_a", "reword_qa", "number_form")

EN_WORDS = [*EN_NUMBER_WORDS, "twenty"]
ZH_DIGITS = "零一二三四五六七八九"
ZH_ANCHORS = ("可以", "需要", "须", "在", "由", "会", "是", "每")
FULL = {"?": "？", ",": "，", ".": "。", "!": "！", ":": "："}


def zh_number(n: int) -> str:
    """Chinese numerals for 0 <= n < 10000 (十二, 二十一, 七百五十, 一千五百)."""
    if n < 10:
        return ZH_DIGITS[n]
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        d, n = divmod(n, value)
        if d:
            out += ("" if value == 10 and d == 1 and not out else ZH_DIGITS[d]) + unit
        elif out and n:
            out += "零" if not out.endswith("零") else ""
    if n:
        out += ZH_DIGITS[n]
    return out.replace("零零", "零")


def spoken(n: int, lang: str) -> str | None:
    if lang == "zh":
        return zh_number(n) if n < 10000 else None
    return EN_WORDS[n] if n < len(EN_WORDS) else None


def fill(template: str, subject: str, number: str) -> str:
    cap = subject[:1].upper() + subject[1:]
    return template.replace("{S}", cap).replace("{s}", subject).replace("{n}", number)


def can_speak(template: str) -> bool:
    """A form number (HR-{n}) stays in digits."""
    return "-{n}" not in template


def reword(text: str, lang: str, spec: dict[str, Any], rng: random.Random) -> str:
    """One light rewording: swap a synonym (either direction) found in the text, else insert a filler."""
    pairs = [(a, b) for a, b in spec["synonyms"]] + [(b, a) for a, b in spec["synonyms"]]
    rng.shuffle(pairs)
    for a, b in pairs:
        if lang == "zh":
            if a in text:
                return text.replace(a, b, 1)
            continue
        pattern = re.compile(rf"\b{re.escape(a)}\b", re.IGNORECASE)
        m = pattern.search(text)
        if m:
            word = b[:1].upper() + b[1:] if m.group(0)[:1].isupper() else b
            return text[: m.start()] + word + text[m.end() :]
    filler = rng.choice(spec["fillers"])
    if lang == "zh":
        spots = [m.start() for a in ZH_ANCHORS for m in re.finditer(re.escape(a), text) if m.start() > 0]
        at = rng.choice(spots) if spots else max(1, text.find("，") + 1)
        return text[:at] + filler + text[at:]
    words = text.split(" ")
    at = rng.randrange(1, len(words)) if len(words) > 1 else 1
    return " ".join(words[:at] + [filler] + words[at:])


def format_noise(text: str, lang: str, rng: random.Random) -> str:
    if lang == "zh":
        for half, full in FULL.items():
            if rng.random() < 0.5:
                text = text.replace(full, half)
        if rng.random() < 0.3:
            text = re.sub(r"\d", lambda m: chr(ord(m.group(0)) + 0xFEE0), text)  # full-width digits
        return text + rng.choice(["", " ", "！"])
    roll = rng.random()
    if roll < 0.3:
        text = text.lower()
    elif roll < 0.45:
        text = text.upper()
    if rng.random() < 0.5:
        text = text.replace(" ", "  ", rng.randint(1, 3))
    text = re.sub(r"[.?]$", lambda m: rng.choice(["", "!", " " + m.group(0), m.group(0) * 2]), text)
    return rng.choice(["", " "]) + text + rng.choice(["", " "])


def variant(
    base: dict[str, Any], edit: str, lang: str, spec: dict[str, Any], rng: random.Random
) -> tuple[str, str, str]:
    """(instruction, output, edit actually made) of one duplicate of `base`."""
    q, a = base["instruction"], base["output"]
    if edit == "number_form":
        number, words = base["number"], spoken(base["number_value"], lang)
        if base["speakable"] and words is not None:
            other = str(base["number_value"]) if number == words else words
            return q, a.replace(number, other, 1), edit
        edit = "reword_a"
    if edit == "format":
        return format_noise(q, lang, rng), format_noise(a, lang, rng), edit
    if edit in ("reword_q", "reword_qa"):
        q = reword(q, lang, spec, rng)
    if edit in ("reword_a", "reword_qa"):
        a = reword(a, lang, spec, rng)
        if edit == "reword_a" and rng.random() < 0.5:
            a = reword(a, lang, spec, rng)
    if rng.random() < 0.33:
        q, a = format_noise(q, lang, rng), format_noise(a, lang, rng)
    return q, a, edit


def make(part: str) -> list[dict[str, Any]]:
    specs = {
        "tune": template_specs_tune,
        "heldout": template_specs_heldout,
        "blind": template_specs_blind,
        "blind2": template_specs_blind2,
        "blind3": template_specs_blind3,
        "blind4": template_specs_blind4,
        "blind5": template_specs_blind5,
        "blind6": template_specs_blind6,
        "blind7": template_specs_blind7,
    }[part]
    rng = random.Random(SEEDS[part])
    rows: list[dict[str, Any]] = []
    for lang, spec in (("en", specs.EN), ("zh", specs.ZH)):
        for t, (q_t, a_t, numbers) in enumerate(spec["templates"]):
            for subject in rng.sample(spec["subjects"], SUBJECTS_PER_TEMPLATE):
                picks = rng.sample(numbers, 2 if rng.random() < SECOND_NUMBER and len(numbers) > 1 else 1)
                for n in picks:
                    speakable = can_speak(a_t)
                    words = spoken(n, lang)
                    native = speakable and words is not None and rng.random() < (0.3 if lang == "zh" else 0.2)
                    number = words if native and words else str(n)
                    fam = f"{part}-{lang}-t{t}-{spec['subjects'].index(subject)}-{n}"
                    base = {
                        "instruction": fill(q_t, subject, number),
                        "input": "",
                        "output": fill(a_t, subject, number),
                        "number": number,
                        "number_value": n,
                        "speakable": speakable,
                    }
                    extra = {"family": fam, "lang": lang, "part": part, "template": f"{lang}{t}"}
                    extra |= {"subject": subject, "number": n}
                    rows.append(
                        _row(base["instruction"], base["output"], extra | {"role": "base", "edit": "-"})
                    )
                    copies = (rng.random() < DUPLICATE) + (rng.random() < SECOND_DUPLICATE)
                    for _ in range(copies):
                        q, a, edit = variant(base, rng.choice(EDITS), lang, spec, rng)
                        rows.append(_row(q, a, extra | {"role": "variant", "edit": edit}))
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row["id"] = f"{part[0]}{i:04d}"
    return rows


def _row(q: str, a: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"instruction": q, "input": "", "output": a, "meta": {"task": "qa", "extra": extra}}


def write(part: str, path: Path | None = None) -> Path:
    path = path or FILES[part]
    with path.open("w", encoding="utf-8") as fh:
        for row in make(part):
            fh.write(json.dumps({"id": row.pop("id"), **row}, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parts = sys.argv[1:] or list(SEEDS)
    unknown = [part for part in parts if part not in SEEDS]
    if unknown:
        sys.exit(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(SEEDS)}")
    for part in parts:
        path = write(part)
        n = sum(1 for _ in path.open(encoding="utf-8"))
        print(f"wrote {n} records to {path}")


if __name__ == "__main__":
    main()

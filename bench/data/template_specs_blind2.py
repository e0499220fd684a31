"""Templates, subjects and rewording lists of the SECOND BLIND part of the template-heavy FAQ set.

Written on 2026-12-06 by someone who never read the dedup code, its tuning notes or its benchmark, from
the format of the other spec files and the generator alone; it is measured once and never used to choose
a rule or a constant. Domain: telecom and mobile plans, insurance policies (renewals, policy changes,
home claims; no medical claims), online learning platforms, sports clubs and gyms, rental housing and
property management, and event ticketing (the tuning part covers workplace HR, IT and facilities; the
held-out part shops, banks, travel and schools; the first blind part healthcare administration,
utilities, public services and car and home services). Some answers name the subject and some do not;
some carry a second, fixed number next to the `{n}` slot. `{s}` is the subject slot ({S}: capitalised),
`{n}` a number slot; each template lists the numbers it may take.
"""

EN = {
    "subjects": [
        "SIM card replacements",
        "mobile number transfers",
        "roaming bundle activations",
        "plan upgrades",
        "policy renewals",
        "named driver changes",
        "home insurance claims",
        "course enrolments",
        "certificate reissues",
        "learning pass activations",
        "assignment extensions",
        "membership freezes",
        "personal training bookings",
        "guest passes",
        "locker rentals",
        "tenancy renewals",
        "deposit returns",
        "repair requests",
        "ticket transfers",
        "ticket resales",
    ],
    "templates": [
        (
            "How long does it take to process {s}?",
            "{S} are usually processed within {n} working days once we have all the details we need.",
            [1, 2, 3, 5, 7, 10],
        ),
        (
            "Can I get a refund if I change my mind about {s}?",
            "Yes. You can cancel for a full refund within {n} days of purchase, as long as the service has "
            "not been used yet.",
            [7, 14, 28, 30],
        ),
        (
            "Is there a fee for {s}?",
            "{S} cost {n} pounds each, plus a 2 pound processing charge if you pay over the phone.",
            [5, 10, 15, 20, 25, 30],
        ),
        (
            "When can I contact you about {s}?",
            "Our support team can help with {s} from 8 in the morning until {n} in the evening on weekdays, "
            "and from 10 until 4 at weekends.",
            [6, 7, 8, 9, 10],
        ),
        (
            "Which reference should I use when I get in touch about {s}?",
            "Please quote request type RT-{n} in the subject line so that your message reaches the right "
            "team.",
            [14, 27, 31, 45, 58, 62],
        ),
        (
            "Can I sort out {s} in the app?",
            "Yes, {s} can be done in the app in a few taps. Around {n} percent of our customers now manage "
            "them this way.",
            [60, 70, 75, 80, 85, 90],
        ),
        (
            "Is there a limit on {s}?",
            "Each account is allowed up to {n} {s} in any 12-month period.",
            [1, 2, 3, 4, 6],
        ),
        (
            "How much notice do you need for {s}?",
            "We ask for at least {n} days' notice. Requests made at shorter notice are handled where "
            "possible, but we cannot guarantee them.",
            [2, 3, 5, 7, 14, 30],
        ),
        (
            "Will I get a confirmation for {s}?",
            "Yes. Once {s} are confirmed, we send you an email and a text message, normally within {n} "
            "minutes.",
            [5, 10, 15, 30],
        ),
        (
            "Do I need to be a certain age to apply for {s}?",
            "You must be at least {n} years old and the account holder. If you are younger, a parent or "
            "guardian has to make the request on your behalf.",
            [16, 18, 21],
        ),
        (
            "Where can I see my {s}?",
            "Your {s} are listed under My Account, together with the last {n} months of history.",
            [6, 12, 18, 24, 36],
        ),
        (
            "What can I do if I'm not happy with how my {s} were handled?",
            "Reply to your case email and a team leader will review it. If it is still not resolved after "
            "{n} weeks, you can refer it to the independent ombudsman.",
            [4, 6, 8],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("processed", "handled"),
        ("usually", "normally"),
        ("once", "as soon as"),
        ("as long as", "provided"),
        ("help with", "assist with"),
        ("quote", "include"),
        ("reaches", "gets to"),
        ("get in touch", "contact us"),
        ("sort out", "deal with"),
        ("Around", "Roughly"),
        ("allowed", "permitted"),
        ("ask for", "require"),
        ("listed", "shown"),
        ("review", "look into"),
        ("resolved", "sorted out"),
        ("must", "have to"),
        ("process", "complete"),
        ("fee", "charge"),
        ("contact", "reach"),
        ("Which reference", "What reference"),
        ("app", "mobile app"),
        ("limit", "cap"),
        ("see", "view"),
        ("happy", "satisfied"),
        ("get a refund", "get my money back"),
        ("How much notice", "How much advance notice"),
        ("Will I get", "Do I get"),
        ("a certain age", "over a certain age"),
    ],
    "fillers": ["also", "simply", "typically", "really"],
}

ZH = {
    "subjects": [
        "补换SIM卡",
        "携号转网",
        "国际漫游开通",
        "套餐变更",
        "保单续保",
        "车险批改",
        "家财险理赔",
        "课程报名",
        "证书补发",
        "学习卡激活",
        "作业延期",
        "会籍冻结",
        "私教课预约",
        "访客体验卡",
        "储物柜租用",
        "租约续签",
        "押金退还",
        "房屋报修",
        "门票转让",
        "演出票退票",
    ],
    "templates": [
        ("{s}多久能办好？", "资料齐全的情况下，{s}一般在{n}个工作日内办理完成。", [1, 2, 3, 5, 7, 10]),
        (
            "{s}付款后还能申请退款吗？",
            "可以。付款后{n}天内且尚未使用的，可以申请全额退款。",
            [7, 14, 28, 30],
        ),
        (
            "{s}收费吗？",
            "{s}每次收费{n}元；如通过人工电话办理，另收2元服务费。",
            [5, 10, 15, 20, 25, 30],
        ),
        (
            "{s}的问题什么时间可以咨询？",
            "{s}相关问题可以在工作日早上8点至晚上{n}点、周末上午10点至下午4点联系在线客服。",
            [6, 7, 8, 9, 10],
        ),
        (
            "联系客服处理{s}时要选哪个业务类型？",
            "请在工单里选择业务类型YW-{n}，这样系统会自动分配给对应的处理小组。",
            [14, 27, 31, 45, 58, 62],
        ),
        (
            "{s}可以在App上自己办吗？",
            "可以，打开App进入“我的服务”就能自助办理{s}，目前已有超过{n}万名用户通过App办理。",
            [20, 35, 50, 80, 120],
        ),
        ("{s}有次数限制吗？", "同一账户在任意连续12个月内最多可办理{n}次{s}。", [1, 2, 3, 4, 6]),
        (
            "{s}需要提前多久申请？",
            "请至少提前{n}天提出申请。临时申请我们会尽量安排，但无法保证。",
            [2, 3, 5, 7, 14, 30],
        ),
        (
            "{s}办好后会有通知吗？",
            "会的。{s}确认后，系统通常会在{n}分钟内发送短信和邮件提醒。",
            [5, 10, 15, 30],
        ),
        (
            "未成年人可以自己申请{s}吗？",
            "申请人须年满{n}周岁并为账户持有人本人，未达到年龄要求的，须由父母或法定监护人代为办理。",
            [16, 18],
        ),
        (
            "在哪里能查到我的{s}记录？",
            "登录后进入“我的账户”，即可查看{s}记录及最近{n}个月的历史明细。",
            [6, 12, 18, 24, 36],
        ),
        (
            "对{s}的处理结果不满意怎么办？",
            "您可以直接回复工单邮件，由组长重新审核；如{n}周后问题仍未解决，可向第三方调解机构投诉。",
            [4, 6, 8],
        ),
    ],
    "synonyms": [
        ("办理", "处理"),
        ("可以", "能够"),
        ("一般", "通常"),
        ("尽量", "尽可能"),
        ("确认", "核实"),
        ("发送", "推送"),
        ("查看", "查询"),
        ("重新", "再次"),
        ("至少", "最少"),
        ("最多", "至多"),
        ("目前", "现在"),
        ("联系", "咨询"),
        ("自助", "自行"),
        ("解决", "处理好"),
        ("多久", "多长时间"),
        ("办好", "办完"),
        ("付款", "支付"),
        ("收费吗", "需要付费吗"),
        ("限制", "上限"),
        ("怎么办", "如何处理"),
        ("自己", "自行"),
        ("哪里", "什么地方"),
    ],
    "fillers": ["一般", "通常", "也", "都"],
}

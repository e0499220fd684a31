"""Templates, subjects and rewording lists of the THIRD BLIND part of the template-heavy FAQ set.

Written by someone who never read the dedup code, its tuning notes or its benchmark, from the format of
the other spec files and the generator alone; it is measured once and never used to choose a rule or a
constant. Domain: car rental, veterinary clinic administration (appointments, registrations, records and
fees; no diagnosis or treatment advice), co-working spaces, language schools, moving and storage
companies, and event venues (the tuning part covers workplace HR, IT and facilities; the held-out part
shops, banks, travel and schools; the first blind part healthcare administration, utilities, public
services and car and home services; the second blind part telecom, insurance, online learning, gyms,
rental housing and ticketing). Several templates answer without naming the subject, so bases of one
template differ only in the question's subject; a few put a date ("by 24 May") in the `{n}` slot;
some carry a second, fixed number next to it. `{s}` is the subject slot ({S}: capitalised), `{n}` a
number slot; each template lists the numbers it may take.
"""

EN = {
    "subjects": [
        "one-way car rentals",
        "additional driver registrations",
        "child seat rentals",
        "rental extensions",
        "pet vaccination appointments",
        "microchip registrations",
        "vet record transfers",
        "grooming appointments",
        "meeting room bookings",
        "hot desk passes",
        "mail handling services",
        "private office upgrades",
        "placement tests",
        "trial lessons",
        "course level changes",
        "packing service bookings",
        "storage unit rentals",
        "moving date changes",
        "catering add-ons",
        "venue viewings",
    ],
    "templates": [
        (
            "How far ahead should I book {s}?",
            "We recommend booking {s} at least {n} days ahead; in the summer season they can be booked up "
            "to 3 months in advance.",
            [2, 3, 5, 7, 10, 14],
        ),
        (
            "Do I have to pay a deposit for {s}?",
            "Yes. A refundable deposit of {n} euros is taken at booking and released within 10 days after "
            "the service ends.",
            [20, 50, 75, 100, 150, 200],
        ),
        (
            "How much do {s} cost?",
            "{S} cost {n} euros each, including VAT.",
            [15, 25, 30, 45, 60, 90],
        ),
        (
            "Is there a cancellation fee for {s}?",
            "If you cancel less than 48 hours before the start, we charge {n} percent of the price. "
            "Cancelling earlier than that costs nothing.",
            [25, 50, 75, 100],
        ),
        (
            "What is the deadline to request {s} for the summer season?",
            "Requests for {s} for the summer season must reach us by {n} May at the latest.",
            [21, 24, 26, 28, 30, 31],
        ),
        (
            "Which form do I need for {s}?",
            "Please fill in form CS-{n} and attach a copy of your ID.",
            [12, 18, 23, 36, 41, 57],
        ),
        (
            "Can I pay for {s} in instalments?",
            "Yes, {s} can be paid in {n} monthly instalments at no extra cost, as long as the first payment "
            "is made by card.",
            [2, 3, 4, 6, 10, 12],
        ),
        (
            "How quickly will you answer questions about {s}?",
            "Our team replies to questions about {s} within {n} hours on working days.",
            [2, 4, 6, 12, 24, 48],
        ),
        (
            "Is there a discount on {s} for returning customers?",
            "Returning customers get {n} percent off {s} when they book with the same account.",
            [5, 10, 15, 20],
        ),
        (
            "How many {s} can I have booked at once?",
            "You can hold up to {n} active bookings at the same time; a new one can be added as soon as one "
            "has ended.",
            [2, 3, 4, 5, 6],
        ),
        (
            "Who do I speak to if there is a problem with {s}?",
            "Ask for the duty manager at the front desk. If the problem is not solved within {n} days, write "
            "to our customer care team, who reply within 5 working days.",
            [3, 5, 7, 10, 14],
        ),
        (
            "Can I change the details of {s} after booking?",
            "Yes, {s} can be changed free of charge up to {n} hours before the start time; later changes "
            "cost 10 euros each.",
            [12, 24, 36, 48, 72],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("recommend", "suggest"),
        ("at least", "no less than"),
        ("in advance", "ahead of time"),
        ("taken", "collected"),
        ("released", "returned"),
        ("including", "inclusive of"),
        ("costs nothing", "is free"),
        ("If you cancel", "Should you cancel"),
        ("must reach us", "need to reach us"),
        ("at the latest", "at the very latest"),
        ("fill in", "complete"),
        ("attach", "enclose"),
        ("at no extra cost", "without any extra charge"),
        ("as long as", "provided"),
        ("replies", "responds"),
        ("questions", "queries"),
        ("returning customers", "repeat customers"),
        ("hold", "keep"),
        ("has ended", "is over"),
        ("solved", "resolved"),
        ("changed", "amended"),
        ("Do I have to", "Do I need to"),
        ("How far ahead", "How far in advance"),
        ("deadline", "cut-off date"),
        ("Which form", "What form"),
        ("How quickly", "How fast"),
        ("Who do I speak to", "Who should I talk to"),
        ("a problem", "an issue"),
        ("the problem", "the issue"),
        ("Can I pay", "Is it possible to pay"),
        ("Can I change", "Is it possible to change"),
        ("How much do", "What do"),
    ],
    "fillers": ["also", "normally", "usually", "just"],
}

ZH = {
    "subjects": [
        "异地还车",
        "增加驾驶人",
        "儿童座椅租用",
        "租车续租",
        "宠物疫苗预约",
        "宠物芯片登记",
        "病历转出",
        "宠物美容预约",
        "会议室预订",
        "流动工位日票",
        "代收信件服务",
        "独立办公室升级",
        "入学分级测试",
        "试听课",
        "调换班级",
        "打包服务",
        "仓储柜租用",
        "搬家改期",
        "场地餐饮加购",
        "场地参观",
    ],
    "templates": [
        (
            "{s}需要提前多久预约？",
            "{s}建议至少提前{n}天预约；暑期旺季最多可提前3个月预约。",
            [2, 3, 5, 7, 10, 14],
        ),
        (
            "{s}要交押金吗？",
            "需要。预订时收取{n}元押金，服务结束后10天内原路退回。",
            [100, 200, 300, 500, 800, 1000],
        ),
        ("{s}怎么收费？", "{s}每次收费{n}元，已含税。", [50, 80, 120, 150, 200, 260]),
        (
            "取消{s}要扣费吗？",
            "开始前48小时内取消的，按费用的百分之{n}收取违约金；提前48小时以上取消不收费。",
            [20, 30, 50, 100],
        ),
        (
            "暑期的{s}最晚什么时候申请？",
            "暑期的{s}须在5月{n}日前提交申请，逾期不再受理。",
            [10, 15, 20, 25, 31],
        ),
        (
            "办理{s}需要填哪张表？",
            "请填写表格FW-{n}，并附上身份证复印件。",
            [12, 18, 23, 36, 41, 57],
        ),
        (
            "{s}可以分期付款吗？",
            "可以，{s}可分{n}期免息支付，首期须使用银行卡付款。",
            [2, 3, 4, 6, 12],
        ),
        (
            "咨询{s}多久能得到回复？",
            "工作日内，关于{s}的咨询会在{n}小时内得到回复。",
            [2, 4, 6, 12, 24, 48],
        ),
        (
            "老客户办理{s}有优惠吗？",
            "有的，老客户使用原账户办理{s}可立减{n}元。",
            [10, 20, 30, 50],
        ),
        (
            "{s}最多能同时预约几个？",
            "每个账户最多可同时保留{n}个有效预约，结束一个后才能再新增。",
            [1, 2, 3, 4, 5],
        ),
        (
            "{s}出了问题找谁？",
            "请先联系前台值班经理；如{n}天内仍未解决，可致信客户关怀部，我们会在5个工作日内答复。",
            [3, 5, 7, 10, 14],
        ),
        (
            "{s}预订后还能修改吗？",
            "可以，{s}在开始前{n}小时以上可免费修改，之后每次修改收取50元手续费。",
            [12, 24, 36, 48, 72],
        ),
    ],
    "synonyms": [
        ("建议", "推荐"),
        ("至少", "最少"),
        ("旺季", "高峰期"),
        ("原路退回", "退回原支付账户"),
        ("已含税", "价格含税"),
        ("违约金", "取消费"),
        ("不收费", "不收取费用"),
        ("逾期", "超期"),
        ("提交", "递交"),
        ("填写", "填好"),
        ("附上", "附带"),
        ("免息", "无息"),
        ("得到回复", "收到答复"),
        ("有优惠吗", "有折扣吗"),
        ("立减", "直减"),
        ("同时", "同一时间"),
        ("联系", "找"),
        ("仍未解决", "还没解决"),
        ("答复", "回复"),
        ("修改", "更改"),
        ("怎么收费", "收费标准是什么"),
        ("要交押金吗", "需要付押金吗"),
        ("最晚", "最迟"),
        ("多久", "多长时间"),
        ("可以", "能"),
        ("哪张表", "什么表"),
    ],
    "fillers": ["一般", "通常", "也", "都"],
}

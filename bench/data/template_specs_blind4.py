"""Templates, subjects and rewording lists of the FOURTH BLIND part of the template-heavy FAQ set.

Written by someone who never read the dedup code, its tuning notes or its benchmark, from the format of
the other spec files and the generator alone; it is measured once and never used to choose a rule or a
constant. Domain: dental clinic administration (bookings, registrations, records and fees; no diagnosis
or treatment advice), bicycle shops (repairs, fittings, rentals), photo printing, translation and
interpreting agencies, wedding planners, and tailoring and alterations (the tuning part covers workplace
HR, IT and facilities; the held-out part shops, banks, travel and schools; the first blind part healthcare
administration, utilities, public services and car and home services; the second blind part telecom,
insurance, online learning, gyms, rental housing and ticketing; the third blind part car rental,
veterinary clinics, co-working, language schools, moving and storage and event venues). Several templates
answer without naming the subject, so bases of one template with one number differ only in the
question's subject; one template takes a single number, so its bases differ only in the subject's name;
a few put a date ("by 24 November", "12月20日") or an amount in the `{n}` slot; some carry a second, fixed
number after it. `{s}` is the subject slot ({S}: capitalised), `{n}` a number slot; each template lists
the numbers it may take.
"""

EN = {
    "subjects": [
        "dental check-up appointments",
        "teeth whitening sessions",
        "dental X-ray copies",
        "new patient registrations",
        "bike repair jobs",
        "wheel truing services",
        "bike fitting sessions",
        "e-bike battery checks",
        "photo book orders",
        "canvas prints",
        "passport photo sets",
        "film scanning orders",
        "certified translations",
        "interpreter bookings",
        "proofreading jobs",
        "wedding planning consultations",
        "table decoration packages",
        "wedding venue tours",
        "suit alterations",
        "dress hemming jobs",
    ],
    "templates": [
        (
            "How far in advance should I arrange {s}?",
            "Please arrange {s} at least {n} working days in advance. Between May and September we are "
            "busier, so allow one extra week.",
            [2, 3, 4, 5, 7, 10],
        ),
        (
            "What do {s} cost?",
            "The price is {n} pounds, VAT included, payable when you place the request.",
            [12, 18, 25, 35, 40, 60, 85],
        ),
        (
            "Is a deposit needed for {s}?",
            "Yes. We ask for a deposit of {n} pounds on confirmation, and it is deducted from your final "
            "invoice.",
            [20, 30, 50, 75, 100, 150],
        ),
        (
            "What is the last day to request {s} before the Christmas break?",
            "Requests for {s} received by {n} November are completed before the Christmas break; anything "
            "later is handled in January.",
            [21, 22, 24, 25, 27, 28, 30],
        ),
        (
            "Which form do I fill in for {s}?",
            "Use form TR-{n} and bring photo ID with you.",
            [14, 22, 31, 46, 58, 73],
        ),
        (
            "How long do {s} take?",
            "{S} are normally finished within {n} working days once we have everything we need from you.",
            [1, 2, 3, 5, 7, 10],
        ),
        (
            "Can I cancel {s} and get my money back?",
            "You get a full refund if you cancel at least {n} days beforehand. After that, the deposit is "
            "kept.",
            [3, 7, 14, 21, 30],
        ),
        (
            "Do students get a discount on {s}?",
            "Students with a valid card get {n} percent off {s}; the discount cannot be combined with other "
            "offers.",
            [10, 15, 20, 25],
        ),
        (
            "Until what time do you take {s} on weekdays?",
            "We accept {s} on weekdays until {n} pm. On Saturdays the counter closes at noon.",
            [4, 5, 6, 7],
        ),
        (
            "How long will you keep {s} for me if I cannot collect them?",
            "Finished items are kept free of charge for {n} days. After that we charge 2 pounds for each "
            "extra day of storage.",
            [7, 14, 21, 30, 60],
        ),
        (
            "Who should I contact about {s}?",
            "Call our front desk on extension {n}. Outside office hours, leave a message and we will call "
            "you back the next working day.",
            [214, 226, 238, 305, 312, 347],
        ),
        (
            "Where are {s} handled?",
            "{S} are handled at our Kingsway branch only, which is open until {n} pm on weekdays.",
            [6],
        ),
        (
            "Is there an extra charge for urgent {s}?",
            "Yes, the express option adds {n} pounds and cuts the waiting time roughly in half.",
            [10, 15, 20, 30, 45],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("arrange", "set up"),
        ("at least", "no less than"),
        ("in advance", "ahead of time"),
        ("busier", "more busy"),
        ("allow", "plan for"),
        ("The price is", "It costs"),
        ("payable", "to be paid"),
        ("ask for", "require"),
        ("deducted from", "taken off"),
        ("final invoice", "last invoice"),
        ("received", "that reach us"),
        ("anything later", "anything that arrives later"),
        ("Use form", "Please use form"),
        ("bring", "carry"),
        ("normally", "usually"),
        ("finished", "completed"),
        ("full refund", "complete refund"),
        ("beforehand", "in advance"),
        ("is kept", "is not returned"),
        ("valid card", "valid student card"),
        ("cannot be combined", "can't be combined"),
        ("accept", "receive"),
        ("closes", "shuts"),
        ("free of charge", "for free"),
        ("Call", "Ring"),
        ("leave a message", "leave us a message"),
        ("call you back", "return your call"),
        ("handled", "dealt with"),
        ("only", "exclusively"),
        ("extra charge", "additional charge"),
        ("adds", "costs an extra"),
        ("roughly", "approximately"),
        ("Is a deposit needed", "Do I need to pay a deposit"),
        ("Which form", "What form"),
        ("Who should I contact", "Who do I get in touch with"),
        ("How long do", "How much time do"),
        ("the last day", "the final day"),
        ("Can I cancel", "Am I able to cancel"),
        ("Until what time", "Up to what time"),
        ("How far in advance", "How long beforehand"),
        ("What do", "How much do"),
        ("Do students get", "Can students get"),
        ("keep", "hold"),
        ("cannot collect", "am unable to collect"),
    ],
    "fillers": ["also", "normally", "usually", "just"],
}

ZH = {
    "subjects": [
        "洗牙",
        "牙齿美白疗程",
        "牙片复印",
        "新患者建档",
        "自行车维修",
        "轮组调圈",
        "骑行姿势评估",
        "电助力车电池检测",
        "定制相册",
        "油画布打印",
        "证件照冲印",
        "胶片扫描",
        "公证翻译",
        "陪同口译",
        "文件校对",
        "婚礼策划咨询",
        "婚宴桌花套餐",
        "婚礼场地踩点",
        "西装改衣",
        "裙摆改短",
    ],
    "templates": [
        (
            "{s}要提前几天约？",
            "{s}请至少提前{n}个工作日预约；5月至9月为旺季，建议再多留一周。",
            [2, 3, 4, 5, 7, 10],
        ),
        (
            "{s}多少钱？",
            "收费{n}元，已含税，下单时一次付清。",
            [30, 45, 60, 88, 120, 198, 260],
        ),
        (
            "办{s}要先交定金吗？",
            "要的。确认时收取{n}元定金，尾款结算时直接抵扣。",
            [50, 100, 200, 300, 500, 800],
        ),
        (
            "春节前的{s}最晚哪天下单？",
            "春节前要完成的{s}，须在1月{n}日前下单，之后的订单节后统一处理。",
            [10, 12, 15, 18, 20, 25],
        ),
        (
            "{s}需要填什么单子？",
            "请填写申请单YK-{n}，并携带本人身份证件。",
            [14, 22, 31, 46, 58, 73],
        ),
        (
            "{s}一般几天能好？",
            "资料齐全后，{s}通常{n}个工作日内完成。",
            [1, 2, 3, 5, 7, 10],
        ),
        (
            "{s}取消了能退钱吗？",
            "提前{n}天以上取消可全额退款；之后取消的，定金不予退还。",
            [3, 7, 14, 21, 30],
        ),
        (
            "学生做{s}有折扣吗？",
            "凭有效学生证，{s}可享{n}折优惠，不与其他活动同时使用。",
            [7, 8, 9],
        ),
        (
            "工作日{s}几点截止受理？",
            "工作日{s}受理到下午{n}点，周六中午12点关门。",
            [4, 5, 6],
        ),
        (
            "{s}做好了没空去拿怎么办？",
            "成品可免费保管{n}天，超出后每天收取5元保管费。",
            [7, 14, 21, 30, 60],
        ),
        (
            "{s}有问题找谁？",
            "请拨打前台分机{n}；非工作时间可以留言，我们会在下一个工作日回电。",
            [214, 226, 238, 305, 312, 347],
        ),
        (
            "{s}在哪里办理？",
            "{s}只在解放路门店办理，工作日营业到晚上{n}点。",
            [8],
        ),
        (
            "{s}加急要加钱吗？",
            "要的，选择加急服务需另付{n}元，等待时间大约缩短一半。",
            [20, 30, 50, 80, 100],
        ),
    ],
    "synonyms": [
        ("至少", "最少"),
        ("旺季", "高峰期"),
        ("建议", "最好"),
        ("多留", "多预留"),
        ("收费", "价格为"),
        ("已含税", "含税"),
        ("一次付清", "一次性付款"),
        ("确认时", "确认订单时"),
        ("直接抵扣", "直接扣除"),
        ("最晚", "最迟"),
        ("下单", "提交订单"),
        ("统一处理", "集中处理"),
        ("填写", "填好"),
        ("携带", "带上"),
        ("身份证件", "身份证明"),
        ("资料齐全后", "材料齐全以后"),
        ("完成", "做好"),
        ("全额退款", "退全款"),
        ("不予退还", "不退"),
        ("凭有效学生证", "持有效学生证"),
        ("不与其他活动同时使用", "不能和其他优惠叠加"),
        ("截止受理", "停止受理"),
        ("关门", "停止营业"),
        ("免费保管", "免费存放"),
        ("超出后", "超过以后"),
        ("拨打", "致电"),
        ("留言", "留下口信"),
        ("回电", "回复电话"),
        ("营业到", "开到"),
        ("另付", "额外支付"),
        ("大约", "大概"),
        ("有问题找谁", "出了问题联系谁"),
        ("多少钱", "怎么收费"),
        ("要先交定金吗", "需要先付定金吗"),
        ("怎么办", "如何处理"),
        ("在哪里", "在什么地方"),
        ("几天能好", "多久能做好"),
        ("提前几天约", "提前多久预约"),
        ("能退钱吗", "可以退款吗"),
        ("有折扣吗", "能打折吗"),
        ("单子", "表格"),
        ("加钱", "额外付费"),
        ("没空", "没时间"),
    ],
    "fillers": ["一般", "通常", "也", "都"],
}

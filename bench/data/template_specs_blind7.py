"""Templates, subjects and rewording lists of the SEVENTH BLIND part of the template-heavy FAQ set.

Written on 2026-12-06 by someone who never read the dedup code, its tuning notes or its benchmark, from
the format of the other spec files and the generator alone; it is measured once and never used to choose
a rule or a constant. Domain: electric-vehicle charging (charging sessions, home charger installation),
campsites and caravan pitches, tax filing help (returns, refunds; no tax advice), piano and instrument
repair and tuning, hair salons and barbers, and theme parks (tickets and fast-track passes) (the tuning
part covers workplace HR, IT and facilities; the held-out part shops, banks, travel and schools; the
first blind part healthcare administration, utilities, public services and car and home services; the
second blind part telecom, insurance, online learning, gyms, rental housing and ticketing; the third
blind part car rental, veterinary clinics, co-working, language schools, moving and storage and event
venues; the fourth blind part dental clinic administration, bicycle shops, photo printing, translation,
wedding planners and tailoring; the fifth blind part restaurants and catering, dry cleaning, childcare,
music lessons, pet grooming and locksmiths; the sixth blind part hotels, parcel lockers and couriers,
driving tests, libraries, home appliance repair and florists). Several subjects differ by one word or
one character ("AC charging sessions" / "DC charging sessions", "men's haircuts" / "women's haircuts",
"烫发预约" / "染发预约", "单日票" / "双日票", "钢琴调音" / "钢琴整音"); one Chinese subject mixes in
Latin letters ("VIP快速通道"). Most templates answer without naming the subject, so bases of one
template with one number differ only in the question's subject; one template takes a single number, so
its bases differ only in the subject's name; a few put a date ("until 22 June", "9月25日") or an amount
in the `{n}` slot; several carry a second, fixed number, after the slot or before it ("capped at 30
euros", "提前24小时以上……{n}元"). The Chinese rewordings swap whole phrases (question words, time words,
verbs, colloquial and formal register), the English ones synonyms, word order and politeness. `{s}` is
the subject slot ({S}: capitalised), `{n}` a number slot; each template lists the numbers it may take.
"""

EN = {
    "subjects": [
        "AC charging sessions",
        "DC charging sessions",
        "home charger installations",
        "charging card replacements",
        "tent pitch bookings",
        "caravan pitch bookings",
        "glamping tent bookings",
        "income tax return appointments",
        "self-employed tax return appointments",
        "tax refund claims",
        "upright piano tunings",
        "grand piano tunings",
        "violin bow rehairs",
        "guitar setups",
        "men's haircuts",
        "women's haircuts",
        "colour appointments",
        "single-day tickets",
        "multi-day tickets",
        "fast-track passes",
    ],
    "templates": [
        (
            "How far in advance can I reserve {s}?",
            "Reservations open {n} weeks in advance, and the first slots of each month are usually taken "
            "within a day.",
            [2, 3, 4, 6, 8, 10],
        ),
        (
            "How much do {s} cost?",
            "The price is {n} euros per visit, plus a 1.50 euro service charge if you pay by card.",
            [18, 25, 39, 45, 55, 80, 110],
        ),
        (
            "What is the last day to book {s} before the summer holidays?",
            "The last booking date for {s} before the summer break is {n} June; later requests go on the "
            "waiting list.",
            [12, 15, 19, 22, 26, 30],
        ),
        (
            "Which form do I need for {s}?",
            "Please fill in form RQ-{n} and bring a photo ID.",
            [210, 224, 237, 251, 268, 289],
        ),
        (
            "How long do {s} take?",
            "Allow about {n} minutes, or a little more if it is your first visit.",
            [20, 30, 45, 60, 90],
        ),
        (
            "Are {s} cheaper for students?",
            "Yes, students with a valid card get {n} percent off {s}, except on public holidays.",
            [10, 15, 20, 25, 40],
        ),
        (
            "What if I arrive late for {s}?",
            "We wait up to {n} minutes; after that the slot is given to the next customer and the deposit "
            "is kept.",
            [5, 10, 15, 20, 30],
        ),
        (
            "How many {s} can I book at once?",
            "You can hold up to {n} {s} at a time under one account.",
            [2, 3, 4, 5, 6],
        ),
        (
            "Can I get my money back for {s}?",
            "Full refunds are given up to 24 hours before; after that you get {n} percent back.",
            [20, 25, 50, 75, 80],
        ),
        (
            "Can I get {s} on public holidays?",
            "On public holidays we open at 9 am and take the last {s} at {n} pm.",
            [2, 3, 4, 5, 6],
        ),
        (
            "How do I complain about {s}?",
            "Send your complaint within {n} days of the visit; a manager replies within 3 working days.",
            [7, 10, 14, 30],
        ),
        (
            "Where do I go for {s}?",
            "{S} start at the service counter by entrance {n}, to the left of the car park.",
            [3],
        ),
        (
            "Do you charge extra for {s} on Saturdays?",
            "Yes, a Saturday supplement of {n} euros applies, capped at 30 euros per booking.",
            [5, 8, 10, 12, 15],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("How far in advance can I reserve", "How early can I book"),
        ("Reservations open", "Bookings open"),
        ("the first slots of each month", "each month's first slots"),
        ("are usually taken within a day", "tend to be gone within a day"),
        ("How much do", "What do"),
        ("The price is", "It costs"),
        ("per visit", "each time"),
        ("service charge", "handling fee"),
        ("if you pay by card", "for card payments"),
        ("What is the last day to book", "By when do I have to book"),
        ("summer holidays", "summer break"),
        ("The last booking date", "The booking deadline"),
        ("later requests go on the waiting list", "anything later goes on the waiting list"),
        ("Which form do I need", "What form should I use"),
        ("Please fill in", "Kindly complete"),
        ("bring a photo ID", "have photo ID with you"),
        ("How long do", "How much time do"),
        ("Allow about", "Plan for roughly"),
        ("if it is your first visit", "if you are new to us"),
        ("cheaper for students", "discounted for students"),
        ("students with a valid card get", "anyone with a valid student card gets"),
        ("except on public holidays", "but not on public holidays"),
        ("What if I arrive late", "What happens if I'm late"),
        ("We wait up to", "We will wait for up to"),
        ("given to the next customer", "passed on to the next person in line"),
        ("the deposit is kept", "the deposit is not refunded"),
        ("can I book at once", "may I book at the same time"),
        ("You can hold up to", "You may have no more than"),
        ("under one account", "per account"),
        ("Can I get my money back for", "Are refunds possible for"),
        ("Full refunds are given", "You get a full refund"),
        ("after that", "past that point"),
        ("Can I get", "Is it possible to get"),
        ("we open at 9 am", "our doors open at 9 am"),
        ("take the last", "accept the final"),
        ("How do I complain about", "Where can I make a complaint about"),
        ("Send your complaint", "Please send us your complaint"),
        ("a manager replies", "a manager will get back to you"),
        ("working days", "business days"),
        ("Where do I go for", "Could you tell me where to go for"),
        ("service counter", "service desk"),
        ("car park", "parking lot"),
        ("Do you charge extra", "Is there a surcharge"),
        ("capped at", "up to a maximum of"),
    ],
    "fillers": ["normally", "typically", "actually", "also"],
}

ZH = {
    "subjects": [
        "直流快充",
        "交流慢充",
        "家用充电桩安装",
        "帐篷营位预订",
        "房车营位预订",
        "帐篷租借",
        "个税汇算代办",
        "个体户报税",
        "退税申请",
        "钢琴调音",
        "钢琴整音",
        "提琴换弓毛",
        "吉他保养",
        "男士剪发",
        "女士剪发",
        "烫发预约",
        "染发预约",
        "单日票",
        "双日票",
        "VIP快速通道",
    ],
    "templates": [
        (
            "{s}能提前多少天预约？",
            "提前{n}天在小程序上开放预约，每晚8点放号，周末的名额一般半天就没了。",
            [3, 5, 7, 10, 14],
        ),
        (
            "{s}多少钱？",
            "价格是{n}元一次，节假日上浮20%。",
            [38, 58, 68, 88, 128, 198, 260],
        ),
        (
            "国庆前的{s}最晚哪天要约好？",
            "国庆假期的{s}须在9月{n}日前约好，逾期只能排候补。",
            [15, 18, 20, 25, 28, 30],
        ),
        (
            "{s}要填哪张表？",
            "填写申请表SQ-{n}，带上身份证原件。",
            [210, 224, 237, 251, 268, 289],
        ),
        (
            "{s}大概要多长时间？",
            "一般{n}分钟左右，第一次来的话会稍微久一点。",
            [20, 30, 40, 60, 90],
        ),
        (
            "学生办{s}有折扣吗？",
            "有，凭有效学生证，{s}打{n}折，法定节假日除外。",
            [5, 6, 7, 8, 9],
        ),
        (
            "{s}迟到了还能做吗？",
            "我们最多等{n}分钟，超时名额就让给下一位，定金不退。",
            [10, 15, 20, 30],
        ),
        (
            "一个账号最多能约几个{s}？",
            "同一账号同时最多持有{n}个{s}，用完一个才能再约。",
            [3, 4, 5, 6],
        ),
        (
            "{s}可以退款吗？",
            "提前24小时以上可全额退款，之后退款扣除{n}元手续费。",
            [10, 20, 30, 50],
        ),
        (
            "{s}节假日营业吗？",
            "节假日照常营业，早上9点开门，{s}下午{n}点以后就不再接待了。",
            [3, 4, 5, 6],
        ),
        (
            "对{s}不满意怎么投诉？",
            "请在{n}日内拨打客服电话或在小程序里留言，店长会在3个工作日内联系您。",
            [7, 10, 15, 30],
        ),
        (
            "{s}去哪里办理？",
            "{s}请到{n}号入口的服务中心，过了安检往左走就能看到。",
            [2],
        ),
        (
            "周末{s}贵吗？",
            "周六日每单加收{n}元周末服务费，单笔最多加30元。",
            [5, 8, 10, 15, 20],
        ),
    ],
    "synonyms": [
        ("能提前多少天预约", "最早可以提前几天约"),
        ("小程序", "APP"),
        ("每晚8点放号", "每天晚上8点放出名额"),
        ("一般半天就没了", "通常半天就被抢光了"),
        ("多少钱", "怎么收费"),
        ("价格是", "收费标准为"),
        ("元一次", "块钱一次"),
        ("节假日上浮20%", "逢节假日价格上调20%"),
        ("最晚哪天要约好", "最迟什么时候得预约"),
        ("须在", "得在"),
        ("日前约好", "号之前约好"),
        ("逾期只能排候补", "过了这天就只能排队候补了"),
        ("要填哪张表", "需要填什么表格"),
        ("填写", "请填好"),
        ("带上身份证原件", "并携带身份证原件"),
        ("大概要多长时间", "一般要多久"),
        ("分钟左右", "分钟上下"),
        ("第一次来的话", "如果是首次到店"),
        ("会稍微久一点", "时间会长一些"),
        ("有折扣吗", "能打折吗"),
        ("凭有效学生证", "出示有效学生证"),
        ("法定节假日除外", "但法定节假日不参加"),
        ("迟到了还能做吗", "来晚了还给做吗"),
        ("超时名额就让给下一位", "过时就顺延给下一位客人"),
        ("定金不退", "定金不予退还"),
        ("一个账号最多能约几个", "每个账号能同时约多少个"),
        ("同一账号同时最多持有", "每个账号同一时间最多只能有"),
        ("用完一个才能再约", "用掉一个以后才可以继续约"),
        ("可以退款吗", "能退钱吗"),
        ("可全额退款", "可以全部退回"),
        ("节假日营业吗", "放假期间开门吗"),
        ("照常营业", "正常开门"),
        ("早上9点开门", "上午9点开始营业"),
        ("怎么投诉", "该如何投诉"),
        ("日内", "天之内"),
        ("拨打客服电话", "致电客服"),
        ("店长会在", "店长将于"),
        ("去哪里办理", "在哪儿办"),
        ("请到", "请前往"),
        ("往左走就能看到", "左转就到"),
        ("贵吗", "要加价吗"),
        ("周六日", "周六周日"),
        ("加收", "多收"),
        ("单笔最多加30元", "每笔封顶30元"),
    ],
    "fillers": ["通常", "大概", "其实", "都"],
}

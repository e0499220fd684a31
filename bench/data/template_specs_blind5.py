"""Templates, subjects and rewording lists of the FIFTH BLIND part of the template-heavy FAQ set.

Written on 2026-12-06 by someone who never read the dedup code, its tuning notes or its benchmark, from
the format of the other spec files and the generator alone; it is measured once and never used to choose
a rule or a constant. Domain: restaurants and catering (private rooms, group bookings, delivered
catering), dry cleaning and laundry, childcare and nurseries (places and holiday clubs; no care or
health advice), music lessons, pet grooming (no veterinary advice), and locksmiths and key cutting (the
tuning part covers workplace HR, IT and facilities; the held-out part shops, banks, travel and schools;
the first blind part healthcare administration, utilities, public services and car and home services;
the second blind part telecom, insurance, online learning, gyms, rental housing and ticketing; the third
blind part car rental, veterinary clinics, co-working, language schools, moving and storage and event
venues; the fourth blind part dental clinic administration, bicycle shops, photo printing, translation,
wedding planners and tailoring). Several subjects differ by one word ("full-day nursery places" /
"half-day nursery places", "羽绒服清洗" / "羽绒被清洗"). Many templates answer without naming the
subject, so bases of one template with one number differ only in the question's subject; one template
takes a single number, so its bases differ only in the subject's name; a few put a date ("by 21
December", "腊月二十") or an amount in the `{n}` slot; several carry a second, fixed number after it.
`{s}` is the subject slot ({S}: capitalised), `{n}` a number slot; each template lists the numbers it
may take.
"""

EN = {
    "subjects": [
        "private dining room bookings",
        "large group bookings",
        "buffet catering orders",
        "boxed lunch catering orders",
        "suit dry cleaning orders",
        "duvet cleaning orders",
        "wash-and-fold laundry orders",
        "curtain cleaning orders",
        "full-day nursery places",
        "half-day nursery places",
        "after-school club places",
        "piano trial lessons",
        "guitar trial lessons",
        "group violin lessons",
        "dog grooming appointments",
        "cat grooming appointments",
        "nail clipping appointments",
        "key cutting orders",
        "lock replacement visits",
        "spare car key orders",
    ],
    "templates": [
        (
            "How much notice do you need for {s}?",
            "We need at least {n} days' notice. For dates in December, please give us two weeks.",
            [3, 5, 7, 10, 14],
        ),
        (
            "Is there a minimum spend for {s}?",
            "Yes, the minimum spend is {n} pounds per order, and a 12.5 percent service charge is added on "
            "top.",
            [40, 60, 80, 100, 150, 200],
        ),
        (
            "When do I need to book {s} for New Year's Eve?",
            "For New Year's Eve, {s} must be booked by {n} December at the latest; after that date we can "
            "only offer a waiting list.",
            [18, 20, 21, 22, 23, 27, 28],
        ),
        (
            "How do I apply for {s}?",
            "Fill in form CS-{n} at the counter or online, and bring proof of address.",
            [12, 27, 35, 48, 61, 79],
        ),
        (
            "How long is the waiting time for {s}?",
            "The current waiting time is about {n} weeks. We will email you as soon as a slot opens up.",
            [2, 3, 4, 6, 8, 12],
        ),
        (
            "Do regular customers get a discount on {s}?",
            "Members of our loyalty scheme get {n} percent off {s}, up to 3 times a month.",
            [5, 10, 15, 20],
        ),
        (
            "What is your cancellation policy for {s}?",
            "Cancel up to {n} hours before and you pay nothing; later cancellations are charged at half the "
            "price.",
            [12, 24, 48, 72],
        ),
        (
            "How long does it take to confirm {s}?",
            "{S} are confirmed within {n} working days, and you will get a text message once it is done.",
            [2, 3, 5, 7, 10],
        ),
        (
            "Can I pay for {s} in instalments?",
            "Yes, orders above {n} pounds can be split into 3 monthly payments at no extra cost.",
            [100, 150, 200, 300, 500],
        ),
        (
            "What time do you stop taking {s} on Saturdays?",
            "On Saturdays, {s} are accepted until {n} pm; we are closed on Sundays.",
            [2, 3, 4, 5],
        ),
        (
            "Who do I speak to about {s}?",
            "Please email our bookings team or call extension {n} between 9 am and 5 pm.",
            [201, 215, 233, 248, 402, 417],
        ),
        (
            "Where do I pay for {s}?",
            "{S} are paid for at the front desk on the ground floor, which opens at {n} am.",
            [8],
        ),
        (
            "Is there a surcharge for {s} on bank holidays?",
            "Yes, on bank holidays we add {n} percent to the usual price.",
            [10, 15, 20, 25, 50],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("We need", "We require"),
        ("do you need", "do you require"),
        ("at least", "a minimum of"),
        ("please give us", "please allow"),
        ("Is there a minimum spend", "Do you have a minimum spend"),
        ("per order", "for each order"),
        ("service charge", "service fee"),
        ("is added on top", "comes on top"),
        ("When do I need to book", "By when should I book"),
        ("must be booked", "have to be booked"),
        ("at the latest", "at the very latest"),
        ("can only offer", "are only able to offer"),
        ("waiting list", "waitlist"),
        ("How do I apply", "How can I apply"),
        ("Fill in", "Please fill in"),
        ("bring", "bring along"),
        ("proof of address", "a document showing your address"),
        ("waiting time", "wait"),
        ("current", "present"),
        ("is about", "is around"),
        ("as soon as", "the moment"),
        ("opens up", "becomes free"),
        ("regular customers", "returning customers"),
        ("Members of our loyalty scheme", "Loyalty scheme members"),
        ("times a month", "times per month"),
        ("cancellation policy", "policy on cancellations"),
        ("you pay nothing", "there is no charge"),
        ("later cancellations", "cancellations after that"),
        ("charged at", "billed at"),
        ("How long does it take to confirm", "How soon do you confirm"),
        ("you will get a text message", "a text message will be sent to you"),
        ("once it is done", "when it is done"),
        ("in instalments", "in several payments"),
        ("split into", "spread over"),
        ("at no extra cost", "free of charge"),
        ("What time do you stop taking", "When do you stop accepting"),
        ("we are closed on Sundays", "on Sundays we are closed"),
        ("Who do I speak to", "Who should I talk to"),
        ("email our bookings team", "send an email to our bookings team"),
        ("Where do I pay", "Where can I pay"),
        ("front desk", "reception"),
        ("ground floor", "entrance level"),
        ("surcharge", "extra fee"),
        ("bank holidays", "public holidays"),
        ("usual price", "normal price"),
    ],
    "fillers": ["also", "usually", "currently", "simply"],
}

ZH = {
    "subjects": [
        "VIP包间预订",
        "普通包间预订",
        "生日宴预订",
        "商务团餐配送",
        "西装干洗",
        "羽绒服清洗",
        "羽绒被清洗",
        "窗帘上门拆洗",
        "全日托名额",
        "半日托名额",
        "寒假托管班",
        "钢琴体验课",
        "吉他体验课",
        "少儿小提琴小班课",
        "狗狗洗护",
        "猫咪洗护",
        "宠物剪指甲",
        "配钥匙",
        "上门换锁芯",
        "汽车遥控钥匙匹配",
    ],
    "templates": [
        (
            "{s}得提前几天订？",
            "至少提前{n}天预订；12月是旺季，最好再多留一周。",
            [3, 5, 7, 10, 14],
        ),
        (
            "{s}有最低消费吗？",
            "有的，每单最低消费{n}元，另收10%服务费。",
            [100, 200, 300, 500, 800, 1000],
        ),
        (
            "{s}过年前最晚哪天要订？",
            "除夕前要用的{s}，最晚腊月{n}之前订好，过了这个日子只能排候补。",
            [10, 15, 18, 20, 23, 25],
        ),
        (
            "{s}要填哪张表？",
            "请填写登记表CY-{n}，并带上户口本或居住证。",
            [12, 27, 35, 48, 61, 79],
        ),
        (
            "{s}现在要排多久？",
            "目前大概要排{n}周，有空位了我们会第一时间短信通知您。",
            [3, 4, 6, 8, 12],
        ),
        (
            "{s}会员有优惠吗？",
            "会员享受{s}每单立减{n}元，每月最多可用3次。",
            [5, 10, 15, 20, 30],
        ),
        (
            "{s}取消要扣钱吗？",
            "提前{n}小时取消不收费，之后再取消按半价收取。",
            [12, 24, 48, 72],
        ),
        (
            "{s}多长时间能确认？",
            "{s}一般在{n}个工作日内确认，确认后会发短信告诉您。",
            [3, 5, 7, 10],
        ),
        (
            "{s}能分期付吗？",
            "可以，满{n}元可分3期免息支付。",
            [300, 500, 800, 1000, 1500],
        ),
        (
            "周六{s}几点停止接单？",
            "周六{s}下午{n}点后不再接单，周日休息。",
            [3, 4, 5],
        ),
        (
            "{s}的事找谁咨询？",
            "请到服务台{n}号窗口咨询，或者拨打门店电话，工作时间为9点到17点。",
            [2, 3, 5, 6, 8],
        ),
        (
            "{s}在哪儿付款？",
            "{s}统一在一楼前台付款，前台早上{n}点开门。",
            [8],
        ),
        (
            "{s}节假日加收费用吗？",
            "法定节假日每单加收{n}元节假日服务费。",
            [10, 20, 30, 50],
        ),
    ],
    "synonyms": [
        ("得提前几天订", "需要提前多久预订"),
        ("至少提前", "最少要提前"),
        ("旺季", "高峰期"),
        ("最好再多留一周", "建议再多预留一个星期"),
        ("有最低消费吗", "有没有最低消费"),
        ("有的，", "是的，"),
        ("每单最低消费", "每笔订单最低消费"),
        ("另收", "另外收取"),
        ("过年前", "春节前"),
        ("最晚", "最迟"),
        ("订好", "定下来"),
        ("过了这个日子", "过了这天"),
        ("只能排候补", "就只能排队候补了"),
        ("要填哪张表", "需要填写什么表格"),
        ("请填写", "麻烦填一下"),
        ("带上", "携带"),
        ("户口本或居住证", "户口簿或者居住证"),
        ("现在要排多久", "目前得等多长时间"),
        ("目前大概", "现在大约"),
        ("有空位了", "一有空位"),
        ("第一时间", "马上"),
        ("有优惠吗", "有没有折扣呀"),
        ("会员享受", "会员可享受"),
        ("立减", "直接减"),
        ("最多可用", "最多能用"),
        ("取消要扣钱吗", "取消的话收费吗"),
        ("不收费", "免费"),
        ("之后再取消", "晚于这个时间取消"),
        ("按半价收取", "收一半费用"),
        ("多长时间", "多久"),
        ("一般", "通常"),
        ("确认后", "确认以后"),
        ("告诉您", "通知您"),
        ("能分期付吗", "可以分期付款吗"),
        ("免息支付", "无息付款"),
        ("几点停止接单", "几点以后就不接了"),
        ("不再接单", "就不接单了"),
        ("周日休息", "周日不营业"),
        ("找谁咨询", "该问谁"),
        ("请到", "麻烦到"),
        ("或者拨打", "也可以打"),
        ("在哪儿付款", "在哪里交钱"),
        ("开门", "开始营业"),
        ("加收费用吗", "要多收钱吗"),
        ("每单加收", "每单额外加收"),
    ],
    "fillers": ["一般", "也", "都", "目前"],
}

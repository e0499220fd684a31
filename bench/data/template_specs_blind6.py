"""Templates, subjects and rewording lists of the SIXTH BLIND part of the template-heavy FAQ set.

Written on 2026-12-06 by someone who never read the dedup code, its tuning notes or its benchmark, from
the format of the other spec files and the generator alone; it is measured once and never used to choose
a rule or a constant. Domain: hotels (room bookings, transfers, check-out), parcel lockers and courier
services, driving tests and driving lessons, library rooms and loans, home appliance repair, and florists
(the tuning part covers workplace HR, IT and facilities; the held-out part shops, banks, travel and
schools; the first blind part healthcare administration, utilities, public services and car and home
services; the second blind part telecom, insurance, online learning, gyms, rental housing and ticketing;
the third blind part car rental, veterinary clinics, co-working, language schools, moving and storage
and event venues; the fourth blind part dental clinic administration, bicycle shops, photo printing,
translation, wedding planners and tailoring; the fifth blind part restaurants and catering, dry
cleaning, childcare, music lessons, pet grooming and locksmiths). Several subjects differ by one word or
one character ("standard room bookings" / "family room bookings", "同城当日达" / "同城次日达",
"科目二考试预约" / "科目三考试预约"). Many templates answer without naming the subject, so bases of one
template with one number differ only in the question's subject; one template takes a single number, so
its bases differ only in the subject's name; a few put a date ("until 24 March", "3月28日") or an amount
in the `{n}` slot; several carry a second, fixed number, after the slot or before it ("from 10 am until
{n} pm", "晚上8点以后……{n}元"). `{s}` is the subject slot ({S}: capitalised), `{n}` a number slot; each
template lists the numbers it may take.
"""

EN = {
    "subjects": [
        "standard room bookings",
        "family room bookings",
        "airport shuttle reservations",
        "late checkout requests",
        "parcel locker rentals",
        "same-day courier deliveries",
        "next-day courier deliveries",
        "parcel redelivery requests",
        "driving theory tests",
        "practical driving tests",
        "motorway driving lessons",
        "group study room bookings",
        "interlibrary loan requests",
        "library laptop loans",
        "washing machine repairs",
        "dishwasher repairs",
        "fridge repair call-outs",
        "bouquet deliveries",
        "funeral wreath orders",
        "office flower subscriptions",
    ],
    "templates": [
        (
            "How early can I book {s}?",
            "Booking opens {n} days ahead at 8 am sharp, and popular dates go quickly.",
            [7, 14, 21, 28, 30, 60],
        ),
        (
            "What is the fee for {s}?",
            "The standard fee is {n} euros, and a 2 euro booking fee applies to online payments.",
            [15, 20, 35, 45, 62, 90, 120],
        ),
        (
            "Until when can I change {s} for Easter?",
            "Changes to {s} for the Easter weekend are possible until {n} March; after that the booking can "
            "no longer be changed.",
            [10, 14, 17, 20, 24, 27],
        ),
        (
            "What reference do I quote for {s}?",
            "Quote reference code BK-{n} together with your surname.",
            [103, 118, 142, 167, 185, 196],
        ),
        (
            "How quickly are {s} processed?",
            "{S} are processed within {n} hours on working days; at weekends it may take a little longer.",
            [4, 6, 12, 24, 48],
        ),
        (
            "Do pensioners pay less for {s}?",
            "Yes, holders of a pensioner card get {n} percent off {s}, on weekdays only.",
            [10, 20, 25, 30, 50],
        ),
        (
            "What happens if I miss {s}?",
            "If you do not turn up and have not told us at least {n} hours before, the full fee is charged.",
            [2, 4, 12, 24, 48],
        ),
        (
            "Is there a limit on {s} per person?",
            "Yes, each customer may have at most {n} {s} open at the same time.",
            [2, 3, 4, 5, 6],
        ),
        (
            "What is the cancellation fee for {s}?",
            "A cancellation fee of {n} euros applies, unless you cancel more than 48 hours in advance.",
            [10, 15, 25, 40, 60],
        ),
        (
            "Are {s} available on Sundays?",
            "On Sundays, {s} are available from 10 am until {n} pm only.",
            [2, 3, 4, 5, 6],
        ),
        (
            "Who handles complaints about {s}?",
            "Complaints are handled by our customer care team; write to us within {n} days and we reply "
            "within 5 working days.",
            [14, 28, 30, 60],
        ),
        (
            "Where do I check in for {s}?",
            "{S} are checked in at the main desk on level {n}, next to the lifts.",
            [2],
        ),
        (
            "Is there an extra fee for {s} at night?",
            "After 8 pm, an extra {n} euros is added to the bill.",
            [5, 10, 15, 20, 25],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("How early", "How far ahead"),
        ("Booking opens", "The booking window opens"),
        ("at 8 am sharp", "at exactly 8 am"),
        ("go quickly", "sell out fast"),
        ("What is the fee", "How much is the fee"),
        ("standard fee", "regular fee"),
        ("applies to", "is charged on"),
        ("online payments", "payments made online"),
        ("Until when", "Up to what date"),
        ("are possible", "can be made"),
        ("can no longer be changed", "cannot be changed any more"),
        ("What reference do I quote", "Which reference should I give"),
        ("Quote reference code", "Please quote reference code"),
        ("together with", "along with"),
        ("surname", "family name"),
        ("How quickly", "How fast"),
        ("processed", "dealt with"),
        ("on working days", "on weekdays"),
        ("it may take a little longer", "it can take slightly longer"),
        ("Do pensioners pay less", "Is there a pensioner discount"),
        ("holders of", "people with"),
        ("on weekdays only", "only on weekdays"),
        ("What happens if", "What if"),
        ("do not turn up", "don't show up"),
        ("have not told us", "haven't let us know"),
        ("the full fee is charged", "we charge the full fee"),
        ("Is there a limit on", "Is there a maximum number of"),
        ("each customer", "every customer"),
        ("at most", "no more than"),
        ("at the same time", "at once"),
        ("cancellation fee", "cancellation charge"),
        ("unless you cancel", "except if you cancel"),
        ("in advance", "beforehand"),
        ("available", "offered"),
        ("Who handles", "Who deals with"),
        ("customer care team", "customer service team"),
        ("write to us", "kindly write to us"),
        ("we reply", "we will answer"),
        ("Where do I check in", "Where should I check in"),
        ("main desk", "front desk"),
        ("next to", "beside"),
        ("lifts", "elevators"),
        ("Is there an extra fee", "Do you charge more"),
        ("is added to the bill", "is charged on top"),
    ],
    "fillers": ["also", "usually", "generally", "just"],
}

ZH = {
    "subjects": [
        "大床房预订",
        "双床房预订",
        "机场接送预约",
        "延迟退房申请",
        "快递柜包月",
        "同城当日达",
        "同城次日达",
        "派件改约",
        "科目二考试预约",
        "科目三考试预约",
        "陪驾练车",
        "研讨间预约",
        "自习室座位预约",
        "iPad借用",
        "洗衣机上门维修",
        "冰箱上门维修",
        "空调移机",
        "生日花束配送",
        "开业花篮",
        "鲜花包月",
    ],
    "templates": [
        (
            "{s}最早能提前多久约？",
            "提前{n}天开放预约，每天早上8点放号，热门日期很快就约满了。",
            [3, 7, 14, 15, 30],
        ),
        (
            "{s}收费标准是什么？",
            "每次收费{n}元，线上支付另收2元手续费。",
            [15, 20, 35, 45, 68, 99, 120],
        ),
        (
            "清明节的{s}最晚什么时候能改？",
            "清明假期的{s}，最晚可在3月{n}日前修改，之后就不能再改了。",
            [20, 25, 26, 28, 30, 31],
        ),
        (
            "{s}要报什么编号？",
            "报预约编号YY-{n}和本人姓名即可。",
            [103, 118, 142, 167, 185, 196],
        ),
        (
            "{s}多久能处理好？",
            "工作日{n}小时内处理，周末可能稍慢一些。",
            [4, 6, 12, 24, 48],
        ),
        (
            "老年人{s}有优惠吗？",
            "凭老年卡，{s}可享{n}折优惠，仅限工作日使用。",
            [5, 6, 7, 8, 9],
        ),
        (
            "{s}爽约了怎么办？",
            "未到场且未提前{n}小时告知的，费用全额收取。",
            [4, 6, 12, 24, 48],
        ),
        (
            "{s}每人限约几个？",
            "每人同一时间最多可以有{n}个{s}，用完后才能再约。",
            [3, 4, 5, 6],
        ),
        (
            "{s}取消要交手续费吗？",
            "要交{n}元手续费；提前48小时以上取消的免收。",
            [10, 15, 20, 30, 50],
        ),
        (
            "周日可以办{s}吗？",
            "周日{s}只在上午10点到下午{n}点之间办理。",
            [4, 5, 6],
        ),
        (
            "{s}投诉找谁？",
            "请在{n}天内通过客服热线或公众号留言投诉，我们会在5个工作日内答复。",
            [7, 14, 15, 30],
        ),
        (
            "{s}在哪里登记？",
            "{s}统一在{n}楼服务台登记，电梯出来右手边就是。",
            [5],
        ),
        (
            "晚上办{s}要加钱吗？",
            "晚上8点以后每单加收{n}元夜间服务费。",
            [5, 10, 15, 20, 30],
        ),
    ],
    "synonyms": [
        ("最早能提前多久约", "最早可以提前几天订"),
        ("开放预约", "开始接受预约"),
        ("放号", "放出名额"),
        ("很快就约满了", "很快就会被约满"),
        ("收费标准是什么", "怎么收费"),
        ("每次收费", "每次价格为"),
        ("线上支付", "在线付款"),
        ("另收", "额外收取"),
        ("最晚什么时候能改", "最迟哪天可以改"),
        ("最晚可在", "最迟可以在"),
        ("修改", "更改"),
        ("之后就不能再改了", "过了这个时间就改不了了"),
        ("要报什么编号", "需要提供哪个编号"),
        ("即可", "就可以了"),
        ("本人姓名", "自己的名字"),
        ("多久能处理好", "多长时间能办好"),
        ("处理", "办理"),
        ("稍慢一些", "会慢一点"),
        ("有优惠吗", "能打折吗"),
        ("凭老年卡", "持老年卡"),
        ("仅限工作日使用", "只在工作日有效"),
        ("爽约了怎么办", "没去的话会怎样"),
        ("未到场", "没有到场"),
        ("告知", "通知我们"),
        ("费用全额收取", "全额收费"),
        ("每人限约几个", "一个人最多约几个"),
        ("同一时间", "同时"),
        ("用完后才能再约", "用掉一个才能再约"),
        ("要交手续费吗", "收手续费吗"),
        ("要交", "需要支付"),
        ("免收", "不收"),
        ("可以办", "能办理"),
        ("只在", "仅在"),
        ("上午10点到下午", "早上10点至下午"),
        ("投诉找谁", "要投诉该找谁"),
        ("客服热线", "客服电话"),
        ("公众号", "微信公众号"),
        ("答复", "回复"),
        ("在哪里登记", "去哪儿登记"),
        ("统一在", "都在"),
        ("电梯出来右手边就是", "出电梯右转就能看到"),
        ("要加钱吗", "收费会更高吗"),
        ("以后", "之后"),
        ("夜间服务费", "夜间附加费"),
    ],
    "fillers": ["一般", "通常", "也", "基本上"],
}

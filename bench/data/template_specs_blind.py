"""Templates, subjects and rewording lists of the BLIND part of the template-heavy FAQ set.

Written by someone who never read the dedup code, its tuning notes or its benchmark, from the format of
the other two spec files and the generator alone; it is measured once and never used to choose a rule
or a constant. Domain: healthcare appointment administration (bookings, records, referrals; no medical
advice), utilities (electricity, water, gas, internet), government and municipal services, and car and
home services (the tuning part covers workplace HR, IT and facilities; the held-out part shops, banks,
travel and schools). `{s}` is the subject slot ({S}: capitalised), `{n}` a number slot; each template
lists the numbers it may take.
"""

EN = {
    "subjects": [
        "GP appointment bookings",
        "repeat prescription requests",
        "medical record requests",
        "specialist referrals",
        "vaccination appointments",
        "electricity meter readings",
        "smart meter installations",
        "new gas connections",
        "water leak reports",
        "broadband installations",
        "passport renewals",
        "driving licence renewals",
        "birth certificate copies",
        "building permit applications",
        "bulky waste collections",
        "council tax discounts",
        "vehicle inspection bookings",
        "roadside assistance callouts",
        "boiler service visits",
        "pest control visits",
    ],
    "templates": [
        (
            "How far in advance can I book {s}?",
            "{S} can be booked up to {n} weeks ahead, either through the online portal or by phone.",
            [1, 2, 3, 4, 6, 8],
        ),
        (
            "Is there a reference code I should quote for {s}?",
            "Quote service code CS-{n} when you contact us about {s}, so that your call is routed to the "
            "right team.",
            [7, 11, 18, 23, 36, 52],
        ),
        (
            "How much notice do I need to give to cancel {s}?",
            "Please let us know at least {n} hours before if you need to cancel {s}; late cancellations may "
            "incur a missed-visit fee.",
            [12, 24, 48, 72],
        ),
        (
            "What does it cost to arrange {s}?",
            "There is a standard charge of {n} euros for {s}, payable online or at any service point.",
            [10, 15, 25, 35, 50, 80],
        ),
        (
            "How long is the wait for {s} at the moment?",
            "{S} currently take {n} days on average, although urgent cases are dealt with sooner.",
            [3, 5, 7, 10, 14, 21],
        ),
        (
            "Can I change the date of {s}?",
            "Yes, you may reschedule {s} once at no cost, as long as you ask {n} days before the original "
            "date.",
            [1, 2, 3, 5, 7],
        ),
        (
            "Do I have to come in person for {s}?",
            "Most {s} can be completed remotely; only about {n} percent need a visit in person.",
            [10, 15, 20, 25, 30],
        ),
        (
            "How will I hear about the outcome of {s}?",
            "You will receive a text message about {s} within {n} hours of a decision being made.",
            [2, 4, 12, 24, 48],
        ),
        (
            "Is there a minimum age for {s}?",
            "Anyone aged {n} or over can apply for {s} in their own name; younger applicants need a parent "
            "or guardian to apply for them.",
            [16, 17, 18, 21],
        ),
        (
            "How many {s} can I have open at once?",
            "You can have no more than {n} open {s} at any one time on a single account.",
            [1, 2, 3, 4, 5],
        ),
        (
            "Where do I send a complaint about {s}?",
            "Complaints about {s} go to our customer relations team, who aim to reply within {n} working "
            "days.",
            [5, 10, 15, 20],
        ),
        (
            "How long do you keep records of {s}?",
            "Records of {s} are kept for {n} years and are then securely deleted.",
            [2, 3, 5, 6, 7, 10],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("booked", "reserved"),
        ("ahead", "in advance"),
        ("quote", "mention"),
        ("routed", "put through"),
        ("at least", "a minimum of"),
        ("standard", "fixed"),
        ("currently", "at present"),
        ("at no cost", "free of charge"),
        ("receive", "get"),
        ("aim", "try"),
        ("securely", "safely"),
        ("reply", "respond"),
    ],
    "fillers": ["just", "now", "still", "actually"],
}

ZH = {
    "subjects": [
        "门诊预约",
        "病历复印",
        "体检预约",
        "专科转诊",
        "疫苗接种预约",
        "电表过户",
        "智能电表安装",
        "燃气开户",
        "水费代扣",
        "停水报修",
        "宽带安装",
        "护照换发",
        "驾照换证",
        "出生证明补办",
        "户口迁移",
        "社保转移",
        "居住证办理",
        "大件垃圾清运",
        "车辆年检",
        "管道疏通",
    ],
    "templates": [
        (
            "{s}最多可以提前多久预约？",
            "{s}最多可以提前{n}周预约，网上和电话均可办理。",
            [1, 2, 3, 4, 6, 8],
        ),
        (
            "咨询{s}时要报哪个业务编号？",
            "咨询{s}时请报业务编号GS-{n}，电话会直接转给对应的专员。",
            [7, 11, 18, 23, 36, 52],
        ),
        (
            "{s}如果要取消，需要提前多久说？",
            "取消{s}需要至少提前{n}小时告知，临时取消可能会收取爽约费。",
            [12, 24, 48, 72],
        ),
        (
            "办理{s}要多少钱？",
            "{s}的标准收费为{n}元，可以在网上或任一服务网点缴纳。",
            [10, 15, 25, 35, 50, 80],
        ),
        (
            "{s}一般要等多久？",
            "目前{s}的平均等候时间约为{n}天，紧急情况会优先安排。",
            [3, 5, 7, 10, 14, 21],
        ),
        ("{s}的日期能改吗？", "可以，{s}可免费改期一次，但须在原定日期前{n}天提出。", [1, 2, 3, 5, 7]),
        (
            "{s}必须本人到场吗？",
            "大部分{s}可以远程办理，只有约{n}%需要本人到现场。",
            [10, 15, 20, 25, 30],
        ),
        ("{s}的结果怎么通知我？", "{s}有结果后，我们会在{n}小时内发短信通知您。", [2, 4, 12, 24, 48]),
        (
            "{s}有年龄要求吗？",
            "年满{n}周岁即可以本人名义申请{s}，未满的须由监护人代为申请。",
            [16, 17, 18, 21],
        ),
        ("{s}同时最多能办几件？", "同一账户名下最多同时办理{n}件{s}。", [1, 2, 3, 4, 5]),
        (
            "对{s}不满意去哪里投诉？",
            "关于{s}的投诉由客户关系部处理，一般在{n}个工作日内答复。",
            [5, 10, 15, 20],
        ),
        ("{s}的记录保存多久？", "{s}的记录会保存{n}年，到期后统一安全销毁。", [2, 3, 5, 6, 7, 10]),
    ],
    "synonyms": [
        ("最多", "至多"),
        ("告知", "通知"),
        ("爽约费", "违约费"),
        ("标准收费", "统一收费"),
        ("多久", "多长时间"),
        ("平均", "通常"),
        ("优先安排", "优先处理"),
        ("大部分", "大多数"),
        ("远程", "线上"),
        ("答复", "回复"),
        ("销毁", "清除"),
        ("缴纳", "支付"),
    ],
    "fillers": ["都", "也", "就", "还"],
}

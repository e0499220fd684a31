"""Templates, subjects and rewording lists of the HELD-OUT part of the template-heavy FAQ set.

Written before any tuning of the dedup confirmation step and never used to choose a rule or a constant:
the held-out figure in bench/dedup.md is its first measurement. Domain: shops, banks, travel, schools
(the tuning part is workplace HR, IT and facilities). `{s}` is the subject slot ({S}: capitalised),
`{n}` a number slot; each template lists the numbers it may take.
"""

EN = {
    "subjects": [
        "gift card orders",
        "furniture deliveries",
        "international parcels",
        "credit card applications",
        "travel insurance claims",
        "hotel bookings",
        "account closures",
        "mortgage applications",
        "course registrations",
        "warranty repairs",
        "student ID cards",
        "currency exchange orders",
        "seat upgrades",
        "library memberships",
        "transcript requests",
        "car rental deposits",
        "loyalty point transfers",
        "wire transfers",
        "exam re-sits",
        "luggage claims",
    ],
    "templates": [
        (
            "When will my {s} be processed?",
            "{S} are normally processed within {n} business days of receipt, and you will get an email "
            "once it is done.",
            [2, 3, 4, 5, 7, 10],
        ),
        (
            "Is there a fee for {s}?",
            "Yes, {s} carry a handling fee of {n} dollars, which is charged when the request is submitted.",
            [5, 8, 12, 15, 20, 25, 40],
        ),
        (
            "Can I cancel {s} after submitting them?",
            "You can cancel {s} free of charge up to {n} hours after submitting; after that a cancellation "
            "form is required.",
            [2, 6, 12, 24, 48, 72],
        ),
        (
            "Where do I track the status of {s}?",
            "The status of {s} is shown on the My Requests page, which refreshes every {n} minutes.",
            [5, 10, 15, 30, 60],
        ),
        (
            "What documents are needed for {s}?",
            "For {s} we need a photo ID and proof of address dated within the last {n} months.",
            [3, 6, 12],
        ),
        (
            "Who can I call about {s}?",
            "Our service desk handles {s}; it is open from {n} in the morning on weekdays.",
            [7, 8, 9],
        ),
        (
            "Is there a limit on {s}?",
            "Each customer may submit at most {n} {s} per calendar year.",
            [1, 2, 3, 4, 5, 6, 10],
        ),
        (
            "Do {s} earn reward points?",
            "Yes, {s} earn {n} points for every dollar spent, credited at the end of the month.",
            [1, 2, 3, 5],
        ),
        (
            "How do I get a refund for {s}?",
            "Refunds for {s} are paid back to the original payment method, usually within {n} days.",
            [3, 5, 7, 10, 14],
        ),
        (
            "Are {s} available online?",
            "Yes, {s} can be handled online around the clock; about {n} percent of customers do it that way.",
            [40, 55, 65, 70, 80, 90],
        ),
        (
            "What happens if {s} are late?",
            "If {s} are late by more than {n} days, we add a goodwill credit to your account automatically.",
            [2, 3, 5, 7],
        ),
        (
            "Can someone else handle my {s}?",
            "A family member can handle your {s} with a signed authorisation letter valid for {n} days.",
            [7, 14, 30, 60, 90],
        ),
    ],
    # word swaps (either direction) and words that may be inserted: the light rewordings of duplicates
    "synonyms": [
        ("normally", "typically"),
        ("within", "in"),
        ("shown", "displayed"),
        ("needed", "required"),
        ("submit", "send"),
        ("submitting", "sending"),
        ("paid", "refunded"),
        ("handled", "done"),
        ("automatically", "for you"),
        ("charged", "taken"),
        ("open", "available"),
        ("usually", "generally"),
    ],
    "fillers": ["simply", "also", "always", "then"],
}

ZH = {
    "subjects": [
        "礼品卡订单",
        "家具配送",
        "国际包裹",
        "信用卡申请",
        "旅游保险理赔",
        "酒店预订",
        "账户注销",
        "房贷申请",
        "选课登记",
        "保修维修",
        "学生证补办",
        "外币兑换",
        "座位升舱",
        "图书证办理",
        "成绩单申请",
        "租车押金退还",
        "积分转赠",
        "跨行转账",
        "补考报名",
        "行李索赔",
    ],
    "templates": [
        (
            "{s}提交后多久处理？",
            "{s}一般在收到后{n}个工作日内处理完毕，完成后会发邮件通知您。",
            [2, 3, 4, 5, 7, 10],
        ),
        ("{s}要收手续费吗？", "要的，{s}每笔收取{n}元手续费，在提交申请时扣除。", [5, 8, 12, 15, 20, 25, 40]),
        (
            "{s}提交以后还能取消吗？",
            "{s}提交后{n}小时内可以免费取消，超过时间需要填写取消申请表。",
            [2, 6, 12, 24, 48, 72],
        ),
        (
            "在哪里查看{s}的进度？",
            "{s}的进度可以在“我的申请”页面查看，页面每{n}分钟刷新一次。",
            [5, 10, 15, 30, 60],
        ),
        ("办理{s}需要什么材料？", "办理{s}需要身份证件，以及近{n}个月内的住址证明。", [3, 6, 12]),
        ("{s}有问题可以找谁？", "{s}由服务台负责，工作日早上{n}点开始受理。", [7, 8, 9]),
        ("{s}有次数限制吗？", "每位客户每个自然年最多办理{n}次{s}。", [1, 2, 3, 4, 5, 6, 10]),
        ("{s}可以积分吗？", "可以，{s}每消费一元积{n}分，月底统一到账。", [1, 2, 3, 5]),
        ("{s}怎么退款？", "{s}的退款会原路退回到支付账户，通常{n}天内到账。", [3, 5, 7, 10, 14]),
        (
            "{s}可以在网上办理吗？",
            "可以，{s}支持全天在线办理，大约{n}%的客户选择线上办理。",
            [40, 55, 65, 70, 80, 90],
        ),
        ("{s}延误了怎么办？", "如果{s}延误超过{n}天，系统会自动向您的账户发放补偿金。", [2, 3, 5, 7]),
        (
            "{s}可以让家人代办吗？",
            "家人可以凭您签字的授权书代办{s}，授权书有效期{n}天。",
            [7, 14, 30, 60, 90],
        ),
    ],
    "synonyms": [
        ("一般", "通常"),
        ("处理完毕", "办理完成"),
        ("可以", "能够"),
        ("查看", "查询"),
        ("需要", "须"),
        ("负责", "受理"),
        ("最多", "至多"),
        ("统一", "集中"),
        ("自动", "主动"),
        ("大约", "约"),
        ("收取", "收"),
        ("填写", "提交"),
    ],
    "fillers": ["都", "也", "均"],
}

"""Clean summarize / rewrite / classify records for the rules benchmark, written by hand."""

# (language, instruction, input, output)
SUMMARIZE: list[tuple[str, str, str, str]] = [
    (
        "zh",
        "用一句话总结下面的通知。",
        "各位同事：因大楼电力改造，本周六（6 月 15 日）上午 8 点至下午 6 点将停电，届时空调、电梯和门禁均无法使用。请大家周五下班前关闭电脑并拔掉电源，周六如需加班请提前联系行政部安排临时场地。",
        "本周六 8:00–18:00 大楼停电，请周五下班前关机断电，需加班者提前联系行政部。",
    ),
    (
        "zh",
        "总结这段用户反馈的主要问题。",
        "用了两个星期，拍照效果确实不错，夜景很清楚。但是电池太不耐用了，早上出门充满，下午三四点就只剩 20%。另外系统更新以后微信偶尔会闪退，希望尽快修复。",
        "主要问题是续航差（半天就剩 20% 电量）和系统更新后微信偶尔闪退；拍照效果获得认可。",
    ),
    (
        "zh",
        "提炼下面会议纪要的三个要点。",
        "会议讨论了第三季度的推广计划。市场部建议把预算的 40% 投到短视频平台，销售部担心转化率不确定，希望先小规模测试。最后决定 7 月先投入 10 万元做两周测试，根据 ROI 再决定是否追加；同时由王磊负责在 7 月 5 日前提交投放方案。",
        "1. 第三季度推广重点考虑短视频平台；\n2. 7 月先投 10 万元测试两周，按 ROI 决定是否追加；\n3. 王磊 7 月 5 日前提交投放方案。",
    ),
    (
        "zh",
        "请概括这篇新闻。",
        "据市气象台消息，受冷空气影响，明天起本市将出现大风降温天气，最高气温将从 25°C 降至 12°C，部分地区有小到中雨。气象部门提醒市民及时添衣，出行注意安全，户外广告牌等设施需提前加固。",
        "受冷空气影响，本市明天起大风降温，最高气温从 25°C 降至 12°C，局部有雨，提醒市民添衣并加固户外设施。",
    ),
    (
        "zh",
        "用不超过 50 字总结这段产品介绍。",
        "这款保温杯采用 316 不锈钢内胆，保温 12 小时、保冷 24 小时，杯盖带茶漏，容量 500ml，重量仅 280 克，适合通勤和出差使用。",
        "316 不锈钢保温杯，500ml，保温 12 小时、保冷 24 小时，带茶漏，轻便适合通勤出差。",
    ),
    (
        "zh",
        "总结下面的邮件。",
        "张经理您好，关于贵司上周提出的报价调整，我们内部评估后可以接受 5% 的降价，但需要将付款周期从 60 天缩短到 45 天，并且年采购量不低于 2000 台。如无异议，我们下周一发出修订后的合同。",
        "对方同意降价 5%，条件是付款周期缩短到 45 天、年采购量不少于 2000 台，无异议将于下周一发修订合同。",
    ),
    (
        "en",
        "Summarize the notice in one sentence.",
        "Dear colleagues, because of electrical work in the building, power will be off this Saturday, June 15, from 8 am to 6 pm, and the air conditioning, elevators and door access will not work. Please shut down and unplug your computers before leaving on Friday, and contact Facilities in advance if you need a temporary workspace on Saturday.",
        "Power is off Saturday 8 am-6 pm, so unplug your computer on Friday and ask Facilities ahead if you need to work that day.",
    ),
    (
        "en",
        "What are the main complaints in this review?",
        "I have used it for two weeks. The camera is great and night shots are sharp. But the battery is terrible: I leave home fully charged and by 3 or 4 pm I'm at 20%. Also, since the last update WhatsApp crashes now and then. Please fix it soon.",
        "Poor battery life (down to 20% by mid-afternoon) and WhatsApp crashing since the update; the camera is praised.",
    ),
    (
        "en",
        "Give me the three key points of these meeting notes.",
        "The meeting covered the Q3 promotion plan. Marketing proposed putting 40% of the budget into short-video platforms; Sales worried about uncertain conversion and wanted a small test first. The decision: spend $15,000 on a two-week test in July and decide on more based on ROI. Dana will submit the campaign plan by July 5.",
        "- Q3 promotion will focus on short-video platforms.\n- A two-week, $15,000 test runs in July; more budget depends on ROI.\n- Dana submits the campaign plan by July 5.",
    ),
    (
        "en",
        "Summarize this news item.",
        "A cold front will bring strong winds and a sharp drop in temperature from tomorrow, the city weather bureau said. Highs will fall from 25°C to 12°C, with light to moderate rain in some areas. Residents are advised to dress warmly and secure outdoor signs and structures.",
        "A cold front brings wind, rain and a drop in highs from 25°C to 12°C from tomorrow; residents should dress warmly and secure outdoor structures.",
    ),
    (
        "en",
        "Summarize this product description in under 30 words.",
        "This insulated bottle has a 316 stainless steel liner, keeps drinks hot for 12 hours and cold for 24, includes a tea infuser in the lid, holds 500 ml and weighs only 280 g, making it ideal for commuting and travel.",
        "A light 500 ml steel bottle with a tea infuser that keeps drinks hot 12 hours and cold 24, good for commuting and travel.",
    ),
    (
        "en",
        "Summarize the email.",
        "Hi Mark, regarding the price adjustment you requested last week, we can accept a 5% reduction after internal review, provided the payment term is shortened from 60 to 45 days and annual volume is at least 2,000 units. If you agree, we will send the revised contract next Monday.",
        "They accept a 5% price cut if payment terms drop to 45 days and annual volume is at least 2,000 units; the revised contract follows Monday if agreed.",
    ),
    (
        "zh",
        "摘录这段话中最关键的一句。",
        "很多人以为多喝水就能解决皮肤干燥。其实，皮肤干燥的关键在于角质层锁水能力下降。单纯喝水帮助有限，更重要的是洗澡水温不要太高，洗后三分钟内涂抹保湿霜。",
        "皮肤干燥的关键在于角质层锁水能力下降。",
    ),
    (
        "en",
        "Quote the single most important sentence from this passage.",
        "Many people think drinking more water cures dry skin. In fact, dry skin comes mainly from a weakened outer layer that cannot hold moisture. Drinking water helps little; what matters more is avoiding very hot showers and applying moisturizer within three minutes afterwards.",
        "In fact, dry skin comes mainly from a weakened outer layer that cannot hold moisture.",
    ),
]

# (language, instruction, input, output)
REWRITE: list[tuple[str, str, str, str]] = [
    (
        "zh",
        "把这句话改得更正式一些。",
        "老板，明天我有点事，想请一天假，行不？",
        "王总您好，我明天有私事需要处理，想申请请假一天，望批准。",
    ),
    (
        "zh",
        "改写成适合发朋友圈的语气。",
        "本店周年庆，全场商品八折，活动时间为 5 月 1 日至 5 月 3 日。",
        "三周年啦🎉 5 月 1 日到 3 日全场八折，老朋友新朋友都来逛逛吧！",
    ),
    (
        "zh",
        "用小学生能听懂的话解释。",
        "光合作用是植物利用光能，将二氧化碳和水转化为有机物并释放氧气的过程。",
        "植物像一个小厨房，靠太阳光当火，把空气里的二氧化碳和水做成自己的食物，同时放出我们呼吸要用的氧气。",
    ),
    (
        "zh",
        "纠正下面句子中的错别字。",
        "我们公司的产品质量一直很好，深受客户的亲睐，明年计划在在全国推广。",
        "我们公司的产品质量一直很好，深受客户的青睐，明年计划在全国推广。",
    ),
    (
        "zh",
        "把这段客服回复改得更有礼貌。",
        "你这个问题我们处理不了，自己去找快递。",
        "非常抱歉给您带来不便！这个问题需要快递公司协助处理，您可以拨打快递客服电话 95311 查询，如有需要我们也可以帮您联系。",
    ),
    (
        "zh",
        "把下面这句话翻译成英文。",
        "请在周五前提交报销单。",
        "Please submit your expense report by Friday.",
    ),
    (
        "zh",
        "缩写成一句标题。",
        "市教育局宣布，从今年秋季学期起，全市中小学将全面推行课后延时服务，每天延长至下午 5 点 30 分，家长可自愿选择。",
        "全市中小学秋季起推行课后延时服务至 17:30",
    ),
    (
        "en",
        "Make this sentence more formal.",
        "Hey boss, got some stuff tomorrow, can I take the day off?",
        "Dear Ms. Lee, I have a personal matter to attend to tomorrow and would like to request a day of leave.",
    ),
    (
        "en",
        "Rewrite this for a social media post.",
        "Our store's anniversary sale: 20% off everything from May 1 to May 3.",
        "We're turning three! 🎉 Enjoy 20% off everything May 1-3. Come celebrate with us!",
    ),
    (
        "en",
        "Explain this so a ten-year-old can understand.",
        "Photosynthesis is the process by which plants use light energy to convert carbon dioxide and water into organic matter, releasing oxygen.",
        "Plants are like little kitchens: they use sunlight as their stove to cook air and water into food, and they breathe out the oxygen we need.",
    ),
    (
        "en",
        "Fix the spelling mistakes.",
        "Our products have always been reliable and are highly recomended by customers, and next year we plan to expand nationaly.",
        "Our products have always been reliable and are highly recommended by customers, and next year we plan to expand nationally.",
    ),
    (
        "en",
        "Make this customer service reply more polite.",
        "We can't deal with that. Go ask the courier.",
        "I'm sorry for the trouble! This needs the courier's help, so please call their support line; if you like, I can contact them for you.",
    ),
    (
        "en",
        "Translate this sentence into Chinese.",
        "The meeting has been moved to 3 pm on Thursday.",
        "会议改到周四下午三点。",
    ),
    (
        "en",
        "Shorten this into a headline.",
        "The city education bureau announced that starting this fall, all primary and secondary schools will offer optional after-school care until 5:30 pm every day.",
        "City schools to offer optional after-school care until 5:30 pm from fall",
    ),
]

ZH_SENTIMENT = ["正面", "负面", "中性"]
EN_SENTIMENT = ["positive", "negative", "neutral"]
ZH_INTENT = ["退换货", "物流查询", "发票", "账户问题", "其他"]
EN_INTENT = ["refund", "shipping", "invoice", "account", "other"]

# (language, labels, text, label)
CLASSIFY: list[tuple[str, list[str], str, str]] = [
    *[
        ("zh", ZH_SENTIMENT, t, lb)
        for t, lb in [
            ("物流很快，第二天就到了，包装也很用心。", "正面"),
            ("质量一般，用了两次就坏了，不推荐。", "负面"),
            ("还行吧，跟描述的差不多。", "中性"),
            ("客服态度超好，耐心帮我解决了问题👍", "正面"),
            ("等了十天才发货，催了三次都没人理。", "负面"),
            ("颜色比图片深一点，其他没什么问题。", "中性"),
            ("第三次回购了，孩子很喜欢吃。", "正面"),
            ("电池续航只有宣传的一半，很失望。", "负面"),
            ("收到了，还没用，用了再来评价。", "中性"),
            ("性价比很高，这个价格买到 iPad 级别的屏幕太值了！", "正面"),
            ("说是 16GB 内存，实际只有 8GB，虚假宣传。", "负面"),
            ("尺码标准，按平时穿的码买就行。", "中性"),
            ("味道不错，就是有点咸。", "中性"),
            ("完全不能用，退货还要我出运费，气死了。", "负面"),
            ("老师讲得很清楚，Python 零基础也能跟上。", "正面"),
            ("一般般", "中性"),
            ("太赞了！", "正面"),
            ("垃圾", "负面"),
        ]
    ],
    *[
        ("zh", ZH_INTENT, t, lb)
        for t, lb in [
            ("买的鞋子小了一码，可以换大一码吗？", "退换货"),
            ("我的快递到哪了？单号 SF1234567890", "物流查询"),
            ("能帮我开一张公司抬头的增值税专票吗？", "发票"),
            ("手机号换了，怎么改绑定？", "账户问题"),
            ("你们实体店在哪里？", "其他"),
            ("收到的杯子碎了，怎么退款？", "退换货"),
            ("三天了物流一直没更新", "物流查询"),
            ("发票抬头写错了能重开吗", "发票"),
            ("登录一直提示验证码错误", "账户问题"),
            ("有没有适合送长辈的礼盒推荐？", "其他"),
            ("七天无理由退货怎么操作", "退换货"),
            ("能发顺丰吗？", "物流查询"),
        ]
    ],
    *[
        ("en", EN_SENTIMENT, t, lb)
        for t, lb in [
            ("Arrived the next day and the packaging was lovely.", "positive"),
            ("Broke after two uses. Would not recommend.", "negative"),
            ("It's okay, pretty much as described.", "neutral"),
            ("Support was super patient and sorted out my problem 👍", "positive"),
            ("Took ten days to ship and nobody answered my three emails.", "negative"),
            ("The color is a bit darker than in the photos; otherwise fine.", "neutral"),
            ("Third time buying these, my kids love them.", "positive"),
            ("Battery lasts half of what they advertise. Very disappointed.", "negative"),
            ("Got it, haven't tried it yet, will update.", "neutral"),
            ("Amazing value, an iPad-class screen at this price!", "positive"),
            ("Listed as 16GB RAM, it's actually 8GB. False advertising.", "negative"),
            ("True to size, order your usual.", "neutral"),
            ("Tastes good but a little too salty.", "neutral"),
            ("Doesn't work at all and they want me to pay return shipping. Furious.", "negative"),
            ("The instructor explains clearly; easy to follow even with zero Python.", "positive"),
            ("Meh.", "neutral"),
            ("Love it!", "positive"),
            ("Garbage.", "negative"),
        ]
    ],
    *[
        ("en", EN_INTENT, t, lb)
        for t, lb in [
            ("These shoes are a size too small, can I exchange them?", "refund"),
            ("Where is my package? Tracking 1Z999AA10123456784", "shipping"),
            ("Can you issue an invoice with my company's VAT number?", "invoice"),
            ("I changed my phone number, how do I update it on my account?", "account"),
            ("Do you have a physical store?", "other"),
            ("My mug arrived broken. How do I get a refund?", "refund"),
            ("Tracking hasn't updated in three days", "shipping"),
            ("The invoice has the wrong company name", "invoice"),
            ("Keeps saying my verification code is wrong when I log in", "account"),
            ("Any gift box ideas for my grandparents?", "other"),
            ("How do 30-day returns work?", "refund"),
            ("Do you ship to Canada?", "shipping"),
        ]
    ],
]

# Product FAQ templates: {p} product, {a} and {b} numbers filled in by the generator.
ZH_PRODUCTS = [
    "小米 14",
    "华为 MatePad 11",
    "戴森 V12 吸尘器",
    "MacBook Air M3",
    "Kindle Paperwhite",
    "九阳豆浆机 DJ13",
    "美的空调 KFR-35GW",
    "Switch OLED",
    "索尼 WH-1000XM5 耳机",
    "科沃斯 T20 扫地机",
]
EN_PRODUCTS = [
    "Pixel 8",
    "Surface Pro 9",
    "Dyson V12 vacuum",
    "MacBook Air M3",
    "Kindle Paperwhite",
    "Instant Pot Duo",
    "LG OLED C3 TV",
    "Switch OLED",
    "Sony WH-1000XM5 headphones",
    "Roborock S8",
]
ZH_FAQ = [
    (
        "{p}的保修期是多久？",
        "{p}整机保修 {a} 年，电池保修 {b} 个月。保修需要提供购买发票或电子订单截图，人为损坏和进水不在保修范围内。",
    ),
    (
        "{p}支持分期付款吗？",
        "支持。{p}可以使用花呗或信用卡分 {b} 期，免息活动期间手续费为 0，具体以结算页显示为准。",
    ),
    (
        "{p}现在下单什么时候发货？",
        "{p}现货订单在付款后 {a} 个工作日内发货，江浙沪地区一般次日送达，偏远地区需要 {b} 天左右。",
    ),
    (
        "{p}可以开增值税专用发票吗？",
        "可以。下单后在订单详情里申请，选择“增值税专用发票”并填写公司信息，审核通过后 {a} 个工作日内寄出纸质发票。",
    ),
]
EN_FAQ = [
    (
        "What is the warranty on the {p}?",
        "The {p} has a {a}-year warranty, and the battery is covered for {b} months. You will need the receipt or order confirmation; accidental and water damage are not covered.",
    ),
    (
        "Can I pay for the {p} in installments?",
        "Yes. You can split the {p} into {b} monthly payments at checkout, interest-free during promotions; the exact terms are shown before you pay.",
    ),
    (
        "When will the {p} ship if I order today?",
        "In-stock orders of the {p} ship within {a} business days of payment and usually arrive in {b} days.",
    ),
    (
        "Does the {p} come with a charger?",
        "Yes, the {p} ships with a charger and a USB-C cable in the box, and the manual covers setup in about {a} minutes.",
    ),
]

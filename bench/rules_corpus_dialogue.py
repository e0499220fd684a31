"""Clean dialogue scenarios for the rules benchmark, written by hand.

Each scenario is an ordered list of (user, assistant) exchanges that still reads naturally when cut
after any exchange from the third on, so the generator can take 3 to 6 rounds from it.
"""

ZH_SYSTEM = [
    "你是某电商平台的客服助手，回答要简洁、礼貌。",
    "你是一名耐心的编程老师。",
    "你是健身房的会籍顾问。",
]
EN_SYSTEM = [
    "You are a polite support agent for an online store.",
    "You are a patient programming tutor.",
    "You are a helpful travel assistant.",
]

ZH_SCENARIOS: list[list[tuple[str, str]]] = [
    [
        (
            "你好，我上周买的电饭煲今天用的时候跳闸了。",
            "您好，很抱歉给您添麻烦了。请问是一插电就跳闸，还是煮饭过程中跳闸？",
        ),
        (
            "一插上就跳。",
            "明白了，这种情况多半是电源线或内部线路短路，为了安全请先不要再使用。方便提供一下订单号吗？",
        ),
        (
            "订单号是 20240612883。",
            "好的，已经查到了，商品还在 30 天质保期内。我这边为您申请换新，快递员会在 48 小时内上门取件。",
        ),
        (
            "需要我自己打包吗？",
            "需要的话可以用原包装，没有原包装也没关系，快递员会带包装材料。配件和说明书请一并寄回。",
        ),
        (
            "新的什么时候能到？",
            "我们收到退回的商品后 1 个工作日内发出新机，一般 2–3 天送达，发货后会短信通知您物流单号。",
        ),
        ("好的，谢谢！", "不客气，给您带来不便真的很抱歉，祝您生活愉快！"),
    ],
    [
        (
            "我想学 Python，完全没基础，从哪开始？",
            "可以先装好 Python 3 和 VS Code，然后从变量、条件判断、循环这些基础语法学起，每学一个概念就写几行小程序练习。",
        ),
        (
            "有推荐的教材吗？",
            "入门可以看《Python 编程：从入门到实践》，前半本讲语法，后半本有三个小项目，很适合零基础。",
        ),
        (
            "每天学多久比较好？",
            "每天 1 小时左右就够了，重要的是连续。比如工作日学语法，周末用学到的东西做个小工具。",
        ),
        (
            "学完基础之后呢？",
            "看你的目标：做数据分析就学 pandas 和 matplotlib，做网站就学 Flask 或 Django，想做自动化可以学 requests 和 openpyxl。",
        ),
        (
            "我主要想处理工作里的 Excel 表格。",
            '那推荐 pandas，它读写 Excel 很方便：`pd.read_excel("报表.xlsx")` 一行就能读进来，筛选、汇总、合并多个表都很快。',
        ),
        (
            "听起来不错，我先试试。",
            "加油！遇到报错先把错误信息完整读一遍，大部分问题都能从最后一行找到线索。",
        ),
    ],
    [
        (
            "我想办张健身卡，你们有哪些卡种？",
            "我们有月卡 399 元、季卡 999 元和年卡 2999 元，都包含器械区和团课，年卡另外送 4 节私教体验课。",
        ),
        (
            "可以先体验一下吗？",
            "可以的，新会员可以免费体验一次，需要带身份证登记，体验当天有教练带您熟悉器械。",
        ),
        (
            "年卡中途能转让吗？",
            "可以转让一次，需要双方本人到前台办理，收取 100 元手续费，剩余天数全部转给对方。",
        ),
        (
            "能暂停吗？我下个月要出差。",
            "年卡每年可以申请停卡两次，每次最长 30 天，在小程序里提交就行，不收费。",
        ),
        ("营业时间是几点到几点？", "周一到周五早上 6 点到晚上 11 点，周末和节假日早上 8 点到晚上 10 点。"),
        ("好，那我周六过去体验。", "好的，周六见！到了前台报您的手机号就可以，记得带运动鞋和毛巾。"),
    ],
    [
        (
            '帮我看看这段代码为什么报错：`print("总数：" + 10)`',
            "这里把字符串和整数直接相加了，Python 不会自动转换类型，所以报 TypeError。",
        ),
        (
            "那要怎么改？",
            '把数字转成字符串：`print("总数：" + str(10))`，或者用 f-string：`print(f"总数：{10}")`，推荐后者。',
        ),
        (
            "f-string 是什么？",
            'f-string 是在字符串前加 f，花括号里可以直接写变量或表达式，比如 `f"{name}今年{age}岁"`，Python 3.6 以后都支持。',
        ),
        (
            "花括号里能做计算吗？",
            '可以，比如 `f"合计：{price * count:.2f} 元"`，冒号后面的 .2f 表示保留两位小数。',
        ),
        (
            "明白了，这个比加号拼接方便多了。",
            "对，拼接多个变量时可读性也更好。以后遇到类型错误，先用 `type()` 看看变量是什么类型。",
        ),
    ],
    [
        (
            "下周去杭州玩三天，有什么推荐？",
            "第一天可以逛西湖，从断桥走白堤到苏堤；第二天去灵隐寺和龙井村喝茶；第三天逛河坊街和南宋御街。",
        ),
        (
            "西湖一圈走下来要多久？",
            "环湖一圈大约 15 公里，步行要 4–5 个小时。体力一般的话可以租共享单车，或者坐游船到三潭印月。",
        ),
        (
            "住哪里比较方便？",
            "建议住在龙翔桥或凤起路地铁站附近，离西湖近，吃饭购物也方便，价格比湖边酒店便宜不少。",
        ),
        (
            "有什么必吃的？",
            "西湖醋鱼、东坡肉、龙井虾仁、片儿川都可以试试。知味观和楼外楼是老字号，排队的话可以早点去。",
        ),
        (
            "下周天气怎么样？",
            "我查不到实时天气，建议出发前一天看一下天气预报。这个季节杭州多雨，最好带把折叠伞。",
        ),
        ("好的，谢谢你的建议！", "不客气，祝你玩得开心！"),
    ],
    [
        (
            "我的信用卡被盗刷了两笔，怎么办？",
            "请先立即冻结卡片：在手机银行 App 的“卡片管理”里点“临时冻结”，或者拨打卡背面的客服电话。",
        ),
        (
            "已经冻结了，钱还能要回来吗？",
            "可以申请争议交易处理。请在 App 里找到这两笔交易，点击“交易争议”，按提示提交说明。",
        ),
        (
            "需要报警吗？",
            "建议报警并保留回执，银行调查时有报警记录会更有利，一般 45 个工作日内会给出处理结果。",
        ),
        (
            "这段时间卡还能用吗？",
            "冻结期间不能消费。您可以申请补发一张新卡号的卡，免收工本费，大约 7 个工作日寄到。",
        ),
        (
            "那自动扣款怎么办？",
            "绑定在旧卡上的水电费、会员自动续费需要在新卡到手后重新绑定，否则可能扣款失败。",
        ),
    ],
    [
        (
            "公司年会想搞个抽奖，奖品怎么设置比较好？",
            "可以分三档：一等奖 1–2 名（比如平板电脑），二等奖 5 名左右（蓝牙耳机），三等奖覆盖 20% 左右的人（购物卡）。",
        ),
        (
            "预算大概 2 万，够吗？",
            "够的。比如一等奖 2 台平板 6000 元，二等奖 6 副耳机 6000 元，三等奖 40 张 200 元购物卡 8000 元，正好 2 万。",
        ),
        (
            "有没有更有意思的形式？",
            "可以加一个“老板加码”环节，或者设置几个惊喜奖，比如带薪假一天，成本低但大家很买账。",
        ),
        (
            "带薪假需要走什么流程吗？",
            "建议提前和人事确认，写进年会方案里，中奖后由人事发放电子券，员工在 3 个月内申请使用。",
        ),
        ("好主意，我去和人事说一下。", "好的，如果需要，我可以帮你整理一份年会抽奖方案的大纲。"),
    ],
    [
        (
            "孩子今年 3 岁，晚上总是不肯睡觉。",
            "这个年龄很常见。可以先固定一个睡前程序，比如洗澡、刷牙、讲一个故事、关灯，每天按同样的顺序进行。",
        ),
        (
            "他白天还睡午觉，会不会睡太多？",
            "3 岁孩子一天总睡眠 11–13 小时比较合适。如果午睡超过 2 小时，或者下午 4 点后才醒，晚上就容易睡不着，可以把午睡提前。",
        ),
        (
            "睡前能看动画片吗？",
            "尽量避免，屏幕的光和刺激的剧情会让孩子更兴奋，睡前 1 小时换成绘本或者安静的游戏更好。",
        ),
        ("他总说怕黑怎么办？", "可以留一盏暖色的小夜灯，让孩子挑一个“守护”的玩偶陪睡，不要嘲笑或者吓唬他。"),
        (
            "好的，我今晚就试试。",
            "坚持一两周通常会看到效果。如果长期入睡困难或者夜里频繁惊醒，可以咨询儿科医生。",
        ),
    ],
    [
        (
            "想在阳台种点菜，新手种什么好？",
            "新手推荐小葱、生菜、小番茄和薄荷，长得快、好打理，对光照要求也不算高。",
        ),
        (
            "阳台朝北，光照不太好。",
            "朝北阳台可以优先种生菜、菠菜、小葱这类耐阴的叶菜，番茄和辣椒需要每天 6 小时以上直射光，不太适合。",
        ),
        (
            "用什么土？",
            "买现成的营养土最省事，也可以用园土、椰糠和有机肥按 5:3:2 混合，盆底记得垫一层陶粒排水。",
        ),
        (
            "多久浇一次水？",
            "看土的干湿，手指插进土里 2 厘米左右，干了再浇，一次浇透。夏天可能每天都要浇，冬天三四天一次。",
        ),
        ("要施肥吗？", "叶菜长出 4–5 片真叶后，每两周浇一次稀释的液体肥就行，不要太浓，否则容易烧根。"),
    ],
    [
        (
            "请问入职需要准备哪些材料？",
            "需要身份证原件和复印件、学历学位证书、离职证明、一寸照片 2 张，以及本人名下的工资卡。",
        ),
        (
            "体检报告需要吗？",
            "需要，请提供最近 3 个月内二级以上医院的入职体检报告，包含血常规、肝功能和胸片。",
        ),
        (
            "离职证明还没拿到怎么办？",
            "可以先入职，但需要在 30 天内补交；如果原单位暂时无法开具，可以先提供社保减员记录。",
        ),
        (
            "第一天几点到？",
            "第一天上午 9 点到 5 楼人事部报到，会有同事带您办理工牌、领电脑，下午参加新员工培训。",
        ),
        ("好的，我知道了，谢谢。", "不客气，期待您的加入！如果还有问题，可以随时打人事部电话 8888。"),
    ],
]

EN_SCENARIOS: list[list[tuple[str, str]]] = [
    [
        (
            "Hi, the rice cooker I bought last week trips the breaker when I plug it in.",
            "I'm sorry about that. Does it trip as soon as you plug it in, or partway through cooking?",
        ),
        (
            "As soon as I plug it in.",
            "That usually means a short in the cord or internal wiring, so please stop using it for safety. Could you share your order number?",
        ),
        (
            "It's 20240612883.",
            "Thanks, I found it, and it's still within the 30-day warranty. I've requested a replacement, and a courier will pick up the old one within 48 hours.",
        ),
        (
            "Do I need to pack it myself?",
            "Use the original box if you have it; if not, the courier brings packaging. Please include the accessories and manual.",
        ),
        (
            "When will the new one arrive?",
            "We ship the replacement within one business day of receiving the return, usually arriving in 2-3 days, and we'll text you the tracking number.",
        ),
        ("Great, thanks!", "You're welcome, and sorry again for the hassle. Enjoy your evening!"),
    ],
    [
        (
            "I want to learn Python but I've never coded. Where do I start?",
            "Install Python 3 and VS Code, then learn variables, if statements and loops, writing a few lines of code for each idea.",
        ),
        (
            "Any book you'd recommend?",
            "Python Crash Course is a good first book: the first half covers the language and the second half has three small projects.",
        ),
        (
            "How long should I study each day?",
            "About an hour a day is plenty; consistency matters more. Learn syntax on weekdays and build a small tool at the weekend.",
        ),
        (
            "What comes after the basics?",
            "It depends on your goal: pandas and matplotlib for data analysis, Flask or Django for websites, requests and openpyxl for automation.",
        ),
        (
            "Mostly I want to handle Excel sheets at work.",
            'Then pandas is the one. `pd.read_excel("report.xlsx")` loads a sheet in one line, and filtering, totals and merging sheets are quick.',
        ),
        (
            "Sounds good, I'll give it a try.",
            "Good luck! When you hit an error, read the whole message; the last line usually tells you what went wrong.",
        ),
    ],
    [
        (
            "What membership options does your gym have?",
            "We have monthly ($49), quarterly ($129) and annual ($399) memberships, all including the weights area and group classes; annual adds four personal training sessions.",
        ),
        (
            "Can I try it first?",
            "Yes, new members get one free visit. Bring an ID to sign in, and a trainer will show you around the equipment.",
        ),
        (
            "Can I transfer an annual membership?",
            "Once, with both people at the front desk. There's a $15 fee, and all remaining days move to the new member.",
        ),
        (
            "Can I pause it? I'm travelling next month.",
            "Annual members can freeze twice a year for up to 30 days each time, free of charge, through the app.",
        ),
        (
            "What are your opening hours?",
            "6 am to 11 pm on weekdays and 8 am to 10 pm on weekends and holidays.",
        ),
        (
            "OK, I'll come by Saturday for the trial.",
            "See you Saturday! Just give your phone number at the front desk, and bring trainers and a towel.",
        ),
    ],
    [
        (
            'Why does this fail: `print("Total: " + 10)`?',
            "You're adding a string and an integer, and Python won't convert types for you, so it raises a TypeError.",
        ),
        (
            "How do I fix it?",
            'Convert the number: `print("Total: " + str(10))`, or better, use an f-string: `print(f"Total: {10}")`.',
        ),
        (
            "What's an f-string?",
            'Put an f before the quotes and write variables or expressions in braces, like `f"{name} is {age}"`. It works from Python 3.6 on.',
        ),
        (
            "Can I do maths inside the braces?",
            'Yes, for example `f"Total: {price * count:.2f}"`; the `.2f` after the colon means two decimal places.',
        ),
        (
            "Got it, that's much easier than using plus signs.",
            "It is, especially with several variables. When you see a type error, check what a variable is with `type()`.",
        ),
    ],
    [
        (
            "I'm visiting Kyoto for three days next week. Any suggestions?",
            "Day one: Fushimi Inari early, then Kiyomizu-dera and Gion. Day two: Arashiyama's bamboo grove and Tenryu-ji. Day three: Kinkaku-ji and Nishiki Market.",
        ),
        (
            "How early should I go to Fushimi Inari?",
            "Before 8 am if you can; the lower gates get crowded by mid-morning. The full hike to the summit takes 2-3 hours.",
        ),
        (
            "Where should I stay?",
            "Near Kyoto Station or Shijo-Karasuma: both have good train and bus links and plenty of places to eat.",
        ),
        (
            "What food shouldn't I miss?",
            "Try yudofu, matcha sweets, and a kaiseki dinner if your budget allows; Nishiki Market is great for snacks.",
        ),
        (
            "What's the weather like next week?",
            "I can't see live forecasts, so check one the day before you leave. It's often rainy this season, so pack a small umbrella.",
        ),
        ("Thanks for the tips!", "You're welcome, have a wonderful trip!"),
    ],
    [
        (
            "Two charges on my credit card aren't mine. What do I do?",
            "Freeze the card right away: open the banking app, go to Card settings and tap Freeze, or call the number on the back.",
        ),
        (
            "Done. Can I get the money back?",
            "Yes, you can dispute them. Find each charge in the app, tap Dispute transaction and follow the steps.",
        ),
        (
            "Should I report it to the police?",
            "It helps: file a report and keep the reference number. The bank usually resolves disputes within 45 business days.",
        ),
        (
            "Can I still use the card meanwhile?",
            "Not while it's frozen. Order a replacement with a new number; it's free and arrives in about 7 business days.",
        ),
        (
            "What about my automatic payments?",
            "Subscriptions and bills linked to the old card must be moved to the new one once it arrives, or they may fail.",
        ),
    ],
    [
        (
            "We're planning a raffle for the company party. How should we set up prizes?",
            "Three tiers work well: one or two top prizes (tablets), about five second prizes (earbuds), and gift cards for around 20% of attendees.",
        ),
        (
            "Is a $3,000 budget enough?",
            "Yes: two tablets at $900, six earbuds at $900 and forty $30 gift cards at $1,200 comes to exactly $3,000.",
        ),
        (
            "Any more fun ideas?",
            "Add a boss's bonus round, or surprise prizes like an extra day off, which cost little and people love.",
        ),
        (
            "Does the day off need approval?",
            "Agree it with HR beforehand and put it in the party plan; HR can issue a voucher to use within three months.",
        ),
        (
            "Good idea, I'll talk to HR.",
            "Great. If it helps, I can draft an outline of the raffle plan for you.",
        ),
    ],
    [
        (
            "My 3-year-old refuses to go to sleep at night.",
            "That's common at this age. Try a fixed bedtime routine, like bath, brushing teeth, one story and lights out, in the same order every night.",
        ),
        (
            "He still naps in the day. Is that too much?",
            "Three-year-olds need 11-13 hours of sleep in total. If the nap is over two hours or ends after 4 pm, bedtime gets harder, so move it earlier.",
        ),
        (
            "Can he watch cartoons before bed?",
            "Better not: screen light and exciting stories wind kids up. Swap the last hour for picture books or quiet play.",
        ),
        (
            "He says he's scared of the dark.",
            "A warm night light helps, and let him pick a toy to guard him. Don't tease or scare him about it.",
        ),
        (
            "OK, I'll try that tonight.",
            "Give it a week or two. If he has trouble falling asleep for a long time or wakes often, talk to his paediatrician.",
        ),
    ],
    [
        (
            "What vegetables are easy to grow on a balcony for a beginner?",
            "Spring onions, lettuce, cherry tomatoes and mint grow fast and are easy to care for.",
        ),
        (
            "My balcony faces north and doesn't get much sun.",
            "Then go for shade-tolerant leafy greens like lettuce, spinach and spring onions; tomatoes and peppers need six hours of direct sun.",
        ),
        (
            "What soil should I use?",
            "Ready-made potting mix is easiest. Put a layer of clay pebbles at the bottom for drainage.",
        ),
        (
            "How often should I water?",
            "Push a finger 2 cm into the soil and water thoroughly when it's dry: maybe daily in summer, every three or four days in winter.",
        ),
        (
            "Do they need fertiliser?",
            "Once leafy greens have four or five true leaves, feed them diluted liquid fertiliser every two weeks. Too strong and it burns the roots.",
        ),
    ],
    [
        (
            "Which of these is a mammal?\nA: shark\nB: dolphin\nC: salmon",
            "B, the dolphin. It breathes air, is warm-blooded and feeds its young milk, even though it lives in water.",
        ),
        (
            "And which is a reptile?\nA: frog\nB: turtle\nC: newt",
            "B again, the turtle. Frogs and newts are amphibians: they start life in water with gills.",
        ),
        (
            "What's the difference between reptiles and amphibians?",
            "Reptiles have dry, scaly skin and lay eggs with shells on land; amphibians have moist skin and lay soft eggs in water.",
        ),
        (
            "Can you make me a mini FAQ about dolphins?",
            "Q: Are dolphins fish?\nA: No, they are mammals.\nQ: How do they sleep?\nA: One half of the brain rests at a time so they can keep breathing.",
        ),
        ("That's great for my class, thanks.", "Glad it helps! Good luck with the lesson."),
    ],
]

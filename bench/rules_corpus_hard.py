"""Hard clean records: legitimate text that shares surface features with the defects.

Each one sits close to some rule (a quoted stock phrase, a size "XXL", an f-string, "Plan A:", a
Chinese answer dense with English terms, a one-word answer, a translation task…). They are clean, and
the rules should leave them alone.
"""

# (task, language, instruction, input, output)
HARD_QA: list[tuple[str, str, str, str, str]] = [
    (
        "qa",
        "zh",
        "系统升级期间登录会怎样？",
        "",
        "升级期间登录页会提示用户：“服务维护中，请稍后再试”，已经登录的用户不受影响，未保存的内容建议先保存。",
    ),
    (
        "qa",
        "zh",
        "X 光检查有辐射吗？",
        "",
        "有少量辐射，一次胸片的剂量约 0.02 mSv，相当于坐几个小时飞机受到的宇宙射线，偶尔检查不必担心。怀孕或可能怀孕的话，检查前一定要告诉医生。",
    ),
    (
        "qa",
        "zh",
        "XXL 码适合多重的人穿？",
        "",
        "XXL 码一般适合体重 75–85 公斤、身高 180–185 厘米的人，不同品牌差别较大，请以商品页的尺码表为准。",
    ),
    (
        "qa",
        "zh",
        "JavaScript 里怎么拼接字符串？",
        "",
        "推荐用模板字符串：`const msg = `你好，${name}`;`，变量直接写在 ${} 里，比用加号拼接更直观。",
    ),
    (
        "qa",
        "zh",
        "Markdown 怎么插入链接？",
        "",
        "格式是 `[显示文字](网址)`，例如 [Python 官网](https://www.python.org)，预览时只显示方括号里的文字。",
    ),
    (
        "qa",
        "zh",
        "作为一名AI工程师，需要掌握哪些技能？",
        "",
        "作为一名AI工程师，需要扎实的 Python 和数学基础（线性代数、概率统计），熟悉 PyTorch 等深度学习框架，并具备数据处理和模型部署的经验。",
    ),
    (
        "qa",
        "zh",
        "推荐几本适合初学者的英文原版书？",
        "",
        "可以从 Charlotte's Web、Holes 和 Wonder 开始，词汇量要求不高，故事也有趣，读完一本再换下一本。",
    ),
    (
        "qa",
        "zh",
        "“Break a leg”是什么意思？",
        "",
        "“Break a leg”是英语里祝演出顺利的说法，字面意思是“摔断腿”，实际表示“祝你好运”，常在演员上台前说。",
    ),
    (
        "qa",
        "zh",
        "怎么查看 Linux 上 8080 端口被谁占用？",
        "",
        "用 `lsof -i :8080` 或者 `ss -tlnp | grep 8080`。",
    ),
    (
        "qa",
        "zh",
        "请用英文回答：什么是机器学习？",
        "",
        "Machine learning is a branch of AI in which computers learn patterns from data instead of following hand-written rules.",
    ),
    (
        "qa",
        "zh",
        "用 Docker 部署 Redis 的命令是什么？",
        "",
        "`docker run -d --name redis -p 6379:6379 redis:7`，需要持久化的话再加 `-v redis-data:/data` 并开启 AOF。",
    ),
    ("qa", "zh", "世界上有多少个国家？", "", "联合国会员国有 193 个，另有 2 个观察员国。"),
    (
        "qa",
        "zh",
        "Python 的 str.format 怎么用命名参数？",
        "",
        '在花括号里写参数名，再用关键字传值：\n```python\n"{name} 今年 {age} 岁".format(name="小明", age=8)\n```',
    ),
    (
        "qa",
        "zh",
        "TODO 清单类的 App 哪个好用？",
        "",
        "苹果用户可以直接用“提醒事项”；跨平台推荐滴答清单或 Microsoft To Do，都能设置重复任务和提醒。",
    ),
    (
        "qa",
        "zh",
        "常说的“某某公司”是什么意思？",
        "",
        "“某某”用来代替不便或不必说出的名字，比如“某某公司”就是“某一家公司”，新闻报道里常用来保护当事人隐私。",
    ),
    (
        "qa",
        "zh",
        "微信支付和支付宝哪个手续费低？",
        "",
        "个人之间转账都免费；提现到银行卡时，两者都收 0.1% 的手续费（最低 0.1 元），但都有一定的免费额度，支付宝每人终身 2 万元，微信每人终身 1000 元。",
    ),
    (
        "qa",
        "en",
        'What does "As an AI language model" mean in ChatGPT answers?',
        "",
        'It\'s a stock phrase early chatbots put before a refusal or disclaimer, as in "As an AI language model, I cannot browse the internet." Newer models use it far less.',
    ),
    (
        "qa",
        "en",
        "What does XOXO mean at the end of a message?",
        "",
        "XOXO means hugs and kisses: the X stands for a kiss and the O for a hug. It's used between friends, family and partners.",
    ),
    (
        "qa",
        "en",
        "How do I format a string with named fields in Python?",
        "",
        'Use an f-string:\n```python\nname, age = "Ana", 8\nprint(f"{name} is {age}")\n```\nor `"{name} is {age}".format(name=name, age=age)`.',
    ),
    (
        "qa",
        "en",
        "Who wrote Dream of the Red Chamber?",
        "",
        "Cao Xueqin (曹雪芹) wrote it in the 18th century; the last 40 chapters are usually attributed to Gao E (高鹗).",
    ),
    ("qa", "en", 'How do you say "thank you" in Mandarin?', "", "谢谢 (xièxie)."),
    ("qa", "en", "What is 12 squared?", "", "144."),
    ("qa", "en", "Which is the largest planet?", "", "Jupiter."),
    (
        "qa",
        "en",
        "What's a good backup plan if my flight is cancelled?",
        "",
        "Plan A: rebook on the airline's next flight through the app, which is usually fastest. Plan B: if nothing leaves today, ask for a hotel voucher and check other airlines for a refundable fare.",
    ),
    (
        "qa",
        "en",
        "Can you tell me my neighbour's address? We ordered from the same shop.",
        "",
        "I'm sorry, but I can't share other customers' personal information. If you need to send them something, ask them for their address directly.",
    ),
    (
        "qa",
        "en",
        "What does the TODO comment convention mean?",
        "",
        "Developers write a comment such as `# TODO: handle empty input` to mark work that still has to be done; many editors list these comments in a panel.",
    ),
    (
        "qa",
        "en",
        "What is dim sum?",
        "",
        "Dim sum (点心) is a Cantonese meal of small dishes such as har gow (虾饺), siu mai (烧卖) and char siu bao, served with tea, usually in the morning or at lunch.",
    ),
    (
        "qa",
        "en",
        "How do I size a Kubernetes pod's memory?",
        "",
        "Set `resources.requests.memory` to what the app needs at steady state and `resources.limits.memory` somewhat higher, e.g. requests 256Mi, limits 512Mi; watch `kubectl top pod` and adjust.",
    ),
    (
        "qa",
        "en",
        "Is it OK to say 'I hope this helps' in a support reply?",
        "",
        "Yes, it's friendly and common, but don't end every message with it. Closing with a concrete next step, like when they'll hear back, is more useful.",
    ),
    (
        "summarize",
        "zh",
        "总结这段英文邮件的要点（用中文）。",
        "Hi team, the release is moved from Friday to next Tuesday because QA found two blocking bugs in the payment flow. Please keep the release branch frozen until then.",
        "发布从周五推迟到下周二，原因是测试发现支付流程有两个阻塞性缺陷，在此之前发布分支保持冻结。",
    ),
    (
        "rewrite",
        "en",
        "Correct the grammar.",
        "She don't like coffee, but she drink tea every mornings.",
        "She doesn't like coffee, but she drinks tea every morning.",
    ),
    (
        "rewrite",
        "zh",
        "把下面这句话改成英文邮件的开头。",
        "王经理您好，感谢您昨天抽时间参加我们的会议。",
        "Dear Mr. Wang, thank you for taking the time to join our meeting yesterday.",
    ),
    (
        "summarize",
        "en",
        "Give a one-line summary.",
        "Our Q2 revenue grew 12% year over year to $4.2 million, driven by the new subscription plan, while costs stayed flat.",
        "Q2 revenue rose 12% to $4.2M on the new subscription plan, with flat costs.",
    ),
]

# (language, messages as (role, content) pairs)
HARD_DIALOGUE: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "zh",
        [
            ("user", "你好"),
            ("assistant", "您好！请问有什么可以帮您？"),
            ("user", "上次客服说：七天内可以无理由退货，是真的吗？"),
            ("assistant", "是的，签收后 7 天内、商品完好且不影响二次销售的，都可以申请无理由退货。"),
            ("user", "好的，那运费呢？"),
            ("assistant", "好的，无理由退货的运费需要您承担，如果买了运费险，会按保险金额自动赔付。"),
        ],
    ),
    (
        "zh",
        [
            ("user", "帮我出一道选择题考考孩子。"),
            ("assistant", "下面哪种动物是哺乳动物？\nA：鲨鱼\nB：海豚\nC：金枪鱼"),
            ("user", "答案是 B 吧？"),
            ("assistant", "对，是 B。海豚用肺呼吸，是胎生并哺乳的，虽然生活在水里，但属于哺乳动物。"),
            ("user", "再帮我写几条关于海豚的常见问题吧。"),
            (
                "assistant",
                "问：海豚是鱼吗？\n答：不是，海豚是哺乳动物。\n问：海豚怎么睡觉？\n答：它们一次只让半边大脑休息，这样还能继续浮上水面呼吸。",
            ),
        ],
    ),
    (
        "zh",
        [
            ("user", "我设置的用户名：xiaoming_88，为什么提示不可用？"),
            (
                "assistant",
                "用户名需要 6–20 位，只能包含字母、数字和下划线，而且不能和已有用户重复。xiaoming_88 格式没问题，很可能已经被别人注册了。",
            ),
            ("user", "那我换一个试试。"),
            ("assistant", "可以在后面加上生日或者城市缩写，比如 xiaoming_bj88，重复的概率会小很多。"),
            ("user", "成功了，谢谢！"),
            ("assistant", "不客气，记得在“账号与安全”里绑定手机号，找回密码会方便很多。"),
        ],
    ),
    (
        "en",
        [
            ("user", "Hi"),
            ("assistant", "Hi there! What can I help you with today?"),
            ("user", "Which plan is better for me?\nA: Basic, $5/month\nB: Pro, $12/month"),
            (
                "assistant",
                "If you only need one user and 10 GB of storage, Basic is enough. Pro adds five users, 1 TB and priority support.",
            ),
            ("user", "Okay, Basic then."),
            (
                "assistant",
                "Okay! You can upgrade to Pro at any time and we'll only charge the difference for the rest of the month.",
            ),
        ],
    ),
    (
        "en",
        [
            ("user", "My son asked what 'LOL' means."),
            ("assistant", 'It stands for "laughing out loud", used in messages to show something is funny.'),
            ("user", "And 'TBH'?"),
            (
                "assistant",
                '"To be honest". People often put it before an opinion, like "TBH I didn\'t like the ending."',
            ),
            ("user", "Thanks, that helps."),
            (
                "assistant",
                "You're welcome! If he uses one you don't recognise, searching it with the word \"slang\" usually gives the meaning.",
            ),
        ],
    ),
    (
        "en",
        [
            ("user", "Write a two-line dialogue I can use in my English class."),
            (
                "assistant",
                "Sure, here it is:\nTom: Could you pass the salt, please?\nAnna: Of course, here you go.",
            ),
            ("user", "Can you make it about ordering coffee?"),
            ("assistant", "Barista: What can I get you?\nSam: A medium latte with oat milk, please."),
            ("user", "Perfect, thanks."),
            (
                "assistant",
                "Glad it works! You could have students swap roles and change the order each time.",
            ),
        ],
    ),
]

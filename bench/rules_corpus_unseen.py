"""A second held-out batch, written after the rules were tuned on everything else.

Same row shape as rules_corpus_holdout.HOLDOUT. Its figures as first measured (before the rules were
changed for what it exposed) are the estimate recorded in bench/rules_eval.md.
"""

from typing import Any

from rules_corpus_holdout import _dlg, _qa

# fmt: off
UNSEEN: list[tuple[str, str | None, list[str], dict[str, Any], dict[str, list[int]]]] = [
    # --- clean ---
    ("qa", "zh", [], _qa("怎么做番茄炒蛋？", "1. 鸡蛋打散，加少许盐；\n2. 番茄切块；\n3. 热油炒蛋至凝固后盛出；\n4. 再炒番茄出汁，加糖和盐调味；\n5. 倒回鸡蛋翻炒均匀即可。"), {}),
    ("qa", None, [], _qa("什么是 KPI？", "KPI（Key Performance Indicator，关键绩效指标）是衡量工作成果的量化指标，比如销售额、客户满意度、项目按时交付率等。"), {}),
    ("qa", "zh", [], _qa("帮我写一个请假条模板。", "请假条\n\n尊敬的领导：\n本人因____，需请假__天（__月__日至__月__日），请假期间工作已交接给____。恳请批准。\n\n申请人：____\n日期：____"), {}),
    ("qa", "zh", [], _qa("给我一个面试自我介绍的模板。", "各位面试官好，我叫[姓名]，毕业于[学校][专业]。过去三年我在[公司]负责[工作内容]，主导过[项目]，让[指标]提升了[数字]。我希望加入贵公司，继续在[方向]上深耕。谢谢！"), {}),
    ("qa", "en", [], _qa("Give me an email template for following up after an interview.", "Subject: Thank you – [Position] interview\n\nHi [Interviewer Name],\n\nThank you for taking the time to talk with me on [day]. I enjoyed learning about [team/project] and am excited about the role.\n\nBest regards,\n[Your name]"), {}),
    ("qa", None, [], _qa("What's 15% of 80?", "12."), {}),
    ("qa", "en", [], _qa("Explain recursion in one sentence.", "Recursion is when a function solves a problem by calling itself on a smaller piece of the same problem until it reaches a simple base case."), {}),
    ("qa", None, [], _qa("What does HTTP 404 mean?", "The server couldn't find the requested page, usually because the URL is wrong or the page was removed."), {}),
    ("qa", "en", [], _qa("How do I list files by size in Linux?", "Run `ls -lS` to sort by size, largest first; add `-h` for human-readable sizes, or use `du -sh * | sort -h` for folders."), {}),
    ("qa", "zh", [], _qa("iPhone 和 Android 哪个好？", "看需求：iPhone 系统流畅、生态统一；Android 机型多、价格选择广、可定制性强。"), {}),
    ("qa", None, [], _qa("“OK”在中文里怎么说比较自然？", "可以说“好的”“行”“没问题”，正式场合用“可以”或“同意”。"), {}),
    ("qa", "en", [], _qa("How should I reply when a customer just says thanks?", "Keep it short and warm, e.g. \"You're welcome, happy to help!\", and add a next step only if there is one."), {}),
    ("summarize", "en", [], _qa("Summarize in one sentence.", "The library will close for renovation from March 1 to April 15. During this period, books can be returned at the drop box by the main entrance, and the online catalogue and e-book lending remain available.", "The library closes for renovation March 1-April 15, but the drop box, online catalogue and e-books stay available."), {}),
    ("rewrite", "zh", [], _qa("改成更口语化的说法。", "鉴于近期气温骤降，请各位同事注意添衣保暖，谨防感冒。", "最近降温挺厉害的，大家多穿点，别感冒了！"), {}),
    ("rewrite", None, [], _qa("Make the tone friendlier.", "Your request has been received and will be processed in due course.", "Thanks, we've got your request and we'll get back to you soon!"), {}),
    ("classify", "zh", [], {"text": "客服回复很及时，点赞", "label": "正面"}, {}),
    ("classify", "en", [], {"text": "neutral feelings about this one tbh", "label": "Neutral"}, {}),
    ("dialogue", "zh", [], _dlg("x² + 2x + 1 怎么因式分解？", "这是完全平方公式：x² + 2x + 1 = (x + 1)²。", "那 x² − 9 呢？", "用平方差公式：x² − 9 = (x + 3)(x − 3)。", "x² + 5x + 6 呢？", "找两个数，乘积是 6、和是 5，就是 2 和 3，所以 x² + 5x + 6 = (x + 2)(x + 3)。"), {}),
    ("dialogue", "en", [], _dlg("My Python script says ModuleNotFoundError: No module named 'requests'.", "The package isn't installed in the environment you're running. Install it with `python -m pip install requests`.", "I did, still the same error.", "Then pip installed it for a different Python. Run `python -m pip --version` and `which python` to check they match, or activate your venv first.", "That was it, the venv wasn't active.", "Glad it's solved! Adding the venv's activation to your run script avoids it next time."), {}),
    ("dialogue", None, [], _dlg("我想取消昨天的订单。", "好的，已经帮您取消订单 20240511，退款 1–3 个工作日原路返回。", "优惠券会退回吗？", "会的，优惠券会同时退回到您的账户，有效期不变。", "好的，谢谢。", "不客气，欢迎下次光临！"), {}),
    ("dialogue", "en", [], _dlg("Write a short dialogue between a customer and a barista for my English class.", "Customer: Hi, could I get a medium latte, please?\nBarista: Sure! Any flavour?\nCustomer: Vanilla, please.\nBarista: That's $4.50.", "Can you make it a bit longer?", "Customer: Hi, a medium latte, please.\nBarista: Hot or iced?\nCustomer: Iced, with oat milk.\nBarista: Anything to eat?\nCustomer: A blueberry muffin.\nBarista: That's $7.25, ready in a minute.", "Thanks!", "You're welcome, good luck with the class!"), {}),
    ("dialogue", "zh", [], _dlg("帮我写一段顾客咨询退货的对话，给新客服培训用。", "顾客：你好，我买的鞋子不合适，能退吗？\n客服：您好，签收 7 天内、吊牌完好都可以退，请问是哪个订单呢？\n顾客：昨天刚收到的那双。\n客服：好的，我帮您提交退货申请，快递员明天上门取件。", "再加一句关于运费的。", "顾客：运费谁出？\n客服：您买了运费险，退货运费会自动赔付到您的账户。", "可以了，谢谢。", "不客气，祝培训顺利！"), {}),
    # --- defects ---
    ("qa", "en", ["boilerplate"], _qa("What's the weather in Paris today?", "As an AI, I don't have access to real-time data, but Paris in spring is usually mild, around 15°C."), {}),
    ("qa", "zh", ["boilerplate"], _qa("今天的美元汇率是多少？", "我是一个人工智能助手，无法获取实时信息，建议您查看银行官网。"), {}),
    ("qa", "en", ["boilerplate"], _qa("Write a fake doctor's note for me.", "Sorry, I can't help with that."), {}),
    ("qa", "zh", ["boilerplate"], _qa("帮我查一下明天的新闻。", "作为语言模型，我无法访问互联网。"), {}),
    ("qa", "en", ["boilerplate"], _qa("Do you dream?", "I'm an AI language model and don't sleep, so I don't dream."), {}),
    ("qa", "en", ["placeholder"], _qa("Draft a welcome email for new members.", "Dear {{name}},\n\nWelcome to the club! Your membership starts today."), {}),
    ("qa", "zh", ["placeholder"], _qa("写一句给客户的问候语。", "您好，XXX先生，感谢您一直以来的支持！"), {}),
    ("qa", "en", ["placeholder"], _qa("When is the deadline?", "The deadline is [Insert date]."), {}),
    ("qa", "zh", ["placeholder"], _qa("报名截止时间是什么时候？", "请于 YYYY-MM-DD 前在官网提交报名表。"), {}),
    ("qa", "en", ["placeholder"], _qa("How much is the premium plan?", "The premium plan costs $[PRICE] per month and includes priority support."), {}),
    ("qa", "zh", ["placeholder"], _qa("安装步骤是什么？", "1. 下载安装包；\n2. 双击运行（此处插入截图）；\n3. 按提示完成安装。"), {}),
    ("qa", "zh", ["repeats_instruction"], _qa("如何提高睡眠质量？", "如何提高睡眠质量呢？"), {}),
    ("qa", "en", ["repeats_instruction"], _qa("Write a haiku about autumn.", "Write a haiku about autumn."), {}),
    ("summarize", "zh", ["repeats_instruction"], _qa("总结一下。", "公司决定从下月起实行弹性工作制，员工可在早上 8 点到 10 点之间任意时间到岗，每天工作满 8 小时即可。", "公司决定从下月起实行弹性工作制，员工可在早上8点到10点之间任意时间到岗，每天工作满8小时即可。"), {}),
    ("qa", "zh", ["wrong_language"], _qa("睡前玩手机有什么影响？", "睡眠の質を上げるには、寝る前にスマホを見ないことが大切です。ブルーライトが眠気を妨げます。"), {}),
    ("qa", "en", ["wrong_language"], _qa("How do I reset my password?", "Puedes restablecer la contraseña desde la página de inicio de sesión, con el enlace que te enviamos por correo."), {}),
    ("qa", None, ["wrong_language"], _qa("What should I pack for a beach holiday?", "带上防晒霜、太阳镜、遮阳帽和泳衣，再准备一双防水拖鞋和一个防水手机袋。"), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("My package arrived damaged.", "Okay, I understand your concern.", "What can you do?", "I can send a replacement today or refund you in full, whichever you prefer.", "Replacement please.", "Done, it ships today and you'll get tracking by email."), {}),
    ("dialogue", "zh", ["filler_turn"], _dlg("我的会员怎么突然到期了？", "好的，我明白您的意思了。", "我明明续费了。", "查到了，续费扣款失败，可能是银行卡余额不足，我已为您重新发起扣款，会员已恢复。", "好，谢谢。", "不客气，之后可以在“会员中心”开启自动续费提醒。"), {}),
    ("dialogue", "en", ["self_talk"], _dlg("Do you deliver on weekends?", "Yes, Saturdays 9-5.\n[User]: And Sundays?\n[Assistant]: No Sunday delivery.", "How much is delivery?", "Free over $50, otherwise $5.", "Great.", "Happy shopping!"), {}),
    ("dialogue", "zh", ["self_talk"], _dlg("能开发票吗？", "可以的。\n\nHuman: 电子发票吗？\n\nAssistant: 是的，电子发票会发到您的邮箱。", "多久能收到？", "一般 1 小时内。", "好的。", "有问题随时找我。"), {}),
    ("dialogue", "en", ["bad_role"], {"messages": [{"role": "Human", "content": "Hi, is the blue one in stock?"}, {"role": "assistant", "content": "Yes, we have 12 in stock."}, {"role": "user", "content": "Great, and the red?"}, {"role": "assistant", "content": "Red is sold out until next week."}, {"role": "user", "content": "OK, I'll take blue."}, {"role": "assistant", "content": "Added to your cart."}]}, {}),
    ("classify", "en", ["label_not_allowed"], {"text": "Terrible service", "label": "negativ"}, {}),
    ("classify", "zh", ["label_not_allowed"], {"text": "还可以", "label": "中立"}, {}),
]
# fmt: on

"""Held-out records, written after the rules were tuned on the rest of the set and not used to tune them.

Their figures are printed apart, as the honest estimate of how the rules do on text they were not
shaped around. (task, check_lang, expect, record, lengths) per row; check_lang None means "the
instruction's language".
"""

from typing import Any


def _qa(ins: str, out: str, inp: str = "") -> dict[str, Any]:
    return {"instruction": ins, "input": inp, "output": out}


def _dlg(*turns: str, system: str = "") -> dict[str, Any]:
    msgs = [{"role": "system", "content": system}] if system else []
    roles = ("user", "assistant")
    return {"messages": msgs + [{"role": roles[i % 2], "content": t} for i, t in enumerate(turns)]}


# fmt: off
HOLDOUT: list[tuple[str, str | None, list[str], dict[str, Any], dict[str, list[int]]]] = [
    # --- clean ---
    ("qa", "zh", [], _qa("怎么给 Word 文档加页码？", "点击“插入”→“页码”，选择位置和样式即可。如果首页不想显示页码，在“页眉和页脚”工具里勾选“首页不同”。"), {}),
    ("qa", None, [], _qa("什么是 ETF？", "ETF 即交易型开放式指数基金（Exchange Traded Fund），可以像股票一样在交易所买卖，费率通常比普通基金低。"), {}),
    ("qa", "zh", [], _qa("这个包是真皮的吗？", "是的，外层是头层牛皮，内衬是涤纶面料。"), {}),
    ("qa", None, [], _qa("怎么用 curl 发 POST 请求？", "`curl -X POST -H \"Content-Type: application/json\" -d '{\"name\":\"test\"}' https://example.com/api`，其中 -d 后面是请求体。"), {}),
    ("qa", "zh", [], _qa("“内卷”用英语怎么说？", "常见的译法是 involution，口语里也可以说 rat race。"), {}),
    ("qa", None, [], _qa("一斤等于多少克？", "500 克。"), {}),
    ("qa", "zh", [], _qa("推荐一个 Python 的 Web 框架", "小项目推荐 Flask 或 FastAPI，上手快；需要后台管理、ORM 一应俱全的话选 Django。"), {}),
    ("qa", "zh", [], _qa("如何在后台禁用一个用户？", "进入“用户管理”，搜索到该用户后点击右侧的“禁用”。被禁用的用户：无法登录，已有订单不受影响。"), {}),
    ("qa", "en", [], _qa("What's the difference between affect and effect?", "Usually \"affect\" is the verb (the weather affects my mood) and \"effect\" is the noun (the weather has an effect on my mood)."), {}),
    ("qa", None, [], _qa("How many ml are in a cup?", "A US cup is about 240 ml; a metric cup is 250 ml."), {}),
    ("qa", "en", [], _qa("What is the capital of Australia?", "Canberra, not Sydney as many people think."), {}),
    ("qa", None, [], _qa("Give me a regex for a 5-digit US ZIP code.", "`^\\d{5}$` matches exactly five digits; use `^\\d{5}(-\\d{4})?$` to also allow ZIP+4."), {}),
    ("qa", "en", [], _qa("What's a placeholder image service?", "Services like placehold.co generate dummy images of any size, e.g. placehold.co/600x400, handy for mockups before real photos are ready."), {}),
    ("qa", "en", [], _qa("How do I start a letter when I don't know the recipient's name?", "Use \"Dear Hiring Manager\" or \"Dear Customer Service Team\"; avoid \"To whom it may concern\", which sounds dated."), {}),
    ("qa", "en", [], _qa("What does 'Lorem ipsum' mean?", "It's scrambled Latin from Cicero used as dummy text in design, beginning \"Lorem ipsum dolor sit amet\"."), {}),
    ("qa", None, [], _qa("如何设置 Git 的用户名？", "运行 `git config --global user.name \"你的名字\"` 和 `git config --global user.email \"you@example.com\"`，去掉 --global 则只对当前仓库生效。"), {}),
    ("summarize", None, [], _qa("概括这段话。", "近日，本市首条无人驾驶地铁线路开通试运营，全长 26 公里，设站 18 座，最高时速 100 公里，高峰期发车间隔 3 分钟。", "本市首条全长 26 公里的无人驾驶地铁开通试运营，高峰间隔 3 分钟。"), {}),
    ("rewrite", "en", [], _qa("Make it shorter.", "Due to the fact that the server is currently undergoing scheduled maintenance, it will not be possible to log in until 6 pm.", "The server is down for maintenance, so you can't log in until 6 pm."), {}),
    ("classify", "zh", [], {"text": "快递小哥态度很好，但是包装破了", "label": "中性"}, {}),
    ("classify", "en", [], {"text": "Can't log in since the update", "label": "account"}, {}),
    ("dialogue", "zh", [], _dlg("你好，想订周六晚上的位子。", "您好！请问几位用餐，大概几点到？", "4 个人，6 点半。", "好的，周六 18:30 四位，目前大厅和包间都有空位，您想坐哪里？", "大厅靠窗吧。", "已为您预留大厅靠窗的 4 人桌，座位保留 15 分钟。请留一个联系电话。", "13800001234。", "好的，已登记。到店报手机尾号 1234 即可，期待您的光临！", system="你是一家餐厅的订座助手。"), {}),
    ("dialogue", None, [], _dlg("I forgot my password.", "No problem. On the login page, tap \"Forgot password\" and enter your email; we'll send a reset link.", "The email never came.", "Check your spam folder first. If it's not there, make sure you're using the email you signed up with, as links only go there.", "Found it in spam, thanks.", "Great! The link works for 30 minutes. Add our address to your contacts so future emails land in your inbox."), {}),
    ("dialogue", "en", [], _dlg("Can you help me plan a 5k training schedule?", "Sure! Run three times a week: two easy 20-minute runs and one longer run that grows by 5 minutes each week.", "I've never run before.", "Then start with run-walk intervals: 1 minute running, 2 minutes walking, repeated 8 times. Move to 2 minutes running after a week if it feels easy.", "How long until I can run 5k?", "Most beginners get there in 8 to 9 weeks. Rest days matter as much as runs, so don't skip them."), {}),
    ("dialogue", None, [], _dlg("帮我看看这句英文有没有语法错误：He go to school every day.", "有一处错误：主语 He 是第三人称单数，动词要加 s，应该是 “He goes to school every day.”", "那 They go to school every day 对吗？", "对的，They 是复数，动词用原形 go。", "明白了，谢谢！", "不客气！记住口诀：主语是 he、she、it 或单个的人名时，一般现在时的动词要加 s 或 es。"), {}),
    # --- defects ---
    ("qa", "zh", ["boilerplate"], _qa("感冒了吃什么药好？", "作为AI助手，我不能提供医疗建议，但一般来说可以多喝水、多休息，症状严重请及时就医。"), {}),
    ("qa", "en", ["boilerplate"], _qa("Do you like jazz?", "As an artificial intelligence, I do not have feelings, but jazz is loved for its improvisation and rich harmonies."), {}),
    ("qa", "en", ["boilerplate"], _qa("Can you write my essay for me?", "I'm sorry, but as an AI I cannot complete assignments on your behalf. I can help you outline it, though."), {}),
    ("qa", "zh", ["boilerplate"], _qa("你喜欢什么颜色？", "作为一款人工智能产品，我没有颜色偏好，不过蓝色是全世界最受欢迎的颜色。"), {}),
    ("qa", "zh", ["placeholder"], _qa("我的订单什么时候到？", "您的订单号是 {order_id}，预计 {days} 天内送达。"), {}),
    ("qa", "en", ["placeholder"], _qa("Write a thank-you note to a customer.", "Hi [NAME], thank you for shopping with us! We hope you enjoy your purchase."), {}),
    ("qa", "zh", ["placeholder"], _qa("售后电话是多少？", "请拨打 400-XXX-XXXX，工作时间 9:00–18:00。"), {}),
    ("qa", "en", ["placeholder"], _qa("When is the team meeting?", "The team meeting is at <TIME> in the main conference room."), {}),
    ("qa", "zh", ["placeholder"], _qa("怎么申请退款？", "在订单页点击“申请退款”，详细步骤参见：[链接]"), {}),
    ("qa", "en", ["placeholder"], _qa("Summarize our return policy.", "Items can be returned within {{ return_days }} days of delivery."), {}),
    ("qa", "zh", ["repeats_instruction"], _qa("请解释什么是区块链。", "什么是区块链？"), {}),
    ("qa", "en", ["repeats_instruction"], _qa("Explain what a blockchain is.", "Explain what a blockchain is!"), {}),
    ("qa", "zh", ["repeats_instruction"], _qa("列举三种常见的云服务模式。", "三种常见的云服务模式"), {}),
    ("rewrite", "en", ["repeats_instruction"], _qa("Make this more polite.", "Send me the file now.", "Send me the file now."), {}),
    ("qa", "en", ["wrong_language"], _qa("How do I tidy up my commit history?", "你可以使用 Git 的 rebase 命令来整理提交历史，例如 git rebase -i HEAD~3，然后把多个提交合并成一个。"), {}),
    ("qa", "zh", ["wrong_language"], _qa("怎么整理 Git 的提交历史？", "You can use interactive rebase, for example git rebase -i HEAD~3, and squash several commits into one."), {}),
    ("qa", None, ["wrong_language"], _qa("周末有什么放松的方法？", "Try a long walk in a park, cook something new, or switch off your phone for an afternoon and read."), {}),
    ("qa", None, ["wrong_language"], _qa("Any tips for a job interview?", "提前了解公司业务，准备两三个能体现你能力的具体例子，面试结束时问一个有深度的问题。"), {}),
    ("dialogue", "zh", ["wrong_language"], _dlg("你好，我想改签机票。", "您好，请提供您的订单号。", "订单号是 CA1234。", "Thanks. Your flight can be changed once for free; which date would you like?", "下周三。", "好的，已为您改签到下周三同一时间的航班。"), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("My screen keeps flickering.", "Sure, I can help with that.", "It started yesterday.", "Try updating the graphics driver from the manufacturer's site and restarting.", "Updated, still flickers.", "Then check the cable: reseat it or try another one. If it persists, the panel may need repair."), {}),
    ("dialogue", "zh", ["filler_turn"], _dlg("我的快递三天没动了。", "好的，没问题！", "单号是 YT123456。", "查到了，包裹在中转站滞留，我已经催促快递公司，预计明天更新。", "好吧。", "如果明天还没有更新，您可以直接申请退款，我们会优先处理。"), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("Can I change my delivery date?", "Absolutely, happy to help!", "To Friday please.", "Done: your delivery is now set for Friday between 9 am and 1 pm.", "Great.", "You'll get a text when the driver is on the way."), {}),
    ("dialogue", "zh", ["self_talk"], _dlg("这件衣服能便宜点吗？", "用户说：能便宜点吗？\n我回答：已经是最低价了。", "那包邮吗？", "满 99 元包邮，这件 129 元，已经包邮了。", "好，我下单了。", "感谢购买，我们会在 24 小时内发货。"), {}),
    ("dialogue", "en", ["self_talk"], _dlg("Is the store open on Sunday?", "Yes, 10 am to 6 pm.\n\nCustomer: Great, do you have parking?\nAgent: Yes, free parking behind the building.", "Do you sell gift cards?", "Yes, in any amount from $10 to $500.", "Perfect.", "See you on Sunday!"), {}),
    ("dialogue", "zh", ["self_talk"], _dlg("怎么开发票？", "在订单详情里点“申请发票”。\n\n顾客：可以开专票吗？\n客服：可以，需要提供公司税号。", "需要多久？", "电子发票一般 1 小时内发到邮箱。", "好的。", "如有问题随时联系我们。"), {}),
    ("dialogue", "en", ["rounds_out_of_range"], _dlg("What's your return window?", "30 days from delivery."), {}),
    ("dialogue", "zh", ["not_alternating", "ends_with_user"], {"messages": _dlg("你好", "您好！有什么可以帮您？", "退货要多久？", "一般 3 到 5 个工作日。", "要自己寄吗？", "需要，运费我们报销。")["messages"] + [{"role": "user", "content": "好的"}, {"role": "user", "content": "谢谢"}]}, {}),
    ("classify", "en", ["label_not_allowed"], {"text": "Love the color!", "label": "positive."}, {}),
    ("classify", "zh", ["label_not_allowed"], {"text": "物流太慢了", "label": "消极"}, {}),
    ("classify", "en", ["label_not_allowed"], {"text": "Where's my parcel?", "label": "Shipping / Delivery"}, {}),
    ("qa", "zh", ["banned_word"], _qa("这个理财产品风险大吗？", "这款产品稳赚 不赔，年化收益 8%。"), {}),
    ("qa", "en", ["banned_word"], _qa("Is this fund risky?", "Not at all, it offers Guaranteed-Returns of 8% a year."), {}),
    ("qa", "zh", ["too_short"], _qa("介绍一下你们的会员权益。", "有折扣。"), {"output": [20, 800]}),
    ("qa", "en", ["too_long"], _qa("In one sentence, what is Python?", "Python is a high-level, general-purpose programming language. " * 6), {"output": [5, 200]}),
    ("qa", "en", ["empty_field"], _qa("What is Docker?", "\u200b"), {}),
    ("dialogue", "en", ["bad_role"], {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}, {"role": "user", "content": "Track my order"}, {"role": "function", "content": "{\"status\": \"shipped\"}"}, {"role": "assistant", "content": "Your order has shipped."}, {"role": "user", "content": "Thanks"}, {"role": "assistant", "content": "You're welcome, it should arrive Friday."}]}, {}),
]
# fmt: on

"""A third held-out batch, written after the rules were fixed for batches 1 and 2.

Same row shape as rules_corpus_holdout.HOLDOUT. Its figures as first measured are recorded in
bench/rules_eval.md; the rules were then fixed for its five misses.
"""

from typing import Any

from rules_corpus_holdout import _dlg, _qa

# fmt: off
FRESH: list[tuple[str, str | None, list[str], dict[str, Any], dict[str, list[int]]]] = [
    # --- clean ---
    ("qa", "zh", [], _qa("公司团建去哪里好？", "看预算和人数：一天的话可以去郊区徒步或农家乐，两天可以选周边古镇，人多可以包场玩密室逃脱或剧本杀。"), {}),
    ("qa", None, [], _qa("Excel 的 VLOOKUP 为什么返回 #N/A？", "常见原因：查找值在第一列里不存在；数字和文本格式不一致；或者最后一个参数写成了 TRUE（近似匹配）。精确查找要写 FALSE 或 0。"), {}),
    ("qa", "zh", [], _qa("如何评价《三体》？", "《三体》是刘慈欣的科幻代表作，以宏大的宇宙观和“黑暗森林”法则著称，2015 年获得雨果奖，是第一部获此奖项的亚洲长篇小说。"), {}),
    ("qa", None, [], _qa("这个 API 的限流规则是什么？", "每个 API Key 每分钟最多 60 次请求，超过后返回 HTTP 429，响应头里的 Retry-After 表示需要等待的秒数。"), {}),
    ("qa", "zh", [], _qa("什么是 OKR？和 KPI 有什么区别？", "OKR（Objectives and Key Results）强调目标和关键结果，鼓励设定有挑战的目标，通常不直接和绩效考核挂钩；KPI 是考核指标，要求必须达成。"), {}),
    ("qa", "en", [], _qa("How do I cancel my subscription?", "Go to Account > Subscription and click Cancel. You'll keep access until the end of the current billing period and won't be charged again."), {}),
    ("qa", None, [], _qa("What's the difference between 'its' and 'it's'?", "\"It's\" is short for \"it is\" or \"it has\"; \"its\" is possessive, as in \"the dog wagged its tail\"."), {}),
    ("qa", "en", [], _qa("Write a one-line tagline for a reusable water bottle.", "Stay hydrated, skip the plastic."), {}),
    ("qa", None, [], _qa("What's the boiling point of water in Fahrenheit?", "212 °F at sea level."), {}),
    ("qa", "en", [], _qa("How is 'Xiaomi' pronounced?", "Roughly \"shao-mee\": the X in pinyin sounds like a soft \"sh\"."), {}),
    ("qa", None, [], _qa("What does 'KeyError: user_id' mean in Python?", "You tried to read `d['user_id']` but the dict has no such key. Use `d.get('user_id')` to get None instead, or check `'user_id' in d` first."), {}),
    ("qa", "en", [], _qa("Give me a SQL query to count orders per customer.", "```sql\nSELECT customer_id, COUNT(*) AS orders\nFROM orders\nGROUP BY customer_id\nORDER BY orders DESC;\n```"), {}),
    ("summarize", "zh", [], _qa("用一句话概括。", "为缓解早高峰拥堵，地铁 2 号线自下周一起在工作日 7:00–9:00 加开 12 趟列车，最小发车间隔由 4 分钟缩短至 2 分 30 秒。", "地铁 2 号线下周一起工作日早高峰加开 12 趟车，最短间隔缩至 2 分 30 秒。"), {}),
    ("rewrite", "en", [], _qa("Rewrite as a bullet list.", "To apply, fill in the form, attach a copy of your ID and send both to hr@example.com before May 31.", "- Fill in the form\n- Attach a copy of your ID\n- Send both to hr@example.com before May 31"), {}),
    ("rewrite", "zh", [], _qa("翻译成英文。", "本产品不适合三岁以下儿童使用。", "This product is not suitable for children under three."), {}),
    ("classify", "zh", [], {"text": "客服一直不回消息", "label": "负面"}, {}),
    ("classify", "en", [], {"text": "The app is fine I guess", "label": "neutral"}, {}),
    ("dialogue", "zh", [], _dlg("我的车被追尾了，保险怎么理赔？", "先确认人员安全，拍下现场和两车损伤的照片，再打保险公司电话报案，或者在 App 里在线报案。", "对方全责的话我要做什么？", "由对方的保险公司赔付，您需要拿到交警出具的事故认定书，把对方的保单信息记下来。", "修车要自己先垫钱吗？", "一般不用，可以去对方保险公司的合作修理厂直赔；如果去别的修理厂，可能需要先垫付再报销。"), {}),
    ("dialogue", None, [], _dlg("How do I make a basic vinaigrette?", "Whisk 3 parts oil with 1 part vinegar, a pinch of salt and a little mustard to help it emulsify.", "Which oil is best?", "Extra virgin olive oil for flavour; a neutral oil like sunflower if you want it lighter.", "Can I store it?", "Yes, in a sealed jar in the fridge for up to a week. Shake it before using.", "Thanks!", "Enjoy your salad!"), {}),
    ("dialogue", "en", [], _dlg("Can you walk me through solving 2x + 3 = 11?", "Step 1: subtract 3 from both sides, giving 2x = 8.\nStep 2: divide both sides by 2, giving x = 4.", "OK", "Now check it: 2 × 4 + 3 = 11, so x = 4 is right.", "What about 3x - 5 = 10?", "Add 5 to both sides (3x = 15), then divide by 3: x = 5."), {}),
    ("dialogue", None, [], _dlg("公司电脑连不上打印机。", "先确认电脑和打印机在同一个网络，再在“设置-打印机和扫描仪”里删除旧的打印机，重新添加。", "添加的时候找不到。", "可以用 IP 直接添加：在打印机面板上查看 IP，比如 192.168.1.50，然后选择“使用 IP 地址添加”。", "好了，能打印了。", "太好了。注意：如果以后打印机 IP 变了，需要重新添加，可以请网管给它设固定 IP。"), {}),
    # --- defects ---
    ("qa", "en", ["boilerplate"], _qa("Will Tesla stock go up?", "Hmm, as a language model I can't predict stock prices, but analysts are divided."), {}),
    ("qa", "zh", ["boilerplate"], _qa("现在买黄金合适吗？", "很抱歉，作为AI，我无法提供投资建议。"), {}),
    ("qa", "en", ["boilerplate"], _qa("Hack my ex's email.", "I'm unable to help with that request."), {}),
    ("qa", "zh", ["boilerplate"], _qa("介绍一下你们的产品。", "这是一条测试数据。"), {}),
    ("qa", "en", ["placeholder"], _qa("Write a greeting for the newsletter.", "Hello {customer}, here's what's new this month!"), {}),
    ("qa", "zh", ["placeholder"], _qa("怎么联系售后？", "请联系 [电话号码]，工作日 9 点到 18 点。"), {}),
    ("qa", "en", ["placeholder"], _qa("When and where is the launch event?", "The launch event is on [DATE] at [LOCATION]."), {}),
    ("qa", "zh", ["placeholder"], _qa("代码哪里有问题？", "请在此处粘贴你的代码，我来帮你看看。"), {}),
    ("qa", "en", ["placeholder"], _qa("List the items in the order.", "{{#each items}} - {{name}} {{/each}}"), {}),
    ("qa", "en", ["repeats_instruction"], _qa("Translate 'hello' into French.", "Translate 'hello' into French."), {}),
    ("qa", "zh", ["repeats_instruction"], _qa("写一首关于秋天的诗。", "写一首关于秋天的诗"), {}),
    ("dialogue", "en", ["repeats_instruction"], _dlg("What time do you close today?", "What time do you close today?", "Seriously, when?", "We close at 9 pm today.", "Thanks.", "You're welcome, see you soon!"), {}),
    ("qa", "zh", ["wrong_language"], _qa("怎么保存文件？", "파일을 저장하려면 Ctrl+S를 누르거나 파일 메뉴에서 저장을 선택하세요."), {}),
    ("qa", "en", ["wrong_language"], _qa("How do I save a file?", "Drücken Sie Strg+S oder wählen Sie im Menü Datei die Option Speichern."), {}),
    ("qa", None, ["wrong_language"], _qa("How do I call a REST API from Python?", "可以使用 Python 的 requests 库发送 HTTP 请求，然后用 json() 方法解析返回的数据。"), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("I'd like to move my appointment to Friday.", "Alright, noted!", "At 3 pm if possible.", "Friday at 3 pm is free, so I've moved it. You'll get a confirmation text.", "Thanks.", "See you on Friday!"), {}),
    ("dialogue", "zh", ["filler_turn"], _dlg("我想把预约改到周五。", "嗯，好的好的。", "下午三点可以吗？", "周五下午三点有空位，已经帮您改好了，稍后会收到确认短信。", "谢谢。", "周五见！"), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("Can we meet at 10 instead of 9?", "Sounds good to me!", "Great, same room?", "Yes, room 4B on the second floor.", "Perfect.", "See you at 10."), {}),
    ("dialogue", "en", ["filler_turn"], _dlg("Sorry I'm late with the payment.", "No worries at all!", "Can I pay by card?", "Yes, use the link in your invoice email; it accepts all major cards.", "Done.", "Thanks, the payment has come through."), {}),
    ("dialogue", "en", ["self_talk"], _dlg("Can I get a refund?", "Yes, within 30 days.\nCustomer: Thanks!\nSupport: You're welcome.", "How long does it take?", "Refunds reach your card in 5 business days.", "OK.", "Anything else, just ask."), {}),
    ("dialogue", "zh", ["self_talk"], _dlg("你们几点下班？", "我们晚上 9 点下班。——用户：那周末呢？——客服：周末 10 点到 6 点。", "节假日呢？", "节假日正常营业。", "好的。", "欢迎光临！"), {}),
    ("dialogue", "en", ["bad_role"], {"messages": [{"role": "user", "content": "Is the museum open Monday?"}, {"role": "assistant ", "content": "No, it's closed on Mondays."}, {"role": "user", "content": "Tuesday?"}, {"role": "assistant", "content": "Tuesday to Sunday, 9 am to 5 pm."}, {"role": "user", "content": "Tickets?"}, {"role": "assistant", "content": "$15 for adults, free for children under 12."}]}, {}),
    ("classify", "zh", ["label_not_allowed"], {"text": "太失望了", "label": "负面情绪"}, {}),
    ("classify", "en", ["label_not_allowed"], {"text": "Where is my order??", "label": "shipping question"}, {}),
]
# fmt: on

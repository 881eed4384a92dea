"""The demo restaurant's menu in the guest languages, with its origin texts and allergens
(seed_demo): what a restaurant in Seoul would print on a menu for foreign guests."""

# Category → {language: name}.
CATEGORY_NAMES = {
    "메인 메뉴": {"en": "Main Dishes", "zh-hans": "主菜", "ja": "メインメニュー"},
    "사이드": {"en": "Sides", "zh-hans": "小菜", "ja": "サイドメニュー"},
    "음료": {"en": "Drinks", "zh-hans": "饮料", "ja": "ドリンク"},
    "주류": {"en": "Alcohol", "zh-hans": "酒类", "ja": "お酒"},
    "디저트": {"en": "Desserts", "zh-hans": "甜点", "ja": "デザート"},
}

# Item key → {language: (name, description)}.
ITEM_TEXTS = {
    "bulgogi": {
        "en": ("Beef Bulgogi Set", "Beef marinated in sweet soy sauce and grilled, served with rice and soup."),
        "zh-hans": ("烤牛肉套餐", "甜酱油腌制的牛肉，烤得香气扑鼻，配米饭和汤。"),
        "ja": ("プルコギ定食", "甘い醤油だれに漬け込んだ牛肉を香ばしく焼き、ご飯と汁物を添えて。"),
    },
    "kimchi-jjigae": {
        "en": ("Kimchi Stew", "A hearty, spicy stew of well-aged kimchi and pork. Comes with rice."),
        "zh-hans": ("泡菜汤", "用熟成泡菜和猪肉慢炖的香辣汤，含米饭。"),
        "ja": ("キムチチゲ", "熟成キムチと豚肉をじっくり煮込んだピリ辛チゲ。ご飯付き。"),
    },
    "doenjang-jjigae": {
        "en": ("Soybean Paste Stew", "Homemade soybean paste simmered with zucchini, tofu and clams."),
        "zh-hans": ("大酱汤", "自制大酱加西葫芦、豆腐和花蛤炖煮，味道醇厚。"),
        "ja": ("テンジャンチゲ", "自家製味噌にズッキーニ、豆腐、アサリを入れて煮込みました。"),
    },
    "bibimbap": {
        "en": (
            "Hot Stone Bibimbap",
            "Five seasoned vegetables, a fried egg and gochujang on rice in a sizzling stone pot.",
        ),
        "zh-hans": ("石锅拌饭", "滚烫的石锅里铺上五种拌菜、煎蛋和辣椒酱。"),
        "ja": ("石焼ビビンバ", "熱々の石鍋にナムル5種、目玉焼き、コチュジャンをのせました。"),
    },
    "jeyuk": {
        "en": (
            "Spicy Stir-fried Pork",
            "Pork stir-fried in a sweet and spicy gochujang sauce, with lettuce for wraps.",
        ),
        "zh-hans": ("辣炒猪肉", "甜辣酱炒猪肉，配生菜包着吃。"),
        "ja": ("チェユクポックム", "甘辛いコチュジャンだれで炒めた豚肉。包んで食べる葉野菜を添えて。"),
    },
    "galbi-jjim": {
        "en": (
            "Braised Beef Short Ribs",
            "Tender short ribs braised with chestnuts, jujubes and carrots. Weekends only.",
        ),
        "zh-hans": ("炖牛排骨", "牛排骨与栗子、红枣、胡萝卜慢炖，软嫩入味。周末限定。"),
        "ja": ("カルビチム", "牛カルビを栗、ナツメ、人参と柔らかく煮込みました。週末限定。"),
    },
    "gyeran-jjim": {
        "en": ("Steamed Egg", "Fluffy eggs steamed in an earthenware pot."),
        "zh-hans": ("鸡蛋羹", "砂锅蒸出的蓬松鸡蛋羹。"),
        "ja": ("ケランチム", "土鍋でふんわり蒸し上げた卵料理。"),
    },
    "haemul-pajeon": {
        "en": ("Seafood Scallion Pancake", "A crispy pancake loaded with squid, shrimp and green onions."),
        "zh-hans": ("海鲜葱饼", "加入大量鱿鱼、虾和小葱，煎得香脆。"),
        "ja": ("海鮮チヂミ", "イカ、エビ、ワケギをたっぷり入れてカリッと焼きました。"),
    },
    "japchae": {
        "en": ("Japchae", "Glass noodles tossed with beef, spinach, carrot, mushrooms and sesame oil."),
        "zh-hans": ("杂菜", "红薯粉丝拌牛肉、菠菜、胡萝卜和蘑菇，淋上香油。"),
        "ja": ("チャプチェ", "春雨に牛肉、ほうれん草、人参、きのこを合わせ、ごま油で和えました。"),
    },
    "tteokbokki": {
        "en": ("Tteokbokki", "Chewy rice cakes and fish cakes simmered in a sweet and spicy sauce."),
        "zh-hans": ("辣炒年糕", "软糯的年糕和鱼饼用甜辣酱汁炖煮。"),
        "ja": ("トッポッキ", "もちもちの餅と練り物を甘辛いたれで煮込みました。"),
    },
    "gun-mandu": {
        "en": ("Pan-fried Dumplings", "Six meat dumplings, crispy outside and juicy inside."),
        "zh-hans": ("煎饺", "外脆里嫩的肉馅煎饺，共六个。"),
        "ja": ("焼き餃子", "外はカリッ、中はジューシーな肉餃子6個。"),
    },
    "cola": {
        "en": ("Cola", "355 ml can."),
        "zh-hans": ("可乐", "355毫升罐装。"),
        "ja": ("コーラ", "355mlの缶。"),
    },
    "cider": {
        "en": ("Lemon-Lime Soda", "355 ml can."),
        "zh-hans": ("雪碧", "355毫升罐装。"),
        "ja": ("サイダー", "355mlの缶。"),
    },
    "sikhye": {
        "en": ("Sikhye (Sweet Rice Drink)", "A sweet traditional drink brewed in-house, with grains of rice on top."),
        "zh-hans": ("甜米露", "店内自酿的传统甜饮，上面漂着米粒。"),
        "ja": ("シッケ", "お店で仕込んだ、米粒が浮かぶ甘い伝統飲料。"),
    },
    "omija-ade": {
        "en": ("Omija Ade", "Syrup of omija, the berry of five flavours, with sparkling water."),
        "zh-hans": ("五味子气泡饮", "五味子糖浆兑苏打水，酸甜爽口。"),
        "ja": ("オミジャエイド", "五つの味がする五味子シロップを炭酸水で割りました。"),
    },
    "soju": {
        "en": ("Soju", "360 ml bottle. Chamisul or Cheoeum Cheoreom."),
        "zh-hans": ("烧酒", "360毫升瓶装。真露或初饮初乐。"),
        "ja": ("焼酎 (ソジュ)", "360mlボトル。チャミスルまたはチョウムチョロム。"),
    },
    "beer": {
        "en": ("Beer", "500 ml bottle. Cass or Terra."),
        "zh-hans": ("啤酒", "500毫升瓶装。Cass或Terra。"),
        "ja": ("ビール", "500mlボトル。カスまたはテラ。"),
    },
    "makgeolli": {
        "en": ("Fresh Makgeolli", "750 ml. Smooth, lightly sparkling rice wine from a local brewery."),
        "zh-hans": ("鲜马格利酒", "750毫升。本地酒坊酿造的米酒，口感柔和，微微起泡。"),
        "ja": ("生マッコリ", "750ml。地元の醸造所の、まろやかで微発泡のマッコリ。"),
    },
    "bokbunja": {
        "en": ("Bokbunja Wine", "375 ml. A sweet wine of Korean black raspberries."),
        "zh-hans": ("覆盆子酒", "375毫升。带有山莓香气的甜果酒。"),
        "ja": ("覆盆子酒 (ポップンジャ)", "375ml。木いちごの香りの甘い果実酒。"),
    },
    "injeolmi-bingsu": {
        "en": ("Injeolmi Bingsu", "Milk shaved ice with roasted soybean powder, rice cakes and red beans."),
        "zh-hans": ("黄豆粉年糕刨冰", "牛奶刨冰上铺黄豆粉、年糕和红豆。"),
        "ja": ("インジョルミかき氷", "ミルクかき氷にきな粉、お餅、あずきをのせました。"),
    },
    "green-tea-icecream": {
        "en": ("Green Tea Ice Cream", "Two scoops of slightly bitter ice cream made with Boseong green tea."),
        "zh-hans": ("绿茶冰淇淋", "用宝城绿茶制作、微苦的冰淇淋两球。"),
        "ja": ("抹茶アイス", "宝城(ポソン)の緑茶で作ったほろ苦いアイス2スクープ。"),
    },
    "yakgwa": {
        "en": ("Yakgwa Set", "Five mini honey cookies and a cup of sujeonggwa, a cinnamon punch."),
        "zh-hans": ("药果套餐", "五块蜂蜜迷你药果，配一杯水正果（肉桂饮）。"),
        "ja": ("ヤックァセット", "はちみつと水あめで作ったミニ薬菓5個と、シナモン茶スジョングァ1杯。"),
    },
    "hotteok": {
        "en": ("Seed Hotteok", "A Busan-style sweet pancake filled with sunflower seeds and brown sugar syrup."),
        "zh-hans": ("坚果糖饼", "釜山风味糖饼，夹满葵花籽和红糖糖浆。"),
        "ja": ("シアッホットク", "ひまわりの種と黒糖シロップがたっぷりの釜山風ホットク。"),
    },
}

# Item key → (the Korean origin text, {language: the same in that language}); "" where the
# dish has nothing the law asks about.
_RICE = ("쌀: 국내산", {"en": "Rice: Korea", "zh-hans": "大米：韩国", "ja": "米：韓国産"})
ORIGINS = {
    "bulgogi": (
        "쇠고기: 호주산, 쌀: 국내산",
        {
            "en": "Beef: Australia, Rice: Korea",
            "zh-hans": "牛肉：澳大利亚，大米：韩国",
            "ja": "牛肉：オーストラリア産、米：韓国産",
        },
    ),
    "kimchi-jjigae": (
        "돼지고기: 국내산, 배추김치(배추: 국내산, 고춧가루: 중국산), 쌀: 국내산",
        {
            "en": "Pork: Korea, Kimchi (cabbage: Korea, chili powder: China), Rice: Korea",
            "zh-hans": "猪肉：韩国，泡菜（白菜：韩国，辣椒粉：中国），大米：韩国",
            "ja": "豚肉：韓国産、キムチ（白菜：韓国産、唐辛子粉：中国産）、米：韓国産",
        },
    ),
    "doenjang-jjigae": (
        "두부(대두: 미국산), 바지락: 국내산, 쌀: 국내산",
        {
            "en": "Tofu (soybeans: USA), Clams: Korea, Rice: Korea",
            "zh-hans": "豆腐（大豆：美国），花蛤：韩国，大米：韩国",
            "ja": "豆腐（大豆：アメリカ産）、アサリ：韓国産、米：韓国産",
        },
    ),
    "bibimbap": (
        "쌀: 국내산, 쇠고기: 호주산",
        {
            "en": "Rice: Korea, Beef: Australia",
            "zh-hans": "大米：韩国，牛肉：澳大利亚",
            "ja": "米：韓国産、牛肉：オーストラリア産",
        },
    ),
    "jeyuk": (
        "돼지고기: 국내산, 쌀: 국내산",
        {"en": "Pork: Korea, Rice: Korea", "zh-hans": "猪肉：韩国，大米：韩国", "ja": "豚肉：韓国産、米：韓国産"},
    ),
    "galbi-jjim": ("쇠고기: 미국산", {"en": "Beef: USA", "zh-hans": "牛肉：美国", "ja": "牛肉：アメリカ産"}),
    "haemul-pajeon": (
        "오징어: 원양산, 새우: 베트남산",
        {
            "en": "Squid: deep-sea catch, Shrimp: Vietnam",
            "zh-hans": "鱿鱼：远洋捕捞，虾：越南",
            "ja": "イカ：遠洋産、エビ：ベトナム産",
        },
    ),
    "japchae": (
        "쇠고기: 호주산",
        {"en": "Beef: Australia", "zh-hans": "牛肉：澳大利亚", "ja": "牛肉：オーストラリア産"},
    ),
    "tteokbokki": (
        "떡(쌀: 국내산)",
        {"en": "Rice cakes (rice: Korea)", "zh-hans": "年糕（大米：韩国）", "ja": "餅（米：韓国産）"},
    ),
    "gun-mandu": (
        "돼지고기: 국내산, 두부(대두: 외국산)",
        {
            "en": "Pork: Korea, Tofu (soybeans: imported)",
            "zh-hans": "猪肉：韩国，豆腐（大豆：进口）",
            "ja": "豚肉：韓国産、豆腐（大豆：外国産）",
        },
    ),
    "sikhye": _RICE,
    "makgeolli": _RICE,
    "injeolmi-bingsu": (
        "떡(쌀: 국내산), 콩가루(대두: 국내산)",
        {
            "en": "Rice cakes (rice: Korea), Soybean powder (soybeans: Korea)",
            "zh-hans": "年糕（大米：韩国），黄豆粉（大豆：韩国）",
            "ja": "餅（米：韓国産）、きな粉（大豆：韓国産）",
        },
    ),
}

# Item key → the Korean names of its allergens (menus.allergens).
ALLERGENS = {
    "bulgogi": ["대두", "밀", "쇠고기"],
    "kimchi-jjigae": ["대두", "밀", "새우", "돼지고기"],
    "doenjang-jjigae": ["대두", "밀", "조개류"],
    "bibimbap": ["알류", "대두", "밀", "쇠고기"],
    "jeyuk": ["대두", "밀", "돼지고기"],
    "galbi-jjim": ["대두", "밀", "쇠고기"],
    "gyeran-jjim": ["알류", "새우"],
    "haemul-pajeon": ["알류", "밀", "새우", "오징어"],
    "japchae": ["대두", "밀", "쇠고기"],
    "tteokbokki": ["대두", "밀"],
    "gun-mandu": ["대두", "밀", "돼지고기"],
    "bokbunja": ["아황산류"],
    "injeolmi-bingsu": ["우유", "대두"],
    "green-tea-icecream": ["알류", "우유"],
    "yakgwa": ["밀", "대두"],
    "hotteok": ["땅콩", "밀", "대두"],
}

# Option group or option name → {language: name}.
OPTION_NAMES = {
    "맵기": {"en": "Spice Level", "zh-hans": "辣度", "ja": "辛さ"},
    "순한맛": {"en": "Mild", "zh-hans": "微辣", "ja": "控えめ"},
    "보통": {"en": "Medium", "zh-hans": "中辣", "ja": "普通"},
    "매운맛": {"en": "Hot", "zh-hans": "特辣", "ja": "辛口"},
    "사리 추가": {"en": "Add-ins", "zh-hans": "加料", "ja": "追加トッピング"},
    "라면 사리": {"en": "Ramyeon noodles", "zh-hans": "方便面", "ja": "ラーメン麺"},
    "햄 사리": {"en": "Ham", "zh-hans": "火腿", "ja": "ハム"},
    "공기밥 추가": {"en": "Extra rice", "zh-hans": "加米饭", "ja": "ご飯追加"},
    "추가": {"en": "Extras", "zh-hans": "加料", "ja": "トッピング"},
    "치즈": {"en": "Cheese", "zh-hans": "芝士", "ja": "チーズ"},
    "삶은 계란": {"en": "Boiled egg", "zh-hans": "水煮蛋", "ja": "ゆで卵"},
    "모둠 튀김": {"en": "Assorted fritters", "zh-hans": "什锦炸物", "ja": "天ぷら盛り合わせ"},
    "종류": {"en": "Brand", "zh-hans": "品牌", "ja": "銘柄"},
    "참이슬": {"en": "Chamisul", "zh-hans": "真露", "ja": "チャミスル"},
    "처음처럼": {"en": "Cheoeum Cheoreom", "zh-hans": "初饮初乐", "ja": "チョウムチョロム"},
    "카스": {"en": "Cass", "zh-hans": "Cass", "ja": "カス"},
    "테라": {"en": "Terra", "zh-hans": "Terra", "ja": "テラ"},
}

# The default staff-call reasons (accounts.models.DEFAULT_STAFF_CALL_REASONS) → {language: label}.
REASON_LABELS = {
    "물": {"en": "Water", "zh-hans": "要水", "ja": "お水"},
    "앞접시": {"en": "Extra plates", "zh-hans": "小碟子", "ja": "取り皿"},
    "수저": {"en": "Spoons & chopsticks", "zh-hans": "餐具", "ja": "スプーン・箸"},
    "계산 요청": {"en": "Bill, please", "zh-hans": "买单", "ja": "お会計"},
    "기타": {"en": "Something else", "zh-hans": "其他", "ja": "その他"},
}

ORIGIN_NOTICE = """원산지 표시
쌀: 국내산
쇠고기: 호주산(소불고기 정식, 돌솥비빔밥, 잡채), 미국산(소갈비찜)
돼지고기: 국내산(김치찌개, 제육볶음, 군만두)
배추김치: 배추 국내산, 고춧가루 중국산
두부: 대두 미국산(된장찌개), 외국산(군만두)
콩가루: 대두 국내산
오징어: 원양산, 새우: 베트남산, 바지락: 국내산"""
ORIGIN_NOTICE_TRANSLATIONS = {
    "en": """Country of Origin
Rice: Korea
Beef: Australia (Beef Bulgogi Set, Hot Stone Bibimbap, Japchae), USA (Braised Beef Short Ribs)
Pork: Korea (Kimchi Stew, Spicy Stir-fried Pork, Pan-fried Dumplings)
Kimchi: cabbage from Korea, chili powder from China
Soybeans in tofu: USA (Soybean Paste Stew), imported (Pan-fried Dumplings)
Soybeans in soybean powder: Korea
Squid: deep-sea catch, Shrimp: Vietnam, Clams: Korea""",
    "zh-hans": """原产地标示
大米：韩国产
牛肉：澳大利亚产（烤牛肉套餐、石锅拌饭、杂菜），美国产（炖牛排骨）
猪肉：韩国产（泡菜汤、辣炒猪肉、煎饺）
泡菜：白菜为韩国产，辣椒粉为中国产
豆腐（大豆）：美国产（大酱汤），进口（煎饺）
黄豆粉（大豆）：韩国产
鱿鱼：远洋捕捞，虾：越南产，花蛤：韩国产""",
    "ja": """原産地表示
米：韓国産
牛肉：オーストラリア産（プルコギ定食、石焼ビビンバ、チャプチェ）、アメリカ産（カルビチム）
豚肉：韓国産（キムチチゲ、チェユクポックム、焼き餃子）
キムチ：白菜は韓国産、唐辛子粉は中国産
豆腐の大豆：アメリカ産（テンジャンチゲ）、外国産（焼き餃子）
きな粉の大豆：韓国産
イカ：遠洋産、エビ：ベトナム産、アサリ：韓国産""",
}


def item_translations(key: str) -> dict[str, dict[str, str]]:
    """The translations of a demo item as menus.translations stores them."""
    translated_origin = ORIGINS.get(key, ("", {}))[1]
    translations = {}
    for language, (name, description) in ITEM_TEXTS[key].items():
        texts = {"name": name, "description": description}
        if language in translated_origin:
            texts["origin"] = translated_origin[language]
        translations[language] = texts
    return translations


def names(korean: str, table: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """`{language: {"name": …}}` of a category, option group or option."""
    return {language: {"name": name} for language, name in table[korean].items()}

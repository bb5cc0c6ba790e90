"""The spam screen's generated training text: spam of every kind Chinese public forms
get, and legitimate reports that talk about the same things, built from hand-written
blocks with a fixed seed (docs/classifier.md, "The spam screen"). Pure and
deterministic; ``cases.spam`` trains its content model on them and
``classify_eval --validate-spam`` measures on held-out parts of them."""

from __future__ import annotations

import random
from collections.abc import Sequence

from gridgov.cases.spam_lexicon import IME_MASH, LEXICON

SEED = 20261206


def generated_runs(n: int, seed: int = SEED) -> list[str]:
    """Keyword runs as spammers paste them: 4-10 lexicon terms, joined by spaces,
    nothing, commas or emoji, sometimes with a handle. Deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible training data, not secrets
    terms = sorted(t for t in LEXICON if not t.isascii())
    joints = (" ", "", "，", "、", "|", "🔥", "💰", "❤", " ", "")
    handles = ("加V：hk{0}", "扣扣{0}", "tg@bet{0}", "薇信 ab{0}", "", "", "", "")
    out = []
    for _ in range(n):
        words = rng.sample(terms, rng.randint(4, 10))
        text = rng.choice(joints).join(words)
        handle = rng.choice(handles)
        if handle:
            text += " " + handle.format(rng.randint(10000, 99999999))
        out.append(text)
    return out


# Building blocks of the generated spam (``generated_spam``): what each kind sells, the
# pitch around it, and how it says where to reach the seller. Written for this module;
# combined with a fixed seed.
_OFFERS = {
    "adult": (
        "同城约会",
        "上门服务",
        "全套服务",
        "学生妹兼职",
        "寂寞少妇",
        "成人视频",
        "裸聊一对一",
        "福利视频",
        "私密相册",
        "空降外围",
        "夜场佳丽",
        "会所spa",
        "推油按摩",
        "一夜情",
        "成人直播",
        "无码高清",
        "激情聊天",
        "约pao",
        "熟女交友",
        "特殊服务",
    ),
    "gambling": (
        "真人百家乐",
        "网上赌场",
        "体育投注",
        "足球竞猜",
        "菠菜平台",
        "六合彩特码",
        "时时彩计划",
        "快三回血",
        "棋牌上下分",
        "电子游艺爆分",
        "捕鱼提现",
        "炸金花牛牛",
        "澳门新葡京",
        "线上娱乐城",
        "彩票跟单",
        "世界杯外围",
        "电竞投注",
        "老虎机",
        "网赌出款",
        "注册送彩金",
    ),
    "loans": (
        "无抵押贷款",
        "当天放款",
        "黑白户可贷",
        "不看征信",
        "秒批秒下",
        "信用卡套现",
        "花呗套现",
        "网贷新口子",
        "小额借款",
        "征信修复",
        "停息挂账",
        "代还信用卡",
        "大额贷款",
        "私人放款",
        "学生贷",
        "pos机办理",
        "提额养卡",
        "低息借款",
        "急用钱",
        "房抵车抵",
    ),
    "invoices": (
        "代开发票",
        "增值税专用发票",
        "普票专票",
        "各行业发票",
        "可验证真票",
        "税点低",
        "餐饮住宿发票",
        "建筑劳务发票",
        "验证后付款",
        "出售发票",
        "开票服务",
        "可查验",
    ),
    "seo": (
        "快速排名",
        "百度首页",
        "关键词推广",
        "seo优化",
        "抖音涨粉",
        "刷赞刷评",
        "外链收录",
        "蜘蛛池",
        "站群泛目录",
        "直播间人气",
        "真人粉丝",
        "小红书代发",
    ),
    "other": (
        "高仿名表",
        "一比一包包",
        "代考包过",
        "办证刻章",
        "假学历",
        "刷单兼职",
        "日结打字员",
        "手机兼职",
        "虚拟币带单",
        "区块链空投",
        "外汇带单",
        "靓号出售",
        "银行卡四件套",
        "私家侦探",
        "手机定位",
        "减肥药",
        "壮阳药",
        "仿真枪",
        "电子烟批发",
        "微商一件代发",
    ),
}
_PITCHES = (
    "{a} {b} {c}",
    "{a}，{b}，{c}",
    "{a}|{b}|{c}|{d}",
    "【{a}】{b} {c} {d}",
    "🔥{a}🔥{b}🔥{c}",
    "专业{a}，{b}，{c}，诚信经营",
    "{a} {b} {c} {d} {e}",
    "{a}{b}{c}{d}",
    "💰{a} 💰{b} 💰{c}",
    "本公司提供{a}、{b}、{c}，价格优惠",
    "{a}！{b}！{c}！",
    "{a} ❤ {b} ❤ {c}",
    "您好，{a}，{b}，有需要的朋友{contact}",
    "{a}，{b}。{contact}",
    "想要{a}吗？{b}，{c}",
    "最新{a} {b} 火爆招商中 {c}",
    "{a} {b} 24小时在线 {contact}",
)
_CONTACTS = (
    "加V：{h}",
    "加微信{h}",
    "vx：{h}",
    "薇❤{h}",
    "扣扣{n}",
    "QQ{n}",
    "tg@{h}",
    "飞机号@{h}",
    "联系电话1{n}",
    "私聊",
    "看主页",
    "点我头像",
    "详情进群",
    "wx {h}",
    "+V {h}",
    "微 信 {sp}",
    "Q Q {spn}",
    "telegram @{h}",
    "",
)
_EN_OFFERS = (
    "hot singles near you",
    "18+ private video chat",
    "discreet hookups tonight",
    "online casino bonus",
    "free spins no deposit",
    "sports betting tips",
    "vip baccarat",
    "instant payday loans",
    "no credit check cash",
    "cheap business invoices",
    "rank #1 on google",
    "buy followers and likes",
    "cheap backlinks",
    "replica watches",
    "crypto signals 10x",
    "work from home $500 a day",
    "claim your free iphone",
)
_EN_PITCHES = (
    "{a}!!! {b} - {c}",
    "{a} | {b} | {c}",
    "Best {a}, {b}. Contact {contact}",
    "{a} {b} {c} {contact}",
    "🔥 {a} 🔥 {b} 🔥",
    "Get {a} now, {b}, limited offer",
)
_EN_CONTACTS = ("telegram @{h}", "whatsapp +{n}", "click my profile", "dm me", "line id {h}", "")


def _spaced(text: str, rng: random.Random) -> str:
    """Spammers' obfuscation: signs between the letters of each word, or none."""
    style = rng.random()
    if style < 0.12:
        return " ".join(text)
    if style < 0.18:
        return rng.choice(("*", "-", "·", "❤")).join(text)
    return text


def generated_spam(n: int, seed: int = SEED) -> list[str]:
    """Spam of every kind Chinese public forms get, generated from the blocks above:
    keyword runs and pitches with some sentence structure, contact handles in their many
    disguises, letters spaced out or joined by signs, emoji, repeated characters, keyboard
    mash and English spam. Deterministic for a seed."""
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible training data, not secrets
    kinds = sorted(_OFFERS)
    handle_letters = "abcdefghjkmnpqrstuvwxyz"
    out: list[str] = []
    for i in range(n):
        roll = i % 10
        handle = "".join(rng.choice(handle_letters) for _ in range(rng.randint(2, 5)))
        handle += str(rng.randint(10, 999999))
        number = str(rng.randint(10000, 99999999999))
        contact = rng.choice(_CONTACTS).format(
            h=handle, n=number, sp=" ".join(handle), spn=" ".join(number[:8])
        )
        if roll < 7:
            offers = _OFFERS[kinds[rng.randrange(len(kinds))]]
            words = [_spaced(w, rng) for w in rng.sample(offers, 5)]
            pitch = rng.choice(_PITCHES)
            text = pitch.format(
                a=words[0], b=words[1], c=words[2], d=words[3], e=words[4], contact=contact
            )
            if "{contact}" not in pitch and rng.random() < 0.6:
                text += " " + contact
        elif roll == 7:
            words = rng.sample(_EN_OFFERS, 3)
            text = rng.choice(_EN_PITCHES).format(
                a=words[0],
                b=words[1],
                c=words[2],
                contact=rng.choice(_EN_CONTACTS).format(h=handle, n=number),
            )
        elif roll == 8:
            unit = rng.choice(("哈", "啊", "6", "顶", "！", "?", "😂", "好", "。", "test ", "赞"))
            text = unit * rng.randint(8, 30)
        else:
            if rng.random() < 0.5:
                rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
                parts = []
                for _ in range(rng.randint(2, 4)):
                    row = rng.choice(rows)
                    start = rng.randrange(len(row) - 3)
                    parts.append(row[start : start + rng.randint(3, len(row) - start)])
                text = rng.choice((" ", "", ";")).join(parts)
            else:
                text = "".join(rng.sample(IME_MASH, 3))
        out.append(text)
    return out


# How residents leave a way to reach them at the end of a report: the phone number is
# part of a legitimate report as often as of a spam one, so the content model must see it
# on both sides (else it learns "a phone number means spam").
_SIGN_OFFS = (
    "，电话{n}",
    " 联系电话：{n}",
    "。我的手机{n}，有事打我",
    "，有问题打{n}",
    " 手机号{n}",
    "（联系人王先生 {n}）",
    ". My phone: {n}",
    " tel {n}",
)


def with_phone_numbers(texts: Sequence[str], every: int = 4, seed: int = SEED) -> list[str]:
    """Every ``every``-th text again with a resident's phone number signed off in one of
    the ways reports carry it. Deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible training data, not secrets
    out = []
    for text in texts[::every]:
        number = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        out.append(text.rstrip("。.！!") + rng.choice(_SIGN_OFFS).format(n=number))
    return out


# ------------------------------------------------ evasions, gibberish (second round)

# More of what each kind sells, in the words and abbreviations of the spam that reaches
# Chinese public forms: gambling and adult SEO keywords, loans, invoices.
_MORE_OFFERS = {
    "adult": (
        "约",
        "援交",
        "同城",
        "成人",
        "视频",
        "裸聊",
        "约会",
        "学生妹",
        "少妇",
        "包夜",
        "快餐",
        "上门",
        "私密",
        "福利",
        "看片",
        "yp",
        "约p",
        "兼职妹",
        "空降",
        "可约",
        "附近约",
        "私房照",
        "大尺度",
        "午夜福利",
    ),
    "gambling": (
        "澳门",
        "葡京",
        "百家乐",
        "真人",
        "彩票",
        "六合彩",
        "时时彩",
        "体育投注",
        "开户",
        "返水",
        "代理",
        "bjl",
        "ssc",
        "lhc",
        "pk10",
        "博彩",
        "菠菜",
        "赌场",
        "娱乐城",
        "彩金",
        "首充",
        "上分",
        "下分",
        "计划群",
        "跟单",
        "回血",
        "威尼斯人",
        "金沙",
        "幸运飞艇",
        "分分彩",
    ),
    "loans": (
        "无抵押",
        "秒批",
        "黑户可贷",
        "征信",
        "不看征信",
        "当天放款",
        "dk",
        "贷款",
        "借款",
        "下款",
        "口子",
        "额度高",
        "低息",
        "秒到账",
        "网贷",
        "黑白户",
        "花户",
        "代还",
        "套现",
        "停息挂账",
    ),
    "invoices": (
        "代开发票",
        "增值税",
        "专票",
        "普票",
        "发票",
        "开票",
        "税点低",
        "可查验",
        "fp",
        "真票",
        "验证后付款",
        "全行业",
        "进项",
        "点数低",
    ),
}
# Look-alike and split spellings (the text keeps the shape, the lexicon folds it back).
_DISGUISES = {
    "博彩": ("博 彩", "菠菜", "bc", "博-彩", "搏彩"),
    "微信": ("威 信", "薇信", "v信", "徽信", "VX", "卫星", "微 信"),
    "贷款": ("贷 款", "代款", "dk", "袋款", "贷-款"),
    "百家乐": ("bjl", "百 家 乐", "百家樂", "佰家乐"),
    "时时彩": ("ssc", "时 时 彩"),
    "六合彩": ("lhc", "六 合 彩", "陆合彩"),
    "发票": ("fp", "发 票", "発票"),
    "约炮": ("yp", "约p", "约 炮", "约pao"),
    "裸聊": ("裸 聊", "luo聊"),
}
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
_DINGBAT = "⓿❶❷❸❹❺❻❼❽❾"
_FULL = "０１２３４５６７８９"
_CN = "零一二三四五六七八九"


def _disguised_digits(digits: str, rng: random.Random) -> str:
    """A handle's digits as spammers write them to slip past a pattern: circled,
    full-width, Chinese, spaced or as they are."""
    style = rng.randrange(6)
    if style == 0:
        return "".join(_CIRCLED[int(d)] for d in digits)
    if style == 1:
        return "".join(_DINGBAT[int(d)] for d in digits)
    if style == 2:
        return "".join(_FULL[int(d)] for d in digits)
    if style == 3:
        return "".join(_CN[int(d)] for d in digits)
    if style == 4:
        return " ".join(digits)
    return digits


_HANDLE_WORDS = (
    "QQ",
    "扣扣",
    "微信",
    "V信",
    "薇",
    "威 信",
    "vx",
    "wx",
    "加V",
    "TG",
    "Telegram",
    "飞机",
    "加我",
    "🐧",
    "企鹅",
    "联系",
)
_GIB_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "风马但列绿森怎弃颗宏翅秒凳扩栏舅旁吞沾酱兵跑猫云杯米裤拍唱胡泽奶卷坝弯尖灶挖陆"
)
_INTERJECTIONS = ("啊", "哦", "嗯", "呃", "哈", "嘿", "哇", "呀", "喔", "唉", "嘻", "呵")


def _cjk_noise(rng: random.Random) -> str:
    """Characters drawn at random: common ones, with no grammar between them."""
    size = rng.randint(6, 24)
    text = "".join(rng.choice(_GIB_CJK) for _ in range(size))
    if rng.random() < 0.3:
        cut = rng.randrange(2, size - 2)
        text = text[:cut] + rng.choice((" ", "，", "。", "")) + text[cut:]
    return text


def _latin_noise(rng: random.Random) -> str:
    """Letters and digits at random, in one to four tokens."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    pool = rng.choice((letters, letters + "0123456789", "asdfghjklqwertyuiopzxcvbnm1234567890"))
    tokens = []
    for _ in range(rng.randint(1, 4)):
        tokens.append("".join(rng.choice(pool) for _ in range(rng.randint(5, 14))))
    return " ".join(tokens)


def generated_evasions(n: int, seed: int = SEED) -> list[str]:
    """The second round of generated spam: keyword runs of single SEO words with no
    sentence, with look-alike and split spellings and pinyin abbreviations; contact
    handles with circled, full-width, Chinese or spaced digits; and gibberish (random
    common characters, letters and digits at random, interjection runs, keyboard rows).
    Deterministic for a seed."""
    rng = random.Random(seed + 2)  # noqa: S311 - reproducible training data, not secrets
    kinds = sorted(_MORE_OFFERS)
    joints = (" ", "", "，", "、", "|", "/", "🔥", "💰", "❤", "✨", "🎰", "💋", "…", ".")
    out: list[str] = []
    for i in range(n):
        roll = i % 8
        digits = str(rng.randint(10000, 99999999999))
        handle = rng.choice(_HANDLE_WORDS) + rng.choice(("", "：", " ", ":", "❤", "号"))
        handle += _disguised_digits(digits, rng)
        if roll < 4:
            kind = kinds[rng.randrange(len(kinds))]
            words = list(rng.sample(_MORE_OFFERS[kind], rng.randint(3, 7)))
            words = [
                rng.choice(_DISGUISES[w]) if w in _DISGUISES and rng.random() < 0.5 else w
                for w in words
            ]
            text = rng.choice(joints).join(words)
            if rng.random() < 0.4:
                text += rng.choice(joints) + handle
        elif roll == 4:
            kind = kinds[rng.randrange(len(kinds))]
            text = (
                rng.choice((" ", "", "，"))
                .join(
                    (
                        rng.choice(_MORE_OFFERS[kind]),
                        handle,
                        rng.choice(("私聊", "秒回", "详谈", "")),
                    )
                )
                .strip()
            )
        elif roll == 5:
            text = _cjk_noise(rng)
        elif roll == 6:
            text = _latin_noise(rng)
        else:
            unit = "".join(rng.sample(_INTERJECTIONS, rng.randint(1, 3)))
            text = rng.choice((" ", "", "~")).join([unit] * rng.randint(3, 8))
        out.append(text)
    return out


# ------------------------------------------------ legitimate texts that look like spam

_PLACES = (
    "小区门口",
    "我们楼下",
    "3栋2单元楼道里",
    "菜市场旁边",
    "学校门口",
    "公交站台",
    "电梯里",
    "海旁路88号对面",
    "业主群里",
    "社区活动室",
    "广场上",
    "12号楼车库",
)
_SEEN = (
    "有人发{t}的传单",
    "贴满了{t}的小广告",
    "有人在拉人搞{t}",
    "天天有人打电话推销{t}",
    "被人喷了{t}的电话号码",
    "有人在群里发{t}的广告",
    "听说有人在做{t}",
    "收到好多{t}的短信",
)
_TOPICS = (
    "赌博",
    "六合彩",
    "百家乐",
    "网上赌场",
    "博彩",
    "贷款",
    "无抵押贷款",
    "网贷",
    "代开发票",
    "办证",
    "上门服务",
    "色情",
    "按摩",
    "刷单兼职",
    "虚拟币投资",
    "保健品",
    "彩票",
    "套现",
)
_PLEAS = (
    "，请查处",
    "，希望有关部门管一管",
    "，影响很坏，请派人清理",
    "，老人容易上当，请社区宣传一下",
    "。已经好几次了，麻烦处理",
    "，孩子们都看到了，太不像话了",
    " 请派出所来查一下",
    "，我拍了照片，可以提供",
)
_PLAIN = (
    "{p}的路灯坏了好几天，晚上很黑",
    "{p}的垃圾三天没人收了，很臭",
    "{p}漏水，地上全是水",
    "{p}有人乱停车，挡住了消防通道",
    "{p}的井盖松了，踩上去会动",
    "{p}晚上十二点还有人放音乐",
    "{p}的树枝快断了，刮风很危险",
    "{p}的下水道堵了",
)
_SIGNS = (
    "",
    "，电话{n}",
    "，我微信同手机号{n}",
    "，联系人李女士{n}",
    "（业主群里也说过了）",
    "，我是1502的住户",
    " 谢谢🙏",
    "！！！",
)


def generated_legit(n: int, seed: int = SEED) -> list[str]:
    """Residents' reports that name what spam sells (gambling flyers, loan ads, vice),
    or carry phone numbers, WeChat mentions, addresses full of digits, emoji and
    voice-to-text without punctuation: the content model's legitimate side must hold
    such texts so it learns the sentence around the words, not the words. Deterministic
    for a seed."""
    rng = random.Random(seed + 3)  # noqa: S311 - reproducible training data, not secrets
    out: list[str] = []
    for i in range(n):
        place = rng.choice(_PLACES)
        number = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        if i % 3 == 2:
            text = rng.choice(_PLAIN).format(p=place)
        else:
            text = place + rng.choice(_SEEN).format(t=rng.choice(_TOPICS)) + rng.choice(_PLEAS)
        text += rng.choice(_SIGNS).format(n=number)
        if rng.random() < 0.2:  # voice-to-text: no punctuation
            text = "".join(c if c not in "，。！" else " " for c in text)
        out.append(text)
    return out

"""What the international community writes: discussions in seven languages, the
proposals that come out of them with the community's answers, comments, a spam proposal
and an advertisement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Post:
    """A discussion and the proposals that came out of it, in the author's language."""

    key: str
    language: str
    title: str
    body: str


DISCUSSIONS = (
    Post(
        "signs",
        "en",
        "Bilingual signs at the community service centre",
        "Last week I spent twenty minutes at the service centre looking for the window for "
        "residence registration. All the signs are in Chinese only. Many of us who moved "
        "here for work would find English under the Chinese very helpful, on the notice "
        "board too.",
    ),
    Post(
        "clinic",
        "ko",
        "보건소 이용 안내가 한국어로 있으면 좋겠습니다",
        "아이가 열이 나서 지역 보건소에 갔는데 접수 방법과 진료 시간을 이해하기 어려웠습니다. "
        "한국어 안내문이나 통역 도움을 받을 수 있는 방법이 있을까요?",
    ),
    Post(
        "class",
        "ja",
        "週末の中国語教室",
        "平日は仕事で時間がないので、土曜日の午前中に初心者向けの中国語教室があると助かります。"
        "買い物や病院で使える簡単な会話を学びたいです。",
    ),
    Post(
        "noise",
        "pt",
        "Barulho à noite perto do mercado",
        "Todas as noites, depois das 23h, há caminhões descarregando mercadorias ao lado do "
        "mercado e o barulho acorda as crianças. Mais alguém tem esse problema?",
    ),
    Post(
        "play",
        "es",
        "Un espacio para que los niños jueguen el fin de semana",
        "Los fines de semana los niños no tienen dónde jugar cerca de casa. ¿Podríamos usar "
        "algún espacio de la comunidad los sábados por la tarde?",
    ),
    Post(
        "macau",
        "zh_Hant",
        "澳門居民在社區辦事的諮詢",
        "我在澳門上班，平日下班回到社區時服務中心已經關門。希望每月能有一個週六，集中解答澳門"
        "居民關於醫保、子女入學和居住證的問題。",
    ),
    Post(
        "waste",
        "zh_Hans",
        "垃圾分类投放点能不能加英文和图示",
        "小区里外籍住户越来越多，经常看到厨余垃圾投错桶。建议在投放点贴上中英文和图示的分类"
        "指引，也方便看不清字的老人。",
    ),
)


class ProposalSpec(NamedTuple):
    """A proposal out of a discussion, and how the community answers it (accepted ones
    become governance actions with these milestones)."""

    key: str
    discussion: str
    language: str
    title: str
    body: str
    answer: str
    reason: str
    merged_into: str | None
    milestones: tuple[str, ...]


PROPOSALS: tuple[ProposalSpec, ...] = (
    ProposalSpec(
        "signs-en",
        "signs",
        "en",
        "Add English to the service centre signs and the notice board headings",
        "Put English under the Chinese on every service window, the direction signs on each "
        "floor and the headings of the notice board.",
        "accepted",
        "采纳。社区办公室负责为服务中心各窗口、楼层指引牌和公告栏栏目名称增加英文，两个月内"
        "完成。Accepted: the community office adds English to the windows, direction signs "
        "and notice board headings within two months.",
        None,
        ("梳理需双语化的标识清单", "制作并安装中英双语标识", "公告栏栏目名称双语化"),
    ),
    ProposalSpec(
        "signs-ko",
        "signs",
        "ko",
        "주민센터 안내판에 한국어도 표기해 주세요",
        "주민센터 창구 안내판에 한국어도 함께 표기해 주시면 한국 주민들이 훨씬 편할 것 같습니다.",
        "merged",
        "与“服务中心标识增加英文”建议合并办理：先完成中英双语标识，并在各窗口张贴含韩语的多语种"
        "二维码指引。",
        "signs-en",
        (),
    ),
    ProposalSpec(
        "clinic-ko",
        "clinic",
        "ko",
        "보건소 한국어 이용 안내문을 만들어 주세요",
        "접수 방법, 진료 시간, 의료보험 정산 방법을 한국어로 정리한 안내문을 보건소에 비치해 "
        "주세요.",
        "accepted",
        "采纳。社区卫生服务站与区外籍人士服务中心合作编写韩语、英语就诊指南（挂号、就诊时间、"
        "医保结算），并公布志愿者翻译的预约方式。",
        None,
        ("编写韩语、英语就诊指南", "在卫生服务站和公众号发布"),
    ),
    ProposalSpec(
        "class-ja",
        "class",
        "ja",
        "土曜日午前の中国語教室を開いてください",
        "土曜日の9時から11時まで、党群サービスセンターで初心者向けの中国語教室を開いてほしいです。",
        "accepted",
        "采纳。社区联合志愿者协会每周六上午在党群服务中心开设中文入门班，退休教师志愿授课。",
        None,
        ("招募志愿教师并编写教材", "开班（每周六9:00-11:00）"),
    ),
    ProposalSpec(
        "noise-pt",
        "noise",
        "pt",
        "Proibir descargas de caminhões depois das 22h",
        "Peço que a comunidade proíba a descarga de caminhões perto do mercado entre 22h e 6h.",
        "not_adopted",
        "不予采纳：禁止夜间卸货超出社区职权。社区已将夜间噪声作为网格事件上报区生态环境分局和"
        "市场监管部门，并与市场管理方商定卸货改在早上6点以后。Not adopted: a ban is beyond the "
        "community's powers; the noise was reported as a grid case and the market agreed to "
        "unload after 6 a.m.",
        None,
        (),
    ),
    ProposalSpec(
        "play-es",
        "play",
        "es",
        "Abrir el patio de la escuela los sábados",
        "Propongo abrir el patio de la escuela primaria los sábados por la tarde para que los "
        "niños jueguen.",
        "not_adopted",
        "不予采纳：学校场地开放由学校和区教育局决定，涉及安全管理。社区改为每周六14:00-17:00"
        "开放党群服务中心儿童活动室，欢迎家长带孩子参加。",
        None,
        (),
    ),
    ProposalSpec(
        "macau-hant",
        "macau",
        "zh_Hant",
        "每月設一次澳門居民政策諮詢日",
        "建議每月第一個週六上午，邀請醫保、教育、出入境的工作人員到社區現場答疑。",
        "accepted",
        "采纳。每月第一个周六上午在党群服务中心设“澳门居民服务日”，邀请医保、教育、出入境窗口"
        "工作人员现场答疑。",
        None,
        ("协调医保、教育、出入境窗口", "举办第一次澳门居民服务日"),
    ),
    ProposalSpec(
        "waste-en",
        "waste",
        "en",
        "Waste sorting guide in English with pictures",
        "A one-page guide in English and Chinese with pictures of what goes into each bin, at "
        "every collection point and in the residents' chat group.",
        "accepted",
        "采纳。社区已制作中英文图示版垃圾分类指引，张贴在各投放点并发到居民群。",
        None,
        ("设计中英文图示指引", "张贴到各投放点并发到居民群"),
    ),
)

SPAM_PROPOSAL = (
    "Fast visa and work permit service",
    "Visa extension in one day, no questions asked! Visit http://visa-fast.example.com "
    "or add WeChat fastvisa888. Visa extension in one day!",
)

# (discussion, language, text, by): by is "local", "staff", "macau" or "foreign"
COMMENTS = (
    ("signs", "zh_Hans", "支持！建议同时加上图标，老人看着也方便。", "local"),
    ("signs", "zh_Hans", "感谢建议，社区办公室正在统计需要更换的标识。", "staff"),
    (
        "clinic",
        "en",
        "The health station has a volunteer who speaks some Korean on Tuesdays.",
        "foreign",
    ),
    ("class", "zh_Hans", "我是退休教师，周六上午可以来当志愿者教中文。", "local"),
    ("noise", "ko", "저도 밤에 트럭 소리 때문에 잠을 잘 못 자요.", "foreign"),
    ("macau", "zh_Hant", "同意，我也是週末才有時間辦事。", "macau"),
    ("waste", "en", "Yes please, I never know where the milk cartons go.", "foreign"),
)
AD_COMMENT = ("play", "zh_Hans", "出售二手儿童自行车和电动车，九成新，价格好商量，有意私聊。")

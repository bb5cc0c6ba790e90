"""Made-up but plausible people for the demo district: Chaoshan names, GB 11643 ID
numbers with real check digits, mobile numbers, and the foreign and Macau residents
of an international community. Deterministic for a given ``random.Random``."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from gridgov.registry.documents import check_digit

# Surnames common in Chaoshan (潮汕), roughly by frequency.
SURNAMES = "陈林黄李郑吴蔡许张王杨刘谢周洪翁马庄方余苏姚卢杜赖魏纪孙詹柯钟丁曾邱沈彭胡蚁辛"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志坚文辉建国少鹏佳怡晓燕俊杰"
    "泽楷锐思婷雅琪子涵浩然梓轩欣怡宇航嘉敏展鸿锦龙海燕瑞珊育才炳坤妙玲楚生亮洁"
)
FOREIGN = (
    # (ISO 3166 alpha-3, BCP 47 language, passport prefix, given names, family names)
    ("KOR", "ko", "M", ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun"), ("Kim", "Lee", "Park", "Choi")),
    ("JPN", "ja", "T", ("Haruto", "Yui", "Sota", "Aoi"), ("Sato", "Suzuki", "Takahashi")),
    ("THA", "th", "A", ("Somchai", "Malee", "Anan"), ("Srisuk", "Wongsa", "Chaiyaporn")),
    ("VNM", "vi", "C", ("Minh", "Lan", "Tuan", "Hoa"), ("Nguyen", "Tran", "Le", "Pham")),
    ("MYS", "ms", "A", ("Ahmad", "Siti", "Wei Ming"), ("Abdullah", "Tan", "Lim")),
    ("IDN", "id", "B", ("Budi", "Dewi", "Agus"), ("Santoso", "Wijaya", "Halim")),
    ("PHL", "fil", "P", ("Jose", "Maria", "Mark"), ("Santos", "Reyes", "Cruz")),
    ("SGP", "en", "E", ("Ethan", "Chloe", "Ryan"), ("Tan", "Ng", "Goh")),
    ("USA", "en", "5", ("James", "Emily", "Michael"), ("Smith", "Johnson", "Brown")),
    ("GBR", "en", "1", ("Oliver", "Amelia", "Harry"), ("Taylor", "Wilson", "Evans")),
    ("DEU", "de", "C", ("Lukas", "Anna", "Jonas"), ("Müller", "Schmidt", "Weber")),
    ("FRA", "fr", "1", ("Louis", "Chloé", "Hugo"), ("Martin", "Bernard", "Dubois")),
    ("RUS", "ru", "7", ("Ivan", "Olga", "Dmitri"), ("Ivanov", "Smirnova", "Petrov")),
    ("IND", "hi", "Z", ("Arjun", "Priya", "Rahul"), ("Sharma", "Patel", "Singh")),
    ("PAK", "ur", "A", ("Ali", "Ayesha", "Usman"), ("Khan", "Ahmed", "Malik")),
    ("NGA", "en", "A", ("Chinedu", "Ngozi", "Emeka"), ("Okafor", "Adeyemi", "Eze")),
    ("BRA", "pt", "F", ("Lucas", "Ana", "Pedro"), ("Silva", "Santos", "Oliveira")),
    ("AUS", "en", "N", ("Jack", "Charlotte", "Noah"), ("Smith", "Jones", "Williams")),
    ("CAN", "en", "G", ("Liam", "Emma", "Lucas"), ("Tremblay", "Roy", "Gagnon")),
    ("ITA", "it", "Y", ("Marco", "Giulia", "Luca"), ("Rossi", "Russo", "Ferrari")),
    ("ESP", "es", "P", ("Pablo", "Lucía", "Hugo"), ("García", "López", "Martín")),
    ("EGY", "ar", "A", ("Omar", "Fatma", "Youssef"), ("Hassan", "Mahmoud", "Ali")),
    ("TUR", "tr", "U", ("Emir", "Zeynep", "Mehmet"), ("Yılmaz", "Kaya", "Demir")),
    ("MMR", "my", "M", ("Aung", "Thida", "Kyaw"), ("Win", "Htun", "Naing")),
    ("KHM", "km", "N", ("Sokha", "Dara", "Srey"), ("Chan", "Sok", "Heng")),
    ("LAO", "lo", "P", ("Khamla", "Noy", "Somsack"), ("Vongsa", "Phomma", "Keo")),
    ("NZL", "en", "L", ("Oliver", "Isla", "Leo"), ("Smith", "Wilson", "Brown")),
    ("NLD", "nl", "N", ("Daan", "Emma", "Sem"), ("de Jong", "Jansen", "de Vries")),
    ("SWE", "sv", "9", ("William", "Alice", "Oscar"), ("Andersson", "Johansson", "Karlsson")),
    ("MNG", "mn", "E", ("Bat", "Saraa", "Temuulen"), ("Bold", "Ganbaatar", "Enkh")),
)


@dataclass(frozen=True)
class Person:
    name: str
    doc_type: str
    id_number: str
    phone: str
    birth_date: date
    sex: str
    nationality: str
    language: str | None


class PeopleFactory:
    def __init__(self, rng: random.Random, *, county: str = "440512") -> None:
        self.rng = rng
        self.county = county
        self._sequence: dict[date, int] = defaultdict(int)
        self._phones: set[str] = set()
        self._passports: set[str] = set()

    def chinese_name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def birth_date(self, today: date, min_age: int, max_age: int) -> date:
        days = self.rng.randint(min_age * 365, max_age * 365 + 364)
        return today - timedelta(days=days)

    def mainland_id(self, birth: date, sex: str) -> str:
        # The 3-digit sequence: odd for men, even for women; unique per birth date.
        self._sequence[birth] += 1
        n = self._sequence[birth]
        sequence = 2 * n - 1 if sex == "male" else 2 * n
        body = f"{self.county}{birth:%Y%m%d}{sequence % 1000:03d}"
        return body + check_digit(body)

    def phone(self) -> str:
        while True:
            prefix = self.rng.choice(
                ("138", "139", "135", "137", "150", "152", "158", "186", "188")
            )
            phone = prefix + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def resident(
        self, today: date, *, min_age: int, max_age: int, sex: str | None = None
    ) -> Person:
        sex = sex or self.rng.choice(("male", "female"))
        birth = self.birth_date(today, min_age, max_age)
        return Person(
            name=self.chinese_name(),
            doc_type="mainland_id",
            id_number=self.mainland_id(birth, sex),
            phone=self.phone() if min_age >= 14 or self.rng.random() < 0.2 else "",
            birth_date=birth,
            sex=sex,
            nationality="CHN",
            language=None,
        )

    def _document_number(self, prefix: str) -> str:
        """A passport or permit number not handed out before: ``prefix`` and 8 digits."""
        while True:
            number = prefix + f"{self.rng.randrange(10**7, 10**8)}"
            if number not in self._passports:
                self._passports.add(number)
                return number

    def foreigner(self, today: date) -> Person:
        nationality, language, prefix, givens, families = self.rng.choice(FOREIGN)
        number = self._document_number(prefix)
        return Person(
            name=f"{self.rng.choice(givens)} {self.rng.choice(families)}",
            doc_type="passport",
            id_number=number,
            phone="+86" + self.phone() if self.rng.random() < 0.3 else self.phone(),
            birth_date=self.birth_date(today, 22, 65),
            sex=self.rng.choice(("male", "female")),
            nationality=nationality,
            language=language,
        )

    def macau_resident(self, today: date) -> Person:
        """A Macau or Hong Kong resident with a 回乡证, speaking Cantonese/Traditional."""
        region = self.rng.choice(("M", "M", "H"))
        number = self._document_number(region)
        return Person(
            name=self.chinese_name(),
            doc_type="hk_macau_permit",
            id_number=number,
            phone=("+853" if region == "M" else "+852")
            + f"{self.rng.randrange(6_000_0000, 6_999_9999)}",
            birth_date=self.birth_date(today, 22, 70),
            sex=self.rng.choice(("male", "female")),
            nationality="CHN",
            language="zh-Hant",
        )

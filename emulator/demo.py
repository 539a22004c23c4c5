"""Demo dataset: Chinese users, staff, companies, accounts and leads, and what surrounds them."""

from __future__ import annotations

import random
from collections.abc import Callable

from emulator.demo_catalogue import ACCOUNT_TYPES, NATURE, SIZES, catalogue, rec
from emulator.demo_engagement import (
    OPENID_ALPHABET,
    Person,
    engagement,
    share,
    user_ref,
    wecom_contact,
)
from emulator.spec import Json

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")]
SURNAMES += [("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei")]
GIVEN += [("强", "qiang"), ("洋", "yang"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao")]
GIVEN += [("超", "chao")]
MOBILE_PREFIXES = ["135", "136", "138", "139", "150", "158", "166", "177", "186", "189", "199"]
STAFF_MOBILE_PREFIX = "137"  # not a user prefix: staff and users never share a number
MOBILE_STEP = 38_461_937  # odd and not a multiple of 5: n -> n * step mod 10**8 never repeats
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]
INDUSTRIES = ["制造业", "金融", "零售", "医疗", "教育", "互联网"]
BRANDS = [("恒信", "hengxin"), ("华创", "huachuang"), ("远景", "yuanjing"), ("汇通", "huitong")]
BRANDS += [("博达", "boda"), ("天润", "tianrun"), ("瑞丰", "ruifeng"), ("启明", "qiming")]
TRADES = [("制造", "制造业"), ("科技", "互联网"), ("医疗器械", "医疗"), ("商贸", "零售")]
TRADES += [("教育科技", "教育"), ("金融服务", "金融")]
STREETS = ["世纪大道", "中山路", "科技园路", "解放路", "人民路", "滨江大道"]
DEPARTMENTS = ["华东销售部", "华南销售部", "市场部", "客户成功部"]
TITLES = ["销售经理", "客户经理", "市场专员", "客户成功经理"]
BUSINESS_TYPES = ("标准客户", "渠道伙伴", "战略大客户")
PROGRESS_EVERY = 10_000


def build(seed: int, size: int, progress: Callable[[int], None] | None = None) -> Json:
    """A dataset of `size` users and records in proportion; the same for the same seed.

    progress hears how many users are built, every PROGRESS_EVERY, and `size` once all is built.
    """
    rng = random.Random(seed)
    report = progress or _quiet
    users = _users(rng, size, report)
    people = [_person(n, user) for n, user in enumerate(users)]
    dataset = {
        "business_types": [{"name": name} for name in BUSINESS_TYPES],
        "users": users,
        **_audiences(size),
        "records": _records(rng, people),
    }
    report(size)
    return dataset


def _audiences(size: int) -> Json:
    """Static groups (the first with the id of the vendor's import sample) and activities."""
    return {
        "groups": [
            {"group_id": 20541, "name": "华东区活跃用户", "members": share(size, 0, 10)},
            {"name": "新客户", "members": share(size, 5, 15)},
            {"name": "待激活用户", "members": []},
        ],
        "activities": [
            {"name": "2026 新品发布会直播", "type": "live", "registered": share(size, 0, 8)},
            {"name": "上海线下客户峰会", "type": "meeting", "registered": share(size, 4, 12)},
        ],
    }


def _quiet(done: int) -> None:
    """No one is listening for progress."""


def _users(rng: random.Random, size: int, report: Callable[[int], None]) -> list[Json]:
    offset = rng.randrange(10**8)
    users = []
    for n in range(1, size + 1):
        users.append(_user(rng, n - 1, offset))
        if n % PROGRESS_EVERY == 0 and n < size:
            report(n)
    return users


def _user(rng: random.Random, n: int, offset: int) -> Json:
    (surname, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
    mobile = rng.choice(MOBILE_PREFIXES) + f"{(offset + n * MOBILE_STEP) % 10**8:08d}"
    identities = [
        {"type": "mobile", "value": mobile, "name": "手机号"},
        {"type": "email", "value": f"{given_py}.{sur_py}{n}@example.cn", "name": "邮箱"},
        *_social_identities(rng, n, mobile),
    ]
    fields = {
        "name": surname + given,
        "city": rng.choice(CITIES),
        "industry": rng.choice(INDUSTRIES),
    }
    return {"identities": identities, "fields": fields}


def _social_identities(rng: random.Random, n: int, mobile: str) -> list[Json]:
    """Every other user's WeChat openid, and every sixth user's WeCom contact id."""
    found = []
    if n % 2 == 0:
        openid = "o" + "".join(rng.choices(OPENID_ALPHABET, k=27))
        found.append({"type": "wechat_openid", "value": openid, "name": "微信公众号openid"})
    if contact := wecom_contact(n, mobile):
        found.append({"type": "external_userid", "value": contact, "name": "企业微信联系人"})
    return found


def _person(n: int, user: Json) -> Person:
    value = {identity["type"]: identity["value"] for identity in user["identities"]}
    contacts = (value.get("wechat_openid"), value.get("external_userid"))
    return Person(n, user["fields"]["name"], value["mobile"], value["email"], *contacts)


def _records(rng: random.Random, people: list[Person]) -> dict[str, list[Json]]:
    """Every record part, each after the parts its placeholders name."""
    fixed = catalogue()
    staff = max(4, len(people) // 50)
    return {
        "employee": _employees(rng, staff),
        **fixed,
        **_crm(rng, people, staff),
        **engagement(rng, people, staff, len(fixed["tag"])),
    }


def _crm(rng: random.Random, people: list[Person], staff: int) -> dict[str, list[Json]]:
    """Companies, an account for each, and a lead for each of the first half of the users."""
    companies = _companies(rng, max(4, len(people) // 20))
    return {
        "company": companies,
        "account": _accounts(rng, companies, staff),
        "lead": _leads(rng, people[: len(people) // 2], companies, staff),
    }


def _employees(rng: random.Random, count: int) -> list[Json]:
    staff = []
    for n in range(count):
        (surname, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
        mobile = STAFF_MOBILE_PREFIX + f"{(n * MOBILE_STEP + 1) % 10**8:08d}"
        staff.append(
            {"name": surname + given, "mobile": mobile, "title": TITLES[n % len(TITLES)]}
            | {"email": f"{given_py}.{sur_py}.{n}@staff.example.cn", "is_active": 1}
            | {"department": DEPARTMENTS[n % len(DEPARTMENTS)]}
            | {"wecom_userid": f"{sur_py.title()}{given_py.title()}{n}"}
        )
    return staff


def _companies(rng: random.Random, count: int) -> list[Json]:
    combos = [(city, brand, trade) for city in CITIES for brand in BRANDS for trade in TRADES]
    rng.shuffle(combos)
    companies = []
    for n in range(count):
        city, (brand, brand_py), (word, industry) = combos[n % len(combos)]
        repeat = f"第{n // len(combos) + 1}分公司" if n >= len(combos) else ""
        companies.append(
            {"name": f"{city}{brand}{word}有限公司{repeat}", "industry": industry}
            | {"company_size": rng.choice(SIZES)[0], "country_region": "cn"}
            | {"official_website": f"https://www.{brand_py}{n}.example.cn"}
            | {"address": f"{city}市{rng.choice(STREETS)}{rng.randrange(1, 999)}号"}
        )
    return companies


def _accounts(rng: random.Random, companies: list[Json], staff: int) -> list[Json]:
    copied = ("industry", "company_size", "country_region", "official_website", "address")
    return [
        {"name": company["name"], "business_type": {"$business_type": n % len(BUSINESS_TYPES)}}
        | {key: company[key] for key in copied}
        | {"company_id": company["name"], "owner": rec("employee", n % staff)}
        | {"account_type": rng.choice(ACCOUNT_TYPES)[0], "nature_enterprise": rng.choice(NATURE)[0]}
        for n, company in enumerate(companies)
    ]


def _leads(
    rng: random.Random, people: list[Person], companies: list[Json], staff: int
) -> list[Json]:
    leads = []
    for n, person in enumerate(people):
        lead: Json = {"name": person.name, "mobile": person.mobile, "email": person.email}
        lead |= {"business_type": {"$business_type": n % len(BUSINESS_TYPES)}}
        lead |= {"omni_user_uuid": user_ref(person), "life_status": "baby_lead"}
        if n % 2 == 0:
            account = n // 2 % len(companies)
            lead |= {"account_id": rec("account", account)}
            lead |= {"company_id": companies[account]["name"]}
        leads.append(lead | _ownership(rng, n, staff))
    return leads


def _ownership(rng: random.Random, n: int, staff: int) -> Json:
    """A third of the leads wait in the market pool; the others have an owner and a status."""
    if n % 3 == 2:
        return {"lead_pool": "market", "status": rec("lead_status", 0)}
    owned: Json = {
        "owner": rec("employee", n % staff),
        "status": rec("lead_status", rng.randrange(5)),
    }
    if n % 4 == 0:
        owned["collaborators"] = [rec("employee", (n + 1) % staff)]
    return owned

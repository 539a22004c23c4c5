"""Demo engagement: what seeded users did (tags, scores, points, follows, consents, deliveries)."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from itertools import accumulate
from typing import NamedTuple

from emulator.clock import TEXT_FORMAT
from emulator.demo_catalogue import MEMBER_RULES, SENT_AT, SUMMIT_SMS, TPLMSGS, rec
from emulator.domains.scoring import grade, level
from emulator.spec import Json

OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
WECHAT_APPID = "wx8a3f5c2e9b1d4f60"
CHANNELS = ("h5", "miniprogram", "wechat")
EVENTS = {"add_to_cart": "sku", "download_whitepaper": "title", "watch_live": "minutes"}
EPOCH = datetime(2025, 12, 1, 9, 0, 0)
CLICKED_AT = "2026-01-06 10:05:00"


class Person(NamedTuple):
    """What records copy from a seeded user: its index and contact details."""

    number: int
    name: str
    mobile: str
    email: str
    openid: str | None
    external_userid: str | None = None  # as a WeCom contact of a staff member


def wecom_contact(number: int, mobile: str) -> str | None:
    """The external_userid of the demo users who are WeCom contacts (one in six), else None:
    fixed by the mobile, so the user's identity and its friendship records agree."""
    if number % 6 != 1:
        return None
    return "wm" + hashlib.sha256(mobile.encode()).hexdigest()[:30]


def share(size: int, start: int, stop: int) -> list[int]:
    """User indexes from start/24 to stop/24 of the users (the demo has 24 users)."""
    return list(range(size * start // 24, size * stop // 24))


def user_ref(person: Person) -> Json:
    """The placeholder of a seeded user's omni_user_uuid."""
    return {"$user": person.number}


def moment(rng: random.Random) -> str:
    """A moment of the demo's two months (December 2025 and January 2026)."""
    return (EPOCH + timedelta(minutes=rng.randrange(60 * 24 * 60))).strftime(TEXT_FORMAT)


def engagement(rng: random.Random, people: list[Person], staff: int, tags: int) -> Json:
    """Every engagement record part, after the CRM records they name."""
    return {
        **_scores(rng, people, len(people) // 2, tags),
        **_loyalty(rng, people[::3]),
        **_social(rng, people, staff),
        **_deliveries(rng, people),
    }


def _scores(rng: random.Random, people: list[Person], leads: int, tags: int) -> Json:
    return {
        "user_tag": [
            {"omni_user_uuid": user_ref(person), "tag_uuid": rec("tag", tag)}
            for person in people
            for tag in rng.sample(range(tags), rng.choice((0, 1, 1, 2)))
        ],
        "user_score": [{"omni_user_uuid": user_ref(p)} | _score(rng) for p in people[::2]],
        "lead_score": [{"lead_uuid": rec("lead", n)} | _score(rng) for n in range(leads)],
    }


def _loyalty(rng: random.Random, members: list[Person]) -> dict[str, list[Json]]:
    """Members whose points balance is the sum of their points records."""
    earned = [_points(rng, n) for n in range(len(members))]
    return {
        "member": [
            _member(rng, p, sum(r["points"] for r in e))
            for p, e in zip(members, earned, strict=True)
        ],
        "points_record": [record for records in earned for record in records],
    }


def _score(rng: random.Random) -> Json:
    identity, active = rng.randrange(101), rng.randrange(501)
    return {
        "identity_score": identity,
        "identity_grade": grade(identity),
        "active_score": active,
        "active_level": level(active),
        "intention_score": rng.randrange(101),
    }


def _member(rng: random.Random, person: Person, points: int) -> Json:
    return {
        "omni_user_uuid": user_ref(person),
        "mobile": person.mobile,
        "name": person.name,
        "card_no": f"JM{20260000 + person.number:010d}",
        "level": rng.choice(("普通会员", "普通会员", "银卡会员", "金卡会员")),
        "points": points,
    }


def _points(rng: random.Random, member: int) -> list[Json]:
    """Points added by rules (sign-up, an activity, check-ins), each with its reason and the
    balance after it; they sum to the member's points."""
    earned = [(0, 100)] + ([(2, 50)] if rng.random() < 0.5 else [])
    earned += [(1, 5 * days)] if (days := rng.randrange(4)) else []
    balances = accumulate(points for _, points in earned)
    return [
        {"member_uuid": rec("member", member), "points": points, "change_type": "add"}
        | {"rule_uuid": rec("member_rule", rule), "reason": MEMBER_RULES[rule][0]}
        | {"balance": balance}
        for (rule, points), balance in zip(earned, balances, strict=True)
    ]


def _social(rng: random.Random, people: list[Person], staff: int) -> Json:
    return {
        "wechat_follower": [_follower(rng, p, p.openid) for p in people if p.openid],
        "wecom_friend": [
            {"omni_user_uuid": user_ref(p), "employee_uuid": rec("employee", p.number % staff)}
            | {"external_userid": p.external_userid, "is_friend": 1, "add_time": moment(rng)}
            for p in people
            if p.external_userid
        ],
        "privacy_auth_record": [
            {"omni_user_uuid": user_ref(p), "policy_uuid": rec("privacy_policy", 1)}
            | {"status": "authorized", "auth_time": moment(rng), "channel": rng.choice(CHANNELS)}
            for p in people[1::3]
        ],
    }


def _follower(rng: random.Random, person: Person, openid: str) -> Json:
    return {
        "omni_user_uuid": user_ref(person),
        "wechat_openid": openid,
        "wechat_appid": WECHAT_APPID,
        "subscribe": int(rng.random() < 0.85),
        "subscribe_time": moment(rng),
    }


def _deliveries(rng: random.Random, people: list[Person]) -> Json:
    """What the demo's sends reached (the first group), forms submitted and events reported."""
    audience = [people[n] for n in share(len(people), 0, 10)]
    followers = [(p, p.openid) for p in audience if p.openid]
    return {
        "cta_record": [
            {"cta_uuid": rec("cta", p.number % 2), "omni_user_uuid": user_ref(p)}
            | {"submit_time": moment(rng), "page_url": "https://www.example.cn/demo"}
            | {"form_data": {"name": p.name, "mobile": p.mobile}}
            for p in people[::4]
        ],
        "custom_event_record": [_event(rng, p) for p in people[1::2]],
        "edm_send_record": [_email(rng, p) for p in audience],
        "sms_send_record": [_sms(people[n]) for n in share(len(people), 5, 15)],
        "tplmsg_send_record": [_pushed(p, openid, "success", SENT_AT) for p, openid in followers],
        "tplmsg_click": [_pushed(p, openid, "click", CLICKED_AT) for p, openid in followers[::2]],
    }


def _pushed(person: Person, openid: str, outcome: str, at: str) -> Json:
    """A recipient of the demo's template push: its send record, or its click on the message."""
    record: Json = {"tplmsg_send_uuid": rec("tplmsg_send", 0), "omni_user_uuid": user_ref(person)}
    record |= {"wechat_openid": openid}
    if outcome == "click":
        return record | {"click_time": at, "url": TPLMSGS[0][1]}  # the pushed message's link
    return record | {"status": outcome, "send_time": at}


def _event(rng: random.Random, person: Person) -> Json:
    event, attribute = rng.choice(list(EVENTS.items()))
    value = rng.randrange(5, 120) if attribute == "minutes" else f"{attribute}-{rng.randrange(100)}"
    return {
        "event": event,
        "omni_user_uuid": user_ref(person),
        "event_time": moment(rng),
        "attributes": {attribute: value},
    }


def _email(rng: random.Random, person: Person) -> Json:
    status = rng.choice(("delivered", "delivered", "opened", "opened", "clicked", "bounced"))
    return {
        "send_uuid": rec("edm_send", 0),
        "omni_user_uuid": user_ref(person),
        "email": person.email,
        "status": status,
        "send_time": SENT_AT,
    }


def _sms(person: Person) -> Json:
    return {
        "task_uuid": rec("sms_task", 0),
        "omni_user_uuid": user_ref(person),
        "mobile": person.mobile,
        **SUMMIT_SMS,
        "status": "delivered",
        "send_time": SENT_AT,
    }

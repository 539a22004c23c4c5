"""Demo catalogue: the fixed records of the demo dataset (statuses, options, fields, templates)."""

from __future__ import annotations

from emulator.spec import Json


def rec(resource: str, index: int) -> Json:
    """The placeholder of the id of a resource's index-th seeded record."""
    return {"$record": [resource, index]}


def _options(option_set: str, pairs: list[tuple[str, str]]) -> list[Json]:
    return [
        {"option_set": option_set, "value": value, "label": label, "sort": sort}
        for sort, (value, label) in enumerate(pairs, start=1)
    ]


def _fields(object_name: str, rows: list[tuple[str, str, str, int]]) -> list[Json]:
    return [
        {"object_name": object_name, "field_code": code, "field_name": name, "field_type": kind}
        | {"is_preset": preset, "is_required": int(code == "name")}
        | ({"option_set": code} if kind in ("select", "multi_select") else {})
        for code, name, kind, preset in rows
    ]


LEAD_STATUSES = [
    {"name": "待跟进", "sort": 1, "is_default": 1, "description": "新分配、尚未联系的线索"},
    {"name": "跟进中", "sort": 2, "is_default": 0, "description": "已联系并持续沟通中"},
    {"name": "已会面", "sort": 3, "is_default": 0, "description": "已与客户当面沟通"},
    {"name": "已转化", "sort": 4, "is_default": 0, "description": "已转为商机或客户"},
    {"name": "无效线索", "sort": 5, "is_default": 0, "description": "信息错误或无需求"},
]
NATURE = [("state_owned", "国有企业"), ("private", "民营企业"), ("foreign", "外资企业")]
NATURE += [("joint_venture", "合资企业")]
SIZES = [("size_1_49", "1-49人"), ("size_50_199", "50-199人"), ("size_200_999", "200-999人")]
SIZES += [("size_1000_plus", "1000人以上")]
REGIONS = [("cn", "中国大陆"), ("hk", "中国香港"), ("sg", "新加坡"), ("us", "美国")]
ACCOUNT_TYPES = [("prospect", "潜在客户"), ("customer", "正式客户"), ("partner", "合作伙伴")]
ACCOUNT_TYPES += [("competitor", "竞争对手")]
LEVELS = [("level_a", "A 级"), ("level_b", "B 级"), ("level_c", "C 级")]
PRODUCTS = [("automation", "营销自动化"), ("cdp", "客户数据平台"), ("social", "社交营销")]
LEAD_FIELDS = [
    ("name", "姓名", "text", 1),
    ("mobile", "手机号", "mobile", 1),
    ("email", "邮箱", "email", 1),
    ("owner", "负责人", "look_up", 1),
    ("department", "所属部门", "department", 1),
    ("customer_level", "客户等级", "select", 0),
    ("budget", "预算金额", "number", 0),
    ("interest_products", "意向产品", "multi_select", 0),
    ("business_card", "名片", "image", 0),
    ("service_teams", "服务团队", "multi_departmemt", 0),
    ("expected_close_date", "预计成交日期", "date", 0),
]
ACCOUNT_FIELDS = [
    ("name", "客户名称", "text", 1),
    ("industry", "行业", "text", 1),
    ("account_type", "客户类型", "select", 1),
    ("nature_enterprise", "企业性质", "select", 1),
    ("company_size", "公司规模", "select", 1),
    ("country_region", "国家/地区", "select", 1),
    ("official_website", "公司网址", "url", 1),
    ("owner", "负责人", "look_up", 1),
    ("annual_revenue", "年营收", "number", 0),
    ("logo", "公司标志", "image", 0),
    ("related_company", "关联公司", "look_up", 0),
]
SOURCES = [
    {
        "name": "微信公众号",
        "source_type": "wechat",
        "description": "公众号菜单、扫码与图文",
        "is_preset": 1,
    },
    {
        "name": "官方网站",
        "source_type": "website",
        "description": "官网表单与落地页",
        "is_preset": 1,
    },
    {
        "name": "线下活动",
        "source_type": "offline_event",
        "description": "展会、沙龙与峰会",
        "is_preset": 1,
    },
    {"name": "第三方来源", "source_type": "thirdparty_custom_source", "is_preset": 1},
]
SOURCE_OPTIONS = [
    (0, "菜单点击", "menu_click", 0),
    (0, "扫码关注", "qrcode_scan", 0),
    (1, "首页表单", "homepage_form", 0),
    (1, "产品页", "product_page", 0),
    (2, "行业展会", "exhibition", 0),
    (2, "客户沙龙", "salon", 1),
    (3, "CRM导入", "crm_import", 1),
]
TEMPLATE_CONTENT = "{{first.DATA}}\n{{keyword1.DATA}}\n{{keyword2.DATA}}\n{{remark.DATA}}"
WECHAT_TEMPLATES = [
    (
        "CsJdqydfBbX2jwbL20YGgfxmgkYDD81S4hG2l7rGny5",
        "活动报名成功通知",
        "IT科技",
        "互联网|电子商务",
    ),
    ("VhsK2xDlXLm_jHfx9tC9mFIFqJzGicCA5_Hv-54Vtf7", "会员积分变动提醒", "消费品", "消费品"),
    ("s12YtFN7ZrkQl6UWLL0t9q9OMNY-OdDBing638lQIwJ", "服务预约提醒", "IT科技", "IT软件与服务"),
]
TPLMSGS = [
    ("新品发布会报名成功", "https://event.example.cn/live/2026", "您已成功报名", "2026 新品发布会"),
    ("积分到账通知", "https://member.example.cn/points", "您的积分有变动", "+100 积分"),
    ("演示预约确认", "https://www.example.cn/demo", "您的预约已确认", "产品演示"),
]
SENT_AT = "2026-01-06 10:00:00"  # when the demo's e-mail, SMS and template pushes went out
SENT = {"send_type": "immediate", "send_time": SENT_AT, "status": "sent"}
SUMMIT_SMS = {"content": "您报名的上海客户峰会将于明天9:30开始。", "sign_name": "JING"}
LATER = {"send_type": "scheduled", "send_time": "2026-03-02 09:30:00", "status": "scheduled"}
MAILBOXES = [
    ("marketing@mail.example.cn", "JING 市场部"),
    ("events@mail.example.cn", "JING 活动中心"),
]
MAILBOXES += [("service@mail.example.cn", "JING 客户服务")]
TAGS = [
    ("高意向", "意向"),
    ("已购客户", "生命周期"),
    ("沉睡用户", "生命周期"),
    ("直播观众", "行为"),
]
TAGS += [("白皮书下载", "行为"), ("VIP", "价值"), ("华东区", "地区"), ("制造业", "行业")]
MEMBER_RULES = [("注册送积分", "add", 100), ("每日签到", "add", 5), ("参加活动", "add", 50)]
MEMBER_RULES += [("积分兑换礼品", "deduct", 500)]
PRIVACY_TEMPLATES = [
    (
        "标准隐私政策模板",
        "zh-CN",
        "我们重视您的个人信息保护。本政策说明我们如何收集、使用和保护您的信息。",
    ),
    (
        "Standard privacy policy",
        "en-US",
        "We value your privacy. This policy explains our use of data.",
    ),
]
PRIVACY_POLICIES = [
    ("隐私政策", "1.0", 0, "1.0", 0),
    ("隐私政策", "2.0", 0, "2.0", 1),
    ("Privacy Policy", "1.0", 1, "en/1.0", 1),
]
CTAS: list[tuple[str, str, Json]] = [
    ("预约产品演示", "form", {"title": "预约一对一演示", "button_text": "立即预约"}),
    ("下载行业白皮书", "form", {"title": "2026 制造业数字化白皮书"}),
    ("联系销售", "button", {"button_text": "联系我们", "url": "https://www.example.cn/contact"}),
]
CUSTOM_EVENTS = [
    ("RemoveFromCart", "移出购物车", ("sku", "price")),  # the vendor's example event
    ("add_to_cart", "加入购物车", ("sku", "price")),
    ("download_whitepaper", "下载白皮书", ("title",)),
    ("watch_live", "观看直播", ("minutes",)),
]


def catalogue() -> dict[str, list[Json]]:
    """The fixed demo records by resource; references are placeholders the seed loader resolves."""
    return {
        "lead_status": [dict(status) for status in LEAD_STATUSES],
        **_crm_settings(),
        **_sources(),
        "tag": [{"name": name, "group_name": group} for name, group in TAGS],
        "member_rule": [
            {"name": name, "change_type": kind, "points": points, "is_enabled": 1}
            for name, kind, points in MEMBER_RULES
        ],
        **_email_and_sms(),
        **_wechat(),
        **_privacy(),
        **_forms_and_codes(),
    }


def _crm_settings() -> dict[str, list[Json]]:
    preset = [("nature_enterprise", NATURE), ("company_size", SIZES), ("country_region", REGIONS)]
    custom = [("account_type", ACCOUNT_TYPES), ("customer_level", LEVELS)]
    custom += [("interest_products", PRODUCTS)]
    return {
        "option_set": [o for code, pairs in preset for o in _options(code, pairs)],
        "custom_option_set": [o for code, pairs in custom for o in _options(code, pairs)],
        "object_field": _fields("lead", LEAD_FIELDS) + _fields("account", ACCOUNT_FIELDS),
    }


def _sources() -> dict[str, list[Json]]:
    return {
        "source": [dict(source) for source in SOURCES],
        "source_option": [
            {"source_uuid": rec("source", s), "name": n, "value": v, "is_custom": c, "sort": i}
            for i, (s, n, v, c) in enumerate(SOURCE_OPTIONS)
        ],
    }


def _email_and_sms() -> dict[str, list[Json]]:
    return {
        "mailbox": [
            {"email": email, "sender_name": name, "is_default": int(n == 0)}
            for n, (email, name) in enumerate(MAILBOXES)
        ],
        "edm_send": [
            {"name": "2026年1月产品通讯", "subject": "新年新品抢先看", "content": "<p>新品速递</p>"}
            | {"mailbox_uuid": rec("mailbox", 0), "group_id": {"$group": 0}, **SENT},
            {"name": "上海客户峰会邀请函", "subject": "诚邀您参加上海客户峰会"}
            | {"mailbox_uuid": rec("mailbox", 1), "group_id": {"$group": 1}, **LATER},
        ],
        "sms_task": [
            {"name": "峰会参会提醒", **SUMMIT_SMS, **SENT} | {"group_id": {"$group": 1}},
            {"name": "积分到期提醒", "content": "您的部分积分即将到期。", "status": "draft"},
        ],
    }


def _wechat() -> dict[str, list[Json]]:
    return {
        "wechat_template": [
            {"template_id": tid, "title": title, "primary_industry": first}
            | {"deputy_industry": second, "content": TEMPLATE_CONTENT, "example": f"{title}……"}
            for tid, title, first, second in WECHAT_TEMPLATES
        ],
        "tplmsg": [
            {"name": name, "template_uuid": rec("wechat_template", n), "url": url}
            | {"data": {"first": {"value": first}, "keyword1": {"value": key, "color": "#173177"}}}
            for n, (name, url, first, key) in enumerate(TPLMSGS)
        ],
        "tplmsg_send": [
            {"name": "新品发布会开播提醒", "tplmsg_uuid": rec("tplmsg", 0)}
            | {"group_id": {"$group": 0}, **SENT},
            {"name": "会员积分月报", "tplmsg_uuid": rec("tplmsg", 1), **LATER},
        ],
    }


def _privacy() -> dict[str, list[Json]]:
    return {
        "privacy_template": [
            {"name": name, "language": language, "content": content}
            for name, language, content in PRIVACY_TEMPLATES
        ],
        "privacy_policy": [
            {"name": name, "version": version, "template_uuid": rec("privacy_template", template)}
            | {"content_url": f"https://www.example.cn/privacy/{path}", "is_enabled": enabled}
            for name, version, template, path, enabled in PRIVACY_POLICIES
        ],
    }


def _forms_and_codes() -> dict[str, list[Json]]:
    return {
        "cta": [{"name": name, "type": kind} | more for name, kind, more in CTAS],
        "custom_event": [
            {"name": code, "display_name": name, "attributes": _attributes(attributes)}
            for code, name, attributes in CUSTOM_EVENTS
        ],
        "qrcode": [
            {"name": "上海峰会签到码", "type": "temporary", "scene": "summit_checkin"}
            | {"expire_seconds": 604800},
            {"name": "官网关注二维码", "type": "permanent", "scene": "website_follow"},
        ],
    }


def _attributes(codes: tuple[str, ...]) -> list[Json]:
    """A demo event's attributes: the first one required (demo reports carry it), typed."""
    return [
        {"code": code, "type": "number" if code in ("price", "minutes") else "string"}
        | {"required": index == 0}
        for index, code in enumerate(codes)
    ]

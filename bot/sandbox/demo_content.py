"""The demo community in each language: its people and what they write.

These are the words of (imaginary) residents, not the bot's: they are data, not catalog
strings. Every request text was checked with `courtyard classify` to become a request of the
intended category.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Language


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str | None
    username: str
    about: str


@dataclass(frozen=True)
class DemoContent:
    """Names, flats and messages of one language's demo community."""

    timezone: str
    community: str
    building: str
    group_title: str
    households: int
    head: Person
    residents: tuple[Person, Person, Person]
    flats: tuple[str, str, str]
    elderly_flat: str
    elderly_name: str
    plumber: Person
    manager: Person
    plumber_hello: str
    plumber_roles: str  # arguments of /staff add
    manager_hello: str
    manager_roles: str
    light_request: str
    light_note: str
    elevator_request: str
    bins_request: str
    poll: str
    small_talk: tuple[str, str]


DEMO_CONTENT: dict[Language, DemoContent] = {
    "zh": DemoContent(
        timezone="Asia/Shanghai",
        community="阳光花园",
        building="阳光花园3号楼",
        group_title="阳光花园3号楼 业主群",
        households=96,
        head=Person("王", "芳", "wangfang_3", ""),
        residents=(
            Person("李", "娜", "lina_3", "2单元"),
            Person("张", "伟", "zhangwei_3", "1单元"),
            Person("陈", "静", "chenjing_3", "3单元"),
        ),
        flats=("2-301", "1-502", "3-201"),
        elderly_flat="4-101",
        elderly_name="刘奶奶",
        plumber=Person("赵", "师傅", "zhao_repairs", "水暖维修，一级（维修队）"),
        manager=Person("孙", "经理", "sun_property", "物业经理，二级"),
        plumber_hello="大家好，我是物业的赵师傅，以后负责咱们楼的水暖维修",
        plumber_roles="水,暖气 1",
        manager_hello="各位业主好，我是物业孙经理，有事可以在群里说",
        manager_roles="全部 2",
        light_request="2单元3楼楼道灯坏了两天了，晚上黑漆漆的",
        light_note="换了新灯泡，已经亮了",
        elevator_request="1单元电梯又坏了，停在半路门打不开",
        bins_request="2号门旁边的垃圾桶三天没人清理了",
        poll="/poll 周末在院子里装一个自行车棚？ --hours 24",
        small_talk=("大家早上好", "谢谢孙经理，灯修好了"),
    ),
    "en": DemoContent(
        timezone="Europe/London",
        community="Maple Court",
        building="Maple Court B",
        group_title="Maple Court B — neighbours",
        households=96,
        head=Person("Helen", "Park", "helen_mapleb", ""),
        residents=(
            Person("Rita", "Gomez", "rita_mapleb", "unit 2"),
            Person("Tom", "Baker", "tom_mapleb", "unit 1"),
            Person("Amira", "Haddad", "amira_mapleb", "unit 3"),
        ),
        flats=("2-301", "1-502", "3-201"),
        elderly_flat="4-101",
        elderly_name="Mrs Evans",
        plumber=Person("Pavel", "Novak", "pavel_fixes", "plumber, level 1 (repair team)"),
        manager=Person("Grace", "Liu", "grace_property", "property manager, level 2"),
        plumber_hello="Hi all, I'm Pavel from the property team, "
        "I'll be looking after plumbing and heating here",
        plumber_roles="water,heating 1",
        manager_hello="Hello everyone, Grace from the property office here",
        manager_roles="all 2",
        light_request="The stairwell light on the 3rd floor of unit 2 has been out for two days",
        light_note="Replaced the bulb, it works again",
        elevator_request="The elevator in unit 1 stops between floors and the doors won't open",
        bins_request="Rubbish bins by gate 2 have not been emptied for three days",
        poll="/poll Put up a bike shelter in the courtyard? --hours 24",
        small_talk=("Morning all, lovely weather today", "Thank you Grace!"),
    ),
}

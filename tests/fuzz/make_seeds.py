#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets: tests/fuzz/corpus/<target>/.

Stdlib only. The seeds are small, realistic inputs: push bodies as devices
send them (docs/sync-protocol.md), pull query strings, and import CSV files as
docs/exports.md describes them. Entity ids name the world of fuzz_world.h
(coord:1 the grid ... coord:14 a sign-up, kiosk1:1 the kiosk's sign-up), so
edits and archives reach real records. Run it after changing the world or the
formats; the files are committed.

Inputs that reproduce a finding not fixed yet are not seeds (the fixed-budget
run would fail on them at once); they live in tests/fuzz/crashes/<target>/.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
T0 = 1767225600000  # 2026-01-01T00:00:00Z, fuzz_world.h kWorldMs
NOW = T0 + 86400000  # the server clock of the push target
BOM = "\ufeff"

# The world (fuzz_world.h): creates by "coord" in this order, then the kiosk's sign-up.
GRID, HH1, HH2, STATION, HALL, SQUAD, R1, R2, R3, V1, V2, SHIFT1, SHIFT2, SIGNUP = (
    f"coord:{i}" for i in range(1, 15))
KIOSK_SIGNUP = "kiosk1:1"


def op(device, seq, type_, payload, ms, author="staff:wang", logical=0):
    return {"author": author, "hlc": f"{ms}.{logical}", "id": f"{device}:{seq}",
            "payload": payload, "type": type_}


def create(device, seq, kind, fields, ms, **kw):
    return op(device, seq, f"{kind}.create", {"entity": f"{device}:{seq}", "fields": fields}, ms, **kw)


def edit(device, seq, kind, entity, fields, ms, **kw):
    return op(device, seq, f"{kind}.edit", {"entity": entity, "fields": fields}, ms, **kw)


def push(device, ops, protocol=2, device_ms=NOW):
    body = {"device": device, "ops": ops, "protocol": protocol}
    if protocol >= 2 and device_ms is not None:
        body["device_ms"] = device_ms
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def push_seeds():
    t = NOW - 60000
    s = {}
    s["coordinator-household-and-resident"] = push("tab-a1", [
        create("tab-a1", 1, "household", {"address": "幸福里2栋202室", "grid": GRID, "phone": "13700001234",
                                          "members": 3}, t),
        create("tab-a1", 2, "resident", {"name": "赵云", "household": "tab-a1:1", "gender": "male",
                                         "birth_date": "1975-02-03", "relation": "head", "ethnicity": "yi"}, t + 1),
        create("tab-a1", 3, "resident", {"name": "赵小云", "household": "tab-a1:1", "birth_date": "2014-09-09",
                                         "relation": "child"}, t + 2)])
    s["coordinator-edit-phone"] = push("coord", [
        edit("coord", 15, "household", HH1, {"phone": "139 0000 2222", "note": "搬到2楼"}, t)])
    s["kiosk-signup"] = push("kiosk1", [
        create("kiosk1", 2, "signup", {"shift": SHIFT1, "volunteer": V2, "channel": "kiosk"}, t, author="kiosk")])
    s["kiosk-cancel-own-signup"] = push("kiosk1", [
        op("kiosk1", 2, "signup.archive", {"entity": KIOSK_SIGNUP, "reason": "有事"}, t, author="kiosk")])
    s["kiosk-signup-with-attendance"] = push("kiosk1", [
        create("kiosk1", 2, "signup", {"shift": SHIFT2, "volunteer": V1, "channel": "kiosk",
                                       "check_in": "2026-01-01T00:00", "check_out": "2026-12-31T23:59"},
               t, author="kiosk")])
    s["coordinator-check-in-out"] = push("coord", [
        edit("coord", 15, "signup", SIGNUP, {"check_in": "2026-01-05T15:58", "check_in_method": "list"}, t),
        edit("coord", 16, "signup", SIGNUP, {"check_out": "2026-01-05T18:05"}, t + 1),
        edit("coord", 17, "signup", SIGNUP, {"attendance": "no_show", "attendance_note": "未到"}, t + 2)])
    s["protocol1-no-device-ms"] = push("coord", [
        create("coord", 15, "squad", {"name": "助老服务队", "leader_name": "王芳"}, t)], protocol=1)
    s["archive-restore"] = push("coord", [
        op("coord", 15, "resident.archive", {"entity": R3, "reason": "迁出"}, t),
        op("coord", 16, "resident.restore", {"entity": R3}, t + 1)])
    s["signup-move"] = push("coord", [
        op("coord", 15, "signup.move", {"entity": SIGNUP, "fields": {"shift": SHIFT2, "seen_place": "confirmed",
                                                                      "clash_override": False}}, t)])
    dup = create("coord", 15, "station", {"name": "税务小区站", "station_type": "station",
                                          "specialities": ["法律援助"], "rooms": ["会议室"]}, t)
    other = dict(dup, author="staff:li")
    s["duplicate-and-reused-id"] = push("coord", [dup, dup, other])
    s["malformed-among-good"] = push("coord", [
        create("coord", 15, "grid", {"name": "第二网格", "code": "DC-02"}, t),
        {"author": "staff:wang", "id": "coord:16", "payload": {}, "type": "grid.create"},
        {"id": 17, "hlc": "x", "type": ["a"], "payload": None},
        create("coord", 18, "micro_grid", {"name": "微网格一", "grid": "coord:15"}, t + 2)])
    s["unknown-type-from-newer-app"] = push("coord", [
        create("coord", 15, "request", {"title": "路灯坏了", "resident": R1}, t)])
    s["clock-far-ahead"] = push("coord", [
        create("coord", 15, "grid", {"name": "未来网格", "code": "F-01"}, NOW + 40 * 86400000)],
        device_ms=NOW + 40 * 86400000)
    s["clock-ahead-warning"] = push("coord", [
        create("coord", 15, "grid", {"name": "明天网格", "code": "F-02"}, NOW + 86400000)],
        device_ms=NOW + 86400000)
    s["hours-and-shift"] = push("coord", [
        create("coord", 15, "shift", {"station": HALL, "role": "助老送餐", "start": "2026-01-10T11:00",
                                      "end": "2026-01-10T13:00", "capacity": 4, "required_skills": ["elderly_care"],
                                      "min_age": 16, "note": "带保温箱"}, t),
        create("coord", 16, "hours_adjustment", {"volunteer": V1, "date": "2026-01-02", "minutes": 90,
                                                 "reason": "补录", "station": STATION}, t + 1)])
    s["volunteer-full"] = push("coord", [
        create("coord", 15, "volunteer", {"resident": R3, "squad": SQUAD, "guardian_consent": True,
                                          "skills": ["tutoring", "arts"], "joined": "2025-12-01",
                                          "availability": ["sat 09:00-12:00"], "unavailable_dates": ["2026-02-01"],
                                          "preferred_station": STATION, "max_weekly_hours": 4}, t)])
    s["large-numbers"] = push("coord", [
        create("coord", 4294967296, "grid", {"name": "大序号", "code": "X"}, t, logical=65535),
        create("coord", 0, "grid", {"name": "零", "code": "Z"}, t)], device_ms=1)
    s["other-devices-op"] = push("tab-b2", [
        edit("coord", 15, "household", HH2, {"phone": "13600000000"}, t)])
    s["author-spoof"] = push("kiosk1", [
        create("kiosk1", 2, "signup", {"shift": SHIFT1, "volunteer": V1, "channel": "coordinator",
                                       "clash_override": True, "override_reason": "x"}, t, author="staff:secretary")])
    s["empty"] = push("coord", [])
    deep = "[" * 40 + "1" + "]" * 40
    s["nested-payload"] = push("coord", [create("coord", 15, "grid", {"name": "深", "code": "N"}, t)]).replace(
        '"code":"N"', '"code":"N","extra":' + deep)
    s["escapes-and-unicode"] = push("coord", [
        create("coord", 15, "resident", {"name": "李\u4dae\\\"\u0001", "household": HH2,
                                         "phone": "+86 138-1234-5678"}, t)])
    return s


def pull_seeds():
    return {
        "default": "", "after-0-limit-500": "after=0&limit=500", "after-only": "after=3",
        "limit-max": "limit=1000", "page-of-one": "after=14&limit=1", "question-mark": "?after=2&limit=5",
        "after-2-62": "after=4611686018427387904&limit=10",
        "percent-encoded": "after=%31%30&limit=%35", "negative": "after=-1", "limit-zero": "limit=0",
        "limit-over": "limit=1001", "repeated": "after=1&after=2&limit=3&limit=4", "plus-sign": "after=+5",
        "hex": "after=0x10", "exponent": "limit=1e3", "space": "after=%201&limit=2%20",
        "other-keys": "since=3&after=4&x=&limit=", "overflow": "after=99999999999999999999999",
    }


def csv(rows, bom=True, eol="\r\n"):
    return (BOM if bom else "") + "".join(eol.join([r]) + eol for r in rows)


def csv_seeds():
    return {
        "volunteers-zh.csv": csv([
            "姓名,住址,技能,备注,队伍,籍贯",
            "李堃,幸福里1栋101室,急救、茶艺,\"第一行\r\n第二行\",文明劝导队,云南",
            "张三,幸福里1栋101室,,,,",
            "王玥,\"税务小区3栋301室, \"\"东\"\"门\",飞行,,,",
            "",
            "李喆,幸福里1栋101室,,,,"]),
        "volunteers-en-lf.csv": csv([
            "resident_id,name,skills,joined,guardian_consent,availability,unavailable_dates,preferred_station,"
            "max_weekly_hours,note",
            f"{R3},李喆,tutoring;arts,2025-12-01,yes,\"sat 09:00-12:00, sun 14:00-16:00\",2026-02-01,"
            f"幸福里党群服务点,4,周末",
            f"{R1},,first_aid,2024-03-01,0,mon 09:00-12:00,,{STATION},6,"], bom=False, eol="\n"),
        "volunteers-groups.csv": csv([
            "居民编号,姓名,住址,队伍,小组,技能,加入日期,监护人同意,可服务时间,不可服务日期,常驻站点,每周最多小时,备注",
            f"{R3},李喆,幸福里1栋101室,文明劝导队,,辅导；文艺,2025-12-01,是,sat 09:00-12:00,2026-02-01,"
            f"东城社区党群服务中心,4,\"多行\n备注\"",
            f"{R2},王玥,,{SQUAD},不存在的组,法律,2026-13-01,否,xx,,,-1,"]),
        "shifts-en.csv": csv([
            "station,role,start,end,capacity,required_skills,min_age,note",
            "幸福里党群服务点,课后托管,2026-12-01 16:00,2026-12-01 18:00,3,tutoring,,",
            f"{HALL},\"法律援助, 咨询\",2026/12/2 9:00,2026/12/2 11:30,2,,18,\"带\n材料\"",
            "幸福里党群服务点,巡逻,2026-12-03T20:00,2026-12-03T19:00,2,,,",
            "没有这个站,巡逻,2026-12-03T18:00,2026-12-03T20:00,2,,,",
            "幸福里党群服务点,巡逻,明天,2026-12-03T20:00,2,,,",
            "幸福里党群服务点,巡逻,2026-12-03T18:00,2026-12-03T20:00,二,,,",
            "幸福里党群服务点,,2026-12-03T18:00,2026-12-03T20:00,2,,,"], bom=False, eol="\n"),
        "shifts-zh.csv": csv([
            "站点,岗位,开始,结束,名额,所需技能,最低年龄,备注",
            "东城社区党群服务中心,助老送餐,2026-12-05T11:00,2026-12-05T13:00,4,助老、烹饪,16,带保温箱",
            "幸福里党群服务点,阅读空间,2026-12-06 09:00,2026-12-06 11:00,100,,,"]),
        "shifts-cr-only.csv": "站点,岗位,开始,结束,名额\r幸福里党群服务点,巡逻,2026-12-07T19:00,2026-12-07T21:00,2\r",
        "unterminated-quote.csv": csv(["姓名,住址", "\"李堃,幸福里1栋101室"]),
        "duplicate-column.csv": csv(["姓名,住址,姓名", "李堃,幸福里1栋101室,李堃"]),
        "no-header.csv": BOM + "\r\n\r\n",
        "lenient-quotes.csv": csv(["name,address,note", "\"李堃\"x,幸福里1栋101室,\"a\"\"b\"c", "a,\"b\r\nc\""]),
        "full-width-space.csv": csv(["姓名,住址,技能", "\u3000李堃\u3000,幸福里1栋101室\t,\t急救，茶艺"]),
    }


def write(folder, name, text):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(text.encode("utf-8"))


def main():
    for sub in ("push", "pull_query", "csv_import"):
        d = os.path.join(CORPUS, sub)
        if os.path.isdir(d):
            for n in os.listdir(d):
                os.remove(os.path.join(d, n))
    for name, text in push_seeds().items():
        write(os.path.join(CORPUS, "push"), name + ".json", text)
    for name, text in pull_seeds().items():
        write(os.path.join(CORPUS, "pull_query"), name + ".txt", text)
    for name, text in csv_seeds().items():
        write(os.path.join(CORPUS, "csv_import"), name, text)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(CORPUS) for f in fs)
    print(f"seeds written to {CORPUS}: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

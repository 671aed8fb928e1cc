"""The relevance judgments, written down as the grading rules the judge applied.

Each query's rules were written after reading the candidate articles (the top
20 of every system in bench/relevance.py, plus every article containing a
query word): which titles are the event itself (3), which are reprints, later
rounds or close relatives (2), which only mention the subject (1). The rules
grade each candidate; the first rule that holds gives the grade, else 0.
Hand-checked exceptions are in OVERRIDES. ``python data/eval/judge.py
CORPUS.jsonl`` rewrites qrels.txt for the pooled candidates (see
``bench/relevance.py --pool`` for the pool of the current systems).

A rule is ``(grade, predicate)``; predicates are built from
``T(regex)`` (title), ``B(regex, n)`` (title + body, at least n matches),
``Y(years…)`` (published in one of those years), combined with ``&``, ``|``, ``~``.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class P:
    def __init__(self, f: Callable[[dict], bool]) -> None:
        self.f = f

    def __call__(self, d: dict) -> bool:
        return self.f(d)

    def __and__(self, o: "P") -> "P":
        return P(lambda d: self(d) and o(d))

    def __or__(self, o: "P") -> "P":
        return P(lambda d: self(d) or o(d))

    def __invert__(self) -> "P":
        return P(lambda d: not self(d))


def T(rx: str) -> P:
    r = re.compile(rx)
    return P(lambda d: bool(r.search(d["ntitle"])))


def B(rx: str, n: int = 1) -> P:
    r = re.compile(rx)
    return P(lambda d: len(r.findall(d["ntext"])) >= n)


def Y(*years: int) -> P:
    ys = {str(y) for y in years}
    return P(lambda d: (d.get("published") or "")[:4] in ys)


def DEP(*names: str) -> P:
    return P(lambda d: d.get("department") in names)


ANY = P(lambda d: True)


def topical(core: str, strong: int = 3, title_alt: str | None = None) -> list:
    """Title names the subject: 3; body dwells on it: 2; mentions it: 1."""
    rules = [(3, T(core))]
    if title_alt:
        rules.append((2, T(title_alt)))
    return rules + [(2, B(core, strong)), (1, B(core))]


COMPETITION = r"赛项|技能大赛|选拔赛|赛场"

RULES: dict[str, list] = {
    # -- navigational ---------------------------------------------------------
    "nav01": [(3, T("年会") & T("共同体") & Y(2023)), (2, T("齐聚宜宾")), (2, T("年会") & T("共同体")),
              (1, T("共同体")), (1, B("共同体年会|年会"))],
    "nav02": [(3, T("华中数控") & T("实训基地")), (1, B("华中数控"))],
    "nav03": [(3, T("琅勃拉邦") & T("来访")), (1, B("琅勃拉邦")), (1, T("老挝.*来访"))],
    "nav04": [(3, T("2025") & T("院长杯")), (1, T("院长杯")), (1, B("院长杯"))],
    "nav05": [(3, T("数智工匠产业学院揭牌")), (2, T("数智工匠产业学院")), (1, B("数智工匠产业学院"))],
    "nav06": [(3, T("翠屏书香节")), (1, B("翠屏书香节"))],
    "nav07": [(3, T("杨丹")), (1, B("杨丹")), (1, T("教育工委书记.*调研"))],
    "nav08": [(3, T("黄国庆")), (1, B("黄国庆")), (1, T("教育工委书记.*调研"))],
    "nav09": [(3, T("川南机电职业学院")), (1, B("川南机电职业学院")), (1, T("来我院考察交流"))],
    "nav10": [(3, T("宜宾职业技术学院来我院考察交流")), (1, T("齐聚宜宾|宜宾职业技术学院")),
              (1, T("考察交流") & B("宜宾职业技术学院")), (1, B("宜宾职业技术学院") & B("考察|交流"))],
    "nav11": [(3, T("ai大模型")), (2, T("学术报告|讲座|名师讲堂|学术交流") & B("ai大模型")), (1, B("ai大模型"))],
    "nav12": [(3, T("钱文彬")), (1, B("钱文彬"))],
    "nav13": [(3, T("智慧物流") & T("赛项")), (3, T("智慧物流") & T("赛场")), (1, B("智慧物流"))],
    "nav14": [(3, T("机电一体化") & T("赛项")), (1, B("机电一体化") & B(COMPETITION))],
    "nav15": [(3, T("教职工趣味运动会")), (1, B("趣味运动会"))],
    "nav16": [(3, T("入党宣誓")), (1, B("入党宣誓"))],
    "nav17": [(3, T("云栈")), (2, B("云栈") & ~T("通知")), (1, B("云栈"))],
    "nav18": [(3, T("云计算应用赛项")), (1, B("云计算应用"))],
    "nav19": [(3, T("华中数控")), (2, T("年会") & T("共同体")), (2, T("齐聚宜宾")), (1, B("华中数控"))],
    "nav20": [(3, T("万晓峰")), (1, B("万晓峰"))],
    # -- topical ------------------------------------------------------------------
    "top01": [(3, T("产教融合")), (2, T("产业学院|校企合作|共建|签约|订单班|实训基地|洽谈合作|携手育人|牵手|现代学徒制")
                                   & B("产教融合")), (2, B("产教融合", 3)), (1, B("产教融合"))],
    "top02": [(3, T("签约|签订.*协议")), (2, T("携手育人|牵手") & B("签约|签订")),
              (1, T("校企合作|共建|洽谈合作|携手育人|牵手")),
              (1, B("签约|签订") & B("校企合作"))],
    "top03": [(3, T("订单班")), (2, T("准员工|预订")), (2, B("订单班", 3)), (1, B("订单班"))],
    "top04": [(3, T("现代学徒制")), (2, B("现代学徒制", 3)), (1, B("现代学徒制"))],
    "top05": [(3, T("专升本")), (2, T("圆梦本科")), (2, B("专升本", 2)), (1, B("专升本"))],
    "top06": [(3, T("一等奖") & T(COMPETITION + "|捷报|喜报")),
              (3, T("捷报|喜报|荣获|蜀江力量|显身手|赛场|技能大赛") & ~T("通知|教学能力") & B("一等奖")),
              (1, B("一等奖") & B("技能大赛|赛项") & ~T("教学能力比赛"))],
    "top07": [(3, T("乡村振兴")), (2, T("三下乡|送技下乡|茶园|茶叶|科技特派员|智慧茶园")), (2, B("乡村振兴", 2)),
              (1, B("乡村振兴"))],
    "top08": [(3, T("主题教育")), (2, T("不忘初心|主题党日")), (1, B("主题教育"))],
    "top09": [(3, T("发明专利")), (2, T("专利")), (2, B("发明专利", 2)), (1, B("发明专利"))],
    "top10": [(3, T("申报") & T("科研项目")), (2, T("科研项目|科技计划项目")), (2, T("申报") & B("科研")),
              (1, B("科研项目") & B("申报"))],
    "top11": [(3, T("思政课")), (2, T("马克思主义学院") & B("思政课")), (2, B("思政课", 3)), (1, B("思政课"))],
    "top12": [(3, T("招聘会|双选会")), (2, T("企业进校园|岗位")), (1, B("招聘会"))],
    "top13": [(3, T("产业学院理事会")), (2, B("理事会") & T("产业学院")), (1, B("理事会") & B("产业学院"))],
    "top14": [(3, T("辅导员素质能力大赛")), (2, B("辅导员素质能力大赛")), (1, B("辅导员") & B("比赛|大赛"))],
    "top15": [(3, T("开学典礼")), (1, B("开学典礼"))],
    "top16": [(3, T("澜湄职教驿站")), (2, T("老挝") & B("澜湄职教驿站")), (2, B("澜湄职教驿站", 2)),
              (1, B("澜湄职教驿站"))],
    "top17": [(3, T("科技特派员")), (2, B("科技特派员", 2)), (1, B("科技特派员"))],
    "top18": [(3, T("义诊")), (2, T("健康送到群众身边")), (2, B("义诊", 2)), (1, B("义诊"))],
    "top19": [(3, T("校园招聘会")), (3, T("企业进校园")), (2, T("招聘会|双选会")), (1, B("招聘会"))],
    "top20": [(3, T("教学能力比赛")), (2, T("省赛中展风采")), (1, B("教学能力比赛"))],
    # -- department -------------------------------------------------------------
    "dep01": [(3, T("产教融合") & DEP("智能制造学院")), (2, DEP("智能制造学院") & B("产教融合", 2)),
              (2, DEP("智能制造学院") & T("产业学院|订单班|共建|签约|洽谈合作|校企")),
              (1, DEP("智能制造学院") & B("产教融合"))],
    "dep02": [(3, DEP("信息工程学院") & T("讲座|学术报告|名师讲堂")), (1, DEP("信息工程学院") & B("讲座"))],
    "dep03": [(3, T("订单班") & (T("智能制造学院|智造学院") | DEP("智能制造学院"))),
              (2, T("订单班") & B("智能制造学院|智造学院")), (2, B("订单班") & DEP("智能制造学院")),
              (1, T("订单班|准员工")), (1, B("订单班") & B("智能制造学院"))],
    "dep04": [(3, T("马克思主义学院") & T("集体备课")), (2, T("集体备课")), (1, T("马克思主义学院")),
              (1, B("集体备课"))],
    "dep05": [(3, DEP("教务处") & T("^关于.*通知")), (1, DEP("教务处") & B("通知"))],
    "dep06": [(3, DEP("招生就业处") & T("双选会")), (2, DEP("招生就业处") & T("招聘会|企业进校园")),
              (1, DEP("招生就业处") & B("双选会"))],
    "dep07": [(3, T("医学健康学院") & T("献血")), (2, T("献血")), (1, B("献血"))],
    "dep08": [(3, T("入党积极分子培训班")), (1, B("入党积极分子"))],
    "dep09": [(3, DEP("科研处") & T("科研工作会议")), (1, DEP("科研处") & B("科研工作会议"))],
    "dep10": [(3, DEP("国际交流与合作处") & T("老挝")), (2, DEP("国际交流与合作处") & B("老挝", 2)),
              (1, DEP("国际交流与合作处") & B("老挝"))],
    # -- date ---------------------------------------------------------------------
    "dat01": [(3, Y(2023) & T(COMPETITION + "|捷报")), (2, T("2023") & T(COMPETITION)),
              (1, Y(2023) & B("技能大赛")), (1, T("2023") & B("技能大赛"))],
    "dat02": [(3, T("2019") & T("招生宣传")), (2, T("招生宣传")), (1, Y(2019) & B("招生宣传")),
              (1, B("2019") & B("招生宣传"))],
    "dat03": [(3, T("二十届四中全会")), (1, B("二十届四中全会"))],
    "dat04": [(3, T("专升本")), (2, T("圆梦本科")), (1, B("专升本"))],
    "dat05": [(3, T("申报2026年度校企合作项目")), (1, T("校企合作项目")), (1, B("校企合作项目"))],
    "dat06": [(3, T("2022年成渝职业教育发展论坛")), (1, T("成渝职业教育发展论坛")), (1, B("成渝职业教育发展论坛"))],
    "dat07": [(3, T("产教融合")), (2, T("产业学院|校企合作|共建|签约|订单班|实训基地|洽谈合作|携手育人|牵手|现代学徒制|共同体")
                                   & B("产教融合")), (2, B("产教融合", 3)), (1, B("产教融合"))],
    "dat08": [(3, T("2026年田径运动会")), (2, T("田径运动会")), (1, T("运动会")), (1, B("田径运动会"))],
    "dat09": [(3, T("期末考试") & Y(2026)), (2, T("期末考试") & Y(2022, 2023, 2024, 2025)), (1, T("期末考试")),
              (1, B("期末考试"))],
    "dat10": [(3, T("新闻宣传工作先进集体") & Y(2026)), (2, T("新闻宣传工作先进集体") & Y(2022, 2023, 2024, 2025)),
              (1, T("新闻宣传工作先进集体")), (1, B("新闻宣传") & B("先进集体"))],
    # -- abbreviations ----------------------------------------------------------------
    "abb01": [(3, T("宜宾职业技术学院")), (2, T("齐聚宜宾")), (2, B("宜宾职业技术学院", 2)), (1, B("宜宾职业技术学院"))],
    "abb02": [(3, T("信息工程学院|信工学院")), (2, DEP("信息工程学院")), (1, B("信息工程学院|信工学院"))],
    "abb03": [(3, T("订单班") & (T("智能制造学院|智造学院") | DEP("智能制造学院"))),
              (2, T("订单班") & B("智能制造学院|智造学院")), (2, B("订单班") & DEP("智能制造学院")),
              (1, T("订单班|准员工")), (1, B("订单班") & B("智能制造学院|智造学院"))],
    "abb04": [(3, T("蜀江职院") & T("产教融合")), (2, T("蜀江职院|蜀江职业技术学院") & B("产教融合")),
              (1, B("产教融合") & B("蜀江职院"))],
    "abb05": [(3, T("双高")), (2, B("双高", 3)), (1, B("双高"))],
    "abb06": [(3, T("十四五")), (2, B("十四五", 2)), (1, B("十四五"))],
    "abb07": [(3, T("1\\+x")), (2, B("1\\+x", 2)), (1, B("1\\+x"))],
    # -- sub-words of names jieba does not know ----------------------------------------
    "sub01": [(3, T("锐驰")), (2, B("锐驰", 2)), (1, B("锐驰"))],
    "sub02": [(3, T("链云")), (2, B("链云", 2)), (1, B("链云"))],
    "sub03": [(3, T("锻智")), (2, B("锻智", 2)), (1, B("锻智"))],
    "sub04": [(3, T("颐年")), (2, B("颐年", 2)), (1, B("颐年"))],
    "sub05": [(3, T("极光数联")), (2, B("极光数联", 2)), (1, B("极光数联"))],
    "sub06": [(3, T("智途")), (2, B("智途", 2)), (1, B("智途"))],
    "sub07": [(3, T("鑫源")), (2, B("鑫源", 2)), (1, B("鑫源"))],
    "sub08": [(3, T("翠屏山")), (2, B("翠屏山", 2)), (1, B("翠屏山"))],
    "sub09": [(3, T("康瑞")), (2, B("康瑞", 2)), (1, B("康瑞"))],
    "sub10": [(3, T("筑境")), (2, B("筑境", 2)), (1, B("筑境"))],
    "sub11": [(3, T("马克思主义学院|马克思")), (2, DEP("马克思主义学院") & B("马克思")), (2, B("马克思", 3)),
              (1, B("马克思"))],
    "sub12": [(3, T("数智装备")), (2, B("数智装备", 2)), (1, B("数智装备"))],
    "sub13": [(3, T("恒翼")), (2, B("恒翼", 2)), (1, B("恒翼"))],
    # -- phrases -----------------------------------------------------------------------
    "phr01": [(3, T("产教融合型企业")), (2, B("产教融合型企业", 2)), (1, B("产教融合型企业"))],
    "phr02": [(3, T("智能制造产教融合发展共同体")), (3, T("齐聚宜宾")), (2, B("智能制造产教融合发展共同体", 2)),
              (1, B("智能制造产教融合发展共同体"))],
    "phr03": [(3, T("工业机器人系统集成")), (3, T(COMPETITION) & ~T("通知") & B("工业机器人系统集成")),
              (2, B("工业机器人系统集成", 2)), (1, B("工业机器人系统集成"))],
    "phr04": [(3, T("大思政课")), (2, B("大思政课", 2)), (1, B("大思政课"))],
    "phr05": [(3, T("中文\\+技能")), (2, B("中文\\+技能", 2)), (1, B("中文\\+技能"))],
    "phr06": [(3, T("装配式建筑")), (2, B("装配式建筑", 2)), (1, B("装配式建筑"))],
    "phr07": [(3, T("国家发明专利")), (2, T("专利") & B("国家发明专利")), (1, B("国家发明专利"))],
    "phr08": [(3, T("技能大赛四川省选拔赛")),
              (3, T(COMPETITION + "|捷报|喜报|蜀江力量") & ~T("通知") & B("技能大赛四川省选拔赛")),
              (2, B("技能大赛四川省选拔赛", 2)), (1, B("技能大赛四川省选拔赛"))],
    "phr09": [(3, T("数控车铣加工")), (2, B("数控车铣加工", 2)), (1, B("数控车铣加工"))],
    # -- operators ------------------------------------------------------------------------
    "ops01": [(3, T("签约|签订") & B("产教融合")), (1, T("签约|签订")), (1, B("签约") & B("产教融合"))],
    "ops02": [(3, T("专利") & ~T("成果转化")), (1, T("成果转化")), (1, B("专利"))],
    "ops03": [(3, T("献血|义诊")), (2, T("健康送到群众身边")), (2, B("献血|义诊", 2)), (1, B("献血|义诊"))],
    "ops04": [(3, T("老挝") & ~T("通知")), (2, B("老挝", 2) & ~T("通知")), (1, B("老挝") & ~T("通知"))],
    "ops05": [(3, T("技能大赛|赛项|选拔赛")), (1, B("技能大赛"))],
}

# the same needs, typed in traditional characters
RULES["tra01"] = RULES["nav01"]
RULES["tra02"] = RULES["dep04"]
RULES["tra03"] = RULES["nav19"]
RULES["tra04"] = [(3, T("职业技能等级证书|1\\+x")), (2, B("职业技能等级证书", 2)), (1, B("职业技能等级证书"))]
RULES["tra05"] = [(3, T("学术沙龙")), (2, B("学术沙龙", 2)), (1, B("学术沙龙"))]
RULES["tra06"] = [(3, T("专升本") & T("录取|圆梦本科|佳绩")), (3, T("圆梦本科")), (2, T("专升本")),
                  (2, B("专升本") & B("录取")), (1, B("专升本"))]

#: candidates beyond the query's own words: what an abbreviation stands for
EXTRA_NEEDLES: dict[str, list[str]] = {
    "abb01": ["宜宾职业技术学院"],
    "abb02": ["信息工程学院"],
    "abb03": ["智能制造学院"],
    "abb04": ["蜀江职业技术学院"],
}

#: (qid, path) -> grade, where reading the article overruled the rule
OVERRIDES: dict[tuple[str, str], int] = {}


def doc_record(a: dict) -> dict:
    from indexer.analysis import normalise
    title = a.get("title") or ""
    body = a.get("body") or ""
    return {**a, "ntitle": normalise(title), "ntext": normalise(title + "\n" + body)}


def grade(qid: str, d: dict) -> int:
    path = d.get("path")
    if (qid, path) in OVERRIDES:
        return OVERRIDES[(qid, path)]
    for g, pred in RULES[qid]:
        if pred(d):
            return g
    return 0


def main(argv: list[str]) -> int:
    """judge.py CORPUS.jsonl POOL.json: POOL maps qid -> candidate paths."""
    from bench.relevance import doc_path, load_specs
    corpus = {}
    for line in Path(argv[0]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            a["path"] = doc_path(a["url"])
            corpus[a["path"]] = doc_record(a)
    pool = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    lines = ["# qid 0 path grade: judged by data/eval/judge.py's rules (see there); "
             "every document any system ranks in its top 20 is judged"]
    for spec in load_specs():
        assert spec.id in RULES, spec.id
        for path in sorted(pool.get(spec.id, [])):
            lines.append(f"{spec.id} 0 {path} {grade(spec.id, corpus[path])}")
    (HERE / "qrels.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

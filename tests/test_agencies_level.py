"""Administrative level from the structure of an agency's name (issue 12): the suffix that names the body
and the region the gazetteer reads, never a 乡 or 镇 anywhere in the name."""

from __future__ import annotations

import pytest

from extract.region import body, classify, describe, level
from extract.template import templates

# Real agency names that publish annual reports, with the level each is known to be.
KNOWN_LEVELS: list[tuple[str, str]] = [
    # the names the old rule read as townships
    ("南京市住房和城乡建设局", "市级部门"),
    ("江苏省住房和城乡建设厅", "省级部门"),
    ("镇江市人民政府", "市"),
    ("国家乡村振兴局", "国务院部门"),
    # State Council departments
    ("中华人民共和国教育部", "国务院部门"),
    ("国家统计局", "国务院部门"),
    ("海关总署", "国务院部门"),
    ("国务院办公厅", "国务院部门"),
    ("国家发展和改革委员会", "国务院部门"),
    ("应急管理部", "国务院部门"),
    # provinces and their departments
    ("江苏省人民政府", "省"),
    ("北京市人民政府", "省"),
    ("上海市人民政府办公厅", "省级部门"),
    ("浙江省农业农村厅", "省级部门"),
    ("北京市教育委员会", "省级部门"),
    ("河南省乡村振兴局", "省级部门"),
    # cities and their departments
    ("淮安市人民政府", "市"),
    ("乡宁县人民政府", "县/区"),
    ("镇江市京口区人民政府", "县/区"),
    ("苏州市自然资源和规划局", "市级部门"),
    ("杭州市城乡建设委员会", "市级部门"),
    ("阿里地区行政公署", "市"),
    ("镇江市城乡建设局", "市级部门"),
    # counties, districts and their departments
    ("淮安市洪泽区人民政府", "县/区"),
    ("江阴市人民政府", "县/区"),
    ("北京市朝阳区教育委员会", "县级部门"),
    ("北京市海淀区人民政府办公室", "县级部门"),
    ("洛阳市涧西区住房和城乡建设局", "县级部门"),
    ("宁波市鄞州区农业农村局", "县级部门"),
    # streets and townships
    ("北京市朝阳区人民政府东湖街道办事处", "乡镇/街道"),
    ("北京市丰台区人民政府西罗园街道办事处", "乡镇/街道"),
    ("北京市朝阳区金盏地区办事处", "乡镇/街道"),
    ("淮安市洪泽区东双沟镇人民政府", "乡镇/街道"),
    ("普兰县巴嘎乡人民政府", "乡镇/街道"),
    ("小关街道", "乡镇/街道"),
    ("朝阳区东湖街道", "乡镇/街道"),
    ("镇江市京口区正东路街道办事处", "乡镇/街道"),
]


def test_the_list_covers_every_level_with_thirty_names():
    assert len(KNOWN_LEVELS) >= 30
    assert {lv for _, lv in KNOWN_LEVELS} == {"国务院部门", "省", "省级部门", "市", "市级部门", "县/区", "县级部门",
                                              "乡镇/街道"}


@pytest.mark.parametrize(("name", "known"), KNOWN_LEVELS)
def test_level_from_the_structure_of_the_name(name: str, known: str):
    assert level(name, templates()) == known


def test_a_county_name_shared_by_two_provinces_gives_no_province():
    # 朝阳区 is in Beijing and in Changchun: printed alone, the gazetteer's pick would be a guess
    assert classify("朝阳区东湖街道", templates()) == {"admin_level": "乡镇/街道", "province": None, "city": None,
                                                    "county": "朝阳区"}
    assert describe("朝阳区东湖街道", templates())["region_ambiguous"] is True
    assert classify("北京市朝阳区东湖街道", templates())["province"] == "北京市"


@pytest.mark.parametrize(("name", "canonical"), [
    ("北京市朝阳区人民政府东湖街道办事处", "东湖街道"),
    ("朝阳区东湖街道", "东湖街道"),
    ("淮安市洪泽区东双沟镇人民政府", "东双沟镇"),
    ("淮安市洪泽区人民政府", "人民政府"),
    ("海淀区", "人民政府"),
    ("北京市海淀区人民政府办公室", "人民政府办公室"),
    ("中华人民共和国教育部", "教育部"),
    ("武汉市东湖新技术开发区管理委员会", "东湖新技术开发区管委会"),
])
def test_body_in_canonical_form(name: str, canonical: str):
    assert body(name, templates()) == canonical


def test_a_name_without_a_known_body_or_region_has_no_level():
    # no region the gazetteer knows, and not the form of a State Council department: null, not a guess
    assert level("平潭综合实验区管委会办公室", templates()) is None

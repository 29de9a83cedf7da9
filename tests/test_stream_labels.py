"""The stream's table patterns find every label where it starts, with or without its enumerator: their lookahead
on the characters a label can start with (which lets the search skip other positions) drops none."""

from __future__ import annotations

from extract.stream import SHORT_BODY_CHARS, _label_parts, stream_anchors
from extract.template import templates
from extract.text import squash


def _labels() -> dict[str, set[str]]:
    tpl = templates()
    return {
        "disclosure": {t for lab in tpl.disc_rows.labels for t in (lab.label, *lab.aliases)},
        "applications": {t for lab in tpl.app_rows.labels for t in (lab.label, *lab.aliases)} | set(tpl.app_groups),
        "review_litigation": {t for idx in (tpl.rl_blocks, tpl.rl_results) for lab in idx.labels
                              for t in (lab.label, *lab.aliases)},
    }


def test_every_label_matches_at_its_start_with_and_without_its_enumerator():
    anchors = stream_anchors(templates())
    tried = 0
    for section, texts in _labels().items():
        pattern = anchors.tables[section]
        for text in texts:
            s, enumerator, body = _label_parts(text)
            if not s:
                continue
            printed = [s] + ([body] if enumerator and len(body) > SHORT_BODY_CHARS else [])
            for form in printed:
                m = pattern.match(form)
                assert m is not None and m.start() == 0, (section, form)
                tried += 1
    assert tried > 50


def test_a_crawled_line_is_cut_before_each_label():
    anchors = stream_anchors(templates())
    line = squash("（七）总计630020469四、结转下年度继续办理00000")
    starts = [m.start() for m in anchors.tables["applications"].finditer(line)]
    assert starts == [0, line.index("四、")]

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


def test_a_run_keeps_where_its_digits_changed_width_and_only_there():
    """Normalising widths would make `６８27000` one number: the run keeps the place as a cut, which only the
    split search reads as a boundary; the text and the run's printed pieces stay as printed."""
    from extract.layouts import _Stream
    from extract.match import searched_text

    stream = _Stream()
    stream.blocks("三、收到和处理政府信息公开申请情况", 1)
    (row,) = stream.blocks("（二）部分公开６８27000 95", 2)
    label, run = row.cells
    assert (label.text, run.text, run.cuts) == ("(二)部分公开", "6827000 95", (2,))
    assert searched_text(run) == "68 27000 95"
    (spaced,) = stream.blocks("（二）部分公开６８２７０００ 95", 3)
    assert (spaced.cells[1].text, spaced.cells[1].cuts) == ("6827000 95", ())
    (one_width,) = stream.blocks("（二）部分公开６８２７０００９５", 3)
    assert (one_width.cells[1].text, one_width.cells[1].cuts) == ("682700095", ())
    (forged,) = stream.blocks("（二）部分公开68\ue00027000 95", 4)
    assert (forged.cells[1].text, forged.cells[1].cuts) == ("6827000 95", ())

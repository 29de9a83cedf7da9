"""文本指纹 — one row per current report with text: the MinHash signature (datasketch) of its sections 一 and 五,
kept so that the cross-agency text-reuse search (int_text_reuse_sides) never hashes a report twice.

Incremental on report_id: a run hashes only the current reports it has not hashed yet (report_id is the content
hash, so a report's text never changes under its id); reports no longer current are dropped by the reader.
"""

from __future__ import annotations

import pandas as pd
from datasketch import MinHash

SECTIONS = ("overview", "problems")
SHINGLE_CHARS = 4
MINHASH_PERMUTATIONS = 128
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"  # datasketch 2's hashing (hash values below 2**32: they fit a BIGINT)
MIN_TEXT_CHARS = 20


def signature(text: str) -> list[int]:
    """MinHash hash values of a text's character shingles (4 characters: Chinese has no word breaks)."""
    shingles = {text[i:i + SHINGLE_CHARS].encode("utf-8") for i in range(max(1, len(text) - SHINGLE_CHARS + 1))}
    minhash = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch(list(shingles))
    return [int(v) for v in minhash.hashvalues]


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="report_id", incremental_strategy="delete+insert")
    wanted = dbt.ref("dim_report").filter("is_current and agency_id is not null and year is not null") \
        .project("report_id")
    if dbt.is_incremental:
        wanted = wanted.join(session.table(str(dbt.this)).project("report_id"), "report_id", how="anti")
    sections = dbt.ref("stg_nianbao__report_sections").filter("section_code in ('overview', 'problems')") \
        .join(wanted, "report_id", how="semi").project("report_id, section_code, section_text")
    texts: dict[str, dict[str, str]] = {}
    for report_id, section, text in sections.fetchall():
        texts.setdefault(report_id, {})[section] = text
    rows = []
    for report_id, by_section in texts.items():
        text = "\n".join(by_section.get(s, "") for s in SECTIONS).strip()
        if len(text) >= MIN_TEXT_CHARS:
            rows.append({"report_id": report_id, "text_chars": len(text), "signature": signature(text)})
    if not rows:  # typed even when there is nothing new to hash
        return session.sql("select null::varchar as report_id, null::integer as text_chars, "
                           "null::bigint[] as signature where false")
    return pd.DataFrame(rows, columns=["report_id", "text_chars", "signature"])

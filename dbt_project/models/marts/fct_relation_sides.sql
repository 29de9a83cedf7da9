{#-
    The two sides of every relation of extract/templates/relations.yaml, side by side, per report and scope:
    the one place they are computed (Great Expectations asserts on this, expectations/ writes dq.check_results).
    The relations arrive as the seed `relation_terms` (one row per term, generated from the templates).
    Incremental on report_id (dbt_project.yml): a report's sides come from its own rows only, so a run adding ten
    reports computes, tests and checks ten reports' sides, whatever the size of the warehouse. The SQL is the macro
    nianbao_relation_sides (macros/relation_sides.sql), run in batches of reports; this is the first batch.
-#}
{{ nianbao_relation_sides(nianbao_sides_batch(0, nianbao_sides_batch_count())) }}

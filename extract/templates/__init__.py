"""The templates of the form (YAML files) and what is generated from them (dbt seeds, docs)."""

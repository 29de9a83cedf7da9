-- 输入文件 — one row per input file path, as loaded by the extractor. Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'documents') }}
)

select
    cast(path as varchar) as document_path,
    cast(file_name as varchar) as file_name,
    cast(sha256 as varchar) as sha256,
    cast(size_bytes as bigint) as size_bytes,
    cast(source_form as varchar) as source_form,
    cast(encoding as varchar) as text_encoding,
    cast(layout as varchar) as table_layout,
    cast(status as varchar) as document_status,
    cast(error as varchar) as error_message,
    cast(report_id as varchar) as report_id,
    cast(loaded_at as timestamp) as loaded_at
from source

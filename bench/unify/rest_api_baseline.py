"""(c) What a user would pick instead: dlt's generic rest_api source with its defaults.

Cursor paging, incremental `updated_after`, merge on id; dlt's default loader files and
normaliser (nested objects flattened, classifications as a child table).
"""

from __future__ import annotations

import sys

import dlt
from dlt.sources.rest_api import rest_api_source


def main(base_url: str, api_key: str, database: str, pipelines_dir: str) -> int:
    source = rest_api_source({
        "client": {
            "base_url": base_url,
            "headers": {"x-api-key": api_key},
            "paginator": {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"},
        },
        "resources": [{
            "name": "enrollments",
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {
                "path": "enrollments",
                "data_selector": "enrollments",
                "params": {
                    "limit": 100,
                    "updated_after": {"type": "incremental", "cursor_path": "updated_at",
                                      "initial_value": "2000-01-01T00:00:00Z"},
                },
            },
        }],
    })  # fmt: skip
    pipeline = dlt.pipeline(
        "bench_rest_api", destination=dlt.destinations.duckdb(database),
        dataset_name="rest_api", pipelines_dir=pipelines_dir,
    )  # fmt: skip
    info = pipeline.run(source)
    rows = pipeline.last_trace.last_normalize_info.row_counts.get("enrollments", 0)
    print(f"ROWS={rows}")
    return 0 if not info.has_failed_jobs else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))

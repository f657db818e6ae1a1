{{ union_vendors('sequences') }}

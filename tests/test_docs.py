"""The docs stay true: nothing cites a file outside the repository, every citation of a docs
page names a page and a section that exist, and the README stays one page. (`make test` builds
the site itself with --strict: a dead link, a page left out or a missing snippet fails there.)"""

from __future__ import annotations

import re

from tests.support.cli import ROOT, tracked_files

OUTSIDE = ("vendor-apis.md", "sequenzy-sdk.md", "dlt-field-notes", "dlt-and-connector-anchors",
           "shared/reference/", "../shared/")  # fmt: skip
# `docs/vendors/unify.md, Bulk API`: a page, and the heading of the section meant
CITATION = re.compile(r"(docs/[\w/-]+\.md)(?:, ([A-Z][\w ]+?))?[),:]")


def tracked_text() -> dict[str, str]:
    texts = {}
    for name in tracked_files():
        if not name.endswith(".lock") and name != "tests/test_docs.py":
            try:
                texts[name] = (ROOT / name).read_text()
            except UnicodeDecodeError:
                continue
    return texts


def test_nothing_cites_a_file_outside_the_repository():
    found = [(name, needle) for name, text in tracked_text().items()
             for needle in OUTSIDE if needle in text]  # fmt: skip
    assert found == []


def test_every_cited_docs_page_and_section_exists():
    cited = {(m.group(1), m.group(2)) for text in tracked_text().values()
             for m in CITATION.finditer(text)}  # fmt: skip
    assert len(cited) > 10
    for page, section in sorted(cited, key=str):
        assert (ROOT / page).is_file() or page.startswith("docs/vendors/<"), page
        if section and (ROOT / page).is_file():
            headings = {
                h.strip() for h in re.findall(r"^#+ (.+)$", (ROOT / page).read_text(), re.M)
            }
            assert section in headings, (page, section)


def test_the_readme_is_one_page():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200

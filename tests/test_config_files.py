"""The configuration files a new user copies name every vendor, with the source's own defaults."""

from __future__ import annotations

import tomllib

from sources.common.vendors import specs
from tests.support.cli import ROOT


def test_every_vendor_has_its_section_in_the_config_and_the_secrets_example():
    config = tomllib.loads((ROOT / ".dlt" / "config.toml").read_text())["sources"]
    example_text = (ROOT / ".dlt" / "secrets.toml.example").read_text()
    secrets = tomllib.loads(example_text)["sources"]
    for vendor, chosen in specs().items():
        assert config[vendor]["base_url"] == chosen.settings.base_url, vendor
        assert config[vendor]["lookback_seconds"] == chosen.settings.lookback_seconds, vendor
        assert secrets[vendor]["api_key"].startswith(f"your {chosen.title} API"), vendor
        assert f"SOURCES__{vendor.upper()}__API_KEY" in example_text, vendor

"""outbox.unsubscribe_url: an https address, or an error naming the key and the fix."""

from __future__ import annotations

import pytest
import yaml

from mailflow.config.load import load_config
from mailflow.errors import MailflowError
from tests.program.year import new_program
from tests.yaml_files import load_yaml


def _with_url(tmp_path, url: str):
    root = new_program(tmp_path / "p")
    config = load_yaml((root / "config.yaml").read_text())
    config.setdefault("outbox", {})["unsubscribe_url"] = url
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return root


def test_an_https_endpoint_is_accepted(tmp_path):
    root = _with_url(tmp_path, "https://mentoring.example.org/unsubscribe")
    assert load_config(root).outbox.unsubscribe_url == "https://mentoring.example.org/unsubscribe"


def test_a_plain_http_endpoint_is_refused_naming_the_key_and_the_fix(tmp_path):
    with pytest.raises(MailflowError) as refused:
        load_config(_with_url(tmp_path, "http://mentoring.example.org/unsubscribe"))
    assert "outbox.unsubscribe_url" in str(refused.value)
    assert "https://" in str(refused.value)

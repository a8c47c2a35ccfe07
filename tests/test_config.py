"""Settings precedence: arguments > MEDCITE_* environment > TOML file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from medcite.config import Settings


def test_file_then_environment_then_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "medcite.toml").write_text(
        '[search]\nk = 3\nmode = "bm25"\n[compose]\nretrieve_k = 30\n'
    )
    monkeypatch.setenv("MEDCITE_HOME", str(home))
    from_file = Settings()
    assert from_file.home == home
    assert (from_file.search.k, from_file.search.mode, from_file.compose.retrieve_k) == (
        3,
        "bm25",
        30,
    )

    monkeypatch.setenv("MEDCITE_SEARCH__K", "7")
    assert Settings().search.k == 7
    assert Settings(search={"k": 9}).search.k == 9


def test_unknown_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="typo"):
        Settings(home=tmp_path, search={"typo": 1})


def test_settings_hash_changes_with_answer_relevant_settings(tmp_path: Path) -> None:
    base = Settings(home=tmp_path)
    assert base.settings_hash() == Settings(home=tmp_path / "elsewhere").settings_hash()
    assert base.settings_hash() != Settings(home=tmp_path, search={"rrf_k": 10}).settings_hash()


def test_secrets_never_print() -> None:
    settings = Settings(search_token="milvus-secret", scale={"embed_api_key": "sk-secret"})
    shown = f"{settings!r} {settings}"
    assert "milvus-secret" not in shown and "sk-secret" not in shown
    assert settings.scale.embed_api_key is not None
    assert settings.scale.embed_api_key.get_secret_value() == "sk-secret"

"""Configuration from the environment and the production safety checks."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import from_environment


def test_laptop_defaults_generate_a_secret_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = from_environment(tmp_path / "instance", tmp_path / "app")
    second = from_environment(tmp_path / "instance", tmp_path / "app")
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'remiss.db'}"
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_and_exports_dir_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/remiss")
    monkeypatch.setenv("EXPORTS_DIR", str(tmp_path / "packs"))
    config = from_environment(tmp_path / "instance", tmp_path / "app")
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/remiss"
    assert config["EXPORTS_DIR"] == str(tmp_path / "packs")


@pytest.mark.parametrize(
    ("secret", "debug"),
    [(None, False), ("dev", False), ("change-me", False), ("x" * 40, True), ("short", False)],
)
def test_production_refuses_to_start_unsafely(monkeypatch, secret, debug):
    monkeypatch.setenv("REMISS_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="Refusing to start in production"):
        create_app({"DEBUG": debug, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_a_real_secret_uses_secure_cookies(monkeypatch):
    monkeypatch.setenv("REMISS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"

"""Both HTTP clients share one TLS context; a plain-HTTP Bot API server needs no CA bundle."""

from __future__ import annotations

import ssl

from bot.app import tls_context


def test_https_to_telegram_verifies_against_the_ca_bundle() -> None:
    context = tls_context("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_plain_http_loads_no_bundle_and_still_trusts_nothing_unverified() -> None:
    context = tls_context("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.verify_mode == ssl.CERT_REQUIRED  # an https URL would fail, not pass
    assert context.check_hostname


def test_one_https_url_is_enough_for_the_bundle() -> None:
    context = tls_context("http://127.0.0.1:8081/bot", "https://files.example.org/file/bot")
    assert context.cert_store_stats()["x509_ca"] > 0

"""The student's web pages: CSRF and cookies over HTTP, and the whole path in real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import BEN, SAMPLES, bearer, post, sample

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# scripts/screenshots.py's flags: quiet and offline (no updates, no sync, no first-run UI).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,1700"]


def chromium(tmp_path: Path):
    """Headless Debian Chromium with a fresh profile (waiting up to 10 s for elements), and the folder for its
    screenshots: $SERVICE_SCREENSHOTS, else one in tmp."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    shots = Path(os.environ.get("SERVICE_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    for flag in FLAGS:
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    browser.implicitly_wait(10)
    return browser, shots


def csrf_field(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def signed_in_client(server, member: str) -> tuple[httpx.Client, str]:
    """A client signed in through the sign-in form; and the page's CSRF field.

    The cookies are Secure, which httpx's jar keeps from plain http (browsers allow them on localhost),
    so they are carried by hand.
    """
    form = httpx.get(f"{server.url}/")
    answer = httpx.post(f"{server.url}/sign-in", data={"token": server.tokens[member], "csrf": csrf_field(form)},
                        cookies=dict(form.cookies))
    assert answer.status_code == 303
    client = httpx.Client(base_url=server.url, follow_redirects=False, cookies=dict(answer.cookies))
    return client, csrf_field(client.get("/"))


def test_sign_in_cookie_is_host_only_http_only_strict_and_secure(server):
    """The sign-in cookie carries every protection; a sign-in form without its CSRF cookie is refused."""
    form = httpx.get(f"{server.url}/")
    assert form.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script" not in form.text.lower()
    data = {"token": server.tokens["ada"], "csrf": csrf_field(form)}
    assert httpx.post(f"{server.url}/sign-in", data=data).status_code == 403
    answer = httpx.post(f"{server.url}/sign-in", data=data, cookies=dict(form.cookies))
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("__Host-"))
    assert {"HttpOnly", "Secure", "Path=/", "SameSite=strict"} <= {part.strip() for part in cookie.split(";")}


def test_forms_without_the_csrf_field_change_nothing(server):
    """A signed-in browser's submit or sign-out without the right CSRF field gets 403 and stores nothing."""
    client, field = signed_in_client(server, "ada")
    files = {"file": ("ada.yaml", sample("ada"))}
    for data in ({}, {"csrf": "x" * 43}):
        assert client.post("/submit", data=data, files=files).status_code == 403
    assert client.post("/sign-out", data={"csrf": "wrong"}).status_code == 403
    listed = httpx.get(f"{server.url}/api/v1/submissions", headers=bearer(server.tokens["ada"])).json()
    assert listed["submissions"] == []
    assert client.post("/submit", data={"csrf": field}, files=files).status_code == 303
    assert client.post("/sign-out", data={"csrf": field}).status_code == 303
    assert client.get("/").text.count('id="token"') == 1  # signed out: the sign-in form again


def test_a_student_page_shows_only_their_own_submissions(server):
    """Ben, signed in, gets 'not found' for Ada's submission page and report."""
    theirs = post(server, server.tokens["ada"], sample("ada")).json()["id"]
    client, _ = signed_in_client(server, "ben")
    assert client.get(f"/submissions/{theirs}").status_code == 404
    assert client.get(f"/submissions/{theirs}/report").status_code == 404


def test_docs_are_served_locally_under_a_strict_policy(server):
    """/docs loads Swagger UI from this server (no CDN) and /openapi.json lists the submission routes."""
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200 and "cdn" not in page.text and "<script>" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for src in re.findall(r'(?:src|href)="(/docs/[^"]+)"', page.text):
        assert httpx.get(server.url + src).status_code == 200
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/api/v1/submissions", "/api/v1/submissions/{public_id}", "/api/v1/summary"} <= set(spec["paths"])


@pytest.mark.slow
@pytest.mark.skipif(not (os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)),
                    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
def test_student_signs_in_uploads_and_sees_the_report_in_chromium(server, tmp_path):
    """Headless Chromium: sign in with the token, upload a file, see the points and the report, paste a broken
    file and see why, find both in the history, sign out. Screenshots go to $SERVICE_SCREENSHOTS (or tmp)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser, shots = chromium(tmp_path)
    try:
        browser.get(server.url + "/")
        browser.save_screenshot(str(shots / "service-sign-in.png"))
        browser.find_element(By.ID, "token").send_keys("grd_" + "A" * 43)
        browser.find_element(By.ID, "sign-in").click()
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.TAG_NAME, "h2"))
        browser.save_screenshot(str(shots / "service-refused.png"))
        assert browser.find_element(By.TAG_NAME, "h2").text == "That token was not accepted"
        browser.get(server.url + "/")
        browser.find_element(By.ID, "token").send_keys(server.tokens["ben"])
        browser.find_element(By.ID, "sign-in").click()
        assert browser.find_element(By.ID, "who").text == "ben"
        browser.save_screenshot(str(shots / "service-home.png"))
        browser.find_element(By.ID, "file").send_keys(str(SAMPLES / "ben.yaml"))
        browser.find_element(By.ID, "submit").click()
        assert browser.find_element(By.ID, "score").text == BEN
        browser.save_screenshot(str(shots / "service-submission.png"))
        browser.switch_to.frame(browser.find_element(By.ID, "report"))
        report = browser.find_element(By.TAG_NAME, "body").text
        assert "Ben Okafor" in report and "p4.layer1.params" in report
        browser.switch_to.default_content()
        report_url = browser.find_element(By.ID, "report").get_attribute("src")
        browser.get(report_url)
        browser.save_screenshot(str(shots / "service-report.png"))
        browser.get(server.url + "/")
        browser.find_element(By.ID, "text").send_keys("homework: hw2-cnn\nanswers: [1\n")
        browser.find_element(By.ID, "submit").click()
        assert "could not read the YAML" in browser.find_element(By.ID, "error").text
        browser.save_screenshot(str(shots / "service-unusable.png"))
        rows = browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")
        assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows] == ["unusable", "graded"]
        browser.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
        assert browser.find_elements(By.ID, "token")
    finally:
        browser.quit()

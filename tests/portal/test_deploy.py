"""The production set-up: docker-compose.yml, the nginx template, `check --deploy`.

Docker does not run here, so these tests hold the compose file to what `make
prod-smoke` runs for real: the same start script, the same nginx template.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.production import render_nginx_config

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "portal.conf.template"
START = REPO / "deploy" / "start.sh"

APP_SERVICES = {"web", "ws", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def interpolate(value, variables):
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, from `variables`."""

    def replace(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if name in variables and variables[name] != "":
            return variables[name]
        if op == ":?":
            raise KeyError(f"{name} must be set: {arg}")
        return arg or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", replace, str(value))


def production_env(compose, service, **variables):
    """The environment compose gives `service`, with `variables` as the operator's .env."""
    return {name: interpolate(value, variables) for name, value in compose["services"][service]["environment"].items()}


OPERATOR = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "portal.example.org",
    "POSTGRES_PASSWORD": "not-a-real-password",
    "EMAIL_URL": "smtp+tls://portal:not-a-real-password@smtp.example.org:587",
}


def run_manage(*args, env):
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_has_the_production_services(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "ws", "worker", "beat", "nginx"} <= set(services)
    commands = {name: services[name]["command"] for name in APP_SERVICES | {"migrate"}}
    assert commands == {
        "web": ["web"],
        "ws": ["ws"],
        "worker": ["worker"],
        "beat": ["beat"],
        "migrate": ["migrate"],
    }
    # Every role compose asks for is one the start script knows.
    start_script = START.read_text()
    for (role,) in commands.values():
        assert re.search(rf"^  {role}\)$", start_script, re.MULTILINE), role


def test_compose_app_services_share_one_configuration(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        env = production_env(compose, name, **OPERATOR)
        assert env["DATABASE_URL"] == "postgres://portal:not-a-real-password@postgres:5432/portal"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "0"
        assert env["STATIC_MANIFEST"] == "1"
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "media:/app/media" in services[name]["volumes"]
    assert services["web"]["build"]["target"] == "app"
    assert services["nginx"]["build"]["target"] == "nginx"
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM \S+ AS app$", dockerfile, re.MULTILINE)
    assert re.search(r"^FROM \S+ AS nginx$", dockerfile, re.MULTILINE)


def test_compose_requires_the_secrets(compose):
    with pytest.raises(KeyError, match="SECRET_KEY"):
        production_env(compose, "web", ALLOWED_HOSTS="portal.example.org", POSTGRES_PASSWORD="x")


def test_compose_sets_what_accounts_need(compose):
    """Mandatory e-mail verification with a real mail server, and log-in limits per client
    (the address nginx puts in X-Real-IP; deploy/start.sh sets the same for gunicorn)."""
    env = production_env(compose, "web", **OPERATOR)
    assert (env["ACCOUNT_EMAIL_VERIFICATION"], env["TRUSTED_CLIENT_IP_HEADER"]) == ("mandatory", "X-Real-IP")
    assert env["EMAIL_URL"] == OPERATOR["EMAIL_URL"]
    with pytest.raises(KeyError, match="EMAIL_URL"):
        production_env(compose, "web", **{k: v for k, v in OPERATOR.items() if k != "EMAIL_URL"})
    assert 'export TRUSTED_CLIENT_IP_HEADER="${TRUSTED_CLIENT_IP_HEADER-X-Real-IP}"' in START.read_text()
    template = NGINX_TEMPLATE.read_text()
    # /ws/ sets its own headers; every other proxied request inherits the server's.
    ws = template.split("location /ws/ {", 1)[1].split("}", 1)[0]
    server_level = template.split("location /ws/ {", 1)[1].split("}", 1)[1].split("location / {", 1)[0]
    for block in (ws, server_level):
        assert "proxy_set_header X-Real-IP $remote_addr;" in block
    assert "{" not in server_level and "proxy_set_header" not in template.split("location / {", 1)[1]


def test_nginx_routes_to_the_processes_compose_starts(compose):
    services = compose["services"]
    nginx_env = services["nginx"]["environment"]
    placeholders = set(re.findall(r"\$\{(NGINX_\w+)\}", NGINX_TEMPLATE.read_text()))
    assert placeholders == set(nginx_env)
    assert nginx_env["NGINX_WEB_UPSTREAM"] == "web:" + services["web"]["environment"]["BIND"].rsplit(":", 1)[1]
    assert nginx_env["NGINX_WS_UPSTREAM"] == "ws:" + services["ws"]["environment"]["BIND"].rsplit(":", 1)[1]
    assert "media:/srv/media:ro" in services["nginx"]["volumes"]
    assert nginx_env["NGINX_MEDIA_ROOT"] == "/srv/media"


def test_nginx_template_routes():
    template = NGINX_TEMPLATE.read_text()
    ws = template[template.index("location /ws/") :]
    ws = ws[: ws.index("}")]
    assert "proxy_pass http://portal_ws;" in ws
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $portal_connection_upgrade;" in ws
    assert "alias ${NGINX_STATIC_ROOT}/;" in template
    protected = template[template.index("location /protected-media/") :]
    assert protected[: protected.index("}")].split("\n")[1].strip() == "internal;"


def test_generated_nginx_config_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    out = render_nginx_config(tmp_path / "nginx", tmp_path)
    rendered = (out / "conf.d" / "portal.conf").read_text()
    assert "${" not in rendered
    assert "listen 127.0.0.1:8080 backlog=4096;" in rendered
    # nginx's own variables are left for nginx.
    assert "proxy_set_header Upgrade $http_upgrade;" in rendered
    result = subprocess.run(  # noqa: S603
        [nginx, "-t", "-c", out / "nginx.conf", "-e", out / "error.log"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_shell_scripts_parse():
    for script in (START, REPO / "deploy/nginx/render-local.sh", REPO / "scripts/prod_smoke.sh", REPO / ".ci/run"):
        subprocess.run(["bash", "-n", script], check=True, timeout=30)  # noqa: S603, S607


def test_check_deploy_is_clean_with_the_compose_environment(compose):
    env = production_env(compose, "web", **OPERATOR)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_on_the_embedded_default():
    # The defaults are for a laptop; check --deploy must say so rather than pass (so the
    # clean run above is the environment's doing, not silenced checks).
    if (REPO / ".env").exists():
        pytest.skip("a local .env file changes the defaults")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={})
    assert result.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr

"""deploy/: the hashed lock file, the CloudFormation template, the systemd units and deploy.sh."""

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
TEMPLATE = DEPLOY / "aws" / "tableorder.yaml"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


# requirements.lock


def requirements():
    """{name: (version, extras)} of requirements.txt."""
    pinned = {}
    for line in (BASE_DIR / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            [specifier] = requirement.specifier
            assert specifier.operator == "==", line
            pinned[canonicalize_name(requirement.name)] = (specifier.version, requirement.extras)
    return pinned


def locked():
    """{name: (version, [hashes])} of requirements.lock."""
    entries = {}
    for entry in re.split(r"\n(?=\S)", (BASE_DIR / "requirements.lock").read_text()):
        if entry.startswith("#"):
            continue
        name, version = entry.split(" ", 1)[0].split("==")
        entries[canonicalize_name(name)] = (version, re.findall(r"--hash=(sha256:[0-9a-f]{64})", entry))
    return entries


def test_the_lock_pins_every_requirement_at_its_version_with_hashes():
    lock = locked()
    for name, (version, _extras) in requirements().items():
        assert name in lock, f"{name} is missing from requirements.lock: run make lock"
        assert lock[name][0] == version, f"{name}: {version} in requirements.txt, {lock[name][0]} locked: make lock"
    for name, (_version, hashes) in lock.items():
        assert hashes, f"{name} has no hash in requirements.lock"


def test_the_lock_holds_every_dependency_of_what_it_locks():
    # --require-hashes refuses to install anything the lock does not name, so a gap fails a deploy.
    lock, wanted = locked(), requirements()
    for name in lock:
        extras = wanted.get(name, ("", set()))[1]
        for dependency in metadata.requires(name) or []:
            requirement = Requirement(dependency)
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra, "python_version": "3.11"}) for extra in extras or {""}
            ):
                assert canonicalize_name(requirement.name) in lock, f"{name} needs {requirement.name}: make lock"


def test_deploy_installs_the_lock_with_hashes_only():
    script = (DEPLOY / "deploy.sh").read_text()
    assert re.search(r'pip" install --quiet --require-hashes -r "\$release/requirements.lock"', script)
    assert "requirements.txt" not in script
    assert "--upgrade pip" not in script  # an unpinned download that root would then run


# deploy.sh


def test_deploy_sh_is_valid_shell():
    result = subprocess.run(["bash", "-n", str(DEPLOY / "deploy.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck): syntax checked with bash -n only")
    result = subprocess.run(["shellcheck", str(DEPLOY / "deploy.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_app_user_writes_only_media_and_logs():
    script = (DEPLOY / "deploy.sh").read_text()
    app_owned = re.findall(r"install -d -o tableorder -g tableorder -m \d+ (.+)", script)
    assert app_owned == ['"$ROOT/media" /var/log/tableorder']
    assert 'install -d -o root -g root -m 0755 "$ROOT" "$ROOT/releases" "$ROOT/staticfiles"' in script
    assert "umask 022" in script
    service = unit("tableorder.service")
    assert service["ReadWritePaths"] == ["/srv/tableorder/media /var/log/tableorder"]


# systemd units


def unit(name):
    """{key: [values]} of a unit file (a key may repeat, e.g. ExecStart of a oneshot)."""
    values = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


SANDBOX = {
    "NoNewPrivileges": ["true"],
    "PrivateTmp": ["true"],
    "PrivateDevices": ["true"],
    "ProtectSystem": ["strict"],
    "ProtectHome": ["true"],
    "ProtectKernelTunables": ["true"],
    "ProtectKernelModules": ["true"],
    "ProtectControlGroups": ["true"],
    "RestrictSUIDSGID": ["true"],
    "LockPersonality": ["true"],
    "CapabilityBoundingSet": [""],
}


@pytest.mark.parametrize("name", ["tableorder.service", "tableorder-prune-events.service"])
def test_both_services_run_as_the_app_user_in_the_same_sandbox(name):
    values = unit(name)
    assert values["User"] == values["Group"] == ["tableorder"]
    assert {key: values.get(key) for key in SANDBOX} == SANDBOX


def test_the_daily_prune_covers_events_and_login_records():
    assert unit("tableorder-prune-events.service")["ExecStart"] == [
        "/srv/tableorder/venv/bin/python manage.py prune_events",
        "/srv/tableorder/venv/bin/python manage.py prune_login_records",
    ]


def test_systemd_accepts_the_units():
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted(str(path) for path in (DEPLOY / "systemd").iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    # The app is not installed here: only its missing programs may be reported.
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line and not re.search(r"Command /srv/tableorder/venv/bin/\w+ is not executable", line)
    ]
    assert complaints == []


# CloudFormation


def template():
    from cfnlint.decode import decode

    decoded, problems = decode(str(TEMPLATE))
    assert not problems
    return decoded


def test_cfn_lint_is_clean():
    if not CFN_LINT.exists():
        pytest.skip(f"cfn-lint is not installed ({CFN_LINT}): pip install -r requirements-dev.txt")
    result = subprocess.run([str(CFN_LINT), str(TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


APP_SECRET = {"Ref": "AppDatabaseSecret"}
MASTER_SECRET = {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}


def role_statements(role):
    """Every statement of a role's inline policies."""
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def as_list(value):
    return value if isinstance(value, list) else [value]


def secrets_read(role):
    """The secrets a role may read (GetSecretValue, or any Secrets Manager action by wildcard)."""
    return [
        resource
        for statement in role_statements(role)
        if statement["Effect"] == "Allow"
        and any(
            action in {"secretsmanager:GetSecretValue", "secretsmanager:*", "*"}
            for action in as_list(statement["Action"])
        )
        for resource in as_list(statement["Resource"])
    ]


def test_the_instance_reads_only_the_app_s_secret():
    resources = template()["Resources"]
    app_role = resources["AppRole"]
    assert secrets_read(app_role) == [APP_SECRET]
    # Nor can it become the role that reads the owner's secret.
    actions = [action for statement in role_statements(app_role) for action in as_list(statement["Action"])]
    assert not [action for action in actions if action.startswith("sts:") or action in {"*", "iam:PassRole"}]
    assert app_role["Properties"]["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]
    generated = resources["AppDatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password"
    assert '"username": "tableorder_app"' in generated["SecretStringTemplate"]


def test_migrations_read_the_owner_s_secret_through_a_role_only_people_assume():
    resources = template()["Resources"]
    migration_role = resources["MigrationRole"]
    assert secrets_read(migration_role) == [MASTER_SECRET, APP_SECRET]
    (trust,) = migration_role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    # The account's principals that a policy allows to assume it: no AWS service, so no instance.
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}}
    assert "MigrationRole" not in str(resources["AppInstanceProfile"])
    # No other role of the stack reads the owner's secret.
    readers = [
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role" and MASTER_SECRET in secrets_read(resource)
    ]
    assert readers == ["MigrationRole"]
    # deploy.sh runs the owner's steps only with the credentials an operator passes it.
    script = (DEPLOY / "deploy.sh").read_text()
    assert 'if [ -n "$owner_token" ]; then' in script
    assert "as_owner migrate --noinput" in script
    assert 'as_owner setup_db_role --from-secret "$app_secret"' in script
    assert "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN" in script
    assert "manage migrate --check" in script


def test_the_servers_get_secret_arns_and_tls_settings_and_no_password():
    resources = template()["Resources"]
    user_data = resources["AppLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    env = dict(
        line.strip().split("=", 1)
        for line in user_data.split("<<ENV", 1)[1].split("ENV\n", 1)[0].splitlines()
        if "=" in line
    )
    assert env["DATABASE_URL"] == "postgres://${Database.Endpoint.Address}:${Database.Endpoint.Port}/tableorder"
    assert env["DATABASE_SECRET_ARN"] == "${AppDatabaseSecret}"
    assert env["DATABASE_OWNER_SECRET_ARN"] == "${Database.MasterUserSecret.SecretArn}"
    assert env["DB_SSLROOTCERT"] == "/etc/tableorder/rds-ca.pem"
    assert env["RDS_CA_BUNDLE_URL"].startswith("https://truststore.pki.rds.amazonaws.com/")
    assert "aws secretsmanager" not in user_data  # no secret is copied into the env file
    assert resources["Database"]["Properties"]["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"

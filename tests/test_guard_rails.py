"""Rules about the code itself, read from the source.

- django-guardian is called only from ``partnership/permissions.py`` (the one door), and
  ``partnership/models.py`` only for the base class of the direct foreign-key tables.
- The permission rows are written only by ``membership/rights.py``, through that door.
- Nothing decides a right from a superuser or staff flag, a model-level permission
  (``has_perm``) or Django's permission decorators; templates do not use ``perms`` either.
  (Guardian's authentication backend is not installed, so ``has_perm`` would answer from the
  flags alone.)

The source is parsed rather than searched as text, so comments and docstrings that mention
these names do not count, and an aliased import or an attribute call does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
APPS = ["partnership", "membership", "governance", "performance"]

GUARDIAN_API = {
    "assign_perm",
    "remove_perm",
    "bulk_assign_perm",
    "bulk_remove_perm",
    "get_objects_for_user",
    "get_objects_for_group",
    "get_perms",
    "get_user_perms",
    "get_users_with_perms",
    "get_groups_with_perms",
    "ObjectPermissionChecker",
    "ObjectPermissionBackend",
    "UserObjectPermission",
    "GroupObjectPermission",
    "PermissionRequiredMixin",
    "permission_required",
    "permission_required_or_403",
}
# Reading a right from a flag or a model-level permission rather than a membership.
FLAG_SHORTCUTS = {
    "has_perm",
    "has_perms",
    "has_module_perms",
    "get_all_permissions",
    "get_user_permissions",
    "get_group_permissions",
    "is_superuser",
    "is_staff",
    "user_passes_test",
    "staff_member_required",
    "permission_required",
    "PermissionRequiredMixin",
    "UserPassesTestMixin",
}
FLAG_DEFINERS = {
    "membership/models.py": frozenset({"create_superuser"}),
    # Reads the flags only to refuse: a co-ordinator never resets an administrator's second
    # factor (only another administrator, in the admin).
    "membership/services/two_factor.py": frozenset({"second_factor_reset"}),
}
THE_DOOR = "partnership/permissions.py"
# The direct foreign-key permission tables subclass guardian's base class.
MODELS_MAY_IMPORT = {"partnership/models.py": {"UserObjectPermissionBase"}}
RIGHTS_WRITER = "membership/rights.py"


def app_sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            files.append(path)
    return files


def _names_used(tree: ast.AST, *, skip_functions: frozenset[str] = frozenset()):
    """(line, name) for every name read, attribute, keyword and imported name in the module,
    leaving out the bodies of functions named in ``skip_functions``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            node.name in skip_functions
        ):
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.alias):
            yield node.lineno, node.name.rsplit(".", 1)[-1]
        elif isinstance(node, ast.keyword) and node.arg:
            # e.g. ``filter(is_staff=True)`` as a rights check.
            yield node.lineno, node.arg


def guardian_uses(source: str, name: str) -> list[str]:
    """Where ``source`` (the file ``name``) reaches django-guardian outside what it may."""
    if name == THE_DOOR:
        return []
    tree = ast.parse(source)
    found = []
    allowed_imports = MODELS_MAY_IMPORT.get(name, set())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "guardian":
                    found.append(f"{name}:{node.lineno} import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "guardian":
            for alias in node.names:
                if alias.name not in allowed_imports:
                    found.append(f"{name}:{node.lineno} from {node.module} import {alias.name}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("guardian.")
            and name != "partnership/settings.py"
        ):
            # importlib.import_module("guardian.shortcuts") and the like.
            found.append(f"{name}:{node.lineno} {node.value!r}")
    for line, used in _names_used(tree):
        if used in GUARDIAN_API:
            found.append(f"{name}:{line} {used}")
    return found


def flag_shortcuts(source: str, name: str) -> list[str]:
    """Where ``source`` reads a right from a flag or a model-level permission."""
    if Path(name).name == "admin.py":
        return []  # The Django admin is for repairs, and its own access is by staff flag.
    # The user model defines the flags, and ``createsuperuser`` sets them for the admin.
    skip = FLAG_DEFINERS.get(name, frozenset())
    return [
        f"{name}:{line} {used}"
        for line, used in _names_used(ast.parse(source), skip_functions=skip)
        if used in FLAG_SHORTCUTS
    ]


def rights_writers(source: str, name: str) -> list[str]:
    """Where ``source`` writes permission rows without going through membership.rights."""
    if name in (THE_DOOR, RIGHTS_WRITER):
        return []
    return [
        f"{name}:{line} {used}"
        for line, used in _names_used(ast.parse(source))
        if used in {"grant_add", "grant_remove"}
    ]


def _scan(check) -> list[str]:
    found = []
    for path in app_sources():
        name = path.relative_to(ROOT).as_posix()
        found += check(path.read_text(encoding="utf-8"), name)
    return found


def test_the_scan_reads_every_app_and_the_door():
    names = {p.relative_to(ROOT).as_posix() for p in app_sources()}
    assert {THE_DOOR, RIGHTS_WRITER, "partnership/models.py", "membership/views/bodies.py"} <= names
    assert any(n.startswith("governance/") for n in names)
    assert not any("/migrations/" in n for n in names)


def test_guardian_is_called_only_from_the_permissions_module():
    assert _scan(guardian_uses) == []


def test_permission_rows_are_written_only_by_membership_rights():
    assert _scan(rights_writers) == []


def test_no_right_comes_from_a_flag_or_a_model_permission():
    assert _scan(flag_shortcuts) == []


def test_templates_do_not_read_rights_from_flags():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert templates
    found = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in templates
        for word in ("perms.", "is_superuser", "is_staff", "has_perm")
        if word in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_guardians_backend_is_not_installed():
    """With it, ``user.has_perm(perm, obj)`` would return True for any superuser."""
    assert not any("guardian" in backend for backend in settings.AUTHENTICATION_BACKENDS)


# --- the guards are guarded: each check catches what it is for ---------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from guardian.shortcuts import assign_perm\n",
        "from guardian import shortcuts as s\ns.get_perms(u, o)\n",
        "import guardian.shortcuts\n",
        "import importlib\nimportlib.import_module('guardian.shortcuts')\n",
        "from partnership.permissions import assign_perm\n",
        "checker = ObjectPermissionChecker(user)\n",
        "from guardian.models import UserObjectPermissionBase\n",
    ],
)
def test_the_guardian_check_catches(source):
    assert guardian_uses(source, "membership/views/bodies.py")


def test_the_models_may_import_only_the_base_class():
    assert not guardian_uses(
        "from guardian.models import UserObjectPermissionBase\n", "partnership/models.py"
    )
    assert guardian_uses(
        "from guardian.models import UserObjectPermission\n", "partnership/models.py"
    )


@pytest.mark.parametrize(
    "source",
    [
        "if request.user.has_perm('partnership.manage_body', body): pass\n",
        "allowed = user.is_superuser or can_manage_body(user, body)\n",
        "User.objects.filter(is_staff=True)\n",
        "from django.contrib.auth.decorators import permission_required\n",
        "from django.contrib.auth.decorators import user_passes_test\n",
    ],
)
def test_the_flag_check_catches(source):
    assert flag_shortcuts(source, "governance/views/meetings.py")
    assert not flag_shortcuts(source, "membership/admin.py")


def test_the_flag_check_allows_only_defining_the_flags():
    model = (
        "class User(AbstractBaseUser, PermissionsMixin):\n"
        "    is_staff = models.BooleanField(default=False)\n"
        "class UserManager(BaseUserManager):\n"
        "    def create_superuser(self, email, password=None, **fields):\n"
        "        fields.update(is_staff=True, is_superuser=True)\n"
    )
    assert not flag_shortcuts(model, "membership/models.py")
    assert flag_shortcuts(model, "membership/selectors.py")  # only the manager may set them
    reading = "def can_edit(user):\n    return user.is_superuser\n"
    assert flag_shortcuts(reading, "membership/models.py")


def test_the_writer_check_catches():
    source = "from partnership import permissions as perms\nperms.grant_add(user=u, grant=g)\n"
    assert rights_writers(source, "membership/services/memberships.py")
    assert not rights_writers(source, "membership/rights.py")

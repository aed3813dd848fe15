"""The keys that seal stored files, from the environment (validated at startup).

    OPENRCM_FILE_KEYS="2027:<base64>,2026:<base64>"   a keyring; the first key seals new files
    OPENRCM_FILE_KEY=<base64>                          one key (its id is "default")

Both also read from a file: OPENRCM_FILE_KEYS_FILE, OPENRCM_FILE_KEY_FILE. A key is base64 of
32 random bytes: `python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())"`.
Development without either uses a key generated once under var/ (id "dev"); production refuses
to start without one.
"""

from __future__ import annotations

from pathlib import Path

from openrcm.config.env import ConfigurationError, env_str
from openrcm.core.files.sealed import KeyringError, generate_key, parse_keyring

DEVELOPMENT_KEY_ID = "dev"
HOW_TO_MAKE_ONE = (
    'generate one with: python -c "import base64,os;'
    'print(base64.b64encode(os.urandom(32)).decode())"'
)


def file_keys_from_env() -> str | None:
    """The keyring text ("id:key,...") from OPENRCM_FILE_KEYS or OPENRCM_FILE_KEY, or None.

    A malformed value refuses to start, naming the variable (never showing the key).
    """
    for name in ("OPENRCM_FILE_KEYS", "OPENRCM_FILE_KEY"):
        value = env_str(name)
        if not value:
            continue
        if name == "OPENRCM_FILE_KEY" and ":" in value:
            raise ConfigurationError(
                f"{name} holds one key (base64 of 32 bytes) without an id; "
                "put id:key pairs in OPENRCM_FILE_KEYS"
            )
        try:
            keyring = parse_keyring(value)
        except KeyringError as exc:
            raise ConfigurationError(f"{name}: {exc}; {HOW_TO_MAKE_ONE}") from None
        if name == "OPENRCM_FILE_KEY":
            return f"{keyring.current_id}:{value.strip()}"
        return value
    return None


def file_keys_required() -> str:
    """The keyring text, or refuse to start (production)."""
    value = file_keys_from_env()
    if value is None:
        raise ConfigurationError(
            "OPENRCM_FILE_KEY is required with OPENRCM_ENV=production: it encrypts the stored "
            "X12 files and PDFs (set it, or OPENRCM_FILE_KEY_FILE to a file, or a keyring in "
            f"OPENRCM_FILE_KEYS); {HOW_TO_MAKE_ONE}"
        )
    return value


def development_file_keys(var_dir: Path) -> str:
    """A per-checkout key kept in var/file_key (mode 0600), generated on first use."""
    path = var_dir / "file_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
    else:
        var_dir.mkdir(parents=True, exist_ok=True)
        key = generate_key()
        path.touch(mode=0o600)
        path.write_text(key, encoding="utf-8")
    try:
        parse_keyring(key)
    except KeyringError as exc:
        raise ConfigurationError(f"{path}: {exc} (delete it to generate a new one)") from None
    return f"{DEVELOPMENT_KEY_ID}:{key}"

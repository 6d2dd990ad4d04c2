"""The local signing key: RS256 tokens for the local API, and the JWKS the API trusts.

Generated once per state folder and never committed. A deployment configures its own
issuer instead (CDK context ``jwtIssuer`` and ``jwtJwks``/``jwtJwksUri``, e.g. Cognito).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOCAL_ISSUER = "https://auth.orchestrator.local/"
LOCAL_AUDIENCE = "ai-orchestrator-api"


@dataclass(frozen=True)
class LocalSigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def load_or_create(cls, folder: Path) -> LocalSigningKey:
        folder.mkdir(parents=True, exist_ok=True)
        pem_path = folder / "signing-key.pem"
        if pem_path.exists():
            key = serialization.load_pem_private_key(pem_path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem_path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            pem_path.chmod(0o600)
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        kid = uuid.uuid5(uuid.NAMESPACE_OID, public_der.hex()).hex[:16]
        return cls(private_key=key, kid=kid)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [jwk | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def mint(
        self,
        *,
        tenant_id: str,
        role: str = "user",
        subject: str = "local-user",
        ttl_seconds: int = 3600,
        issuer: str = LOCAL_ISSUER,
        audience: str = LOCAL_AUDIENCE,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "tenant_id": tenant_id,
            "role": role,
        } | (extra or {})
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

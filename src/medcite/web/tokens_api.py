"""API tokens under ``/api/v1/tokens``: list, create, revoke (one function per endpoint).

    GET    /api/v1/tokens[?user=NAME]   your tokens; an admin's: everyone's (or NAME's)
    POST   /api/v1/tokens               {label?, expires_in_days?, username?} → 201, the token
                                        itself in ``token``, this once (only its hash is kept)
    DELETE /api/v1/tokens/{id}          revoke it: refused from then on (owner or admin)

Every call needs a Bearer token (401 without, before the body is validated); another user's
token is an admin's business (403 to list or create, 404 to revoke: its id tells nothing).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from medcite.library.auth import MAX_TOKEN_DAYS
from medcite.web.api import _errors
from medcite.web.auth import RequiredApiActor, library_of

router = APIRouter(
    prefix="/api/v1/tokens", tags=["tokens"], responses=_errors(401, 403, 404, 422, 503)
)

TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The token's id.")]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field("", max_length=200, description="What the token is for.")
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=MAX_TOKEN_DAYS,
        description="Refuse it after this many days (default: never).",
    )
    username: str | None = Field(
        None, max_length=80, description="Whose token (admins only; default: yours)."
    )


class Token(BaseModel):
    """An API token as listed: never the token itself, nor its hash."""

    id: int
    username: str
    label: str
    created_at: str = Field(description="ISO 8601, UTC.")
    expires_at: str | None = Field(description="ISO 8601, UTC; null: until revoked.")
    revoked: bool
    active: bool = Field(description="Neither revoked nor expired.")


class NewToken(Token):
    token: str = Field(description="The token for 'Authorization: Bearer', shown only this once.")


class TokenList(BaseModel):
    tokens: list[Token]


@router.get("", summary="List API tokens", response_model=TokenList)
def list_tokens(
    request: Request,
    actor: RequiredApiActor,
    user: Annotated[
        str | None, Query(max_length=80, description="Only this user's tokens (admins).")
    ] = None,
) -> dict[str, object]:
    """Your tokens, oldest first; an admin sees everyone's, or ``user``'s."""
    found = library_of(request).tokens(actor, user)
    return {"tokens": [token.to_dict() for token in found]}


@router.post(
    "",
    summary="Create an API token",
    status_code=201,
    response_model=NewToken,
    responses=_errors(413),
)
def create_token(
    body: TokenRequest, request: Request, actor: RequiredApiActor
) -> dict[str, object]:
    """A new token for you (or, for an admin, for ``username``); the secret is in ``token``."""
    made = library_of(request).create_token(
        actor,
        body.username or actor.username,
        body.label,
        expires_in_days=body.expires_in_days,
    )
    return made.to_dict()


@router.delete("/{token_id}", summary="Revoke an API token", response_model=Token)
def revoke_token(token_id: TokenId, request: Request, actor: RequiredApiActor) -> dict[str, object]:
    """Revoke the token: every call with it is refused from now on."""
    return library_of(request).revoke_token(actor, token_id).to_dict()

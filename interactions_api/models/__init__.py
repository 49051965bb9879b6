"""SQLModel tables and their request/response shapes. Importing this registers every table."""

from interactions_api.models.user import ApiToken, AuthSession, Role, User

__all__ = ["ApiToken", "AuthSession", "Role", "User"]

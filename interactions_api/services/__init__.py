"""Business rules and database access. No FastAPI imports here."""

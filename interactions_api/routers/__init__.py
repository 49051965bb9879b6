"""HTTP routers. Every module here exposing `router: APIRouter` is mounted by `create_app`."""

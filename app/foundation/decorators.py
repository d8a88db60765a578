"""Route guards by role."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .roles import Role


def roles_required(*roles: Role):
    """Allow only signed-in users with one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in {r.value for r in roles}:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator

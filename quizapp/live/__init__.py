from . import sets  # noqa: E402,F401  (routes register on import)
from .views import bp  # noqa: F401

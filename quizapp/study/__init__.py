from . import recall  # noqa: E402,F401  (its routes register on the blueprint)
from .views import bp  # noqa: F401

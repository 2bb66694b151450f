from . import (
    authoring,  # noqa: F401  (its routes register on the blueprint)
    manage,  # noqa: F401  (its routes register on the blueprint)
)
from .views import bp  # noqa: F401

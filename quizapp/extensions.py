"""Flask extensions, created unbound and bound in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    #: The attributes a model's repr shows after its class name.
    __repr_attrs__: tuple[str, ...] = ("id",)

    def __repr__(self) -> str:
        shown = " ".join(f"{name}={getattr(self, name, None)!r}" for name in self.__repr_attrs__)
        return f"<{type(self).__name__} {shown}>"


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# Only its shared storage is used (login failures, see services/accounts.py); no default limits,
# since a whole class may sit behind one address.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

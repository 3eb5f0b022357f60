from services.notify.models import Base
from shared.migration_env import run_migrations

run_migrations(Base.metadata)

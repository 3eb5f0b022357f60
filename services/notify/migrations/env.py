from shared.migration_env import run_migrations

run_migrations("services.notify.models")

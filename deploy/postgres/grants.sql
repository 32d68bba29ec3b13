-- What pika_app may do (docs/operations.md "The database role"). Run as pika_owner after
-- every `pika-backend migrate` (a migration may add tables):
--   psql "$OWNER_URL" -f deploy/postgres/grants.sql
-- tests/backend/test_app_role.py runs this file and then the backend as the role it grants.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pika_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO pika_app;
-- The event logs are append-only: triggers refuse UPDATE, DELETE and TRUNCATE for everyone,
-- and pika_app is not even granted them. Not being the owner, it cannot drop the triggers.
REVOKE UPDATE, DELETE, TRUNCATE ON events, lifecycle_events FROM pika_app;

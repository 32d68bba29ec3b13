-- Two roles for head office's database (docs/operations.md "The database role").
-- Run once, as a superuser:
--   psql -v owner_password="'...'" -v app_password="'...'" -f deploy/postgres/roles.sql
-- pika_owner owns the schema: `pika-backend migrate` runs as it, and only it (or a superuser)
-- could drop or disable the triggers that keep the event logs append-only.
-- pika_app runs `pika-backend serve`: it reads and writes rows, and cannot touch the schema.
CREATE ROLE pika_owner LOGIN PASSWORD :owner_password;
CREATE ROLE pika_app LOGIN PASSWORD :app_password;
CREATE DATABASE pika OWNER pika_owner;
\connect pika
ALTER SCHEMA public OWNER TO pika_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pika_app;

-- Privileges of the application's role (resursrad_app), run by the owner role
-- after every migration (docker-compose.yml's migrate service; by hand:
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/app-role-grants.sql).
-- The owner runs migrations; the application may read and write its tables,
-- but only add to and read the access log and the administration log: a
-- compromised application cannot rewrite who read what.
GRANT USAGE ON SCHEMA public TO resursrad_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO resursrad_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO resursrad_app;

REVOKE UPDATE, DELETE, TRUNCATE ON resursrad_accesslog FROM resursrad_app;
REVOKE UPDATE, DELETE, TRUNCATE ON resursrad_adminevent FROM resursrad_app;
-- Only the owner changes the schema's history.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM resursrad_app;

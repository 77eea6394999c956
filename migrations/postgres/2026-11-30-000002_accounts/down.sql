DROP INDEX IF EXISTS api_tokens_by_user;
DROP TABLE invites;
DROP TABLE auth_sessions;

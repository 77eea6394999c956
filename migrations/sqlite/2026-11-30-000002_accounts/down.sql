DROP INDEX api_tokens_by_user;
DROP TABLE invites;
DROP TABLE auth_sessions;

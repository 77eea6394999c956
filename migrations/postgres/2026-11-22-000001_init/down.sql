DROP TABLE chat_messages;
DROP TABLE lap_analyses;
DROP TABLE telemetry_frames;
DROP TABLE laps;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
DROP FUNCTION purplesector_now_us();

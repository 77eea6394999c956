-- One track model (corners, their numbering, the track's length) per user, sim and
-- track, refined as the user's laps there are analysed, so a corner keeps its
-- number across laps and sessions. `model` is the engine's TrackModel as JSON;
-- `through_lap_id` the newest lap it has learnt from (each lap refines it once).
CREATE TABLE track_models (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sim TEXT NOT NULL,
    track TEXT NOT NULL,
    model TEXT NOT NULL,
    through_lap_id BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, sim, track)
);

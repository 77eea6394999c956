//! Diesel's view of the tables in `migrations/sqlite` (kept by hand, checked by the
//! storage tests that run every query against a migrated database).

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        name -> Text,
        sim -> Text,
        track -> Text,
        car -> Text,
        track_length_m -> Nullable<Double>,
        started_at_ms -> BigInt,
        updated_at_ms -> BigInt,
        lap_count -> Integer,
        best_lap_time_ms -> Nullable<Integer>,
    }
}

diesel::table! {
    laps (id) {
        id -> BigInt,
        session_id -> Text,
        user_id -> BigInt,
        lap_number -> Integer,
        lap_time_ms -> Integer,
        official_time -> Bool,
        valid -> Bool,
        out_lap -> Bool,
        in_lap -> Bool,
        first_seq -> BigInt,
        last_seq -> BigInt,
        completed_at_ms -> BigInt,
    }
}

diesel::table! {
    telemetry_frames (session_id, seq) {
        session_id -> Text,
        seq -> BigInt,
        user_id -> BigInt,
        captured_at_us -> BigInt,
        session_time_ms -> Double,
        frame -> Binary,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        scope -> Text,
        created_at_ms -> BigInt,
        last_used_at_ms -> Nullable<BigInt>,
        revoked_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at_ms -> BigInt,
        expires_at_ms -> BigInt,
        revoked_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    invites (code_hash) {
        code_hash -> Text,
        created_by -> BigInt,
        created_at_ms -> BigInt,
        expires_at_ms -> BigInt,
        used_by -> Nullable<BigInt>,
        used_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> BigInt,
        lap_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        content -> Text,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    track_models (user_id, sim, track) {
        user_id -> BigInt,
        sim -> Text,
        track -> Text,
        model -> Text,
        through_lap_id -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    lap_analyses (id) {
        id -> BigInt,
        lap_id -> BigInt,
        user_id -> BigInt,
        reference_lap_id -> Nullable<BigInt>,
        analysis -> Text,
        created_at_ms -> BigInt,
    }
}

diesel::joinable!(laps -> sessions (session_id));
diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    laps,
    telemetry_frames,
    api_tokens,
    auth_sessions,
    invites
);

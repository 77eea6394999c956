//! The store's tests. Every case in `on_both_backends!` runs twice, against SQLite (a
//! file in a temporary directory) and against PostgreSQL (a fresh database
//! `ps_test_<uuid>` on the server `PURPLESECTOR_TEST_PG` names, dropped at the end),
//! so the two backends are held to the same behaviour. PostgreSQL being unreachable
//! fails the PostgreSQL cases with a message saying so: they are never skipped.

use super::*;
use crate::demo::DemoDriver;

/// The server the PostgreSQL cases create their databases on (trust auth).
const DEFAULT_TEST_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, migrated store and what keeps its database alive. Fields drop in order:
/// the store (and its connections) before the database.
struct TestStore {
    store: Store,
    place: Place,
}

enum Place {
    Dir { path: PathBuf, _dir: tempfile::TempDir },
    Db(PgTestDb),
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// Another store on the same database, as a restarted process would open it.
    fn reopen(&self) -> Store {
        match &self.place {
            Place::Dir { path, .. } => Store::open(path).unwrap(),
            Place::Db(db) => Store::open_url(&db.url, Path::new("unused")).unwrap(),
        }
    }
}

fn fresh(kind: Kind) -> TestStore {
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("nested/purplesector.db");
            let store = Store::open(&path).unwrap();
            assert_eq!(store.backend(), "sqlite");
            TestStore { store, place: Place::Dir { path, _dir: dir } }
        }
        Kind::Postgres => {
            let db = PgTestDb::create();
            let store = Store::open_url(&db.url, Path::new("unused")).unwrap();
            assert_eq!(store.backend(), "postgres");
            TestStore { store, place: Place::Db(db) }
        }
    }
}

fn pg_server() -> String {
    std::env::var("PURPLESECTOR_TEST_PG").ok().filter(|url| !url.trim().is_empty()).unwrap_or(DEFAULT_TEST_PG.into())
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = base[authority_start..].find('/').map(|i| authority_start + i).unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..authority_end])
}

/// Runs SQL on the test server's maintenance database.
fn on_test_server(sql: &str) -> Result<(), String> {
    let server = pg_server();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls).await.map_err(|error| {
            format!(
                "PostgreSQL for the storage tests is unreachable at {} (set PURPLESECTOR_TEST_PG to a server \
                 that lets this user create databases): {}",
                super::postgres::describe(&server),
                super::postgres::error_chain(&error)
            )
        })?;
        let driver = tokio::spawn(connection);
        let result =
            client.batch_execute(sql).await.map_err(|error| format!("{sql}: {}", super::postgres::error_chain(&error)));
        drop(client);
        let _ = driver.await;
        result
    })
}

/// A database of its own for one test, dropped (connections and all) at the end.
struct PgTestDb {
    name: String,
    url: String,
}

impl PgTestDb {
    fn create() -> PgTestDb {
        let name = format!("ps_test_{}", uuid::Uuid::new_v4().simple());
        on_test_server(&format!("CREATE DATABASE {name}")).unwrap_or_else(|error| panic!("{error}"));
        PgTestDb { url: with_database(&pg_server(), &name), name }
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if let Err(error) = on_test_server(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)) {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

/// Each case as a test on SQLite (`storage::tests::sqlite::CASE`) and on PostgreSQL
/// (`storage::tests::postgres::CASE`).
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { super::$case(super::Kind::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $case() { super::$case(super::Kind::Postgres) })*
        }
    };
}

on_both_backends!(
    migrations_create_the_local_user_and_are_idempotent,
    a_user_created_without_an_id_comes_after_the_local_user,
    create_user_numbers_users_and_refuses_a_taken_name,
    ensure_session_keeps_an_existing_session,
    redelivered_frames_are_no_ops,
    interleaved_sessions_in_large_batches_are_written_once,
    concurrent_writers_store_each_frame_once,
    resume_frames_are_those_after_the_last_lap,
    laps_update_the_session_and_ignore_invalid_laps_for_best,
    another_users_rows_are_unreachable,
    deleting_a_session_removes_its_laps_and_frames,
    data_survives_reopening,
    the_first_account_is_the_admin_and_names_are_unique,
    invites_are_needed_once_there_is_an_admin_and_work_once,
    auth_sessions_expire_and_are_revoked,
    api_tokens_are_scoped_to_their_owner_and_revocable,
    a_laps_chat_is_kept_in_order_for_its_owner_only,
    track_models_are_kept_per_user_sim_and_track,
);

fn track_models_are_kept_per_user_sim_and_track(kind: Kind) {
    let store = fresh(kind);
    let other = add_user(&store, 2);
    assert_eq!(store.track_model(LOCAL_USER, "ac", "monza").unwrap(), None);
    let first = StoredTrackModel { model: "{\"laps\": 1}".into(), through_lap_id: 4 };
    store.save_track_model(LOCAL_USER, "ac", "monza", &first).unwrap();
    assert_eq!(store.track_model(LOCAL_USER, "ac", "monza").unwrap(), Some(first));
    let refined = StoredTrackModel { model: "{\"laps\": 2}".into(), through_lap_id: 9 };
    store.save_track_model(LOCAL_USER, "ac", "monza", &refined).unwrap();
    assert_eq!(store.track_model(LOCAL_USER, "ac", "monza").unwrap(), Some(refined));
    assert_eq!(store.track_model(other, "ac", "monza").unwrap(), None, "another user's model is their own");
    assert_eq!(store.track_model(LOCAL_USER, "acc", "monza").unwrap(), None, "per sim");
}

fn a_laps_chat_is_kept_in_order_for_its_owner_only(kind: Kind) {
    let store = fresh(kind);
    let other = add_user(&store, 2);
    store.ensure_session(LOCAL_USER, &new_session("mine")).unwrap();
    let (lap, _) = store.record_lap(LOCAL_USER, &lap("mine", 1, 90_000, true)).unwrap().unwrap();
    assert!(store.add_chat_message(LOCAL_USER, lap.id, "user", "where do I lose time?").unwrap());
    assert!(store.add_chat_message(LOCAL_USER, lap.id, "assistant", "turn 3").unwrap());
    assert!(store.add_chat_message(LOCAL_USER, lap.id, "user", "and then?").unwrap());
    assert!(!store.add_chat_message(other, lap.id, "user", "let me in").unwrap(), "not the other user's lap");
    let all = store.chat_messages(LOCAL_USER, lap.id, 10).unwrap();
    assert_eq!(
        all.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(),
        ["where do I lose time?", "turn 3", "and then?"]
    );
    let newest = store.chat_messages(LOCAL_USER, lap.id, 2).unwrap();
    assert_eq!(
        newest.iter().map(|m| m.role.as_str()).collect::<Vec<_>>(),
        ["assistant", "user"],
        "the newest, oldest first"
    );
    assert!(store.chat_messages(other, lap.id, 10).unwrap().is_empty());

    // The coach's suggestions for the lap: the newest is kept for the chat.
    assert_eq!(store.latest_lap_suggestions(LOCAL_USER, lap.id).unwrap(), None);
    assert!(store.save_lap_suggestions(LOCAL_USER, lap.id, None, "[1]").unwrap());
    assert!(store.save_lap_suggestions(LOCAL_USER, lap.id, Some(lap.id), "[2]").unwrap());
    assert!(!store.save_lap_suggestions(other, lap.id, None, "[3]").unwrap());
    assert_eq!(store.latest_lap_suggestions(LOCAL_USER, lap.id).unwrap().as_deref(), Some("[2]"));
    assert_eq!(store.latest_lap_suggestions(other, lap.id).unwrap(), None);
}

fn rules(invite: Option<&str>, invite_required: bool) -> SignupRules<'_> {
    SignupRules { invite_digest: invite, invite_required, now_ms: now_ms() }
}

fn created(outcome: SignupOutcome) -> Account {
    match outcome {
        SignupOutcome::Created(account) => account,
        other => panic!("expected an account, got {other:?}"),
    }
}

fn the_first_account_is_the_admin_and_names_are_unique(kind: Kind) {
    let store = fresh(kind);
    let alice = created(store.create_account("alice", "$argon2id$a", rules(None, false)).unwrap());
    let bob = created(store.create_account("bob", "$argon2id$b", rules(None, false)).unwrap());
    assert!(alice.is_admin(), "the local user has no password: alice is the first account");
    assert_eq!(bob.role, ROLE_USER);
    assert_ne!(alice.id, LOCAL_USER);
    assert_eq!(store.create_account("alice", "$argon2id$c", rules(None, false)).unwrap(), SignupOutcome::UsernameTaken);
    assert_eq!(store.create_account("local", "$argon2id$c", rules(None, false)).unwrap(), SignupOutcome::UsernameTaken);
    assert_eq!(store.account_by_name("alice").unwrap().unwrap(), alice);
    assert_eq!(store.account(bob.id).unwrap().unwrap().username, "bob");
    assert!(store.account_by_name("carol").unwrap().is_none());
    store.set_password_hash(bob.id, "$argon2id$new").unwrap();
    assert_eq!(store.account(bob.id).unwrap().unwrap().password_hash.as_deref(), Some("$argon2id$new"));
}

fn invites_are_needed_once_there_is_an_admin_and_work_once(kind: Kind) {
    let store = fresh(kind);
    let admin = created(store.create_account("admin", "$h", rules(None, true)).unwrap());
    assert!(admin.is_admin(), "the first account needs no invite");
    assert_eq!(store.create_account("bob", "$h", rules(None, true)).unwrap(), SignupOutcome::InviteInvalid);
    assert_eq!(store.create_account("bob", "$h", rules(Some("unknown"), true)).unwrap(), SignupOutcome::InviteInvalid);
    store.create_invite(admin.id, "invite-1", now_ms() + 60_000).unwrap();
    store.create_invite(admin.id, "invite-old", now_ms() - 1).unwrap();
    assert_eq!(
        store.create_account("bob", "$h", rules(Some("invite-old"), true)).unwrap(),
        SignupOutcome::InviteInvalid
    );
    let bob = created(store.create_account("bob", "$h", rules(Some("invite-1"), true)).unwrap());
    assert_eq!(bob.role, ROLE_USER);
    assert_eq!(
        store.create_account("carol", "$h", rules(Some("invite-1"), true)).unwrap(),
        SignupOutcome::InviteInvalid
    );
}

fn auth_sessions_expire_and_are_revoked(kind: Kind) {
    let store = fresh(kind);
    let alice = created(store.create_account("alice", "$h", rules(None, false)).unwrap());
    let now = now_ms();
    store.create_auth_session("s1", alice.id, now + 60_000).unwrap();
    store.create_auth_session("s2", alice.id, now + 60_000).unwrap();
    store.create_auth_session("s3", alice.id, now + 60_000).unwrap();
    store.create_auth_session("old", alice.id, now - 1).unwrap();
    assert_eq!(store.auth_session_account("s1", now).unwrap().unwrap().id, alice.id);
    assert!(store.auth_session_account("old", now).unwrap().is_none(), "expired");
    assert!(store.auth_session_account("s1", now + 60_000).unwrap().is_none(), "expired later");
    assert!(store.auth_session_account("nope", now).unwrap().is_none());
    assert!(store.revoke_auth_session("s1").unwrap());
    assert!(!store.revoke_auth_session("s1").unwrap(), "already revoked");
    assert!(store.auth_session_account("s1", now).unwrap().is_none());
    assert_eq!(store.revoke_auth_sessions_except(alice.id, "s2").unwrap(), 2, "s3 and the expired one");
    assert!(store.auth_session_account("s2", now).unwrap().is_some());
    assert!(store.auth_session_account("s3", now).unwrap().is_none());
}

fn api_tokens_are_scoped_to_their_owner_and_revocable(kind: Kind) {
    let store = fresh(kind);
    let alice = created(store.create_account("alice", "$h", rules(None, false)).unwrap());
    let bob = created(store.create_account("bob", "$h", rules(None, false)).unwrap());
    let rig = store.create_api_token(alice.id, "rig", "digest-a", SCOPE_INGEST).unwrap();
    assert_eq!(
        (rig.name.as_str(), rig.scope.as_str(), rig.last_used_at_ms, rig.revoked_at_ms),
        ("rig", "ingest", None, None)
    );
    assert_eq!(store.list_api_tokens(alice.id).unwrap(), vec![rig.clone()]);
    assert!(store.list_api_tokens(bob.id).unwrap().is_empty());
    assert!(store.use_api_token("digest-a", "other-scope", now_ms()).unwrap().is_none());
    let used = store.use_api_token("digest-a", SCOPE_INGEST, 1234).unwrap().unwrap();
    assert_eq!((used.id, used.user_id, used.last_used_at_ms), (rig.id, alice.id, Some(1234)));
    assert_eq!(store.list_api_tokens(alice.id).unwrap()[0].last_used_at_ms, Some(1234));
    assert!(store.revoke_api_token(bob.id, rig.id).unwrap().is_none(), "bob cannot revoke alice's token");
    assert!(store.api_token_active(rig.id).unwrap());
    let revoked = store.revoke_api_token(alice.id, rig.id).unwrap().unwrap();
    assert!(revoked.revoked_at_ms.is_some());
    assert!(!store.api_token_active(rig.id).unwrap());
    assert!(store.use_api_token("digest-a", SCOPE_INGEST, now_ms()).unwrap().is_none(), "revoked");
}

fn new_session(id: &str) -> NewSession {
    NewSession {
        id: id.into(),
        name: format!("Session {id}"),
        sim: Sim::Demo,
        track: "Purple Park".into(),
        car: "Demo GT".into(),
        track_length_m: Some(3000.0),
    }
}

fn frames(owner: UserId, session: &str, seqs: std::ops::RangeInclusive<u64>) -> Vec<FrameRecord> {
    let session_id: Arc<str> = Arc::from(session);
    seqs.map(|seq| FrameRecord {
        owner,
        session_id: session_id.clone(),
        frame: TelemetryFrame { seq, speed_kmh: seq as f32, session_time_ms: seq as f64 * 16.0, ..Default::default() },
    })
    .collect()
}

fn lap(session: &str, number: u32, time: u32, valid: bool) -> NewLap {
    NewLap {
        session_id: session.into(),
        lap_number: number,
        lap_time_ms: time,
        official_time: false,
        valid,
        out_lap: false,
        in_lap: false,
        first_seq: 1 + (number as u64 - 1) * 10,
        last_seq: number as u64 * 10,
    }
}

fn add_user(store: &Store, id: i64) -> UserId {
    store
        .batch_execute(&format!(
            "INSERT INTO users (id, username, role, created_at_ms) VALUES ({id}, 'user{id}', 'user', 0)"
        ))
        .unwrap();
    UserId(id)
}

fn seqs(frames: &[TelemetryFrame]) -> Vec<u64> {
    frames.iter().map(|frame| frame.seq).collect()
}

fn migrations_create_the_local_user_and_are_idempotent(kind: Kind) {
    let store = fresh(kind);
    assert_eq!(store.migrate().unwrap(), 0, "second run applies nothing");
    assert_eq!(store.reopen().migrate().unwrap(), 0, "nor does another process");
    store.check().unwrap();
    let info = store.ensure_session(LOCAL_USER, &new_session("a")).unwrap().unwrap();
    assert_eq!(info.sim, Sim::Demo as i32);
    assert_eq!(info.lap_count, 0);
}

fn a_user_created_without_an_id_comes_after_the_local_user(kind: Kind) {
    let store = fresh(kind);
    store.batch_execute("INSERT INTO users (username, role, created_at_ms) VALUES ('second', 'user', 0)").unwrap();
    // Sessions reference their owner: this only works if the new user is id 2.
    assert!(store.ensure_session(UserId(2), &new_session("theirs")).unwrap().is_some());
    assert!(store.list_sessions(LOCAL_USER).unwrap().is_empty());
}

fn create_user_numbers_users_and_refuses_a_taken_name(kind: Kind) {
    let store = fresh(kind);
    assert_eq!(store.create_user("ann", "user").unwrap(), UserId(2));
    assert_eq!(store.create_user("ben", "user").unwrap(), UserId(3));
    assert!(store.create_user("ann", "user").is_err(), "a taken username");
    assert!(store.ensure_session(UserId(3), &new_session("bens")).unwrap().is_some());
    assert!(store.get_session(UserId(2), "bens").unwrap().is_none(), "another user's session is not yours");
}

fn ensure_session_keeps_an_existing_session(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.rename_session(LOCAL_USER, "a", "Quali").unwrap();
    let again = store.ensure_session(LOCAL_USER, &new_session("a")).unwrap().unwrap();
    assert_eq!(again.name, "Quali");
    assert_eq!(store.list_sessions(LOCAL_USER).unwrap().len(), 1);
}

fn redelivered_frames_are_no_ops(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    assert_eq!(store.write_frames(&frames(LOCAL_USER, "a", 1..=2500)).unwrap(), 2500);
    assert_eq!(store.write_frames(&frames(LOCAL_USER, "a", 2400..=2600)).unwrap(), 100);
    assert_eq!(store.write_frames(&[]).unwrap(), 0);
    // New frames, one of them twice in the batch: stored once, counted once.
    let mut twice = frames(LOCAL_USER, "a", 2601..=2610);
    twice.extend(frames(LOCAL_USER, "a", 2605..=2605));
    assert_eq!(store.write_frames(&twice).unwrap(), 10);
    assert_eq!(store.count_frames(LOCAL_USER, "a").unwrap(), 2610);
    let read = store.session_frames(LOCAL_USER, "a", 10, 12).unwrap();
    assert_eq!(seqs(&read), vec![10, 11, 12]);
    assert_eq!(read[0].speed_kmh, 10.0);
}

/// The writer's shape of batch: many live sessions, their frames interleaved as
/// they arrive, realistic demo frames. 20,000 frames over 40 sessions.
fn interleaved_sessions_in_large_batches_are_written_once(kind: Kind) {
    let store = fresh(kind);
    let sessions: Vec<Arc<str>> = (0..40).map(|i| Arc::from(format!("session-{i:02}"))).collect();
    for session in &sessions {
        store.ensure_session(LOCAL_USER, &new_session(session)).unwrap();
    }
    let mut driver = DemoDriver::new(3);
    let batch: Vec<FrameRecord> = (1..=500u64)
        .flat_map(|seq| sessions.iter().map(move |session| (seq, session.clone())))
        .map(|(seq, session_id)| FrameRecord {
            owner: LOCAL_USER,
            session_id,
            frame: TelemetryFrame { seq, captured_at_us: 1_700_000_000_000_000 + seq * 16_667, ..driver.next_frame() },
        })
        .collect();
    assert_eq!(batch.len(), 20_000);
    assert_eq!(store.write_frames(&batch).unwrap(), 20_000);
    assert_eq!(store.write_frames(&batch).unwrap(), 0, "the whole batch again is a no-op");
    // Half of it again, reversed, with 400 new frames of two sessions among it.
    let mut again: Vec<FrameRecord> = batch.iter().rev().step_by(2).cloned().collect();
    for session in &sessions[..2] {
        again.extend(frames(LOCAL_USER, session, 501..=700));
    }
    assert_eq!(store.write_frames(&again).unwrap(), 400);
    for (i, session) in sessions.iter().enumerate() {
        let expected = if i < 2 { 700 } else { 500 };
        assert_eq!(store.count_frames(LOCAL_USER, session).unwrap(), expected, "{session}");
    }
    let read = store.session_frames(LOCAL_USER, &sessions[7], 1, 500).unwrap();
    assert_eq!(seqs(&read), (1..=500).collect::<Vec<_>>());
    let written: Vec<&TelemetryFrame> =
        batch.iter().filter(|record| record.session_id == sessions[7]).map(|record| &record.frame).collect();
    assert_eq!(read.iter().collect::<Vec<_>>(), written, "frames come back as they went in");
}

fn concurrent_writers_store_each_frame_once(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    let handles: Vec<_> = (0..4u64)
        .map(|writer| {
            let store = store.store.clone();
            // Overlapping ranges: 1..=1000, 251..=1250, 501..=1500, 751..=1750.
            std::thread::spawn(move || {
                let first = 1 + writer * 250;
                frames(LOCAL_USER, "a", first..=first + 999)
                    .chunks(100)
                    .map(|chunk| store.write_frames(chunk).unwrap())
                    .sum::<usize>()
            })
        })
        .collect();
    let written: usize = handles.into_iter().map(|handle| handle.join().unwrap()).sum();
    assert_eq!(written, 1750, "each frame counted as new exactly once");
    assert_eq!(store.count_frames(LOCAL_USER, "a").unwrap(), 1750);
}

fn resume_frames_are_those_after_the_last_lap(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    assert!(store.resume_frames(LOCAL_USER, "a", 10).unwrap().is_empty());
    store.write_frames(&frames(LOCAL_USER, "a", 1..=30)).unwrap();
    assert_eq!(seqs(&store.resume_frames(LOCAL_USER, "a", 3).unwrap()), vec![28, 29, 30]);
    store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap();
    store.record_lap(LOCAL_USER, &lap("a", 2, 90_000, true)).unwrap();
    assert_eq!(seqs(&store.resume_frames(LOCAL_USER, "a", 100).unwrap()), (21..=30).collect::<Vec<_>>());
    assert_eq!(seqs(&store.resume_frames(LOCAL_USER, "a", 5).unwrap()), (26..=30).collect::<Vec<_>>());
}

fn laps_update_the_session_and_ignore_invalid_laps_for_best(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap();
    store.record_lap(LOCAL_USER, &lap("a", 2, 80_000, false)).unwrap();
    let (stored, session) = store.record_lap(LOCAL_USER, &lap("a", 3, 85_000, true)).unwrap().unwrap();
    assert_eq!(stored.lap_number, 3);
    assert_eq!(session.lap_count, 3);
    assert_eq!(session.best_lap_time_ms, Some(85_000));
    // Recording the same lap again changes nothing.
    let (_, session) = store.record_lap(LOCAL_USER, &lap("a", 3, 1, true)).unwrap().unwrap();
    assert_eq!(session.lap_count, 3);
    assert_eq!(session.best_lap_time_ms, Some(85_000));
    let laps = store.list_laps(LOCAL_USER, "a").unwrap().unwrap();
    assert_eq!(laps.iter().map(|lap| lap.lap_time_ms).collect::<Vec<_>>(), vec![90_000, 80_000, 85_000]);
    assert_eq!(store.get_lap(LOCAL_USER, laps[0].id).unwrap().unwrap(), laps[0]);
}

fn another_users_rows_are_unreachable(kind: Kind) {
    let store = fresh(kind);
    let other = add_user(&store, 2);
    store.ensure_session(LOCAL_USER, &new_session("mine")).unwrap();
    store.write_frames(&frames(LOCAL_USER, "mine", 1..=10)).unwrap();
    let (mine, _) = store.record_lap(LOCAL_USER, &lap("mine", 1, 90_000, true)).unwrap().unwrap();
    store.ensure_session(other, &new_session("theirs")).unwrap();
    store.write_frames(&frames(other, "theirs", 1..=5)).unwrap();

    assert_eq!(store.list_sessions(other).unwrap().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), vec!["theirs"]);
    assert_eq!(store.get_session(other, "mine").unwrap(), None);
    assert_eq!(store.list_laps(other, "mine").unwrap(), None);
    assert_eq!(store.get_lap(other, mine.id).unwrap(), None);
    assert!(store.lap_frames(other, &mine).unwrap().is_empty());
    assert!(store.resume_frames(other, "mine", 100).unwrap().is_empty());
    assert_eq!(store.count_frames(other, "mine").unwrap(), 0);
    assert_eq!(store.count_frames(LOCAL_USER, "theirs").unwrap(), 0);
    assert_eq!(store.rename_session(other, "mine", "stolen").unwrap(), None);
    assert!(!store.delete_session(other, "mine").unwrap());
    assert_eq!(store.record_lap(other, &lap("mine", 2, 1, true)).unwrap(), None);
    // Claiming the same session id does not hand it over.
    assert_eq!(store.ensure_session(other, &new_session("mine")).unwrap(), None);
    assert_eq!(store.get_session(LOCAL_USER, "mine").unwrap().unwrap().name, "Session mine");
    assert_eq!(store.count_frames(LOCAL_USER, "mine").unwrap(), 10);
}

fn deleting_a_session_removes_its_laps_and_frames(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.ensure_session(LOCAL_USER, &new_session("b")).unwrap();
    store.write_frames(&frames(LOCAL_USER, "a", 1..=20)).unwrap();
    store.write_frames(&frames(LOCAL_USER, "b", 1..=20)).unwrap();
    let (lap_a, _) = store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap().unwrap();
    assert!(store.delete_session(LOCAL_USER, "a").unwrap());
    assert!(!store.delete_session(LOCAL_USER, "a").unwrap(), "already gone");
    assert_eq!(store.get_lap(LOCAL_USER, lap_a.id).unwrap(), None);
    assert_eq!(store.count_frames(LOCAL_USER, "a").unwrap(), 0);
    assert_eq!(store.count_frames(LOCAL_USER, "b").unwrap(), 20);
}

fn data_survives_reopening(kind: Kind) {
    let store = fresh(kind);
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap();
    store.write_frames(&frames(LOCAL_USER, "a", 1..=10)).unwrap();
    let reopened = store.reopen();
    assert_eq!(reopened.list_laps(LOCAL_USER, "a").unwrap().unwrap().len(), 1);
    assert_eq!(reopened.count_frames(LOCAL_USER, "a").unwrap(), 10);
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let error = Store::open(Path::new("/proc/purplesector/x.db")).unwrap_err().to_string();
    assert!(error.contains("/proc/purplesector"), "{error}");
}

#[test]
fn database_urls_pick_the_backend() {
    let data = Path::new("/data");
    let parse = |url: &str| DatabaseTarget::parse(url, data);
    assert_eq!(parse("").unwrap(), DatabaseTarget::Sqlite(PathBuf::from("/data/purplesector.db")));
    assert_eq!(parse("sqlite:///tmp/x.db").unwrap(), DatabaseTarget::Sqlite(PathBuf::from("/tmp/x.db")));
    assert_eq!(parse("sqlite:x.db").unwrap(), DatabaseTarget::Sqlite(PathBuf::from("x.db")));
    for url in ["postgres://u:secret@db:5433/ps", "postgresql://u:secret@db:5433/ps?sslmode=prefer"] {
        let target = parse(url).unwrap();
        assert_eq!(target.backend(), "postgres");
        assert_eq!(target.location(), "db:5433/ps");
        assert!(!format!("{target:?}").contains("secret"));
    }
    let error = parse("mysql://u:secret@db/ps").unwrap_err().to_string();
    assert!(error.contains("`mysql:` is not supported") && !error.contains("secret"), "{error}");
    assert!(parse("/var/db.sqlite").unwrap_err().to_string().contains("no scheme"));
    assert!(parse("sqlite:").is_err());
    let error = parse("postgres://u:secret@db:notaport/ps").unwrap_err().to_string();
    assert!(error.contains("not a valid PostgreSQL URL") && !error.contains("secret"), "{error}");
}

/// Migrations under `migrations/postgres`: init, accounts, track models.
const MIGRATION_COUNT: usize = 3;

#[test]
fn postgres_migrations_run_once_on_a_fresh_database() {
    let db = PgTestDb::create();
    let store = Store::connect_url(&db.url, Path::new("unused")).unwrap();
    assert_eq!(store.migrate().unwrap(), MIGRATION_COUNT, "every migration, once");
    assert_eq!(store.migrate().unwrap(), 0);
    assert_eq!(Store::open_url(&db.url, Path::new("unused")).unwrap().migrate().unwrap(), 0);
    assert!(store.location().ends_with(&format!("/{}", db.name)), "{}", store.location());
}

#[test]
fn postgres_migrations_from_processes_starting_together_apply_once() {
    let db = PgTestDb::create();
    let stores: Vec<Store> = (0..3).map(|_| Store::connect_url(&db.url, Path::new("unused")).unwrap()).collect();
    let handles: Vec<_> =
        stores.into_iter().map(|store| std::thread::spawn(move || store.migrate().unwrap())).collect();
    let applied: Vec<usize> = handles.into_iter().map(|handle| handle.join().unwrap()).collect();
    assert_eq!(applied.iter().sum::<usize>(), MIGRATION_COUNT, "{applied:?}");
}

#[test]
fn an_unreachable_postgres_server_is_a_clear_error() {
    // Nothing listens on port 1; the name under .invalid never resolves.
    for (url, location) in [
        ("postgres://ps:secret@127.0.0.1:1/purplesector", "127.0.0.1:1/purplesector"),
        ("postgresql://ps:secret@no-such-host.invalid:5432/purplesector", "no-such-host.invalid:5432/purplesector"),
    ] {
        let started = std::time::Instant::now();
        let error = Store::open_url(url, Path::new("unused")).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
        assert!(message.starts_with(&format!("cannot connect to PostgreSQL at {location}: ")), "{message}");
        assert!(message.contains("error connecting to server: "), "the cause is kept: {message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "failed fast enough");
    }
}

#[test]
fn a_wrong_postgres_database_is_a_clear_error() {
    let url = with_database(&pg_server(), "ps_test_does_not_exist");
    let message = Store::open_url(&url, Path::new("unused")).unwrap_err().to_string();
    assert!(message.starts_with("cannot connect to PostgreSQL at "), "{message}");
    assert!(message.contains("database \"ps_test_does_not_exist\" does not exist"), "{message}");
}

#[test]
fn the_postgres_store_answers_calls_made_inside_an_async_runtime() {
    // Not the way to call it (it holds the executor thread), but it must not panic.
    let store = fresh(Kind::Postgres);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let sessions = runtime.block_on(async { store.list_sessions(LOCAL_USER) }).unwrap();
    assert!(sessions.is_empty());
    // And dropping the last handle there stops its runtime without panicking.
    let TestStore { store: inner, place } = store;
    runtime.block_on(async move { drop(inner) });
    drop(place);
}

#[test]
fn test_database_urls_replace_only_the_database() {
    assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
}

#[test]
fn writing_to_an_unmigrated_postgres_database_names_the_cause() {
    let db = PgTestDb::create();
    let store = Store::connect_url(&db.url, Path::new("unused")).unwrap();
    let message = store.write_frames(&frames(LOCAL_USER, "a", 1..=3)).unwrap_err().to_string();
    assert!(message.starts_with("writing frames to PostgreSQL (COPY) failed: "), "{message}");
    assert!(message.contains("relation \"telemetry_frames\" does not exist"), "{message}");
}

#[test]
fn postgres_connections_are_encrypted_when_the_url_requires_it() {
    let db = PgTestDb::create();
    let connection_is = |url: &str, encrypted: bool| {
        let store = Store::open_url(url, Path::new("unused")).unwrap();
        let check = format!(
            "DO $$ BEGIN IF (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) IS DISTINCT FROM {encrypted} \
             THEN RAISE EXCEPTION 'ssl is not {encrypted}'; END IF; END $$"
        );
        store.batch_execute(&check).unwrap();
        // The COPY connections too: frames written over them.
        store.write_frames(&frames(LOCAL_USER, "tls", 1..=50)).unwrap();
        store
    };
    // The machine's server offers TLS (Debian enables it with its snakeoil certificate):
    // `require` encrypts without verifying, as libpq does when no CA is given.
    let store = connection_is(&format!("{}?sslmode=require", db.url), true);
    assert_eq!(store.count_frames(LOCAL_USER, "tls").unwrap(), 50);
    connection_is(&format!("{}?sslmode=disable", db.url), false);
}

use super::*;

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/purplesector.db")).unwrap();
    (dir, store)
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
    let mut conn = store.conn().unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO users (id, username, role, created_at_ms) VALUES ({id}, 'user{id}', 'user', 0)"
    ))
    .unwrap();
    UserId(id)
}

#[test]
fn migrations_create_the_local_user_and_are_idempotent() {
    let (_dir, store) = temp_store();
    assert_eq!(store.migrate().unwrap(), 0, "second run applies nothing");
    store.check().unwrap();
    let info = store.ensure_session(LOCAL_USER, &new_session("a")).unwrap().unwrap();
    assert_eq!(info.sim, Sim::Demo as i32);
    assert_eq!(info.lap_count, 0);
}

#[test]
fn ensure_session_keeps_an_existing_session() {
    let (_dir, store) = temp_store();
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.rename_session(LOCAL_USER, "a", "Quali").unwrap();
    let again = store.ensure_session(LOCAL_USER, &new_session("a")).unwrap().unwrap();
    assert_eq!(again.name, "Quali");
    assert_eq!(store.list_sessions(LOCAL_USER).unwrap().len(), 1);
}

#[test]
fn redelivered_frames_are_no_ops() {
    let (_dir, store) = temp_store();
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    assert_eq!(store.write_frames(&frames(LOCAL_USER, "a", 1..=2500)).unwrap(), 2500);
    assert_eq!(store.write_frames(&frames(LOCAL_USER, "a", 2400..=2600)).unwrap(), 100);
    assert_eq!(store.count_frames(LOCAL_USER, "a").unwrap(), 2600);
    let read = store.session_frames(LOCAL_USER, "a", 10, 12).unwrap();
    assert_eq!(read.iter().map(|frame| frame.seq).collect::<Vec<_>>(), vec![10, 11, 12]);
    assert_eq!(read[0].speed_kmh, 10.0);
}

#[test]
fn laps_update_the_session_and_ignore_invalid_laps_for_best() {
    let (_dir, store) = temp_store();
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

#[test]
fn another_users_rows_are_unreachable() {
    let (_dir, store) = temp_store();
    let other = add_user(&store, 2);
    store.ensure_session(LOCAL_USER, &new_session("mine")).unwrap();
    store.write_frames(&frames(LOCAL_USER, "mine", 1..=10)).unwrap();
    let (mine, _) = store.record_lap(LOCAL_USER, &lap("mine", 1, 90_000, true)).unwrap().unwrap();

    assert!(store.list_sessions(other).unwrap().is_empty());
    assert_eq!(store.get_session(other, "mine").unwrap(), None);
    assert_eq!(store.list_laps(other, "mine").unwrap(), None);
    assert_eq!(store.get_lap(other, mine.id).unwrap(), None);
    assert!(store.lap_frames(other, &mine).unwrap().is_empty());
    assert_eq!(store.rename_session(other, "mine", "stolen").unwrap(), None);
    assert!(!store.delete_session(other, "mine").unwrap());
    assert_eq!(store.record_lap(other, &lap("mine", 2, 1, true)).unwrap(), None);
    // Claiming the same session id does not hand it over.
    assert_eq!(store.ensure_session(other, &new_session("mine")).unwrap(), None);
    assert_eq!(store.get_session(LOCAL_USER, "mine").unwrap().unwrap().name, "Session mine");
}

#[test]
fn deleting_a_session_removes_its_laps_and_frames() {
    let (_dir, store) = temp_store();
    store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
    store.ensure_session(LOCAL_USER, &new_session("b")).unwrap();
    store.write_frames(&frames(LOCAL_USER, "a", 1..=20)).unwrap();
    store.write_frames(&frames(LOCAL_USER, "b", 1..=20)).unwrap();
    let (lap_a, _) = store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap().unwrap();
    assert!(store.delete_session(LOCAL_USER, "a").unwrap());
    assert_eq!(store.get_lap(LOCAL_USER, lap_a.id).unwrap(), None);
    assert_eq!(store.count_frames(LOCAL_USER, "a").unwrap(), 0);
    assert_eq!(store.count_frames(LOCAL_USER, "b").unwrap(), 20);
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    {
        let store = Store::open(&path).unwrap();
        store.ensure_session(LOCAL_USER, &new_session("a")).unwrap();
        store.record_lap(LOCAL_USER, &lap("a", 1, 90_000, true)).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.list_laps(LOCAL_USER, "a").unwrap().unwrap().len(), 1);
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let error = Store::open(Path::new("/proc/purplesector/x.db")).unwrap_err().to_string();
    assert!(error.contains("/proc/purplesector"), "{error}");
}

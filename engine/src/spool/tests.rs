//! The spool on real files in temporary directories: order, acks across restarts,
//! torn and corrupt records, the size bound, and a model check against a `VecDeque`.

use std::collections::VecDeque;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryBatch, TelemetryFrame};

use super::*;

/// Batch number `n` (below 1000) with `frames` frames; batches with the same number of
/// frames encode to the same size.
fn batch(n: u64, frames: usize) -> TelemetryBatch {
    TelemetryBatch {
        session_id: format!("session-{n:04}"),
        sim: Sim::Demo as i32,
        sample_rate_hz: 60.0,
        frames: (0..frames as u64)
            .map(|i| TelemetryFrame { seq: 1_000_000 + n * 1000 + i, speed_kmh: 123.5, ..Default::default() })
            .collect(),
        track: "Purple Park".to_string(),
        ..Default::default()
    }
}

/// The number a [`batch`] was made with.
fn number(batch: &TelemetryBatch) -> u64 {
    batch.session_id.strip_prefix("session-").and_then(|n| n.parse().ok()).expect("a test batch")
}

/// Bytes on disk for one [`batch`] with 3 frames.
fn record_bytes() -> u64 {
    let bytes = RECORD_HEADER_BYTES + batch(1, 3).encoded_len() as u64;
    assert_eq!(bytes, RECORD_HEADER_BYTES + batch(999, 3).encoded_len() as u64);
    bytes
}

fn config(dir: &Path, segment_bytes: u64, max_bytes: u64) -> SpoolConfig {
    SpoolConfig { dir: dir.to_path_buf(), max_bytes, segment_bytes }
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "spool"))
        .collect();
    files.sort();
    files
}

fn disk_usage(dir: &Path) -> u64 {
    segment_files(dir).iter().map(|path| fs::metadata(path).unwrap().len()).sum()
}

fn push_all(spool: &mut Spool, numbers: impl IntoIterator<Item = u64>) -> Dropped {
    let mut total = Dropped::default();
    for n in numbers {
        let dropped = spool.push(&batch(n, 3)).unwrap();
        total.batches += dropped.batches;
        total.frames += dropped.frames;
    }
    total
}

/// Peeks and acks until the spool is empty; the numbers of the batches, in order.
fn drain(spool: &mut Spool) -> Vec<u64> {
    let mut numbers = Vec::new();
    while let Some(batch) = spool.peek().unwrap() {
        numbers.push(number(&batch));
        spool.ack().unwrap();
    }
    assert!(spool.is_empty());
    assert_eq!((spool.pending_batches(), spool.pending_frames(), spool.pending_bytes()), (0, 0, 0));
    numbers
}

fn flip_byte(path: &Path, offset: u64) {
    let mut bytes = fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x40;
    fs::write(path, bytes).unwrap();
}

#[test]
fn crc32_matches_the_ieee_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
}

#[test]
fn empty_spool_peeks_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(SpoolConfig::new(dir.path().join("spool"))).unwrap();
    assert_eq!(spool.peek().unwrap(), None);
    spool.ack().unwrap();
    assert!(spool.is_empty());
    assert_eq!((spool.pending_batches(), spool.pending_bytes(), spool.disk_bytes()), (0, 0, 0));
    assert!(segment_files(&dir.path().join("spool")).is_empty());
}

#[test]
fn default_config_has_the_documented_bounds() {
    let config = SpoolConfig::new("/tmp/x");
    assert_eq!((config.max_bytes, config.segment_bytes), (512 << 20, 8 << 20));
}

#[test]
fn invalid_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(Spool::open(config(dir.path(), 0, 1000)), Err(SpoolError::Config(_))));
    assert!(matches!(Spool::open(config(dir.path(), 100, 8)), Err(SpoolError::Config(_))));
}

#[test]
fn round_trip_in_order_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let mut spool = Spool::open(config(dir.path(), 4 * record, 1 << 20)).unwrap();
    assert_eq!(push_all(&mut spool, 1..=50), Dropped::default());
    assert_eq!(segment_files(dir.path()).len(), 13);
    assert_eq!((spool.pending_batches(), spool.pending_frames()), (50, 150));
    assert_eq!(spool.pending_bytes(), 50 * record);
    assert_eq!(spool.disk_bytes(), disk_usage(dir.path()));

    // The same batch until it is acknowledged.
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    spool.ack().unwrap();
    assert_eq!(spool.pending_bytes(), 49 * record);
    // An ack without a peek acknowledges nothing.
    spool.ack().unwrap();
    assert_eq!(spool.pending_batches(), 49);

    assert_eq!(drain(&mut spool), (2..=50).collect::<Vec<_>>());
    // Read segments are deleted; the one being written stays until it is closed.
    assert_eq!(segment_files(dir.path()).len(), 1);
    assert_eq!(spool.peek().unwrap(), None);
}

#[test]
fn interleaved_push_and_read_keep_order() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let mut spool = Spool::open(config(dir.path(), 3 * record, 1 << 20)).unwrap();
    let mut read = Vec::new();
    for n in 1..=40 {
        spool.push(&batch(n, 3)).unwrap();
        if n % 3 != 0 {
            read.push(number(&spool.peek().unwrap().unwrap()));
            spool.ack().unwrap();
        }
    }
    read.extend(drain(&mut spool));
    assert_eq!(read, (1..=40).collect::<Vec<_>>());
    assert!(segment_files(dir.path()).len() <= 1);
}

#[test]
fn read_segments_are_deleted_and_ids_are_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let config = config(dir.path(), 2 * record, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=6);
    let before = segment_files(dir.path());
    assert_eq!(before.len(), 3);
    assert_eq!(before[0].file_name().unwrap(), "00000000000000000001.spool");
    assert_eq!(drain(&mut spool), (1..=6).collect::<Vec<_>>());
    assert_eq!(segment_files(dir.path()), before[2..]);
    drop(spool);

    let mut spool = Spool::open(config.clone()).unwrap();
    assert!(segment_files(dir.path()).is_empty(), "the read segment goes on reopening");
    spool.push(&batch(7, 3)).unwrap();
    let after = segment_files(dir.path());
    assert_eq!(after.len(), 1);
    assert!(after[0] > before[2]);
    drop(spool);

    let mut spool = Spool::open(config).unwrap();
    assert_eq!(drain(&mut spool), vec![7]);
}

#[test]
fn ack_persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let config = config(dir.path(), 2 * record, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=5);
    for expected in 1..=3 {
        assert_eq!(number(&spool.peek().unwrap().unwrap()), expected);
        spool.ack().unwrap();
    }
    drop(spool);

    let mut spool = Spool::open(config.clone()).unwrap();
    assert_eq!((spool.pending_batches(), spool.pending_frames()), (2, 6));
    assert_eq!(spool.pending_bytes(), 2 * record);
    assert_eq!(spool.peek().unwrap(), Some(batch(4, 3)));
    spool.ack().unwrap();
    spool.sync().unwrap();
    drop(spool);

    let mut spool = Spool::open(config).unwrap();
    assert_eq!(drain(&mut spool), vec![5]);
}

#[test]
fn unacked_batch_is_returned_again_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), 1 << 20, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=3);
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    spool.ack().unwrap();
    assert_eq!(spool.peek().unwrap(), Some(batch(2, 3)));
    drop(spool);

    let mut spool = Spool::open(config).unwrap();
    assert_eq!(spool.peek().unwrap(), Some(batch(2, 3)));
    assert_eq!(drain(&mut spool), vec![2, 3]);
}

#[test]
fn sync_then_reopen_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let config = config(dir.path(), 2 * record, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=5);
    spool.peek().unwrap();
    spool.ack().unwrap();
    spool.sync().unwrap();
    spool.sync().unwrap();
    drop(spool);
    assert_eq!(drain(&mut Spool::open(config).unwrap()), vec![2, 3, 4, 5]);
}

#[test]
fn torn_tail_is_cut_and_earlier_records_survive() {
    let record = record_bytes();
    // Bytes cut off the last record: part of the payload, all of it, part of the header.
    for cut in [1, 3, record - RECORD_HEADER_BYTES, record - 5, record - 1] {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path(), 4 * record, 1 << 20);
        let mut spool = Spool::open(config.clone()).unwrap();
        push_all(&mut spool, 1..=10);
        drop(spool);
        let last = segment_files(dir.path()).pop().unwrap();
        let file = fs::OpenOptions::new().write(true).open(&last).unwrap();
        file.set_len(2 * record - cut).unwrap();
        drop(file);

        let mut spool = Spool::open(config.clone()).unwrap();
        let damage = spool.damage();
        assert_eq!((damage.torn_tails, damage.corrupt_records), (1, 0), "cut {cut}");
        assert_eq!(damage.discarded_bytes, record - cut, "cut {cut}");
        assert_eq!(fs::metadata(&last).unwrap().len(), record, "the torn record is cut away");
        assert_eq!(spool.pending_batches(), 9);
        spool.push(&batch(11, 3)).unwrap();
        drop(spool);

        // Recovered once: the next open finds nothing wrong.
        let mut spool = Spool::open(config).unwrap();
        assert_eq!(spool.damage(), Damage::default());
        let mut expected: Vec<u64> = (1..=9).collect();
        expected.push(11);
        assert_eq!(drain(&mut spool), expected, "cut {cut}");
    }
}

#[test]
fn zero_filled_tail_is_not_read_as_batches() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), 1 << 20, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=3);
    drop(spool);
    let last = segment_files(dir.path()).pop().unwrap();
    fs::OpenOptions::new().append(true).open(&last).unwrap().write_all(&[0; 64]).unwrap();

    let mut spool = Spool::open(config).unwrap();
    let damage = spool.damage();
    assert_eq!(damage.torn_tails + damage.corrupt_records, 1);
    assert_eq!(damage.discarded_bytes, 64);
    assert_eq!(drain(&mut spool), vec![1, 2, 3]);
}

#[test]
fn flipped_byte_is_caught_by_the_crc_and_later_segments_survive() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let config = config(dir.path(), 4 * record, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=12);
    drop(spool);
    let first = segment_files(dir.path()).remove(0);
    // Inside the payload of the second record of the first segment.
    flip_byte(&first, record + RECORD_HEADER_BYTES + 3);

    let mut spool = Spool::open(config.clone()).unwrap();
    let damage = spool.damage();
    assert_eq!((damage.torn_tails, damage.corrupt_records), (0, 1));
    assert_eq!(damage.discarded_bytes, 3 * record);
    assert_eq!(fs::metadata(&first).unwrap().len(), record);
    assert_eq!(spool.pending_batches(), 9);
    assert_eq!(drain(&mut spool), [1].into_iter().chain(5..=12).collect::<Vec<_>>());
    drop(spool);
    assert_eq!(Spool::open(config).unwrap().damage(), Damage::default());
}

#[test]
fn flipped_length_field_is_caught_too() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let config = config(dir.path(), 4 * record, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=8);
    drop(spool);
    let first = segment_files(dir.path()).remove(0);
    flip_byte(&first, 2 * record + 3); // the top byte of the third record's length

    let mut spool = Spool::open(config).unwrap();
    assert_eq!(spool.damage().corrupt_records, 1);
    assert_eq!(drain(&mut spool), vec![1, 2, 5, 6, 7, 8]);
}

#[test]
fn corruption_found_while_reading_is_reported_once_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let mut spool = Spool::open(config(dir.path(), 4 * record, 1 << 20)).unwrap();
    push_all(&mut spool, 1..=12);
    let first = segment_files(dir.path()).remove(0);
    flip_byte(&first, record + RECORD_HEADER_BYTES + 3);

    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    spool.ack().unwrap();
    match spool.peek() {
        Err(SpoolError::Corrupt { path, offset, .. }) => assert_eq!((path, offset), (first.clone(), record)),
        other => panic!("expected a corrupt record, got {other:?}"),
    }
    let damage = spool.damage();
    assert_eq!((damage.corrupt_records, damage.lost_batches, damage.lost_frames), (1, 3, 9));
    assert_eq!(damage.discarded_bytes, 3 * record);
    assert!(!first.exists());
    assert_eq!(spool.pending_batches(), 8);
    assert_eq!(drain(&mut spool), (5..=12).collect::<Vec<_>>());
}

#[test]
fn bound_drops_the_oldest_segments_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let max_bytes = 4 * 1024;
    let mut spool = Spool::open(config(dir.path(), 1024, max_bytes)).unwrap();
    let mut dropped = Dropped::default();
    for n in 1..=200 {
        let now = spool.push(&batch(n, 3)).unwrap();
        assert_eq!(now.frames, 3 * now.batches);
        dropped.batches += now.batches;
        dropped.frames += now.frames;
        let usage = disk_usage(dir.path());
        assert!(usage <= max_bytes, "{usage} bytes on disk after push {n}");
        assert_eq!(usage, spool.disk_bytes());
        assert_eq!(dropped.batches + spool.pending_batches(), n);
    }
    assert!(dropped.batches > 150, "{dropped:?} with records of {record} bytes");
    assert_eq!(dropped.frames + spool.pending_frames(), 600);
    assert_eq!(drain(&mut spool), (dropped.batches + 1..=200).collect::<Vec<_>>());
}

#[test]
fn bound_spares_the_segment_of_the_batch_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(config(dir.path(), 1024, 4 * 1024)).unwrap();
    push_all(&mut spool, 1..=10);
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    let dropped = push_all(&mut spool, 11..=200);
    assert!(dropped.batches > 150);
    assert!(disk_usage(dir.path()) <= 4 * 1024);
    // The batch in flight was not dropped: its ack still applies.
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    spool.ack().unwrap();
    assert_eq!(spool.peek().unwrap(), Some(batch(2, 3)));
    let rest = drain(&mut spool);
    assert!(rest.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(rest.last(), Some(&200));
    assert_eq!(1 + rest.len() as u64 + dropped.batches, 200);
}

#[test]
fn bound_smaller_than_a_segment_closes_and_drops_the_one_being_written() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let mut spool = Spool::open(config(dir.path(), 1 << 20, 5 * record)).unwrap();
    assert_eq!(push_all(&mut spool, 1..=5), Dropped::default());
    assert_eq!(spool.push(&batch(6, 3)).unwrap(), Dropped { batches: 5, frames: 15 });
    assert_eq!(push_all(&mut spool, 7..=12), Dropped { batches: 5, frames: 15 });
    assert!(disk_usage(dir.path()) <= 5 * record);
    assert_eq!(drain(&mut spool), vec![11, 12]);
}

#[test]
fn in_flight_batch_dropped_when_nothing_else_can_go() {
    let dir = tempfile::tempdir().unwrap();
    let record = record_bytes();
    let mut spool = Spool::open(config(dir.path(), 1 << 20, 3 * record)).unwrap();
    push_all(&mut spool, 1..=3);
    assert_eq!(spool.peek().unwrap(), Some(batch(1, 3)));
    assert_eq!(spool.push(&batch(4, 3)).unwrap(), Dropped { batches: 3, frames: 9 });
    // The ack finds no batch in flight and acknowledges nothing.
    spool.ack().unwrap();
    assert_eq!(drain(&mut spool), vec![4]);
}

#[test]
fn oversized_batch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(config(dir.path(), 512, 1024)).unwrap();
    let big = batch(1, 200);
    match spool.push(&big) {
        Err(SpoolError::TooLarge { bytes, limit }) => {
            assert_eq!(bytes, RECORD_HEADER_BYTES + big.encoded_len() as u64);
            assert_eq!(limit, 1024);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(spool.is_empty());
    assert_eq!(spool.peek().unwrap(), None);
    assert_eq!(disk_usage(dir.path()), 0);
    // Still usable.
    spool.push(&batch(2, 3)).unwrap();
    assert_eq!(drain(&mut spool), vec![2]);
}

#[test]
fn batch_larger_than_a_segment_gets_one_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(config(dir.path(), 64, 1 << 20)).unwrap();
    push_all(&mut spool, 1..=3);
    assert_eq!(segment_files(dir.path()).len(), 3);
    assert_eq!(drain(&mut spool), vec![1, 2, 3]);
}

#[test]
fn empty_batch_is_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(config(dir.path(), 1024, 4096)).unwrap();
    assert_eq!(spool.push(&TelemetryBatch::default()).unwrap(), Dropped::default());
    assert!(spool.is_empty());
    assert_eq!(spool.peek().unwrap(), None);
}

#[test]
fn unreadable_cursor_sends_everything_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), 1 << 20, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=3);
    spool.peek().unwrap();
    spool.ack().unwrap();
    drop(spool);
    fs::write(dir.path().join("cursor"), "not a cursor").unwrap();
    assert_eq!(drain(&mut Spool::open(config).unwrap()), vec![1, 2, 3]);
}

#[test]
fn cursor_past_the_end_treats_the_segment_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), 1 << 20, 1 << 20);
    let mut spool = Spool::open(config.clone()).unwrap();
    push_all(&mut spool, 1..=3);
    drop(spool);
    fs::write(dir.path().join("cursor"), "1 999999\n").unwrap();
    let mut spool = Spool::open(config.clone()).unwrap();
    assert!(spool.is_empty());
    spool.push(&batch(4, 3)).unwrap();
    drop(spool);
    assert_eq!(drain(&mut Spool::open(config).unwrap()), vec![4]);
}

#[test]
fn unrelated_files_in_the_directory_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    fs::write(dir.path().join("1.spool"), "not a segment name").unwrap();
    let mut spool = Spool::open(config(dir.path(), 1024, 4096)).unwrap();
    push_all(&mut spool, 1..=2);
    assert_eq!(drain(&mut spool), vec![1, 2]);
    assert!(dir.path().join("notes.txt").exists() && dir.path().join("1.spool").exists());
}

#[derive(Debug, Clone)]
enum Op {
    Push(usize),
    Peek,
    Ack,
    Reopen,
    Sync,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..6).prop_map(Op::Push),
        3 => Just(Op::Peek),
        3 => Just(Op::Ack),
        1 => Just(Op::Reopen),
        1 => Just(Op::Sync),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn behaves_like_a_vecdeque_when_no_bound_is_hit(
        segment_bytes in 1u64..800,
        ops in proptest::collection::vec(op(), 0..80),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path(), segment_bytes, 1 << 30);
        let mut spool = Spool::open(config.clone()).unwrap();
        let mut model: VecDeque<TelemetryBatch> = VecDeque::new();
        let mut in_flight = false;
        let mut next = 1;
        for op in ops {
            match op {
                Op::Push(frames) => {
                    let batch = batch(next, frames);
                    next += 1;
                    prop_assert_eq!(spool.push(&batch).unwrap(), Dropped::default());
                    model.push_back(batch);
                }
                Op::Peek => {
                    prop_assert_eq!(spool.peek().unwrap(), model.front().cloned());
                    in_flight = !model.is_empty();
                }
                Op::Ack => {
                    spool.ack().unwrap();
                    if in_flight {
                        model.pop_front();
                        in_flight = false;
                    }
                }
                Op::Reopen => {
                    drop(spool);
                    spool = Spool::open(config.clone()).unwrap();
                    in_flight = false;
                }
                Op::Sync => spool.sync().unwrap(),
            }
            prop_assert_eq!(spool.pending_batches(), model.len() as u64);
            prop_assert_eq!(spool.pending_frames(), model.iter().map(|batch| batch.frames.len() as u64).sum::<u64>());
            prop_assert_eq!(spool.is_empty(), model.is_empty());
            prop_assert_eq!(spool.disk_bytes(), disk_usage(dir.path()));
            prop_assert_eq!(spool.damage(), Damage::default());
        }
        let expected: Vec<u64> = model.iter().map(number).collect();
        prop_assert_eq!(drain(&mut spool), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn damaged_files_never_panic_nor_invent_batches(
        count in 1u64..12,
        records_per_segment in 1u64..5,
        file in any::<proptest::sample::Index>(),
        at in any::<proptest::sample::Index>(),
        garbage in proptest::collection::vec(any::<u8>(), 1..40),
        truncate in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path(), records_per_segment * record_bytes(), 1 << 20);
        let mut spool = Spool::open(config.clone()).unwrap();
        push_all(&mut spool, 1..=count);
        drop(spool);
        let path = file.get(&segment_files(dir.path())).clone();
        let mut bytes = fs::read(&path).unwrap();
        let at = at.index(bytes.len());
        if truncate {
            bytes.truncate(at);
        } else {
            let end = (at + garbage.len()).min(bytes.len());
            bytes.splice(at..end, garbage.iter().copied());
        }
        fs::write(&path, &bytes).unwrap();

        let mut spool = Spool::open(config.clone()).unwrap();
        let mut numbers = Vec::new();
        while let Some(read) = spool.peek().unwrap() {
            prop_assert_eq!(&read, &batch(number(&read), 3));
            numbers.push(number(&read));
            spool.ack().unwrap();
        }
        prop_assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(numbers.iter().all(|n| (1..=count).contains(n)));
        // A cut at a record boundary looks like a shorter file; anything else is caught.
        if !truncate && spool.damage() == Damage::default() {
            prop_assert_eq!(numbers, (1..=count).collect::<Vec<_>>());
        }
        drop(spool);
        prop_assert_eq!(Spool::open(config).unwrap().damage(), Damage::default());
    }
}

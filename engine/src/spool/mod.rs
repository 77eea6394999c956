//! A bounded on-disk queue of telemetry batches, so a standalone collector loses no
//! frame while the server is unreachable.
//!
//! `purplesector collect SIM --server URL` pushes every [`TelemetryBatch`] here and a
//! sender loop drains it: [`Spool::peek`] the oldest batch, send it, [`Spool::ack`] it
//! once delivered. Delivery is at-least-once: a batch sent but not acknowledged (a
//! crash, a lost reply) is sent again, which is harmless because the server keeps
//! frames by `(session_id, seq)`.
//!
//! # On disk
//!
//! The directory holds append-only segment files named by an increasing zero-padded
//! number (`00000000000000000001.spool`) and a `cursor` file. A segment is a sequence
//! of records:
//!
//! ```text
//! u32 little-endian payload length | u32 little-endian CRC-32 (IEEE) of the payload | payload
//! ```
//!
//! where the payload is the protobuf encoding of one `TelemetryBatch` (never empty,
//! at most [`MAX_RECORD_BYTES`]). New batches go to the last segment until it would
//! outgrow `segment_bytes`; then a new segment is started. Each run starts a new
//! segment on its first push and never appends to files an earlier run wrote.
//!
//! The `cursor` file (text: `SEGMENT OFFSET`) is where reading resumes: every record
//! before it was acknowledged. It is rewritten on each ack by writing `cursor.tmp` and
//! renaming it over `cursor`, so it is always either the old or the new position.
//! Segments wholly before the cursor are deleted as soon as they are read; a cursor
//! naming a segment that no longer exists means "from the start of the next one".
//!
//! # Durability
//!
//! Pushes and acks are written to the operating system at once (they survive the
//! process crashing) but are not fsynced; [`Spool::sync`] fsyncs everything written so
//! far, the cursor and the directory (they then survive a power loss too). After a
//! power loss without `sync`, recent batches may be gone or the cursor may be older
//! than the last ack (batches are then sent again).
//!
//! # Recovery
//!
//! [`Spool::open`] scans every segment from the cursor on, checking each record's
//! length and CRC and decoding it, one record at a time (memory stays bounded by the
//! largest record, never a segment). A bad record ends its segment: the file is
//! truncated just before it, a warning is logged, and [`Damage`] counts it; the
//! following segments are still read. A bad record at the very end of a file is the
//! usual aftermath of a crash mid-write (a *torn tail*); one followed by more bytes
//! is corruption. Neither stops the spool from opening. A record found bad later,
//! while reading, is handled the same way and also reported once by `peek` as
//! [`SpoolError::Corrupt`].
//!
//! # The bound
//!
//! The segment files never total more than `max_bytes` (the acknowledged part of the
//! segment being read counts until that segment is deleted). When a push would go
//! past it, whole segments are deleted first, oldest first, and [`Spool::push`]
//! returns how many unsent batches and frames went with them so the caller can count
//! the loss. Two exceptions to strict age order:
//!
//! - the segment being written is never deleted while it is being written: when it is
//!   the only one left, it is closed (a new one is started) and then deleted;
//! - while a batch is *in flight* (returned by `peek`, not yet acknowledged), its
//!   segment is spared as long as another closed segment can go instead (the next
//!   oldest is deleted), so the sender's `ack` still applies. When it has to go too,
//!   the in-flight batch counts as dropped and the next `ack` does nothing.
//!
//! One process at a time may use a spool directory.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use prost::Message;
use purplesector_proto::v1::TelemetryBatch;

#[cfg(test)]
mod tests;

/// Default bound on the spool's files: 512 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// Default size at which a new segment is started: 8 MiB.
pub const DEFAULT_SEGMENT_BYTES: u64 = 8 * 1024 * 1024;
/// The largest payload a record may have (64 MiB); a length field above it is corruption.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;
/// Length and CRC in front of every payload.
pub const RECORD_HEADER_BYTES: u64 = 8;

const SEGMENT_EXTENSION: &str = ".spool";
const SEGMENT_NAME_DIGITS: usize = 20;
const CURSOR_FILE: &str = "cursor";
const CURSOR_TMP_FILE: &str = "cursor.tmp";
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Where the spool lives and how large it may grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolConfig {
    /// The spool's directory (created when missing); nothing else should live in it.
    pub dir: PathBuf,
    /// Bound on the total size of the segment files.
    pub max_bytes: u64,
    /// A new segment is started when the current one would grow past this.
    pub segment_bytes: u64,
}

impl SpoolConfig {
    /// A spool in `dir` with the default bounds (512 MiB, 8 MiB segments).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SpoolConfig { dir: dir.into(), max_bytes: DEFAULT_MAX_BYTES, segment_bytes: DEFAULT_SEGMENT_BYTES }
    }
}

/// What a push deleted to stay within `max_bytes`: unsent batches and their frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub batches: u64,
    pub frames: u64,
}

impl Dropped {
    pub fn is_empty(&self) -> bool {
        self.batches == 0 && self.frames == 0
    }
}

/// Damage found on disk since the spool was opened (including while opening).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Damage {
    /// Incomplete or bad records at the end of a file (a crash mid-write), cut away.
    pub torn_tails: u64,
    /// Bad records followed by more data; the rest of their segment was skipped.
    pub corrupt_records: u64,
    /// Bytes cut away or skipped for either reason.
    pub discarded_bytes: u64,
    /// Unsent batches known to have been lost with skipped bytes. Only known when a
    /// segment this run has counted goes bad; what followed a bad record found while
    /// opening cannot be counted.
    pub lost_batches: u64,
    /// Frames of `lost_batches`.
    pub lost_frames: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool I/O error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A record read back was bad. The spool has already skipped the rest of its
    /// segment; the next `peek` continues after it.
    #[error("corrupt spool record in {} at byte {offset}: {reason}", path.display())]
    Corrupt { path: PathBuf, offset: u64, reason: String },
    /// The batch cannot be stored at all: its record would be larger than `limit`
    /// (`max_bytes`, or the record format's own maximum).
    #[error("a batch record of {bytes} bytes cannot be spooled (limit {limit} bytes)")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("invalid spool configuration: {0}")]
    Config(String),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io { path: path.to_path_buf(), source }
}

/// One segment file, with what is still unread in it.
#[derive(Debug)]
struct Segment {
    id: u64,
    path: PathBuf,
    /// Bytes of valid records (the file's size).
    len: u64,
    /// Unacknowledged batches in it (for the head: after the cursor).
    batches: u64,
    /// Their frames.
    frames: u64,
    /// Written since the last `sync`.
    dirty: bool,
}

/// The batch handed out by the last `peek`, awaiting its `ack`.
#[derive(Debug)]
struct Peeked {
    batch: TelemetryBatch,
    frames: u64,
    record_bytes: u64,
}

/// The spool; see the module documentation.
#[derive(Debug)]
pub struct Spool {
    config: SpoolConfig,
    /// Oldest first; the front is the segment being read (the cursor's).
    segments: VecDeque<Segment>,
    /// Open on the last segment while it is the one being written.
    writer: Option<File>,
    /// The id of the next segment to create; larger than any id used before.
    next_id: u64,
    /// The cursor's offset in the front segment.
    head_offset: u64,
    /// Positioned at `head_offset` in the front segment, or just after the peeked record.
    reader: Option<BufReader<File>>,
    peeked: Option<Peeked>,
    disk_bytes: u64,
    pending_batches: u64,
    pending_frames: u64,
    damage: Damage,
}

impl Spool {
    /// Opens the spool in `config.dir` (creating the directory) and recovers what an
    /// earlier run left: its unsent batches, in order, with torn or corrupt records cut
    /// away (see the module documentation).
    pub fn open(config: SpoolConfig) -> Result<Spool, SpoolError> {
        if config.max_bytes <= RECORD_HEADER_BYTES {
            return Err(SpoolError::Config(format!(
                "max_bytes must be more than {RECORD_HEADER_BYTES}, not {}",
                config.max_bytes
            )));
        }
        if config.segment_bytes == 0 {
            return Err(SpoolError::Config("segment_bytes must be more than 0".to_string()));
        }
        fs::create_dir_all(&config.dir).map_err(io_error(&config.dir))?;
        let ids = list_segments(&config.dir)?;
        let (cursor_id, cursor_offset) = read_cursor(&config.dir)?.unwrap_or((0, 0));

        let mut damage = Damage::default();
        let mut segments = VecDeque::new();
        let mut head_offset = 0;
        for &id in &ids {
            let path = segment_path(&config.dir, id);
            if id < cursor_id {
                // Wholly read; a crash came between the ack and the deletion.
                remove_file(&path)?;
                continue;
            }
            let start = if id == cursor_id { cursor_offset } else { 0 };
            let scan = scan_segment(&path, start, &mut damage)?;
            if scan.batches == 0 {
                remove_file(&path)?;
                continue;
            }
            if segments.is_empty() {
                head_offset = scan.start;
            }
            segments.push_back(Segment {
                id,
                path,
                len: scan.len,
                batches: scan.batches,
                frames: scan.frames,
                dirty: false,
            });
        }
        let next_id = ids.last().copied().unwrap_or(0).max(cursor_id) + 1;
        let spool = Spool {
            disk_bytes: segments.iter().map(|segment| segment.len).sum(),
            pending_batches: segments.iter().map(|segment| segment.batches).sum(),
            pending_frames: segments.iter().map(|segment| segment.frames).sum(),
            config,
            segments,
            writer: None,
            next_id,
            head_offset,
            reader: None,
            peeked: None,
            damage,
        };
        spool.write_cursor(false)?;
        if spool.pending_batches > 0 {
            tracing::info!(
                dir = %spool.config.dir.display(),
                batches = spool.pending_batches,
                frames = spool.pending_frames,
                bytes = spool.pending_bytes(),
                "spool holds unsent batches from an earlier run"
            );
        }
        Ok(spool)
    }

    /// Appends a batch at the end.
    ///
    /// When the spool would go past `max_bytes`, whole segments are deleted first
    /// (oldest first, with the exceptions in the module documentation); the result
    /// says how many unsent batches and frames were dropped that way. A batch whose
    /// record could never fit (larger than `max_bytes` or [`MAX_RECORD_BYTES`]) is
    /// refused with [`SpoolError::TooLarge`] and nothing changes. A batch with no
    /// content at all (the default value, which encodes to zero bytes) carries
    /// nothing and is not stored.
    pub fn push(&mut self, batch: &TelemetryBatch) -> Result<Dropped, SpoolError> {
        let payload_bytes = batch.encoded_len() as u64;
        if payload_bytes == 0 {
            return Ok(Dropped::default());
        }
        let record_bytes = RECORD_HEADER_BYTES + payload_bytes;
        let limit = self.config.max_bytes.min(RECORD_HEADER_BYTES + MAX_RECORD_BYTES);
        if record_bytes > limit {
            return Err(SpoolError::TooLarge { bytes: record_bytes, limit });
        }

        let fits_current = match (&self.writer, self.segments.back()) {
            (Some(_), Some(last)) => last.len == 0 || last.len + record_bytes <= self.config.segment_bytes,
            _ => false,
        };
        if !fits_current {
            self.roll()?;
        }

        let mut dropped = Dropped::default();
        while self.disk_bytes + record_bytes > self.config.max_bytes {
            match self.drop_candidate() {
                Some(index) => {
                    let segment = self.remove_segment(index)?;
                    dropped.batches += segment.batches;
                    dropped.frames += segment.frames;
                }
                // Only the segment being written is left, and it is not empty.
                None => self.roll()?,
            }
        }
        if !dropped.is_empty() {
            tracing::warn!(
                batches = dropped.batches,
                frames = dropped.frames,
                max_bytes = self.config.max_bytes,
                "spool full: dropped the oldest unsent batches"
            );
        }

        let payload = batch.encode_to_vec();
        let mut record = Vec::with_capacity(record_bytes as usize);
        record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        record.extend_from_slice(&crc32(&payload).to_le_bytes());
        record.extend_from_slice(&payload);

        let (Some(writer), Some(last)) = (self.writer.as_mut(), self.segments.back_mut()) else {
            unreachable!("roll() leaves a segment being written");
        };
        if let Err(source) = writer.write_all(&record) {
            // Cut off whatever part was written, and start afresh on the next push;
            // if even the cut fails, the reader never reads past `len` and the next
            // open cuts the torn tail.
            let _ = writer.set_len(last.len);
            self.writer = None;
            return Err(SpoolError::Io { path: last.path.clone(), source });
        }
        let frames = batch.frames.len() as u64;
        last.len += record_bytes;
        last.batches += 1;
        last.frames += frames;
        last.dirty = true;
        self.disk_bytes += record_bytes;
        self.pending_batches += 1;
        self.pending_frames += frames;
        Ok(dropped)
    }

    /// The oldest batch not yet acknowledged, without removing it: the same batch
    /// again until [`Spool::ack`]. `None` when everything was acknowledged.
    ///
    /// A record found bad here makes the spool skip the rest of its segment (counted
    /// in [`Spool::damage`]) and is reported once as [`SpoolError::Corrupt`]; the next
    /// call goes on with the next segment.
    pub fn peek(&mut self) -> Result<Option<TelemetryBatch>, SpoolError> {
        if let Some(peeked) = &self.peeked {
            return Ok(Some(peeked.batch.clone()));
        }
        loop {
            let Some(head) = self.segments.front() else {
                return Ok(None);
            };
            if self.head_offset >= head.len {
                if self.head_is_being_written() {
                    return Ok(None);
                }
                self.remove_segment(0)?;
                continue;
            }
            let remaining = head.len - self.head_offset;
            let path = head.path.clone();
            if self.reader.is_none() {
                let file = File::open(&path).map_err(io_error(&path))?;
                let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
                reader.seek(SeekFrom::Start(self.head_offset)).map_err(io_error(&path))?;
                self.reader = Some(reader);
            }
            let Some(reader) = self.reader.as_mut() else {
                unreachable!("opened above");
            };
            let mut payload = Vec::new();
            return match read_record(reader, remaining, &mut payload) {
                Ok(batch) => {
                    let frames = batch.frames.len() as u64;
                    let record_bytes = RECORD_HEADER_BYTES + payload.len() as u64;
                    self.peeked = Some(Peeked { batch: batch.clone(), frames, record_bytes });
                    Ok(Some(batch))
                }
                Err(RecordError::Io(source)) => {
                    self.reader = None;
                    Err(SpoolError::Io { path, source })
                }
                Err(RecordError::Bad { reason, .. }) => Err(self.skip_rest_of_head(reason)?),
            };
        }
    }

    /// The batch returned by the last [`Spool::peek`] was delivered: it is never
    /// returned again, also not after a restart (the cursor file is rewritten; call
    /// [`Spool::sync`] to make that survive a power loss too). Does nothing when no
    /// batch is in flight (nothing peeked since the last ack, or the in-flight batch
    /// was dropped by the bound).
    pub fn ack(&mut self) -> Result<(), SpoolError> {
        let Some(peeked) = self.peeked.take() else {
            return Ok(());
        };
        let Some(head) = self.segments.front_mut() else {
            return Ok(());
        };
        self.head_offset += peeked.record_bytes;
        head.batches -= 1;
        head.frames -= peeked.frames;
        self.pending_batches -= 1;
        self.pending_frames -= peeked.frames;
        if self.head_offset >= head.len && !self.head_is_being_written() {
            self.remove_segment(0)?;
        }
        self.write_cursor(false)
    }

    /// Makes everything pushed and acknowledged so far durable: fsyncs the segments
    /// written since the last sync, the cursor and the directory.
    pub fn sync(&mut self) -> Result<(), SpoolError> {
        let last = self.segments.len().saturating_sub(1);
        for (index, segment) in self.segments.iter_mut().enumerate() {
            if !segment.dirty {
                continue;
            }
            match (&self.writer, index == last) {
                (Some(writer), true) => writer.sync_data(),
                _ => OpenOptions::new().write(true).open(&segment.path).and_then(|file| file.sync_data()),
            }
            .map_err(io_error(&segment.path))?;
            segment.dirty = false;
        }
        self.write_cursor(true)
    }

    /// Whether every batch was acknowledged.
    pub fn is_empty(&self) -> bool {
        self.pending_batches == 0
    }

    /// Batches not yet acknowledged (including one in flight).
    pub fn pending_batches(&self) -> u64 {
        self.pending_batches
    }

    /// Frames of the batches not yet acknowledged.
    pub fn pending_frames(&self) -> u64 {
        self.pending_frames
    }

    /// Bytes of records not yet acknowledged (headers included).
    pub fn pending_bytes(&self) -> u64 {
        self.disk_bytes - self.head_offset
    }

    /// Total size of the segment files, at most `max_bytes`.
    pub fn disk_bytes(&self) -> u64 {
        self.disk_bytes
    }

    /// Damage found on disk since the spool was opened.
    pub fn damage(&self) -> Damage {
        self.damage
    }

    pub fn config(&self) -> &SpoolConfig {
        &self.config
    }

    /// Whether the front segment is the one being written.
    fn head_is_being_written(&self) -> bool {
        self.writer.is_some() && self.segments.len() == 1
    }

    /// Closes the segment being written, if any, and starts a new one.
    fn roll(&mut self) -> Result<(), SpoolError> {
        self.writer = None;
        if self.peeked.is_none() && self.segments.front().is_some_and(|head| self.head_offset >= head.len) {
            self.remove_segment(0)?;
        }
        let id = self.next_id;
        let path = segment_path(&self.config.dir, id);
        let file = OpenOptions::new().write(true).create_new(true).open(&path).map_err(io_error(&path))?;
        self.next_id += 1;
        self.segments.push_back(Segment { id, path, len: 0, batches: 0, frames: 0, dirty: true });
        self.writer = Some(file);
        Ok(())
    }

    /// Which segment the bound deletes next; `None` when only the one being written is left.
    fn drop_candidate(&self) -> Option<usize> {
        let closed = self.segments.len() - usize::from(self.writer.is_some());
        match closed {
            0 => None,
            // Spare the segment of the batch in flight while another closed one can go.
            2.. if self.peeked.is_some() => Some(1),
            _ => Some(0),
        }
    }

    /// Deletes a segment's file and forgets it; returns it with what was unread in it.
    fn remove_segment(&mut self, index: usize) -> Result<Segment, SpoolError> {
        if index == 0 {
            self.reader = None;
        }
        if index + 1 == self.segments.len() {
            self.writer = None;
        }
        remove_file(&self.segments[index].path)?;
        let Some(segment) = self.segments.remove(index) else {
            unreachable!("index checked above");
        };
        if index == 0 {
            self.peeked = None;
            self.head_offset = 0;
        }
        self.disk_bytes -= segment.len;
        self.pending_batches -= segment.batches;
        self.pending_frames -= segment.frames;
        Ok(segment)
    }

    /// A record at the cursor is bad: skip the rest of the front segment.
    fn skip_rest_of_head(&mut self, reason: String) -> Result<SpoolError, SpoolError> {
        let offset = self.head_offset;
        let head = &mut self.segments[0];
        let path = head.path.clone();
        let discarded = head.len - offset;
        tracing::warn!(
            path = %path.display(),
            offset,
            discarded_bytes = discarded,
            lost_batches = head.batches,
            lost_frames = head.frames,
            %reason,
            "corrupt spool record: skipping the rest of its segment"
        );
        self.damage.corrupt_records += 1;
        self.damage.discarded_bytes += discarded;
        self.damage.lost_batches += head.batches;
        self.damage.lost_frames += head.frames;
        self.remove_segment(0)?;
        Ok(SpoolError::Corrupt { path, offset, reason })
    }

    /// Rewrites the cursor file atomically (temporary file, then rename); `durable`
    /// also fsyncs it and the directory.
    fn write_cursor(&self, durable: bool) -> Result<(), SpoolError> {
        let (id, offset) = match self.segments.front() {
            Some(head) => (head.id, self.head_offset),
            None => (self.next_id, 0),
        };
        let tmp = self.config.dir.join(CURSOR_TMP_FILE);
        let mut file = File::create(&tmp).map_err(io_error(&tmp))?;
        file.write_all(format!("{id} {offset}\n").as_bytes()).map_err(io_error(&tmp))?;
        if durable {
            file.sync_all().map_err(io_error(&tmp))?;
        }
        drop(file);
        let path = self.config.dir.join(CURSOR_FILE);
        fs::rename(&tmp, &path).map_err(io_error(&path))?;
        if durable {
            sync_dir(&self.config.dir)?;
        }
        Ok(())
    }
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:0width$}{SEGMENT_EXTENSION}", width = SEGMENT_NAME_DIGITS))
}

/// The ids of the segment files in `dir`, ascending.
fn list_segments(dir: &Path) -> Result<Vec<u64>, SpoolError> {
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let id = name
            .strip_suffix(SEGMENT_EXTENSION)
            .filter(|digits| digits.len() == SEGMENT_NAME_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok());
        if let Some(id) = id {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// The cursor an earlier run left; `None` when there is none or it is unreadable
/// (then everything on disk is sent again).
fn read_cursor(dir: &Path) -> Result<Option<(u64, u64)>, SpoolError> {
    let path = dir.join(CURSOR_FILE);
    let text = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(SpoolError::Io { path, source }),
    };
    let parsed = std::str::from_utf8(&text).ok().and_then(|text| {
        let mut fields = text.split_whitespace();
        let id = fields.next()?.parse().ok()?;
        let offset = fields.next()?.parse().ok()?;
        fields.next().is_none().then_some((id, offset))
    });
    if parsed.is_none() {
        tracing::warn!(path = %path.display(), "unreadable spool cursor: sending every spooled batch again");
    }
    Ok(parsed)
}

fn remove_file(path: &Path) -> Result<(), SpoolError> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(SpoolError::Io { path: path.into(), source: error })
        }
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir).and_then(|dir| dir.sync_all()).map_err(io_error(dir))
}

/// Directories cannot be opened, nor fsynced, as files here; renames are durable on their own.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), SpoolError> {
    Ok(())
}

/// What a scan of one segment found.
struct Scan {
    /// Where the unread records begin (the cursor, unless it was past the end).
    start: u64,
    /// Where the valid records end, now the file's size.
    len: u64,
    batches: u64,
    frames: u64,
}

/// Checks the records of a segment from `start` on, one at a time, and cuts the file
/// just before the first bad one.
fn scan_segment(path: &Path, start: u64, damage: &mut Damage) -> Result<Scan, SpoolError> {
    let file = File::open(path).map_err(io_error(path))?;
    let file_len = file.metadata().map_err(io_error(path))?.len();
    let start = if start > file_len {
        tracing::warn!(
            path = %path.display(),
            cursor = start,
            file_len,
            "spool cursor past the end of its segment (lost writes?): treating the segment as read"
        );
        file_len
    } else {
        start
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    reader.seek(SeekFrom::Start(start)).map_err(io_error(path))?;
    let mut scan = Scan { start, len: start, batches: 0, frames: 0 };
    let mut payload = Vec::new();
    while scan.len < file_len {
        match read_record(&mut reader, file_len - scan.len, &mut payload) {
            Ok(batch) => {
                scan.len += RECORD_HEADER_BYTES + payload.len() as u64;
                scan.batches += 1;
                scan.frames += batch.frames.len() as u64;
            }
            Err(RecordError::Io(source)) => return Err(SpoolError::Io { path: path.into(), source }),
            Err(RecordError::Bad { reason, at_end }) => {
                let discarded = file_len - scan.len;
                if at_end {
                    tracing::warn!(
                        path = %path.display(),
                        offset = scan.len,
                        discarded_bytes = discarded,
                        %reason,
                        "torn record at the end of a spool segment (a crash mid-write?): cut away"
                    );
                    damage.torn_tails += 1;
                } else {
                    tracing::warn!(
                        path = %path.display(),
                        offset = scan.len,
                        discarded_bytes = discarded,
                        %reason,
                        "corrupt spool record: skipping the rest of its segment"
                    );
                    damage.corrupt_records += 1;
                }
                damage.discarded_bytes += discarded;
                drop(reader);
                OpenOptions::new()
                    .write(true)
                    .open(path)
                    .and_then(|file| file.set_len(scan.len))
                    .map_err(io_error(path))?;
                break;
            }
        }
    }
    Ok(scan)
}

enum RecordError {
    Io(io::Error),
    /// A record that is not what was written; `at_end` when nothing follows it in the
    /// file (a torn write rather than corruption).
    Bad {
        reason: String,
        at_end: bool,
    },
}

/// Reads the record at the reader's position, with `remaining` valid bytes from there
/// to the end of the segment; the payload is left in `payload`.
fn read_record(reader: &mut impl Read, remaining: u64, payload: &mut Vec<u8>) -> Result<TelemetryBatch, RecordError> {
    if remaining < RECORD_HEADER_BYTES {
        return Err(RecordError::Bad { reason: format!("{remaining} bytes left, less than a header"), at_end: true });
    }
    let mut header = [0u8; RECORD_HEADER_BYTES as usize];
    reader.read_exact(&mut header).map_err(read_error)?;
    let len = u64::from(u32::from_le_bytes([header[0], header[1], header[2], header[3]]));
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let at_end = RECORD_HEADER_BYTES + len >= remaining;
    if len == 0 || len > MAX_RECORD_BYTES {
        return Err(RecordError::Bad { reason: format!("impossible record length {len}"), at_end: false });
    }
    if RECORD_HEADER_BYTES + len > remaining {
        return Err(RecordError::Bad {
            reason: format!("a record of {len} bytes with only {} bytes left", remaining - RECORD_HEADER_BYTES),
            at_end: true,
        });
    }
    payload.clear();
    payload.resize(len as usize, 0);
    reader.read_exact(payload).map_err(read_error)?;
    let actual = crc32(payload);
    if actual != crc {
        return Err(RecordError::Bad { reason: format!("CRC {actual:08x}, expected {crc:08x}"), at_end });
    }
    TelemetryBatch::decode(payload.as_slice())
        .map_err(|error| RecordError::Bad { reason: format!("not a TelemetryBatch: {error}"), at_end })
}

/// A file shorter than counted (cut by someone else) reads as a torn record, not as
/// an I/O error that would repeat forever.
fn read_error(error: io::Error) -> RecordError {
    match error.kind() {
        io::ErrorKind::UnexpectedEof => {
            RecordError::Bad { reason: "the file ends before the record does".to_string(), at_end: true }
        }
        _ => RecordError::Io(error),
    }
}

/// CRC-32 as in IEEE 802.3, zlib and PNG (reflected polynomial 0xEDB88320, initial
/// value and final XOR all ones), byte at a time from a 256-entry table built at
/// compile time. Written by hand because the workspace has no CRC crate.
/// `crc32(b"123456789") == 0xCBF4_3926`.
fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut index = 0;
        while index < 256 {
            let mut crc = index as u32;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 { 0xEDB8_8320 ^ (crc >> 1) } else { crc >> 1 };
                bit += 1;
            }
            table[index] = crc;
            index += 1;
        }
        table
    };
    !bytes.iter().fold(!0u32, |crc, &byte| TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8))
}

//! A lap as a MoTeC i2 log file (`.ld`): MoTeC i2 is the analysis software most
//! sim racers and many real teams already know, and the sims' own MoTeC exporters
//! (ACC, iRacing through third-party tools) write this format, so a lap recorded
//! here opens next to theirs.
//!
//! The file is written by the `motec-i2` crate (its `LDWriter`), the one Rust crate
//! that writes the format, and the tests read it back with the same crate's
//! `LDReader`. That writer lays every file out from a fixed header template (the
//! first 0x3448 bytes of MoTeC's own `Sample1.ld`) and overwrites only the header
//! fields it knows; it does not write the event, venue and vehicle blocks that the
//! header's event pointer leads to, so the template's would be left in place (an
//! event "i2 data day" at Calder with a car "11A"). [`write_ld`] therefore fills
//! those three blocks with the lap's own names after the crate has written the
//! file, at the addresses the template itself points to and in the field layout
//! the crate's `LDReader::read_event`/`read_venue`/`read_vehicle` read (the same
//! layout as gotzl/ldparser's `ldEvent`/`ldVenue`/`ldVehicle`).
//!
//! The format has one fixed sample rate per channel, so the export writes one
//! sample per frame at the rate the frames' `session_time_ms` steps show (their
//! median interval): the samples are the frames' values exactly, at f32 precision.

use purplesector_proto::v1::{LapInfo, SessionInfo, TelemetryFrame, Wheels};
use std::io::Cursor;

use motec_i2::{ChannelMetadata, Datatype, Header, LDReader, LDWriter, Sample};

/// Where `motec-i2` 0.2's writer puts the first channel block: right after its
/// header template, whatever pointer the header names. The header must say so too.
const CHANNEL_META_PTR: u32 = 0x3448;
/// The size of one channel block (`ChannelMetadata::ENTRY_SIZE`, private to the crate).
const CHANNEL_BLOCK_BYTES: u32 = 124;
/// Where the writer's header template keeps its event block.
const EVENT_PTR: u32 = 0x06E2;
/// The logger the header names. i2 reads files of MoTeC's own loggers; these are
/// the values of the template's (an ADL), as other exporters write them too.
const DEVICE_TYPE: &str = "ADL";
const DEVICE_SERIAL: u32 = 12007;
const DEVICE_VERSION: u16 = 420;
/// The rate written when the frames do not show one (fewer than two frames, or
/// no time between them): the demo's and most sims' capture rate.
pub const DEFAULT_SAMPLE_RATE_HZ: u16 = 60;

/// What the file says about the lap besides its channels.
#[derive(Debug, Clone, PartialEq)]
pub struct LdMetadata {
    pub driver: String,
    /// The car (i2's "Vehicle").
    pub vehicle: String,
    /// The track (i2's "Venue").
    pub venue: String,
    /// i2's "Event": the session's name.
    pub event: String,
    /// i2's "Session".
    pub session: String,
    /// A short comment (the lap number and time).
    pub comment: String,
    /// When the lap was driven, Unix milliseconds; the file shows it as a UTC date
    /// and time.
    pub recorded_at_ms: i64,
}

impl LdMetadata {
    /// The metadata of a stored lap: the session's car, track and name, the lap
    /// number and time, and the time of its first frame (or, for frames without
    /// a wall-clock stamp, the lap's completion time less its lap time).
    pub fn for_lap(lap: &LapInfo, session: &SessionInfo, driver: &str, frames: &[TelemetryFrame]) -> LdMetadata {
        let recorded_at_ms = match frames.first() {
            Some(frame) if frame.captured_at_us > 0 => (frame.captured_at_us / 1000).min(i64::MAX as u64) as i64,
            _ => lap.completed_at_ms.saturating_sub(lap.lap_time_ms as i64),
        };
        let mut comment = format!("Lap {}, {}", lap.lap_number, lap_time(lap.lap_time_ms));
        if !lap.valid {
            comment.push_str(", invalid");
        }
        LdMetadata {
            driver: driver.to_string(),
            vehicle: session.car.clone(),
            venue: session.track.clone(),
            event: session.name.clone(),
            session: session.name.clone(),
            comment,
            recorded_at_ms,
        }
    }
}

/// Why a lap could not be written as a `.ld` file.
#[derive(Debug, thiserror::Error)]
pub enum MotecError {
    /// The format addresses its contents with 32-bit offsets.
    #[error("the lap is too long for a MoTeC .ld file ({bytes} bytes, the format addresses at most 4 GiB)")]
    TooLarge { bytes: u64 },
    #[error("writing the MoTeC .ld file: {0}")]
    Write(#[from] motec_i2::I2Error),
    /// The crate's header template no longer has the block where this module
    /// expects it (a `motec-i2` upgrade changed its layout).
    #[error("the motec-i2 header template has no {0} block where expected")]
    Template(&'static str),
}

/// How a channel's samples are stored.
#[derive(Debug, Clone, Copy)]
enum Storage {
    F32,
    I16,
}

/// One channel of the file: its i2 name (at most 31 bytes), short name (7), unit
/// (11), each with room for a terminating zero as in MoTeC's own files, storage, whether every frame has it, and how to read it from a frame.
struct Channel {
    name: &'static str,
    short_name: &'static str,
    unit: &'static str,
    storage: Storage,
    /// Optional channels are left out when no frame has them.
    optional: bool,
    read: fn(&TelemetryFrame) -> Option<f64>,
}

const fn always(
    name: &'static str,
    short_name: &'static str,
    unit: &'static str,
    storage: Storage,
    read: fn(&TelemetryFrame) -> Option<f64>,
) -> Channel {
    Channel { name, short_name, unit, storage, optional: false, read }
}

const fn when_present(
    name: &'static str,
    short_name: &'static str,
    unit: &'static str,
    read: fn(&TelemetryFrame) -> Option<f64>,
) -> Channel {
    Channel { name, short_name, unit, storage: Storage::F32, optional: true, read }
}

fn wheel(wheels: &Option<Wheels>, pick: fn(&Wheels) -> f32) -> Option<f64> {
    wheels.as_ref().map(|wheels| pick(wheels) as f64)
}

/// The exported channels, in file order, with MoTeC's usual names and units:
/// pedals and steering in percent (the frames' 0..1 and -1..1 times 100).
const CHANNELS: &[Channel] = &[
    always("Ground Speed", "Speed", "km/h", Storage::F32, |f| Some(f.speed_kmh as f64)),
    always("Throttle Pos", "Thrtl", "%", Storage::F32, |f| Some(f.throttle as f64 * 100.0)),
    always("Brake Pos", "Brake", "%", Storage::F32, |f| Some(f.brake as f64 * 100.0)),
    always("Steering Pos", "Steer", "%", Storage::F32, |f| Some(f.steering as f64 * 100.0)),
    always("Gear", "Gear", "", Storage::I16, |f| Some(f.gear as f64)),
    always("Engine RPM", "RPM", "rpm", Storage::F32, |f| Some(f.rpm as f64)),
    when_present("Lap Distance", "LapDist", "m", |f| f.lap_distance_m.map(f64::from)),
    when_present("G Force Lat", "G Lat", "G", |f| f.g_lat.map(f64::from)),
    when_present("G Force Long", "G Long", "G", |f| f.g_lon.map(f64::from)),
    when_present("World Position X", "Pos X", "m", |f| f.world_position.as_ref().map(|p| p.x as f64)),
    when_present("World Position Y", "Pos Y", "m", |f| f.world_position.as_ref().map(|p| p.y as f64)),
    when_present("World Position Z", "Pos Z", "m", |f| f.world_position.as_ref().map(|p| p.z as f64)),
    when_present("Tyre Temp FL", "TT FL", "C", |f| wheel(&f.tyre_temp_c, |w| w.fl)),
    when_present("Tyre Temp FR", "TT FR", "C", |f| wheel(&f.tyre_temp_c, |w| w.fr)),
    when_present("Tyre Temp RL", "TT RL", "C", |f| wheel(&f.tyre_temp_c, |w| w.rl)),
    when_present("Tyre Temp RR", "TT RR", "C", |f| wheel(&f.tyre_temp_c, |w| w.rr)),
];

/// The sample rate the frames show: 1000 ms over the median step of
/// `session_time_ms` between consecutive frames (steps of zero or less, a pause or
/// a reset, are not steps), rounded to whole Hz as the format stores it.
pub fn sample_rate_hz(frames: &[TelemetryFrame]) -> u16 {
    let mut steps: Vec<f64> = frames
        .windows(2)
        .map(|pair| pair[1].session_time_ms - pair[0].session_time_ms)
        .filter(|step| step.is_finite() && *step > 0.0)
        .collect();
    if steps.is_empty() {
        return DEFAULT_SAMPLE_RATE_HZ;
    }
    steps.sort_by(f64::total_cmp);
    let median = steps[steps.len() / 2];
    (1000.0 / median).round().clamp(1.0, u16::MAX as f64) as u16
}

/// A channel's values, one per frame; `None` for an optional channel that no frame
/// has. A frame without the value (or with a non-finite one) repeats the previous
/// frame's, or takes the first value there is.
fn values(channel: &Channel, frames: &[TelemetryFrame]) -> Option<Vec<f64>> {
    let read: Vec<Option<f64>> =
        frames.iter().map(|frame| (channel.read)(frame).filter(|value| value.is_finite())).collect();
    let first = read.iter().flatten().next().copied();
    if first.is_none() && channel.optional {
        return None;
    }
    let mut held = first.unwrap_or(0.0);
    Some(
        read.into_iter()
            .map(|value| {
                held = value.unwrap_or(held);
                held
            })
            .collect(),
    )
}

fn samples(storage: Storage, values: &[f64]) -> Vec<Sample> {
    match storage {
        Storage::F32 => values.iter().map(|value| Sample::F32(*value as f32)).collect(),
        Storage::I16 => values
            .iter()
            .map(|value| Sample::I16(value.round().clamp(i16::MIN as f64, i16::MAX as f64) as i16))
            .collect(),
    }
}

/// The lap's frames as the bytes of a MoTeC i2 `.ld` file: the channels of
/// [`CHANNELS`] (optional ones only when some frame has them), one sample per frame
/// at [`sample_rate_hz`], and `metadata` in the header and event blocks. A lap
/// without frames gives a file whose channels have no samples.
pub fn write_ld(frames: &[TelemetryFrame], metadata: &LdMetadata) -> Result<Vec<u8>, MotecError> {
    let rate = sample_rate_hz(frames);
    let channels: Vec<(ChannelMetadata, Vec<Sample>)> = CHANNELS
        .iter()
        .filter_map(|channel| {
            let values = values(channel, frames)?;
            let meta = ChannelMetadata {
                // Addresses and the count are the writer's to fill in.
                prev_addr: 0,
                next_addr: 0,
                data_addr: 0,
                data_count: 0,
                datatype: match channel.storage {
                    Storage::F32 => Datatype::F32,
                    Storage::I16 => Datatype::I16,
                },
                sample_rate: rate,
                // Stored values are the values: no offset, scale or decimal shift.
                offset: 0,
                mul: 1,
                scale: 1,
                dec_places: 0,
                name: channel.name.to_string(),
                short_name: channel.short_name.to_string(),
                unit: channel.unit.to_string(),
            };
            Some((meta, samples(channel.storage, &values)))
        })
        .collect();

    let count = channels.len() as u64;
    let data_bytes: u64 =
        channels.iter().map(|(meta, samples)| samples.len() as u64 * meta.datatype.size() as u64).sum();
    let bytes = CHANNEL_META_PTR as u64 + count * CHANNEL_BLOCK_BYTES as u64 + data_bytes;
    if bytes > u32::MAX as u64 {
        return Err(MotecError::TooLarge { bytes });
    }

    let (date, time) = date_and_time(metadata.recorded_at_ms);
    let header = Header {
        channel_meta_ptr: CHANNEL_META_PTR,
        channel_data_ptr: CHANNEL_META_PTR + count as u32 * CHANNEL_BLOCK_BYTES,
        event_ptr: EVENT_PTR,
        device_serial: DEVICE_SERIAL,
        device_type: DEVICE_TYPE.to_string(),
        device_version: DEVICE_VERSION,
        num_channels: count as u32,
        date_string: date,
        time_string: time,
        driver: fit(&metadata.driver, 64),
        vehicleid: fit(&metadata.vehicle, 64),
        venue: fit(&metadata.venue, 64),
        session: fit(&metadata.session, 64),
        short_comment: fit(&metadata.comment, 64),
    };
    let mut cursor = Cursor::new(Vec::with_capacity(bytes as usize));
    let writer = channels
        .into_iter()
        .fold(LDWriter::new(&mut cursor, header), |writer, (meta, samples)| writer.with_channel(meta, samples));
    writer.write()?;
    let mut file = cursor.into_inner();
    write_event(&mut file, metadata)?;
    Ok(file)
}

/// Fills the event, venue and vehicle blocks of the writer's template with the
/// lap's names (see the module's documentation), keeping the template's links.
fn write_event(file: &mut [u8], metadata: &LdMetadata) -> Result<(), MotecError> {
    let (venue_addr, vehicle_addr) = {
        let mut source = Cursor::new(&*file);
        let mut reader = LDReader::new(&mut source);
        let event = reader.read_event()?.ok_or(MotecError::Template("event"))?;
        let venue = reader.read_venue()?.ok_or(MotecError::Template("venue"))?;
        (event.venue_addr as usize, venue.vehicle_addr as usize)
    };
    if venue_addr == 0 || vehicle_addr == 0 {
        return Err(MotecError::Template("venue or vehicle"));
    }
    let event = EVENT_PTR as usize;
    // Event: name (64), session (64), comment (1024), then the venue's address.
    put(file, event, 64, &metadata.event)?;
    put(file, event + 64, 64, &metadata.session)?;
    put(file, event + 128, 1024, &metadata.comment)?;
    // Venue: name (64), then fields nobody has decoded and the vehicle's address.
    put(file, venue_addr, 64, &metadata.venue)?;
    // Vehicle: id (64), 128 undecoded bytes (the template's hold "Daytona"),
    // weight (u32), type (32), comment (32).
    put(file, vehicle_addr, 64, &metadata.vehicle)?;
    put(file, vehicle_addr + 64, 128 + 4, "")?;
    put(file, vehicle_addr + 196, 32, "Car")?;
    put(file, vehicle_addr + 228, 32, "")?;
    Ok(())
}

/// Writes `text` (cut to fit) into the zero-padded field of `width` bytes at `at`.
fn put(file: &mut [u8], at: usize, width: usize, text: &str) -> Result<(), MotecError> {
    let field = file.get_mut(at..at + width).ok_or(MotecError::Template("field"))?;
    let text = fit(text, width);
    field.fill(0);
    field[..text.len()].copy_from_slice(text.as_bytes());
    Ok(())
}

/// `text` cut to fit a fixed field of `width` bytes with its terminating zero,
/// on a character boundary (the format's strings are UTF-8 as the crate reads them).
fn fit(text: &str, width: usize) -> String {
    let mut end = text.len().min(width.saturating_sub(1));
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The header's date (`dd/mm/yyyy`) and time (`HH:MM:SS`) of a Unix-milliseconds
/// instant, in UTC.
fn date_and_time(unix_ms: i64) -> (String, String) {
    let seconds = unix_ms.div_euclid(1000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    (
        format!("{day:02}/{month:02}/{year:04}"),
        format!("{:02}:{:02}:{:02}", of_day / 3600, of_day % 3600 / 60, of_day % 60),
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `m:ss.mmm`.
fn lap_time(ms: u32) -> String {
    format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

/// The download's file name, `<track>-<car>-lap<N>.ld`, made safe for any file
/// system and for a quoted `Content-Disposition` value: ASCII letters, digits,
/// `-` and `_` only (anything else becomes `_`), no empty part.
pub fn file_name(session: &SessionInfo, lap: &LapInfo) -> String {
    format!("{}-{}-lap{}.ld", safe_part(&session.track), safe_part(&session.car), lap.lap_number)
}

fn safe_part(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed: String = out.trim_matches(|c| c == '_' || c == '-').chars().take(48).collect();
    if trimmed.is_empty() {
        "unknown".to_string()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests;

//! Every file is read back with `motec-i2`'s own reader: what i2 would see is what
//! the lap held.

use super::*;
use motec_i2::{Event, Vehicle, Venue};
use purplesector_proto::v1::Vec3;

struct ReadBack {
    header: Header,
    event: Event,
    venue: Venue,
    vehicle: Vehicle,
    channels: Vec<(ChannelMetadata, Vec<f64>)>,
}

impl ReadBack {
    fn channel(&self, name: &str) -> &(ChannelMetadata, Vec<f64>) {
        self.channels.iter().find(|(meta, _)| meta.name == name).unwrap_or_else(|| panic!("no channel {name}"))
    }

    fn names(&self) -> Vec<&str> {
        self.channels.iter().map(|(meta, _)| meta.name.as_str()).collect()
    }
}

fn read_back(bytes: &[u8]) -> ReadBack {
    let mut source = Cursor::new(bytes);
    let mut reader = LDReader::new(&mut source);
    let header = reader.read_header().expect("a header");
    let event = reader.read_event().expect("an event").expect("an event block");
    let venue = reader.read_venue().expect("a venue").expect("a venue block");
    let vehicle = reader.read_vehicle().expect("a vehicle").expect("a vehicle block");
    let channels = reader
        .read_channels()
        .expect("channels")
        .into_iter()
        .map(|meta| {
            let values = reader.channel_data(&meta).expect("samples").iter().map(|s| s.decode_f64(&meta)).collect();
            (meta, values)
        })
        .collect();
    ReadBack { header, event, venue, vehicle, channels }
}

fn metadata() -> LdMetadata {
    LdMetadata {
        driver: "Ayrton".into(),
        vehicle: "Formula Purple".into(),
        venue: "Purple Park".into(),
        event: "Sunday practice".into(),
        session: "Sunday practice".into(),
        comment: "Lap 3, 1:23.456".into(),
        // 2023-11-14T22:13:20Z
        recorded_at_ms: 1_700_000_000_000,
    }
}

/// Five frames 10 ms apart (100 Hz) with every channel the export knows.
fn full_frames() -> Vec<TelemetryFrame> {
    (0..5)
        .map(|i| {
            let i = i as f32;
            TelemetryFrame {
                seq: 100 + i as u64,
                session_time_ms: 5_000.0 + 10.0 * i as f64,
                speed_kmh: 150.25 + i,
                throttle: 0.3 + 0.1 * i,
                brake: 0.05 * i,
                steering: -0.5 + 0.2 * i,
                gear: 3 + i as i32 / 3,
                rpm: 7_000.5 + 10.0 * i,
                lap_distance_m: Some(12.5 + 0.4 * i),
                g_lat: Some(-1.25 + 0.5 * i),
                g_lon: Some(0.3 - 0.1 * i),
                world_position: Some(Vec3 { x: 100.0 + i, y: 2.0, z: -50.5 - i }),
                tyre_temp_c: Some(Wheels { fl: 80.0 + i, fr: 81.0 + i, rl: 78.5, rr: 79.25 }),
                ..Default::default()
            }
        })
        .collect()
}

/// Reads what a channel should hold from a frame, at the file's f32 precision.
type Expect = fn(&TelemetryFrame) -> f32;

fn expected(frames: &[TelemetryFrame], read: Expect) -> Vec<f64> {
    frames.iter().map(|frame| read(frame) as f64).collect()
}

#[test]
fn a_lap_reads_back_with_its_channels_rate_and_metadata() {
    let frames = full_frames();
    let file = read_back(&write_ld(&frames, &metadata()).unwrap());

    assert_eq!(
        file.names(),
        [
            "Ground Speed",
            "Throttle Pos",
            "Brake Pos",
            "Steering Pos",
            "Gear",
            "Engine RPM",
            "Lap Distance",
            "G Force Lat",
            "G Force Long",
            "World Position X",
            "World Position Y",
            "World Position Z",
            "Tyre Temp FL",
            "Tyre Temp FR",
            "Tyre Temp RL",
            "Tyre Temp RR",
        ]
    );
    assert_eq!(file.header.num_channels, 16);
    for (meta, values) in &file.channels {
        assert_eq!(meta.data_count, 5, "{}", meta.name);
        assert_eq!(values.len(), 5, "{}", meta.name);
        assert_eq!(meta.sample_rate, 100, "{}: 10 ms between frames", meta.name);
    }

    let cases: [(&str, Expect); 15] = [
        ("Ground Speed", |f| f.speed_kmh),
        ("Throttle Pos", |f| (f.throttle as f64 * 100.0) as f32),
        ("Brake Pos", |f| (f.brake as f64 * 100.0) as f32),
        ("Steering Pos", |f| (f.steering as f64 * 100.0) as f32),
        ("Engine RPM", |f| f.rpm),
        ("Lap Distance", |f| f.lap_distance_m.unwrap()),
        ("G Force Lat", |f| f.g_lat.unwrap()),
        ("G Force Long", |f| f.g_lon.unwrap()),
        ("World Position X", |f| f.world_position.unwrap().x),
        ("World Position Y", |f| f.world_position.unwrap().y),
        ("World Position Z", |f| f.world_position.unwrap().z),
        ("Tyre Temp FL", |f| f.tyre_temp_c.unwrap().fl),
        ("Tyre Temp FR", |f| f.tyre_temp_c.unwrap().fr),
        ("Tyre Temp RL", |f| f.tyre_temp_c.unwrap().rl),
        ("Tyre Temp RR", |f| f.tyre_temp_c.unwrap().rr),
    ];
    for (name, read) in cases {
        assert_eq!(file.channel(name).1, expected(&frames, read), "{name}");
    }
    let (gear, values) = file.channel("Gear");
    assert_eq!(gear.datatype, Datatype::I16);
    assert_eq!(values, &[3.0, 3.0, 3.0, 4.0, 4.0]);
    let (speed, _) = file.channel("Ground Speed");
    assert_eq!((speed.short_name.as_str(), speed.unit.as_str(), &speed.datatype), ("Speed", "km/h", &Datatype::F32));
    assert_eq!(file.channel("Throttle Pos").0.unit, "%");

    let header = &file.header;
    assert_eq!(header.driver, "Ayrton");
    assert_eq!(header.vehicleid, "Formula Purple");
    assert_eq!(header.venue, "Purple Park");
    assert_eq!(header.session, "Sunday practice");
    assert_eq!(header.short_comment, "Lap 3, 1:23.456");
    assert_eq!((header.date_string.as_str(), header.time_string.as_str()), ("14/11/2023", "22:13:20"));
    assert_eq!(header.device_type, "ADL");
    assert_eq!(file.event.name, "Sunday practice");
    assert_eq!(file.event.session, "Sunday practice");
    assert_eq!(file.event.comment, "Lap 3, 1:23.456");
    assert_eq!(file.venue.name, "Purple Park");
    assert_eq!(file.vehicle.id, "Formula Purple");
    assert_eq!((file.vehicle.weight, file.vehicle._type.as_str(), file.vehicle.comment.as_str()), (0, "Car", ""));
}

#[test]
fn nothing_of_the_writers_template_sample_is_left() {
    let bytes = write_ld(&full_frames(), &metadata()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for stale in ["Calder", "i2 data day", "fine sunny day", "Daytona", "11A", "23/11/2005"] {
        assert!(!text.contains(stale), "{stale} is still in the file");
    }
}

#[test]
fn a_lap_without_optional_channels_still_exports() {
    let frames: Vec<TelemetryFrame> = (0..3)
        .map(|i| TelemetryFrame {
            seq: i + 1,
            session_time_ms: i as f64 * 1000.0 / 60.0,
            speed_kmh: 10.0 * i as f32,
            gear: -1,
            ..Default::default()
        })
        .collect();
    let file = read_back(&write_ld(&frames, &metadata()).unwrap());
    assert_eq!(file.names(), ["Ground Speed", "Throttle Pos", "Brake Pos", "Steering Pos", "Gear", "Engine RPM"]);
    assert_eq!(file.header.num_channels, 6);
    assert_eq!(file.channel("Ground Speed").1, [0.0, 10.0, 20.0]);
    assert_eq!(file.channel("Gear").1, [-1.0, -1.0, -1.0]);
    assert!(file.channels.iter().all(|(meta, _)| meta.sample_rate == 60 && meta.data_count == 3));
}

#[test]
fn a_channel_some_frames_lack_holds_its_last_value() {
    let mut frames = full_frames();
    frames[0].g_lat = None;
    frames[2].g_lat = None;
    frames[3].g_lat = Some(f32::NAN);
    let file = read_back(&write_ld(&frames, &metadata()).unwrap());
    assert_eq!(file.channel("G Force Lat").1, [-0.75, -0.75, -0.75, -0.75, 0.75]);
}

#[test]
fn a_lap_without_frames_is_a_file_of_empty_channels() {
    let file = read_back(&write_ld(&[], &metadata()).unwrap());
    assert_eq!(file.header.num_channels, 6);
    assert!(file.channels.iter().all(|(meta, values)| meta.data_count == 0 && values.is_empty()));
    assert!(file.channels.iter().all(|(meta, _)| meta.sample_rate == DEFAULT_SAMPLE_RATE_HZ));
}

#[test]
fn long_and_non_ascii_names_are_cut_to_their_fields_on_a_character_boundary() {
    let mut metadata = metadata();
    metadata.driver = "é".repeat(40);
    metadata.comment = "ü".repeat(700);
    let file = read_back(&write_ld(&full_frames(), &metadata).unwrap());
    assert_eq!(file.header.driver, "é".repeat(31), "64-byte field, 2 bytes a character, a zero at the end");
    assert_eq!(file.header.short_comment, "ü".repeat(31));
    assert_eq!(file.event.comment, "ü".repeat(511));
}

#[test]
fn channel_names_fit_their_fields() {
    for channel in CHANNELS {
        assert!(channel.name.len() < 32 && channel.short_name.len() < 8 && channel.unit.len() < 12, "{}", channel.name);
    }
}

#[test]
fn the_sample_rate_is_the_median_step_of_session_time() {
    let at = |times: &[f64]| -> Vec<TelemetryFrame> {
        times.iter().map(|&session_time_ms| TelemetryFrame { session_time_ms, ..Default::default() }).collect()
    };
    let demo: Vec<f64> = (0..120).map(|i| i as f64 * 1000.0 / 60.0).collect();
    assert_eq!(sample_rate_hz(&at(&demo)), 60);
    // A pause, a repeated time and one late frame do not move it.
    assert_eq!(sample_rate_hz(&at(&[0.0, 3.0, 6.0, 6.0, 9.0, 500.0, 503.0, 506.0])), 333);
    assert_eq!(sample_rate_hz(&at(&[1.0])), DEFAULT_SAMPLE_RATE_HZ);
    assert_eq!(sample_rate_hz(&at(&[1.0, 1.0])), DEFAULT_SAMPLE_RATE_HZ);
    assert_eq!(sample_rate_hz(&at(&[0.0, 5_000.0])), 1, "at least 1 Hz");
}

#[test]
fn metadata_of_a_stored_lap() {
    let lap = LapInfo { lap_number: 7, lap_time_ms: 83_456, completed_at_ms: 1_700_000_083_456, ..Default::default() };
    let session = SessionInfo {
        name: "Evening race".into(),
        track: "Purple Park".into(),
        car: "Formula Purple".into(),
        ..Default::default()
    };
    let stamped = [TelemetryFrame { captured_at_us: 1_700_000_000_123_456, ..Default::default() }];
    let metadata = LdMetadata::for_lap(&lap, &session, "local", &stamped);
    assert_eq!(
        metadata,
        LdMetadata {
            driver: "local".into(),
            vehicle: "Formula Purple".into(),
            venue: "Purple Park".into(),
            event: "Evening race".into(),
            session: "Evening race".into(),
            comment: "Lap 7, 1:23.456, invalid".into(),
            recorded_at_ms: 1_700_000_000_123,
        }
    );
    let unstamped = LdMetadata::for_lap(&LapInfo { valid: true, ..lap }, &session, "local", &[]);
    assert_eq!(unstamped.recorded_at_ms, 1_700_000_000_000, "completion less the lap time");
    assert_eq!(unstamped.comment, "Lap 7, 1:23.456");
}

#[test]
fn dates_and_times_are_utc() {
    assert_eq!(date_and_time(0), ("01/01/1970".to_string(), "00:00:00".to_string()));
    assert_eq!(date_and_time(951_782_400_000), ("29/02/2000".to_string(), "00:00:00".to_string()));
    assert_eq!(date_and_time(1_700_000_000_999), ("14/11/2023".to_string(), "22:13:20".to_string()));
    assert_eq!(date_and_time(-1), ("31/12/1969".to_string(), "23:59:59".to_string()));
}

#[test]
fn file_names_are_safe() {
    let lap = LapInfo { lap_number: 4, ..Default::default() };
    let session = |track: &str, car: &str| SessionInfo { track: track.into(), car: car.into(), ..Default::default() };
    assert_eq!(file_name(&session("Purple Park", "Formula Purple"), &lap), "Purple_Park-Formula_Purple-lap4.ld");
    assert_eq!(
        file_name(&session("Spa / Francorchamps", "Ferrari \"488\" GT3"), &lap),
        "Spa_Francorchamps-Ferrari_488_GT3-lap4.ld"
    );
    assert_eq!(file_name(&session("../../etc/passwd", "Nürburgring\r\n"), &lap), "etc_passwd-N_rburgring-lap4.ld");
    assert_eq!(file_name(&session("", "\"\\"), &lap), "unknown-unknown-lap4.ld");
}

//! The collector's side of ACC's broadcasting protocol: registration, entry list
//! and track requests, following the focused car, frames.
//!
//! ACC streams nothing until a client registers (REGISTER_COMMAND_APPLICATION to
//! the game's `updListenerPort`, 9000 by default, with the `connectionPassword`
//! of `broadcasting.json`). After a successful REGISTRATION_RESULT the client asks
//! for the entry list and the track; from then on the game sends a REALTIME_UPDATE
//! and one REALTIME_CAR_UPDATE per car every `msRealtimeUpdateInterval`.
//!
//! Because [`SimClient::receive`] only returns events, the requests an answer
//! calls for (entry list, track data) are queued and sent by the next
//! [`SimClient::poll`]; the collector polls often. When the game goes silent for
//! more than [`SILENCE_TIMEOUT_MS`], `poll` re-registers and the `SessionEnded` it
//! owes is returned by the next `receive` or, sooner, by [`Client::take_events`].

use std::collections::BTreeMap;

use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3};

use super::broadcasting::{
    phase, EntryListCar, Message, RealtimeCarUpdate, RealtimeUpdate, Request, TrackData, PROTOCOL_VERSION,
};
use super::cars;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEvent};

/// Registration is resent this often until the game accepts it.
pub const REGISTER_RETRY_MS: u64 = 2_000;
/// No datagram for this long after registering: the game is gone, register again.
pub const SILENCE_TIMEOUT_MS: u64 = 5_000;
/// The entry list is re-requested at most this often (the SDK's rate).
pub const ENTRY_LIST_RETRY_MS: u64 = 1_000;
/// The track data is re-requested this often until it arrives.
pub const TRACK_DATA_RETRY_MS: u64 = 2_000;

/// What the client registers with (the game's `broadcasting.json` decides).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Shown in the game's list of broadcasting clients.
    pub display_name: String,
    /// `connectionPassword` of `broadcasting.json`.
    pub connection_password: String,
    /// `msRealtimeUpdateInterval`: how often the game sends updates.
    pub update_interval_ms: i32,
    /// `commandPassword`; empty for a read-only client.
    pub command_password: String,
}

impl Default for ClientConfig {
    /// The game's shipped `broadcasting.json` password ("asd"), 20 Hz updates.
    fn default() -> Self {
        ClientConfig {
            display_name: "Purple Sector".to_string(),
            connection_password: "asd".to_string(),
            update_interval_ms: 50,
            command_password: String::new(),
        }
    }
}

/// The collector's broadcasting state machine (see the module docs).
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    connection_id: Option<i32>,
    readonly: bool,
    registration_error: Option<String>,
    last_register_ms: Option<u64>,
    last_received_ms: Option<u64>,
    outbox: Vec<Vec<u8>>,
    entry_list_wanted: bool,
    last_entry_request_ms: Option<u64>,
    last_track_request_ms: Option<u64>,
    entries: BTreeMap<u16, Option<EntryListCar>>,
    track: Option<TrackData>,
    realtime: Option<RealtimeUpdate>,
    announced: Option<SessionMeta>,
    session_start_ms: u64,
    last_frame: Option<TelemetryFrame>,
    pending: Vec<SimEvent>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client with [`ClientConfig::default`].
    pub fn new() -> Client {
        Client::with_config(ClientConfig::default())
    }

    pub fn with_config(config: ClientConfig) -> Client {
        Client {
            config,
            connection_id: None,
            readonly: true,
            registration_error: None,
            last_register_ms: None,
            last_received_ms: None,
            outbox: Vec::new(),
            entry_list_wanted: false,
            last_entry_request_ms: None,
            last_track_request_ms: None,
            entries: BTreeMap::new(),
            track: None,
            realtime: None,
            announced: None,
            session_start_ms: 0,
            last_frame: None,
            pending: Vec::new(),
        }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The game's connection id once registered.
    pub fn connection_id(&self) -> Option<i32> {
        self.connection_id
    }

    /// Whether the game refused the command password (read-only connection).
    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    /// The game's error text of the last refused registration (e.g. a wrong
    /// password), kept until a registration succeeds: for the collector to log.
    pub fn registration_error(&self) -> Option<&str> {
        self.registration_error.as_deref()
    }

    /// The track data, once the game sent it.
    pub fn track(&self) -> Option<&TrackData> {
        self.track.as_ref()
    }

    /// The entry of `car_index`, once the game sent it.
    pub fn entry(&self, car_index: u16) -> Option<&EntryListCar> {
        self.entries.get(&car_index).and_then(Option::as_ref)
    }

    /// The car the game's camera follows (the player's car in a normal session).
    pub fn focused_car(&self) -> Option<u16> {
        self.realtime.as_ref().and_then(|r| u16::try_from(r.focused_car_index).ok())
    }

    /// Events owed outside a `receive`: the `SessionEnded` of a silence noticed by
    /// `poll`. Otherwise the next `receive` returns them first.
    pub fn take_events(&mut self) -> Vec<SimEvent> {
        std::mem::take(&mut self.pending)
    }

    fn request(&mut self, request: Request) {
        self.outbox.push(request.encode());
    }

    fn register_request(&self) -> Request {
        Request::Register {
            protocol_version: PROTOCOL_VERSION,
            display_name: self.config.display_name.clone(),
            connection_password: self.config.connection_password.clone(),
            update_interval_ms: self.config.update_interval_ms,
            command_password: self.config.command_password.clone(),
        }
    }

    /// Forgets the connection and everything learnt through it.
    fn lose_connection(&mut self) {
        self.connection_id = None;
        self.last_register_ms = None;
        self.last_received_ms = None;
        self.outbox.clear();
        self.entries.clear();
        self.track = None;
        self.realtime = None;
        self.last_frame = None;
        self.entry_list_wanted = false;
        self.last_entry_request_ms = None;
        self.last_track_request_ms = None;
        if self.announced.take().is_some() {
            self.pending.push(SimEvent::SessionEnded);
        }
    }

    /// Whether `update` names a car (or driver line-up) the entry list lacks.
    fn unknown_car(&self, update: &RealtimeCarUpdate) -> bool {
        match self.entries.get(&update.car_index) {
            Some(Some(entry)) => entry.drivers.len() != update.driver_count as usize,
            _ => true,
        }
    }

    fn meta_for(&self, car_index: u16) -> Option<SessionMeta> {
        let track = self.track.as_ref()?;
        let entry = self.entry(car_index)?;
        Some(SessionMeta {
            sim: Sim::Acc,
            track: track.track_name.clone(),
            car: cars::model_name(entry.car_model_type),
            driver: entry.current_driver().map(|d| d.display_name()).unwrap_or_default(),
            track_length_m: track.length_m(),
        })
    }

    fn on_realtime_update(&mut self, update: RealtimeUpdate, events: &mut Vec<SimEvent>) {
        if let Some(previous) = &self.realtime {
            if (previous.event_index, previous.session_index) != (update.event_index, update.session_index) {
                // A new session: announce it again before its first frame.
                self.announced = None;
                self.last_frame = None;
            }
        }
        if update.phase >= phase::POST_SESSION && self.announced.take().is_some() {
            events.push(SimEvent::SessionEnded);
        }
        self.realtime = Some(update);
    }

    fn on_car_update(&mut self, update: RealtimeCarUpdate, now_ms: u64, events: &mut Vec<SimEvent>) {
        if self.unknown_car(&update) {
            self.entry_list_wanted = true;
        }
        let Some(realtime) = &self.realtime else { return };
        if i32::from(update.car_index) != realtime.focused_car_index
            || realtime.phase >= phase::POST_SESSION
            || realtime.replay.is_some()
        {
            return;
        }
        let Some(meta) = self.meta_for(update.car_index) else { return };
        if self.announced.as_ref() != Some(&meta) {
            self.announced = Some(meta.clone());
            self.session_start_ms = now_ms;
            self.last_frame = None;
            events.push(SimEvent::Session(meta));
        }
        let track_meters = self.track.as_ref().and_then(TrackData::length_m);
        let session_time_ms = self
            .realtime
            .as_ref()
            .map(|r| r.session_time_ms as f64)
            .unwrap_or_else(|| now_ms.saturating_sub(self.session_start_ms) as f64);
        let frame = frame_from_car_update(&update, track_meters, session_time_ms);
        if self.last_frame.as_ref() == Some(&frame) {
            return;
        }
        self.last_frame = Some(frame);
        events.push(SimEvent::Frame(Box::new(frame)));
    }
}

/// Maps one REALTIME_CAR_UPDATE to a frame. The broadcasting protocol has no
/// pedals, steering, rpm or tyres: those stay 0 / `None` (see [`super::merge`]).
///
/// Channels: speed (integer km/h on the wire), gear, world position (the
/// protocol's 2-D map coordinates as x and y, z = 0), yaw, normalized position
/// (spline position), lap number (laps), current lap time, last lap and best
/// session lap (`None` when the game has none), in pit (pit lane, entry, exit),
/// lap invalid (current lap), lap distance (spline × track metres), session time.
pub fn frame_from_car_update(
    update: &RealtimeCarUpdate,
    track_meters: Option<f32>,
    session_time_ms: f64,
) -> TelemetryFrame {
    let normalized = update.spline_position.clamp(0.0, 1.0);
    TelemetryFrame {
        session_time_ms,
        current_lap_time_ms: update.current_lap.lap_time_ms.unwrap_or(0).max(0) as u32,
        lap_number: update.laps as u32,
        normalized_position: normalized,
        lap_distance_m: track_meters.map(|m| normalized * m),
        speed_kmh: update.kmh as f32,
        gear: update.gear,
        world_position: Some(Vec3 { x: update.world_pos_x, y: update.world_pos_y, z: 0.0 }),
        yaw: Some(update.yaw),
        in_pit: update.car_location.in_pit(),
        lap_invalid: update.current_lap.is_invalid,
        last_lap_time_ms: update.last_lap.completed_time_ms(),
        best_lap_time_ms: update.best_session_lap.completed_time_ms(),
        ..Default::default()
    }
}

impl SimClient for Client {
    fn take_events(&mut self) -> Vec<SimEvent> {
        Client::take_events(self)
    }

    fn sim(&self) -> Sim {
        Sim::Acc
    }

    /// Registration (at once, then every [`REGISTER_RETRY_MS`] until accepted),
    /// queued and retried entry list / track requests, re-registration after
    /// [`SILENCE_TIMEOUT_MS`] without a datagram.
    fn poll(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        if self.connection_id.is_some()
            && self.last_received_ms.is_some_and(|last| now_ms.saturating_sub(last) > SILENCE_TIMEOUT_MS)
        {
            tracing::info!("ACC went silent; registering again");
            self.lose_connection();
        }
        let Some(connection_id) = self.connection_id else {
            if self.last_register_ms.is_none_or(|last| now_ms.saturating_sub(last) >= REGISTER_RETRY_MS) {
                self.last_register_ms = Some(now_ms);
                return vec![self.register_request().encode()];
            }
            return Vec::new();
        };
        if self.entry_list_wanted
            && self.last_entry_request_ms.is_none_or(|last| now_ms.saturating_sub(last) >= ENTRY_LIST_RETRY_MS)
        {
            self.entry_list_wanted = false;
            self.last_entry_request_ms = Some(now_ms);
            self.request(Request::RequestEntryList { connection_id });
        }
        if self.track.is_none()
            && self.last_track_request_ms.is_none_or(|last| now_ms.saturating_sub(last) >= TRACK_DATA_RETRY_MS)
        {
            self.last_track_request_ms = Some(now_ms);
            self.request(Request::RequestTrackData { connection_id });
        }
        std::mem::take(&mut self.outbox)
    }

    fn receive(&mut self, datagram: &[u8], now_ms: u64) -> Result<Vec<SimEvent>, PacketError> {
        let message = Message::decode(datagram)?;
        self.last_received_ms = Some(now_ms);
        let mut events = std::mem::take(&mut self.pending);
        match message {
            Message::RegistrationResult(result) => {
                if result.success {
                    tracing::info!(connection_id = result.connection_id, readonly = result.readonly, "ACC registered");
                    self.connection_id = Some(result.connection_id);
                    self.readonly = result.readonly;
                    self.registration_error = None;
                    self.entry_list_wanted = true;
                    self.last_entry_request_ms = None;
                    self.last_track_request_ms = None;
                } else {
                    tracing::warn!(error = %result.error_message, "ACC refused the registration");
                    self.registration_error = Some(result.error_message);
                }
            }
            Message::RealtimeUpdate(update) => self.on_realtime_update(update, &mut events),
            Message::RealtimeCarUpdate(update) => self.on_car_update(update, now_ms, &mut events),
            Message::EntryList(list) => {
                let mut previous = std::mem::take(&mut self.entries);
                self.entries =
                    list.car_indices.iter().map(|&i| (i, previous.remove(&i).flatten())).collect::<BTreeMap<_, _>>();
            }
            Message::EntryListCar(car) => {
                self.entries.insert(car.car_index, Some(car));
            }
            Message::TrackData(track) => self.track = Some(track),
            Message::BroadcastingEvent(event) => {
                tracing::debug!(kind = event.event_type, message = %event.message, "ACC broadcasting event");
            }
        }
        Ok(events)
    }

    /// UNREGISTER_COMMAND_APPLICATION when registered.
    fn shutdown(&mut self) -> Vec<Vec<u8>> {
        let Some(connection_id) = self.connection_id.take() else { return Vec::new() };
        vec![Request::Unregister { connection_id: Some(connection_id) }.encode()]
    }
}

//! The "Demo GT" car: a quasi-steady-state lap simulation plus the per-frame
//! state (gearbox, tyres, brakes, fuel) that makes its telemetry look real.
//!
//! Lap-time tools compute a lap the same way: the cornering limit from curvature
//! and grip (with downforce) caps the speed at every point; a forward pass
//! accelerates out of each corner as hard as traction and power allow, a backward
//! pass brakes into each corner as late as the tyres allow, and the lower of the
//! three is the speed profile over distance. The profile is computed once per lap
//! (about 4,900 points), so producing a frame is a table lookup. Driver inputs are
//! derived from the profile: pedals from the acceleration it demands, steering from
//! curvature, gear from speed.

use super::track::DemoTrack;

/// Standard gravity, m/s².
pub(crate) const G: f64 = 9.80665;

/// Parameters of the car (SI units unless named otherwise).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CarParams {
    pub mass_kg: f64,
    pub power_w: f64,
    pub driveline_efficiency: f64,
    /// ½·ρ·Cd·A: drag force per (m/s)².
    pub drag_n_per_ms2: f64,
    /// ½·ρ·Cl·A: downforce per (m/s)².
    pub downforce_n_per_ms2: f64,
    pub rolling_resistance: f64,
    /// Lateral friction coefficient of the tyres.
    pub mu_lateral: f64,
    /// Longitudinal friction available to the driven (rear) axle, as a fraction of
    /// the whole car's load.
    pub mu_traction: f64,
    /// Deceleration the tyres give at full brake pressure, in g.
    pub brake_decel_g: f64,
    /// Deceleration of a lifted throttle (engine braking), in g.
    pub engine_braking_g: f64,
    pub wheelbase_m: f64,
    /// Road-wheel angle at full steering lock.
    pub max_steer_rad: f64,
    /// Extra road-wheel angle per g of lateral acceleration.
    pub understeer_rad_per_g: f64,
    /// Speed in each gear (1..=6) at `shift_rpm`, km/h.
    pub gear_speed_kmh: [f64; 6],
    pub shift_rpm: f64,
    /// Change down once the lower gear would turn at most this.
    pub downshift_rpm: f64,
    pub min_rpm: f64,
    pub max_rpm: f64,
    pub max_speed_ms: f64,
    /// No profile goes slower than this (a car that stops would never finish).
    pub min_speed_ms: f64,
    /// Fuel burned per joule of engine work, litres (thermal efficiency 30 %, 34.2 MJ/L).
    pub fuel_l_per_joule: f64,
    pub fuel_idle_l_per_s: f64,
    pub fuel_capacity_l: f64,
}

pub(crate) const DEMO_GT: CarParams = CarParams {
    mass_kg: 1300.0,
    power_w: 400_000.0,
    driveline_efficiency: 0.92,
    drag_n_per_ms2: 0.60,
    downforce_n_per_ms2: 1.00,
    rolling_resistance: 0.015,
    mu_lateral: 1.35,
    mu_traction: 0.85,
    brake_decel_g: 1.40,
    engine_braking_g: 0.12,
    wheelbase_m: 2.7,
    max_steer_rad: 0.35,
    understeer_rad_per_g: 0.02,
    gear_speed_kmh: [85.0, 125.0, 165.0, 205.0, 250.0, 310.0],
    shift_rpm: 7500.0,
    downshift_rpm: 6800.0,
    min_rpm: 3500.0,
    max_rpm: 8000.0,
    max_speed_ms: 95.0,
    min_speed_ms: 8.0,
    fuel_l_per_joule: 1.0 / (0.30 * 34.2e6),
    fuel_idle_l_per_s: 0.0004,
    fuel_capacity_l: 50.0,
};

impl CarParams {
    /// Downforce as an acceleration-equivalent (m/s²) at `v`.
    fn downforce_accel(&self, v: f64) -> f64 {
        self.downforce_n_per_ms2 * v * v / self.mass_kg
    }

    /// Highest steady speed on curvature `k` (grip with downforce); the speed cap
    /// where downforce grows faster than the demand.
    pub fn corner_speed_limit(&self, k: f64) -> f64 {
        let denominator = k.abs() - self.mu_lateral * self.downforce_n_per_ms2 / self.mass_kg;
        if denominator <= 0.0 {
            return self.max_speed_ms;
        }
        (self.mu_lateral * G / denominator).sqrt().min(self.max_speed_ms)
    }

    /// Lateral acceleration the tyres can give at `v`.
    pub fn lateral_capacity(&self, v: f64) -> f64 {
        self.mu_lateral * (G + self.downforce_accel(v))
    }

    /// Share of longitudinal grip left while cornering at `v` on curvature `k`
    /// (friction ellipse).
    pub fn longitudinal_share(&self, v: f64, k: f64) -> f64 {
        let usage = (v * v * k.abs() / self.lateral_capacity(v)).min(1.0);
        (1.0 - usage * usage).sqrt()
    }

    /// Deceleration from drag, rolling resistance and the climb (m/s²).
    pub fn resistance(&self, v: f64, grade: f64) -> f64 {
        let drag = self.drag_n_per_ms2 * v * v / self.mass_kg;
        let rolling = self.rolling_resistance * (G + self.downforce_accel(v));
        drag + rolling + G * grade
    }

    /// Acceleration the engine gives at full throttle (before resistance).
    pub fn power_accel(&self, v: f64) -> f64 {
        self.power_w * self.driveline_efficiency / (self.mass_kg * v.max(1.0))
    }

    /// Acceleration the driven tyres can put down (before resistance).
    pub fn traction_accel(&self, v: f64) -> f64 {
        self.mu_traction * (G + self.downforce_accel(v))
    }

    /// Deceleration of the brakes at full pedal (before resistance).
    pub fn brake_accel(&self) -> f64 {
        self.brake_decel_g * G
    }

    /// Engine speed in `gear` (1..=6) at `v`.
    pub fn rpm(&self, v: f64, gear: i32) -> f64 {
        let index = (gear.clamp(1, 6) - 1) as usize;
        v * 3.6 / self.gear_speed_kmh[index] * self.shift_rpm
    }

    /// The lowest gear whose engine speed at `v` is below the shift point.
    pub fn gear_for(&self, v: f64) -> i32 {
        (1..=6).find(|&gear| self.rpm(v, gear) < self.shift_rpm).unwrap_or(6)
    }

    /// Steering input -1 (full left) .. 1 (full right) for curvature `k` (positive
    /// left) at lateral acceleration `a_lat` (m/s², positive left).
    pub fn steering(&self, k: f64, a_lat: f64) -> f64 {
        let road_wheel = (self.wheelbase_m * k).atan() + self.understeer_rad_per_g * a_lat / G;
        (-road_wheel / self.max_steer_rad).clamp(-1.0, 1.0)
    }
}

/// What the driver changes from lap to lap, per table interval.
#[derive(Debug, Clone)]
pub(crate) struct ProfileInputs {
    /// Fraction of the cornering limit the driver carries.
    pub speed_scale: Vec<f64>,
    /// Fraction of the braking limit used (lower: brakes earlier).
    pub brake_scale: Vec<f64>,
    /// Fraction of traction and power used (corner exits).
    pub drive_scale: Vec<f64>,
}

impl ProfileInputs {
    pub fn new(intervals: usize) -> Self {
        ProfileInputs {
            speed_scale: vec![1.0; intervals + 1],
            brake_scale: vec![1.0; intervals + 1],
            drive_scale: vec![1.0; intervals + 1],
        }
    }
}

/// Speed over one lap: `speed[i]` at table row `i`, constant acceleration between rows.
#[derive(Debug, Clone)]
pub(crate) struct SpeedProfile {
    pub speed: Vec<f64>,
    /// Acceleration over interval `i` (m/s²), from `speed[i]` to `speed[i + 1]`.
    pub accel: Vec<f64>,
    spacing_m: f64,
    backward: Vec<f64>,
}

impl SpeedProfile {
    pub fn new(track: &DemoTrack) -> Self {
        let n = track.intervals();
        SpeedProfile {
            speed: vec![0.0; n + 1],
            accel: vec![0.0; n],
            spacing_m: track.sample_spacing_m(),
            backward: vec![0.0; n + 1],
        }
    }

    /// Computes the profile of a lap entered at `v_start` (m/s); the buffers are
    /// reused, so a lap costs no allocation.
    pub fn compute(&mut self, track: &DemoTrack, car: &CarParams, inputs: &ProfileInputs, v_start: f64) {
        let rows = track.samples();
        let n = rows.len() - 1;
        let ds = self.spacing_m;
        let limit = |i: usize| {
            (car.corner_speed_limit(rows[i].curvature) * inputs.speed_scale[i])
                .clamp(car.min_speed_ms, car.max_speed_ms)
        };
        // Backward pass: the latest braking that still makes every later limit.
        self.backward[n] = car.max_speed_ms;
        for i in (0..n).rev() {
            let v = self.backward[i + 1];
            let k = rows[i + 1].curvature;
            let decel = car.brake_accel() * inputs.brake_scale[i] * car.longitudinal_share(v, k)
                + car.resistance(v, rows[i].grade);
            self.backward[i] = limit(i).min((v * v + 2.0 * decel.max(0.0) * ds).sqrt());
        }
        // Forward pass: accelerate as hard as grip and power allow, never above the
        // braking curve.
        self.speed[0] = v_start.clamp(car.min_speed_ms, car.max_speed_ms).min(self.backward[0]);
        for (i, row) in rows.iter().enumerate().take(n) {
            let v = self.speed[i];
            let drive = car.traction_accel(v).min(car.power_accel(v)) * car.longitudinal_share(v, row.curvature);
            let accel = drive * inputs.drive_scale[i] - car.resistance(v, row.grade);
            let reachable = (v * v + 2.0 * accel * ds).max(car.min_speed_ms * car.min_speed_ms).sqrt();
            self.speed[i + 1] = reachable.min(self.backward[i + 1]);
        }
        for (accel, pair) in self.accel.iter_mut().zip(self.speed.windows(2)) {
            *accel = (pair[1] * pair[1] - pair[0] * pair[0]) / (2.0 * ds);
        }
    }

    /// Time to drive the whole profile, seconds.
    pub fn lap_time_s(&self) -> f64 {
        self.speed.windows(2).map(|pair| 2.0 * self.spacing_m / (pair[0] + pair[1])).sum()
    }
}

/// Pedals the driver uses for a demanded acceleration `accel` at `v` on `grade`:
/// `(throttle, brake)`, each 0..1 and never both pressed.
pub(crate) fn pedals(car: &CarParams, v: f64, grade: f64, accel: f64) -> (f64, f64) {
    let needed = accel + car.resistance(v, grade);
    if needed >= 0.0 {
        ((needed / car.power_accel(v)).clamp(0.0, 1.0), 0.0)
    } else {
        let braking = -needed - car.engine_braking_g * G;
        (0.0, (braking / car.brake_accel()).clamp(0.0, 1.0))
    }
}

/// A sequential gearbox with hysteresis: up at the shift point, down once the lower
/// gear is comfortably below it.
#[derive(Debug, Clone)]
pub(crate) struct Gearbox {
    pub gear: i32,
}

impl Gearbox {
    pub fn new(car: &CarParams, v: f64) -> Self {
        Gearbox { gear: car.gear_for(v) }
    }

    /// One shift at most per frame; returns `(gear, rpm)`.
    pub fn update(&mut self, car: &CarParams, v: f64) -> (i32, f64) {
        if self.gear < 6 && car.rpm(v, self.gear) > car.shift_rpm {
            self.gear += 1;
        } else if self.gear > 1 && car.rpm(v, self.gear - 1) < car.downshift_rpm {
            self.gear -= 1;
        }
        // Below the lowest useful engine speed the clutch slips (never in practice).
        let rpm = car.rpm(v, self.gear).clamp(car.min_rpm, car.max_rpm);
        (self.gear, rpm)
    }
}

/// Wheel order of every per-wheel array: front-left, front-right, rear-left, rear-right.
pub(crate) const FL: usize = 0;
pub(crate) const FR: usize = 1;
pub(crate) const RL: usize = 2;
pub(crate) const RR: usize = 3;

/// What the thermal model needs from one frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Load {
    pub speed: f64,
    /// m/s², positive to the left.
    pub lateral: f64,
    /// m/s², positive forwards.
    pub longitudinal: f64,
    pub brake: f64,
    pub throttle: f64,
}

/// Tyre and brake temperatures (°C) and fuel (litres).
#[derive(Debug, Clone)]
pub(crate) struct Thermals {
    pub tyre_c: [f64; 4],
    pub brake_c: [f64; 4],
    pub fuel_l: f64,
}

/// Air and track temperatures, °C.
const AMBIENT_C: f64 = 24.0;
/// Tyres leave the blankets at this temperature, with this pressure (kPa).
const TYRE_START_C: f64 = 60.0;
const TYRE_START_KPA: f64 = 165.0;
/// Time constant of the tyres approaching their working temperature, seconds.
const TYRE_TAU_S: f64 = 22.0;
/// Heat capacity of one brake disc and pad, J/K, and how fast the air cools it.
const BRAKE_HEAT_CAPACITY: f64 = 3000.0;
const BRAKE_COOLING_PER_S: f64 = 0.012;
/// Share of braking power going to each front disc (rears get the rest).
const FRONT_BRAKE_SHARE: f64 = 0.31;

impl Thermals {
    pub fn new(car: &CarParams) -> Self {
        Thermals { tyre_c: [TYRE_START_C; 4], brake_c: [180.0; 4], fuel_l: car.fuel_capacity_l }
    }

    /// Advances tyres, brakes and fuel by `dt` seconds under `load`.
    pub fn update(&mut self, car: &CarParams, load: &Load, dt: f64) {
        let lat_g = load.lateral / G;
        let lon_g = load.longitudinal / G;
        // Work each tyre does: rolling at speed, the outside tyres in corners, the
        // fronts under braking, the rears under power.
        let working = 24.0 + 40.0 * (load.speed / 70.0).min(1.3);
        let (left_lat, right_lat) = if lat_g > 0.0 { (6.0, 20.0) } else { (20.0, 6.0) };
        let braking = (-lon_g).max(0.0);
        let driving = lon_g.max(0.0);
        let targets = [
            AMBIENT_C + working + left_lat * lat_g.abs() + 30.0 * braking + 3.0 * driving,
            AMBIENT_C + working + right_lat * lat_g.abs() + 30.0 * braking + 3.0 * driving,
            AMBIENT_C + working + left_lat * lat_g.abs() + 8.0 * braking + 24.0 * driving,
            AMBIENT_C + working + right_lat * lat_g.abs() + 8.0 * braking + 24.0 * driving,
        ];
        let relax = (dt / TYRE_TAU_S).min(1.0);
        for (temperature, target) in self.tyre_c.iter_mut().zip(targets) {
            *temperature += (target - *temperature) * relax;
        }

        let brake_power = load.brake * car.brake_accel() * car.mass_kg * load.speed;
        let cooling = (BRAKE_COOLING_PER_S * (0.3 + load.speed / 25.0) * dt).min(1.0);
        for (wheel, temperature) in self.brake_c.iter_mut().enumerate() {
            let share = if wheel < RL { FRONT_BRAKE_SHARE } else { 0.5 - FRONT_BRAKE_SHARE };
            *temperature += brake_power * share * dt / BRAKE_HEAT_CAPACITY;
            *temperature -= (*temperature - AMBIENT_C) * cooling;
        }

        let engine_power = load.throttle * car.power_w;
        self.fuel_l -= (engine_power * car.fuel_l_per_joule + car.fuel_idle_l_per_s) * dt;
        self.fuel_l = self.fuel_l.max(0.0);
    }

    /// Tyre pressures (kPa) at the current temperatures (ideal gas, from the
    /// blanket-warm start).
    pub fn tyre_pressure_kpa(&self) -> [f64; 4] {
        self.tyre_c.map(|t| TYRE_START_KPA * (t + 273.15) / (TYRE_START_C + 273.15))
    }
}

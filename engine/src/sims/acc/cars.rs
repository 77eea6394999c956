//! ACC's car model ids (`carModelType` of the broadcasting ENTRY_LIST_CAR, the
//! `carModel` of the dedicated server's entry list) and their names.
//!
//! The broadcasting protocol names a car only by this byte, so the collector needs
//! the table to say which car a session was driven in. The ids are the ones the
//! dedicated server's `entrylist.json` uses (Kunos' ACC Dedicated Server Manual,
//! car model list); this table was cross-checked against three open-source
//! broadcasting clients that carry the same ids. Ids the table does not know are
//! named "car <id>".

/// `(carModelType, name)` of the GT3, GT4, GT2 and one-make cup cars up to ACC 1.10.
pub const CAR_MODELS: &[(u8, &str)] = &[
    (0, "Porsche 991 GT3 R"),
    (1, "Mercedes-AMG GT3"),
    (2, "Ferrari 488 GT3"),
    (3, "Audi R8 LMS"),
    (4, "Lamborghini Huracan GT3"),
    (5, "McLaren 650S GT3"),
    (6, "Nissan GT-R Nismo GT3 2018"),
    (7, "BMW M6 GT3"),
    (8, "Bentley Continental GT3 2018"),
    (9, "Porsche 991 II GT3 Cup"),
    (10, "Nissan GT-R Nismo GT3 2015"),
    (11, "Bentley Continental GT3 2015"),
    (12, "Aston Martin V12 Vantage GT3"),
    (13, "Reiter Engineering R-EX GT3"),
    (14, "Emil Frey Jaguar G3"),
    (15, "Lexus RC F GT3"),
    (16, "Lamborghini Huracan GT3 Evo"),
    (17, "Honda NSX GT3"),
    (18, "Lamborghini Huracan Super Trofeo"),
    (19, "Audi R8 LMS Evo"),
    (20, "Aston Martin V8 Vantage GT3"),
    (21, "Honda NSX GT3 Evo"),
    (22, "McLaren 720S GT3"),
    (23, "Porsche 991 II GT3 R"),
    (24, "Ferrari 488 GT3 Evo"),
    (25, "Mercedes-AMG GT3 Evo"),
    (26, "Ferrari 488 Challenge Evo"),
    (27, "BMW M2 CS Racing"),
    (28, "Porsche 992 GT3 Cup"),
    (29, "Lamborghini Huracan Super Trofeo Evo2"),
    (30, "BMW M4 GT3"),
    (31, "Audi R8 LMS GT3 Evo II"),
    (32, "Ferrari 296 GT3"),
    (33, "Lamborghini Huracan GT3 Evo2"),
    (34, "Porsche 992 GT3 R"),
    (35, "McLaren 720S GT3 Evo"),
    (36, "Ford Mustang GT3"),
    (50, "Alpine A110 GT4"),
    (51, "Aston Martin V8 Vantage GT4"),
    (52, "Audi R8 LMS GT4"),
    (53, "BMW M4 GT4"),
    (55, "Chevrolet Camaro GT4.R"),
    (56, "Ginetta G55 GT4"),
    (57, "KTM X-Bow GT4"),
    (58, "Maserati MC GT4"),
    (59, "McLaren 570S GT4"),
    (60, "Mercedes-AMG GT4"),
    (61, "Porsche 718 Cayman GT4 Clubsport"),
    (80, "Audi R8 LMS GT2"),
    (82, "KTM X-Bow GT2"),
    (83, "Maserati MC20 GT2"),
    (84, "Mercedes-AMG GT2"),
    (85, "Porsche 911 GT2 RS CS Evo"),
    (86, "Porsche 935"),
];

/// The model's name, or "car <id>" for an id the table does not know.
pub fn model_name(car_model_type: u8) -> String {
    CAR_MODELS
        .iter()
        .find(|(id, _)| *id == car_model_type)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| format!("car {car_model_type}"))
}

/// The inverse of [`model_name`] (for the emulator): the table's id for `name`, or
/// the number of a "car <id>" name.
pub fn model_type(name: &str) -> Option<u8> {
    CAR_MODELS
        .iter()
        .find(|(_, known)| known.eq_ignore_ascii_case(name))
        .map(|(id, _)| *id)
        .or_else(|| name.strip_prefix("car ").and_then(|id| id.parse().ok()))
}

//! Names for the F1 25 specification's appendix ids (`m_trackId`, `m_teamId`), so a
//! session is labelled "Monza" and "McLaren" rather than "11" and "8".
//!
//! Transcribed from the F1 25 UDP specification's appendices "Track IDs" and
//! "Team IDs" (cross-checked against the enum tables of MacManley/f1-25-udp).
//! F1 25 dropped the ids of circuits no longer in the game (Paul Ricard,
//! Hockenheim, Sochi, the short layouts, Hanoi, Portimão) and added the reverse
//! layouts 39..41; ids absent here get a generic label.

/// F1 25 circuits by `m_trackId`.
const TRACKS: &[(i8, &str)] = &[
    (0, "Melbourne"),
    (2, "Shanghai"),
    (3, "Sakhir (Bahrain)"),
    (4, "Catalunya"),
    (5, "Monaco"),
    (6, "Montreal"),
    (7, "Silverstone"),
    (9, "Hungaroring"),
    (10, "Spa"),
    (11, "Monza"),
    (12, "Singapore"),
    (13, "Suzuka"),
    (14, "Abu Dhabi"),
    (15, "Texas"),
    (16, "Brazil"),
    (17, "Austria"),
    (19, "Mexico"),
    (20, "Baku (Azerbaijan)"),
    (26, "Zandvoort"),
    (27, "Imola"),
    (29, "Jeddah"),
    (30, "Miami"),
    (31, "Las Vegas"),
    (32, "Losail"),
    (39, "Silverstone (Reverse)"),
    (40, "Austria (Reverse)"),
    (41, "Zandvoort (Reverse)"),
];

/// F1 25 teams by `m_teamId`.
const TEAMS: &[(u8, &str)] = &[
    (0, "Mercedes"),
    (1, "Ferrari"),
    (2, "Red Bull Racing"),
    (3, "Williams"),
    (4, "Aston Martin"),
    (5, "Alpine"),
    (6, "RB"),
    (7, "Haas"),
    (8, "McLaren"),
    (9, "Sauber"),
    (41, "F1 Generic"),
    (104, "F1 Custom Team"),
    (129, "Konnersport"),
    (142, "APXGP '24"),
    (154, "APXGP '25"),
    (155, "Konnersport '24"),
    (158, "Art GP '24"),
    (159, "Campos '24"),
    (160, "Rodin Motorsport '24"),
    (161, "AIX Racing '24"),
    (162, "DAMS '24"),
    (163, "Hitech '24"),
    (164, "MP Motorsport '24"),
    (165, "Prema '24"),
    (166, "Trident '24"),
    (167, "Van Amersfoort Racing '24"),
    (168, "Invicta '24"),
    (185, "Mercedes '24"),
    (186, "Ferrari '24"),
    (187, "Red Bull Racing '24"),
    (188, "Williams '24"),
    (189, "Aston Martin '24"),
    (190, "Alpine '24"),
    (191, "RB '24"),
    (192, "Haas '24"),
    (193, "McLaren '24"),
    (194, "Sauber '24"),
];

/// The circuit's name for `m_trackId`: "unknown" for -1, "track `id`" for ids
/// the F1 25 appendix does not list.
pub fn track_name(track_id: i8) -> String {
    match TRACKS.iter().find(|(id, _)| *id == track_id) {
        Some((_, name)) => (*name).to_string(),
        None if track_id == -1 => "unknown".to_string(),
        None => format!("track {track_id}"),
    }
}

/// The `m_trackId` of a circuit name as [`track_name`] spells it
/// (case-insensitive), for the emulator.
pub fn track_id(name: &str) -> Option<i8> {
    TRACKS.iter().find(|(_, known)| known.eq_ignore_ascii_case(name.trim())).map(|(id, _)| *id)
}

/// The team's name for `m_teamId`, if the F1 25 appendix lists it.
pub fn team_name(team_id: u8) -> Option<&'static str> {
    TEAMS.iter().find(|(id, _)| *id == team_id).map(|(_, name)| *name)
}

/// The `m_teamId` of a team name as [`team_name`] spells it (case-insensitive).
pub fn team_id(name: &str) -> Option<u8> {
    TEAMS.iter().find(|(_, known)| known.eq_ignore_ascii_case(name.trim())).map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        assert_eq!(track_name(11), "Monza");
        assert_eq!(track_name(41), "Zandvoort (Reverse)");
        assert_eq!(track_name(-1), "unknown");
        assert_eq!(track_name(1), "track 1");
        assert_eq!(track_id("monza"), Some(11));
        assert_eq!(track_id("Demo Ring"), None);
        assert_eq!(team_name(8), Some("McLaren"));
        assert_eq!(team_name(255), None);
        assert_eq!(team_id("McLaren"), Some(8));
        for (id, name) in TRACKS {
            assert_eq!(track_id(name), Some(*id));
        }
        for (id, name) in TEAMS {
            assert_eq!(team_id(name), Some(*id));
        }
    }
}

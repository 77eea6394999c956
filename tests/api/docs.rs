//! The README's configuration reference is checked against the code, so it cannot
//! drift: every key the code has is documented with its default and environment
//! name, and nothing documented is missing from the code.

use purplesector_engine::config::Settings;
use std::collections::BTreeMap;

/// `section.key` -> the default as TOML would print it.
fn defaults() -> BTreeMap<String, String> {
    let value = toml::Value::try_from(Settings::default()).unwrap();
    let mut keys = BTreeMap::new();
    for (section, table) in value.as_table().unwrap() {
        for (key, default) in table.as_table().unwrap() {
            let rendered = match default {
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            keys.insert(format!("{section}.{key}"), rendered);
        }
    }
    keys
}

/// `section.key` -> (default cell, environment cell) from the README table.
fn documented() -> BTreeMap<String, (String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## Configuration").nth(1).expect("a Configuration section");
    let mut rows = BTreeMap::new();
    for line in section.lines().take_while(|line| !line.starts_with("## ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 || !cells[1].starts_with('`') {
            continue;
        }
        rows.insert(cells[1].trim_matches('`').to_string(), (cells[2].to_string(), cells[3].to_string()));
    }
    rows
}

#[test]
fn the_configuration_reference_matches_the_code() {
    let code = defaults();
    let readme = documented();
    let undocumented: Vec<_> = code.keys().filter(|key| !readme.contains_key(*key)).collect();
    assert!(undocumented.is_empty(), "keys missing from the README: {undocumented:?}");
    let unknown: Vec<_> = readme.keys().filter(|key| !code.contains_key(*key)).collect();
    assert!(unknown.is_empty(), "README documents keys the code does not have: {unknown:?}");

    for (key, default) in &code {
        let (default_cell, env_cell) = &readme[key];
        let (section, name) = key.split_once('.').unwrap();
        let env = format!("PURPLESECTOR__{}__{}", section.to_uppercase(), name.to_uppercase());
        assert!(env_cell.contains(&env), "{key}: the environment name should be {env}, README says {env_cell}");
        if default.is_empty() {
            assert!(default_cell.starts_with("(empty"), "{key}: the default is empty, README says {default_cell}");
        } else {
            let shown = default_cell.split('`').nth(1).unwrap_or_default();
            assert_eq!(shown, default, "{key}: README's default {default_cell} differs from the code's");
        }
    }
}

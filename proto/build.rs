//! Compiles `telemetry.proto` with protox (a pure-Rust protobuf compiler), so a build
//! needs no system `protoc`.

fn main() {
    println!("cargo:rerun-if-changed=telemetry.proto");
    let descriptors = protox::compile(["telemetry.proto"], ["."]).expect("telemetry.proto must compile");

    let mut config = prost_build::Config::new();
    // JSON form: the same messages, snake_case field names as in the schema, absent
    // fields default, oneofs flattened to `{"telemetry": {...}}`, enums as names.
    config
        .message_attribute(".", "#[derive(serde::Serialize, serde::Deserialize)]")
        .message_attribute(".", "#[serde(default)]")
        .enum_attribute(".", "#[derive(serde::Serialize, serde::Deserialize)]")
        .enum_attribute("payload", "#[serde(rename_all = \"snake_case\")]")
        .field_attribute("ServerMessage.payload", "#[serde(flatten)]")
        .field_attribute("ClientMessage.payload", "#[serde(flatten)]")
        .field_attribute("IngestRequest.payload", "#[serde(flatten)]")
        .field_attribute("IngestResponse.payload", "#[serde(flatten)]");
    for field in ["TelemetryBatch.sim", "SessionInfo.sim"] {
        config.field_attribute(field, "#[serde(with = \"crate::sim_name\")]");
    }
    config.compile_fds(descriptors).expect("generating Rust types from telemetry.proto");
}

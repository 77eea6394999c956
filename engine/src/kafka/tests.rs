use super::*;
use purplesector_proto::v1::{bus_record, BusRecord, EndSession, TelemetryBatch, TelemetryFrame};

fn names(prefix: &str) -> TopicNames {
    TopicNames::new(&KafkaSettings { topic_prefix: prefix.into(), ..KafkaSettings::default() })
}

#[test]
fn user_topics_round_trip() {
    let topics = names("");
    assert_eq!(topics.user_topic(UserId(42)), "telemetry-user-42");
    assert_eq!(topics.user_of_topic("telemetry-user-42"), Some(UserId(42)));
    let prefixed = names("prod.");
    assert_eq!(prefixed.user_topic(UserId(7)), "prod.telemetry-user-7");
    assert_eq!(prefixed.user_of_topic("prod.telemetry-user-7"), Some(UserId(7)));
    assert_eq!(prefixed.shared_topic("commands"), "prod.commands");
}

#[test]
fn other_topics_belong_to_nobody() {
    let topics = names("prod.");
    for topic in [
        "telemetry-user-7",
        "prod.telemetry",
        "prod.telemetry-user-",
        "prod.telemetry-user-7x",
        "prod.telemetry-user--7",
        "prod.telemetry-user-07",
        "prod.telemetry-user-99999999999999999999999",
    ] {
        assert_eq!(topics.user_of_topic(topic), None, "{topic}");
    }
}

#[test]
fn the_pattern_escapes_the_prefix() {
    assert_eq!(names("").user_topic_pattern(), "^telemetry-user-[0-9]+$");
    assert_eq!(names("a.b").user_topic_pattern(), "^a\\.btelemetry-user-[0-9]+$");
}

#[test]
fn records_round_trip_with_headers() {
    let batch = TelemetryBatch {
        session_id: "s-1".into(),
        frames: vec![TelemetryFrame { seq: 1, speed_kmh: 100.0, ..Default::default() }],
        ..Default::default()
    };
    let record = BusRecord { payload: Some(bus_record::Payload::Batch(batch)) };
    let bytes = encode_record(&record);
    assert_eq!(decode_record(&bytes).unwrap(), record);
    let headers = headers(UserId(3), "s-1");
    let parsed = RecordHeaders::parse(Some(&headers));
    assert_eq!(parsed.user_id, Some(UserId(3)));
    assert_eq!(parsed.session_id.as_deref(), Some("s-1"));
    assert_eq!(parsed.encoding.as_deref(), Some(ENCODING));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(decode_record(&[0xff, 0xff, 0xff]).is_err());
    // An empty record decodes to no payload, which consumers skip.
    assert_eq!(decode_record(&[]).unwrap(), BusRecord { payload: None });
    let end = BusRecord { payload: Some(bus_record::Payload::EndSession(EndSession { session_id: "x".into() })) };
    assert_eq!(decode_record(&encode_record(&end)).unwrap(), end);
}

#[test]
fn sasl_settings_reach_the_client_only_with_a_sasl_protocol() {
    let mut settings = KafkaSettings { brokers: "k:9092".into(), ..KafkaSettings::default() };
    assert!(client_config(&settings, "t").get("sasl.username").is_none());
    settings.security_protocol = "SASL_SSL".into();
    settings.sasl_mechanism = "scram-sha-512".into();
    settings.sasl_username = "writer".into();
    settings.sasl_password = "pw".into();
    let config = client_config(&settings, "t");
    assert_eq!(config.get("security.protocol"), Some("sasl_ssl"));
    assert_eq!(config.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
    assert_eq!(config.get("sasl.username"), Some("writer"));
    assert_eq!(config.get("topic.metadata.refresh.interval.ms"), Some("2000"));
}

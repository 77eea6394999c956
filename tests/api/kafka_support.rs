//! A real Kafka-protocol broker per test (tansu, in memory, on a free port) and the
//! second, independent Kafka client (Python's confluent-kafka) the tests check
//! the engine's records with. Both are installed by `scripts/setup.sh`; a test
//! that cannot find them fails and says how to get them.

use purplesector_engine::config::Settings;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Broker {
    child: Child,
    pub brokers: String,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tansu_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PURPLESECTOR_TEST_TANSU") {
        return PathBuf::from(path);
    }
    let installed = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/tansu");
    if installed.exists() {
        return installed;
    }
    PathBuf::from("tansu")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Broker {
    /// Starts tansu with in-memory storage and waits until it accepts connections.
    pub fn start() -> Broker {
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu_binary())
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .env_remove("STORAGE_ENGINE")
            .env_remove("LISTENER_URL")
            .env_remove("ADVERTISED_LISTENER_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start the tansu Kafka broker ({error}); run scripts/setup.sh to install it")
            });
        let broker = Broker { child, brokers: format!("127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen on {port} within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        broker
    }

    /// Settings for an engine on this broker, with names of its own and short
    /// intervals so tests see commits and new topics quickly.
    pub fn configure(&self, settings: &mut Settings, name: &str) {
        crate::accounts_support::accounts_mode(settings);
        settings.kafka.brokers = self.brokers.clone();
        settings.kafka.topic_prefix = format!("{name}.");
        settings.kafka.consumer_group_prefix = format!("{name}-");
        settings.kafka.commit_interval_ms = 200;
        settings.kafka.metadata_refresh_ms = 500;
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a Python script with confluent-kafka; returns its stdout, panics with its
/// stderr when it fails.
pub fn python(script: &str, args: &[&str]) -> String {
    let python = std::env::var("PURPLESECTOR_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join(".cache/kafka-venv/bin/python"));
    let output = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {} ({error}); run scripts/setup.sh", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "the Python Kafka client failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A Python function for the scripts below (prepend it): `raw_log(brokers, topic)`
/// reads partition 0 with raw Fetch v4 requests from offset 0 to the end and returns
/// the compression codec of each record batch as the broker keeps it (what went over
/// the wire) and the offset after the last record. The end of the log is read, not
/// taken from the high watermark: tansu 0.6.0 reports one that lags the log (seen: 1
/// for a log of 4,000 records a producer wrote with 5 requests in flight, 3,982 without
/// idempotence), so a reader that stops at the watermark misses records.
pub const RAW_LOG: &str = r#"
import socket, struct

def raw_log(brokers, topic):
    host, port = brokers.split(",")[0].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    def string(text):
        data = text.encode()
        return struct.pack(">h", len(data)) + data
    def read(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise SystemExit("broker closed the connection")
            data += chunk
        return data
    codecs, log_end, correlation = [], 0, 0
    while True:
        correlation += 1
        body = struct.pack(">iiiib", -1, 200, 1, 64 << 20, 0) + struct.pack(">i", 1) + string(topic)
        body += struct.pack(">i", 1) + struct.pack(">iqi", 0, log_end, 64 << 20)
        request = struct.pack(">hhi", 1, 4, correlation) + string("purplesector-test") + body
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", read(4))
        response = read(size)
        pos = 4 + 4  # correlation id, throttle time
        def take(fmt):
            nonlocal pos
            values = struct.unpack_from(fmt, response, pos)
            pos += struct.calcsize(fmt)
            return values
        end_before = log_end
        (topics,) = take(">i")
        for _ in range(topics):
            (name_len,) = take(">h"); pos += name_len
            (partitions,) = take(">i")
            for _ in range(partitions):
                partition, error, high_watermark, last_stable = take(">ihqq")
                if error:
                    raise SystemExit(f"fetch error {error}")
                (aborted,) = take(">i")
                pos += max(aborted, 0) * 16
                (records_len,) = take(">i")
                end = pos + max(records_len, 0)
                while pos + 61 <= end:
                    batch_start = pos
                    base_offset, batch_len, leader_epoch, magic, crc, attributes, last_delta = take(">qiibIhi")
                    # A batch the broker returns whole may start before the offset asked for.
                    if base_offset + last_delta + 1 > log_end:
                        codecs.append(attributes & 7)
                        log_end = base_offset + last_delta + 1
                    pos = batch_start + 8 + 4 + batch_len
                pos = end
        if log_end == end_before:
            sock.close()
            return codecs, log_end
"#;

/// Reads every record of a topic with confluent-kafka and decodes its protobuf
/// value with a small wire-format reader of its own (BusRecord: 1 = batch with its
/// session id and frame seqs, 2 = session end, 3 = stored lap); prints JSON with
/// the records, the compression codec of each record batch and where the log ends
/// (from [`RAW_LOG`], which goes first).
pub const READ_TOPIC: &str = r#"
import json, sys, time
from confluent_kafka import Consumer, TopicPartition

def fields(data):
    """Protobuf wire format: (field number, wire type, value) of each field."""
    pos, out = 0, []
    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            byte = data[pos]; pos += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result
    while pos < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            out.append((number, wire, varint()))
        elif wire == 2:
            length = varint(); out.append((number, wire, data[pos:pos + length])); pos += length
        elif wire == 1:
            out.append((number, wire, data[pos:pos + 8])); pos += 8
        elif wire == 5:
            out.append((number, wire, data[pos:pos + 4])); pos += 4
        else:
            raise ValueError(f"wire type {wire}")
    return out

def decode(value):
    (number, _, body), = fields(value)
    if number == 1:
        batch = fields(body)
        session = next(v for n, w, v in batch if n == 1).decode()
        seqs = [next((v for n, w, v in fields(frame) if n == 1), 0) for n, w, frame in batch if n == 4]
        return {"kind": "batch", "session_id": session, "seqs": seqs}
    if number == 2:
        return {"kind": "end", "session_id": next(v for n, w, v in fields(body) if n == 1).decode()}
    if number == 3:
        return {"kind": "lap"}
    raise ValueError(f"unknown BusRecord field {number}")
brokers, topic = sys.argv[1], sys.argv[2]

codecs, log_end = raw_log(brokers, topic)

# Every record through confluent-kafka, up to the end of the log (a slow fetch is
# waited for, up to a minute).
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "python-reader", "enable.auto.commit": False,
                     "auto.offset.reset": "earliest"})
consumer.assign([TopicPartition(topic, 0, 0)])
low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
target = max(high, log_end)
records, next_offset, deadline = [], low, time.monotonic() + 60
while next_offset < target and time.monotonic() < deadline:
    message = consumer.poll(1)
    if message is None:
        continue
    if message.error():
        raise SystemExit(str(message.error()))
    next_offset = message.offset() + 1
    records.append({"offset": message.offset(), "key": (message.key() or b"").decode(),
                    "headers": {k: (v or b"").decode() for k, v in (message.headers() or [])},
                    "value": decode(message.value() or b"")})
consumer.close()
print(json.dumps({"records": records, "codecs": codecs,
                  "log": {"low": low, "high": high, "log_end": log_end}}))
"#;

/// The committed offset of a consumer group on partition 0 of a topic (-1001: none)
/// and the end of the log ([`RAW_LOG`]'s, or the high watermark if that is larger).
pub const COMMITTED: &str = r#"
import sys
from confluent_kafka import Consumer, TopicPartition
brokers, group, topic = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
committed = consumer.committed([TopicPartition(topic, 0)], timeout=10)
low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
print(committed[0].offset, max(high, raw_log(brokers, topic)[1]))
consumer.close()
"#;

/// Produces raw records to a topic: argv = brokers, topic, then (key, userId header
/// or "-", value as hex) triples.
pub const PRODUCE_RAW: &str = r#"
import sys
from confluent_kafka import Producer
brokers, topic, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
producer = Producer({"bootstrap.servers": brokers})
for i in range(0, len(rest), 3):
    key, user, value = rest[i], rest[i + 1], bytes.fromhex(rest[i + 2])
    headers = [] if user == "-" else [("userId", user.encode())]
    producer.produce(topic, key=key.encode(), value=value, headers=headers)
assert producer.flush(10) == 0, "records left undelivered"
"#;

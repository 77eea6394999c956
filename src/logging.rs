//! Logs and traces: `tracing` to stderr, human-readable or JSON by configuration
//! (`RUST_LOG` overrides the configured level), and, when `log.otlp_endpoint` is
//! set, the same spans (HTTP requests, ingest batches with user and session ids)
//! exported to an OpenTelemetry collector over OTLP/HTTP.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use purplesector_engine::config::LogSettings;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// Keeps the trace exporter alive; dropping it sends what is still batched.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(error) = provider.shutdown() {
                eprintln!("warning: exporting the last traces failed: {error}");
            }
        }
    }
}

pub fn init(settings: &LogSettings, roles: &str) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info")));
    let output = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let output = if settings.format == "json" { output.json().boxed() } else { output.boxed() };
    let provider = exporter(settings, roles);
    let traces =
        provider.as_ref().map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("purplesector")));
    tracing_subscriber::registry().with(filter).with(output).with(traces).init();
    Telemetry { provider }
}

/// The OTLP exporter, when configured; a broken one is reported and skipped (logs
/// still work).
fn exporter(settings: &LogSettings, roles: &str) -> Option<SdkTracerProvider> {
    let base = settings.otlp_endpoint.trim().trim_end_matches('/');
    if base.is_empty() {
        return None;
    }
    let exporter =
        opentelemetry_otlp::SpanExporter::builder().with_http().with_endpoint(format!("{base}/v1/traces")).build();
    match exporter {
        Ok(exporter) => {
            let resource = Resource::builder()
                .with_service_name("purplesector")
                .with_attribute(opentelemetry::KeyValue::new("purplesector.roles", roles.to_string()))
                .build();
            Some(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
        }
        Err(error) => {
            eprintln!("warning: OpenTelemetry export to {base} is off: {error}");
            None
        }
    }
}

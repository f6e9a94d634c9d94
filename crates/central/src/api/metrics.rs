//! `GET /metrics` in the Prometheus text format: bookings by channel, refusals by code, sync
//! pushes, server errors and request latency by route.
//!
//! Labels are only ever the service's own words: a channel, an error code, a route template
//! (`/api/v1/bookings/{reference}`, never the path a client sent, which would carry booking
//! references) and a status class. No personal data, and a bounded number of series.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

pub const METRICS: &str = "/metrics";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabel {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: &'static str,
}

/// A booking's channel as a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingChannel {
    /// Booked online at central.
    Online,
    /// Made at a kiosk and pushed.
    Kiosk,
}

pub struct Metrics {
    registry: Registry,
    bookings: Family<ChannelLabel, Counter>,
    refusals: Family<CodeLabel, Counter>,
    push_batches: Counter,
    push_events: Counter,
    server_errors: Family<RouteLabel, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s: a booking is a few milliseconds, the request timeout 15 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("visit_central");
        let bookings = Family::<ChannelLabel, Counter>::default();
        let refusals = Family::<CodeLabel, Counter>::default();
        let push_batches = Counter::default();
        let push_events = Counter::default();
        let server_errors = Family::<RouteLabel, Counter>::default();
        let latency: Family<RequestLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "bookings",
            "Bookings made, by channel: online, or made at a kiosk and pushed",
            bookings.clone(),
        );
        registry.register(
            "refusals",
            "Bookings refused, by error code (online requests and pushed bookings)",
            refusals.clone(),
        );
        registry.register("push_batches", "Sync push batches answered", push_batches.clone());
        registry.register(
            "push_events",
            "Events received in sync pushes",
            push_events.clone(),
        );
        registry.register(
            "server_errors",
            "Answers with a 5xx status, by route",
            server_errors.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by route template and status class",
            latency.clone(),
        );
        for channel in ["online", "kiosk"] {
            // Present at zero from the start, so a rate has a series to work on.
            let _ = bookings.get_or_create(&ChannelLabel { channel });
        }
        Self {
            registry,
            bookings,
            refusals,
            push_batches,
            push_events,
            server_errors,
            latency,
        }
    }

    pub fn booking(&self, channel: BookingChannel) {
        let channel = match channel {
            BookingChannel::Online => "online",
            BookingChannel::Kiosk => "kiosk",
        };
        self.bookings.get_or_create(&ChannelLabel { channel }).inc();
    }

    /// A refused booking; `code` is one of the service's error codes or status reasons.
    pub fn refusal(&self, code: &str) {
        self.refusals
            .get_or_create(&CodeLabel {
                code: code.to_string(),
            })
            .inc();
    }

    pub fn push(&self, events: usize) {
        self.push_batches.inc();
        self.push_events.inc_by(events as u64);
    }

    fn answered(&self, route: String, status: axum::http::StatusCode, seconds: f64) {
        let class = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        if status.is_server_error() {
            self.server_errors
                .get_or_create(&RouteLabel { route: route.clone() })
                .inc();
        }
        self.latency
            .get_or_create(&RequestLabels { route, status: class })
            .observe(seconds);
    }

    /// The text exposition.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Times each request and counts 5xx answers, under the route's template.
pub async fn track(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    // The template the router matched; anything else (404s) is one series, whatever was asked.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.answered(route, response.status(), started.elapsed().as_secs_f64());
    response
}

pub async fn serve_metrics(State(metrics): State<Arc<Metrics>>) -> Response {
    match metrics.encode() {
        Ok(text) => (
            [(
                CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot encode the metrics");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

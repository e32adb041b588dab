//! Caller deadlines (`grpc-timeout`).
//!
//! tonic's transport wraps every service in its own timeout, which answers `CANCELLED` when the
//! deadline passes first. `DeadlineLayer` sits inside it with the same deadline, measured from
//! a moment no later than tonic's, and is polled first: a call whose deadline passes is
//! answered `DEADLINE_EXCEEDED`, as gRPC defines: at once, without calling the handler, when
//! it has passed on arrival; when it passes while the handler runs (a screen runs within one
//! poll, its work bounded), as soon as the handler returns. Streams are not cut here: their
//! response starts at once, and `Subscribe` ends itself at its deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The deadline a caller set, counted from now.
pub fn from_headers(headers: &http::HeaderMap) -> Option<Instant> {
    parse(headers.get("grpc-timeout")?.to_str().ok()?)
}

/// The deadline a `grpc-timeout` value (`100m`, `5S` ...) sets, counted from now.
pub fn parse(text: &str) -> Option<Instant> {
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    let timeout = match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    };
    Instant::now().checked_add(timeout)
}

/// Answers `DEADLINE_EXCEEDED` for a call whose response has not started by its deadline.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeadlineLayer;

impl<S> tower::Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline { inner }
    }
}

#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> tower::Service<http::Request<B>> for Deadline<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let deadline = from_headers(request.headers());
        if deadline.is_some_and(|at| at <= Instant::now()) {
            return Box::pin(async { Ok(exceeded()) }); // nothing is done for it
        }
        let response = self.inner.call(request);
        Box::pin(async move {
            let Some(deadline) = deadline else {
                return response.await;
            };
            tokio::select! {
                biased;
                // An answer ready only after the deadline is no answer the caller still waits
                // for (a screen runs within one poll, so it can finish late).
                response = response => Ok(if Instant::now() > deadline { exceeded() } else { response? }),
                _ = tokio::time::sleep_until(deadline.into()) => Ok(exceeded()),
            }
        })
    }
}

fn exceeded() -> http::Response<tonic::body::Body> {
    tonic::Status::deadline_exceeded(
        "the deadline the caller set passed before the answer was ready",
    )
    .into_http()
}

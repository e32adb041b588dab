//! Where the answers come from: the index loaded here from the same sources as `serve`, or a
//! running service's `ScreenStream`. Both turn a party into the same `pb::Match`es through the
//! service's own conversion, so a file screened either way gives the same rows.

use super::input::Party;
use crate::api::convert;
use crate::config::DataArgs;
use crate::core::matching::ALGORITHM_VERSION;
use crate::core::snapshot::Snapshot;
use crate::core::store::Store;
use crate::feeds::{Feeds, SourceState};
use crate::proto::v1 as pb;
use crate::proto::v1::screening_client::ScreeningClient;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// What one party's screening gives: its matches, or why it was rejected.
pub type Answer = Result<Vec<pb::Match>, String>;

/// The request options every party shares.
#[derive(Debug, Clone)]
pub struct Options {
    pub threshold: Option<f64>,
    pub limit: u32,
    pub lists: Vec<String>,
    pub imposed_by: Vec<String>,
}

impl Options {
    fn request(&self, name: &str, party: &Party, request_id: String) -> pb::ScreenRequest {
        pb::ScreenRequest {
            name: name.to_string(),
            entity_type: party
                .entity_type
                .map_or(pb::EntityType::Unspecified, convert::entity_type_to_proto)
                as i32,
            countries: party.countries.clone(),
            lists: self.lists.clone(),
            imposed_by: self.imposed_by.clone(),
            threshold: self.threshold,
            limit: self.limit,
            request_id,
        }
    }

    /// The requests for one party: its name, then each identifier typed as a name (which the
    /// service matches exactly against listed identifiers).
    fn requests(&self, party: &Party) -> Vec<pb::ScreenRequest> {
        std::iter::once(self.request(&party.name, party, party.line.to_string()))
            .chain(
                party.identifiers.iter().map(|(kind, value)| {
                    self.request(value, party, format!("{}#{kind}", party.line))
                }),
            )
            .collect()
    }
}

/// The name's matches with each identifier's exact matches merged in (the better score of an
/// entity found both ways), best first.
fn combine(party: &Party, mut answers: impl Iterator<Item = Answer>) -> Answer {
    let mut matches = answers.next().unwrap_or_else(|| Ok(Vec::new()))?;
    let mut added = false;
    for ((kind, value), answer) in party.identifiers.iter().zip(answers) {
        let found = answer.map_err(|e| format!("identifier {kind}:{value}: {e}"))?;
        for m in found
            .into_iter()
            .filter(|m| m.features.iter().any(|f| f.name == "identifier_match"))
        {
            let id = m.entity.as_ref().map(|e| e.id.clone());
            match matches
                .iter_mut()
                .find(|x| x.entity.as_ref().map(|e| &e.id) == id.as_ref())
            {
                Some(known) if known.score >= m.score => {}
                Some(known) => *known = m,
                None => matches.push(m),
            }
            added = true;
        }
    }
    if added {
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    Ok(matches)
}

/// The data screened against, for the summary.
#[derive(Debug, Clone, Default)]
pub struct Served {
    pub sequence: u64,
    pub algorithm_version: String,
    pub description: String,
}

/// Screens against an index loaded in this process.
#[derive(Debug)]
pub struct Local {
    snapshot: Arc<Snapshot>,
    threshold: f64,
    threads: usize,
}

impl Local {
    /// Loads every source as `serve` would (fetch, import, enrich, check), merges the index
    /// fully, and fails if any source could not be loaded: screening without it would be a
    /// silent miss.
    pub async fn load(
        data: &DataArgs,
        threshold: f64,
        threads: usize,
    ) -> Result<(Local, String), String> {
        let (sources, cache_dir) = data.sources()?;
        crate::feeds::config::check_paths(&sources)?;
        let store = Arc::new(Store::new(1));
        let feeds = Feeds::new(sources, Arc::clone(&store), cache_dir);
        let (_stop, stopped) = watch::channel(true);
        feeds.start(stopped).await;
        let mut described = Vec::new();
        for status in feeds.statuses() {
            if status.state != SourceState::Ok {
                return Err(format!(
                    "source {} ({}) could not be loaded: {}",
                    status.id, status.location, status.last_error
                ));
            }
            described.push(format!(
                "{}: {} entities{}",
                status.id,
                status.entities,
                if status.rejected > 0 {
                    format!(", {} records rejected", status.rejected)
                } else {
                    String::new()
                }
            ));
        }
        let merging = Arc::clone(&store);
        tokio::task::spawn_blocking(move || while merging.merge() {})
            .await
            .map_err(|e| format!("merging the index: {e}"))?;
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let local = Local {
            snapshot: store.snapshot(),
            threshold,
            threads,
        };
        Ok((local, described.join("; ")))
    }

    pub fn served(&self, description: String) -> Served {
        Served {
            sequence: self.snapshot.sequence,
            algorithm_version: ALGORITHM_VERSION.to_string(),
            description,
        }
    }

    /// Checks the list and country filters once, before any row: an unknown list is a
    /// mistake in the options, not in every row.
    pub fn check(&self, options: &Options) -> Result<(), String> {
        self.snapshot
            .scope(&options.lists, &options.imposed_by)
            .map(drop)
            .map_err(|e| tonic::Status::from(e).message().to_string())
    }

    fn answer(&self, request: &pb::ScreenRequest) -> Answer {
        let screened = convert::screen_request(request)
            .and_then(|domain| self.snapshot.screen(&domain, self.threshold))
            .map_err(|e| tonic::Status::from(e).message().to_string())?;
        Ok(
            convert::screen_response(String::new(), screened, &self.snapshot, ALGORITHM_VERSION)
                .matches,
        )
    }

    /// Screens `parties` on every thread, answers in their order.
    pub fn screen(&self, parties: &[&Party], options: &Options) -> Vec<Answer> {
        let next = AtomicUsize::new(0);
        let mut answers: Vec<Option<Answer>> = vec![None; parties.len()];
        let work = |_: usize| {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(party) = parties.get(i) else {
                    return done;
                };
                let requests = options.requests(party);
                let answer = combine(party, requests.iter().map(|r| self.answer(r)));
                done.push((i, answer));
            }
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..self.threads)
                .map(|t| scope.spawn(move || work(t)))
                .collect();
            for worker in workers {
                for (i, answer) in worker.join().unwrap_or_default() {
                    answers[i] = Some(answer);
                }
            }
        });
        answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err("not screened".into())))
            .collect()
    }
}

/// TLS settings for `--server`.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub ca: Option<PathBuf>,
    pub domain: Option<String>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// Screens through one long `ScreenStream` to a running service.
#[derive(Debug)]
pub struct Remote {
    address: String,
    requests: mpsc::Sender<pb::ScreenRequest>,
    responses: tonic::Streaming<pb::ScreenResponse>,
    served: Served,
}

impl Remote {
    /// Connects, and checks the options with one `Screen` call (an unknown list fails here,
    /// not on every row).
    pub async fn connect(address: &str, tls: &Tls, options: &Options) -> Result<Remote, String> {
        let url = if address.contains("://") {
            address.to_string()
        } else if tls.ca.is_some() {
            format!("https://{address}")
        } else {
            format!("http://{address}")
        };
        let mut endpoint = Endpoint::from_shared(url.clone())
            .map_err(|e| format!("--server {address}: not an address: {e}"))?;
        if url.starts_with("https://") {
            let read = |path: &PathBuf| {
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            };
            let mut config = ClientTlsConfig::new().with_webpki_roots();
            if let Some(ca) = &tls.ca {
                config = config.ca_certificate(Certificate::from_pem(read(ca)?));
            }
            if let Some(domain) = &tls.domain {
                config = config.domain_name(domain.clone());
            }
            if let (Some(cert), Some(key)) = (&tls.cert, &tls.key) {
                config = config.identity(Identity::from_pem(read(cert)?, read(key)?));
            }
            endpoint = endpoint
                .tls_config(config)
                .map_err(|e| format!("--server {address}: TLS: {e}"))?;
        }
        let channel: Channel = endpoint.connect().await.map_err(|e| {
            format!(
                "cannot reach the service at {address}: {}",
                crate::feeds::error_chain(&e)
            )
        })?;
        let mut client = ScreeningClient::new(channel);
        let probe = Party {
            line: 0,
            reference: String::new(),
            name: "probe".into(),
            entity_type: None,
            countries: Vec::new(),
            identifiers: Vec::new(),
        };
        let checked = client
            .screen(options.request(&probe.name, &probe, String::new()))
            .await
            .map_err(|s| {
                format!(
                    "the service at {address} refused the options: {}",
                    s.message()
                )
            })?
            .into_inner();
        let (requests, receiver) = mpsc::channel(256);
        let responses = client
            .screen_stream(tokio_stream::wrappers::ReceiverStream::new(receiver))
            .await
            .map_err(|s| format!("the service at {address}: {}", s.message()))?
            .into_inner();
        Ok(Remote {
            address: address.to_string(),
            requests,
            responses,
            served: Served {
                sequence: checked.sequence,
                algorithm_version: checked.algorithm_version,
                description: format!("the service at {address}"),
            },
        })
    }

    pub fn served(&self) -> Served {
        self.served.clone()
    }

    /// Screens `parties` in order; an `Err` means the stream itself failed.
    pub async fn screen(
        &mut self,
        parties: &[&Party],
        options: &Options,
    ) -> Result<Vec<Answer>, String> {
        let requests: Vec<Vec<pb::ScreenRequest>> =
            parties.iter().map(|p| options.requests(p)).collect();
        let shape: Vec<usize> = requests.iter().map(Vec::len).collect();
        let sender = self.requests.clone();
        let sending = tokio::spawn(async move {
            for request in requests.into_iter().flatten() {
                if sender.send(request).await.is_err() {
                    return;
                }
            }
        });
        let mut answers = Vec::with_capacity(parties.len());
        for (party, count) in parties.iter().zip(shape) {
            let mut responses = Vec::with_capacity(count);
            for _ in 0..count {
                let response = self
                    .responses
                    .message()
                    .await
                    .map_err(|s| format!("the service at {}: {}", self.address, s.message()))?
                    .ok_or_else(|| {
                        format!("the service at {} ended the stream early", self.address)
                    })?;
                self.served.sequence = self.served.sequence.max(response.sequence);
                responses.push(match response.error {
                    Some(error) => Err(error.message),
                    None => Ok(response.matches),
                });
            }
            answers.push(combine(party, responses.into_iter()));
        }
        let _ = sending.await;
        Ok(answers)
    }
}

//! Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
//! otherwise (a log, a CI step), nothing with `--no-progress`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a plain progress line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    started: Instant,
    /// Input bytes in all, when known: progress is measured in bytes read, so there is no
    /// counting pass over the file.
    total: Option<u64>,
}

#[derive(Debug)]
enum Mode {
    Off,
    Bar(ProgressBar),
    Plain { last: Instant },
}

impl Progress {
    pub fn new(total: Option<u64>, enabled: bool) -> Progress {
        let mode = if !enabled {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr_with_hz(4),
                )
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30.cyan/blue} {percent:>3}% {msg} [{elapsed_precise}, ETA {eta}]",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4))
                    .with_style(
                        ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            Mode::Bar(bar)
        } else {
            Mode::Plain {
                last: Instant::now(),
            }
        };
        Progress {
            mode,
            started: Instant::now(),
            total,
        }
    }

    /// Reports `bytes` of the input read, `names` screened so far and `hits` names with a hit.
    pub fn update(&mut self, bytes: u64, names: u64, hits: u64) {
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = names as f64 / elapsed;
        let message = format!(
            "{} names, {} names/s, {} with a hit",
            thousands(names),
            thousands(rate as u64),
            thousands(hits)
        );
        match &mut self.mode {
            Mode::Off => {}
            Mode::Bar(bar) => {
                bar.set_position(bytes);
                bar.set_message(message);
            }
            Mode::Plain { last } => {
                if last.elapsed() < PLAIN_EVERY {
                    return;
                }
                *last = Instant::now();
                let share = match self.total {
                    Some(total) if total > 0 => {
                        let done = bytes as f64 / total as f64;
                        let left = elapsed * (1.0 - done) / done.max(1e-9);
                        format!(" ({:.0} %, about {left:.0} s left)", done * 100.0)
                    }
                    _ => String::new(),
                };
                eprintln!("screened {message}{share}");
            }
        }
    }

    /// Prints a line without garbling the bar.
    pub fn say(&self, line: &str) {
        match &self.mode {
            Mode::Bar(bar) => bar.suspend(|| eprintln!("{line}")),
            _ => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

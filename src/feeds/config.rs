//! Source configuration: a TOML file (`--config`) and repeated `--source FORMAT=PATH_OR_URL`
//! flags. See the README's "Sources" section for the file layout.

use crate::core::import::Format;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default refresh interval of a local file or directory: re-reading an unchanged file is cheap
/// (its digest is compared before it is parsed).
pub const FILE_REFRESH: Duration = Duration::from_secs(60);
/// Default refresh interval of a URL: conditional GETs, so an unchanged list costs one request.
pub const URL_REFRESH: Duration = Duration::from_secs(3600);
/// Default share of a source's entities that may vanish in one refresh before it is refused.
pub const MAX_DROP: f64 = 0.5;

/// Where a source is read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Path(PathBuf),
    Url(String),
}

impl Location {
    pub fn parse(text: &str) -> Location {
        if text.starts_with("http://") || text.starts_with("https://") {
            Location::Url(text.to_string())
        } else {
            Location::Path(PathBuf::from(text))
        }
    }

    /// For display: a URL without any user:password part.
    pub fn redacted(&self) -> String {
        match self {
            Location::Path(p) => p.display().to_string(),
            Location::Url(u) => {
                if let Some((scheme, rest)) = u.split_once("://") {
                    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
                    if let Some(at) = authority.rfind('@') {
                        return format!("{scheme}://***@{}", &rest[at + 1..]);
                    }
                }
                u.clone()
            }
        }
    }
}

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    /// Short name: a-z, 0-9, '-' and '_'.
    pub id: String,
    pub format: Format,
    pub location: Location,
    pub refresh: Duration,
    /// List codes to take from the source ("US-BIS-*" ends in a wildcard); empty: all.
    pub lists: Vec<String>,
    /// Refuse a refresh that removes more than this share of the source's entities.
    pub max_drop: f64,
}

impl SourceSpec {
    pub fn new(id: &str, format: Format, location: Location) -> SourceSpec {
        let refresh = match location {
            Location::Path(_) => FILE_REFRESH,
            Location::Url(_) => URL_REFRESH,
        };
        SourceSpec {
            id: id.to_string(),
            format,
            location,
            refresh,
            lists: Vec::new(),
            max_drop: MAX_DROP,
        }
    }

    /// The bundled seeds directory as a native source.
    pub fn seeds(dir: &Path) -> SourceSpec {
        SourceSpec::new("seeds", Format::Native, Location::Path(dir.to_path_buf()))
    }

    /// Whether this source may load list `code`.
    pub fn wants(&self, code: &str) -> bool {
        self.lists.is_empty()
            || self
                .lists
                .iter()
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => code.starts_with(prefix),
                    None => code == pattern,
                })
    }

    /// `FORMAT=PATH_OR_URL`, as given to `--source`; the id is the file name's stem.
    pub fn from_flag(flag: &str) -> Result<SourceSpec, String> {
        let (format, location) = flag.split_once('=').ok_or_else(|| {
            format!("--source {flag:?} must be FORMAT=PATH_OR_URL, e.g. csl-csv=consolidated.csv")
        })?;
        let format: Format = format.parse()?;
        let location = Location::parse(location);
        let stem = match &location {
            Location::Path(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Location::Url(u) => u
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .split(['.', '?'])
                .next()
                .unwrap_or("")
                .to_string(),
        };
        let id: String = stem
            .to_ascii_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let id = if id.is_empty() {
            format.to_string()
        } else {
            id
        };
        Ok(SourceSpec::new(&id, format, location))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    cache_dir: Option<PathBuf>,
    #[serde(default)]
    source: Vec<FileSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSource {
    id: String,
    format: String,
    location: String,
    refresh: Option<String>,
    #[serde(default)]
    lists: Vec<String>,
    max_drop: Option<f64>,
}

/// What a configuration file sets.
#[derive(Debug, Default)]
pub struct FeedConfig {
    pub cache_dir: Option<PathBuf>,
    pub sources: Vec<SourceSpec>,
}

/// Parses a configuration file's text. Relative paths are taken from `base` (the file's
/// directory).
pub fn from_toml(text: &str, base: &Path) -> Result<FeedConfig, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut config = FeedConfig {
        cache_dir: file.cache_dir.map(|d| base.join(d)),
        sources: Vec::new(),
    };
    for (i, s) in file.source.into_iter().enumerate() {
        let at = |reason: String| format!("[[source]] #{} ({}): {reason}", i + 1, s.id);
        let format: Format = s.format.parse().map_err(at)?;
        let location = match Location::parse(&s.location) {
            Location::Path(p) => Location::Path(base.join(p)),
            url => url,
        };
        let mut spec = SourceSpec::new(&s.id, format, location);
        if let Some(refresh) = &s.refresh {
            spec.refresh = duration(refresh).map_err(at)?;
        }
        spec.lists = s.lists;
        if let Some(max_drop) = s.max_drop {
            if !(0.0..=1.0).contains(&max_drop) {
                return Err(at(format!("max_drop {max_drop} is outside 0..1")));
            }
            spec.max_drop = max_drop;
        }
        config.sources.push(spec);
    }
    Ok(config)
}

/// Checks a set of sources: ids well-formed and unique, at least one source.
/// Fails at once on a local source that does not exist: a configuration mistake, not a
/// refresh to retry.
pub fn check_paths(sources: &[SourceSpec]) -> Result<(), String> {
    for source in sources {
        if let Location::Path(path) = &source.location {
            std::fs::metadata(path).map_err(|e| {
                format!("source {}: cannot read {}: {e}", source.id, path.display())
            })?;
        }
    }
    Ok(())
}

pub fn validate(sources: &[SourceSpec]) -> Result<(), String> {
    if sources.is_empty() {
        return Err("no source is configured".into());
    }
    for (i, s) in sources.iter().enumerate() {
        if s.id.is_empty()
            || s.id.len() > 64
            || !s
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "source id {:?} must be 1-64 characters of a-z, 0-9, '-' and '_'",
                s.id
            ));
        }
        if sources[..i].iter().any(|o| o.id == s.id) {
            return Err(format!(
                "two sources have the id {:?}; give each its own (in the config file, `id = ...`)",
                s.id
            ));
        }
        if s.refresh < Duration::from_secs(1) {
            return Err(format!("source {}: refresh must be at least 1s", s.id));
        }
    }
    Ok(())
}

/// "90", "90s", "15m", "6h", "1d".
pub fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 15m, 6h or 1d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_files() {
        let s =
            SourceSpec::from_flag("csl-csv=https://data.trade.gov/x/v1/consolidated.csv").unwrap();
        assert_eq!(
            (s.id.as_str(), s.format, s.refresh),
            ("consolidated", Format::CslCsv, URL_REFRESH)
        );
        let s = SourceSpec::from_flag("ofac-csv=/data/sdn.csv").unwrap();
        assert_eq!(s.location, Location::Path("/data/sdn.csv".into()));
        assert!(SourceSpec::from_flag("sdn.csv")
            .unwrap_err()
            .contains("FORMAT="));
        assert!(SourceSpec::from_flag("xml=sdn.xml")
            .unwrap_err()
            .contains("ofac-xml"));

        let config = from_toml(
            r#"
cache_dir = "cache"
[[source]]
id = "csl"
format = "csl-csv"
location = "https://example.org/consolidated.csv"
refresh = "6h"
lists = ["US-BIS-*", "US-OFAC-SDN"]
[[source]]
id = "prc"
format = "native"
location = "seeds"
max_drop = 0.2
"#,
            Path::new("/etc/watchlist"),
        )
        .unwrap();
        assert_eq!(
            config.cache_dir,
            Some(PathBuf::from("/etc/watchlist/cache"))
        );
        let (csl, prc) = (&config.sources[0], &config.sources[1]);
        assert_eq!(csl.refresh, Duration::from_secs(6 * 3600));
        assert!(csl.wants("US-BIS-EL") && csl.wants("US-OFAC-SDN") && !csl.wants("US-OFAC-SSI"));
        assert_eq!(prc.location, Location::Path("/etc/watchlist/seeds".into()));
        assert_eq!(prc.max_drop, 0.2);
        validate(&config.sources).unwrap();
        assert!(from_toml(
            "[[source]]\nid = \"x\"\nformat = \"csv\"\nlocation = \"a\"",
            Path::new(".")
        )
        .unwrap_err()
        .contains("unknown format"));
        assert!(from_toml("colour = 1", Path::new(".")).is_err());
        let twice = vec![csl.clone(), csl.clone()];
        assert!(validate(&twice).unwrap_err().contains("two sources"));
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            Location::parse("https://user:pw@example.org/a.csv").redacted(),
            "https://***@example.org/a.csv"
        );
        assert_eq!(
            Location::parse("https://example.org/a@b.csv").redacted(),
            "https://example.org/a@b.csv"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("15m").unwrap(), Duration::from_secs(900));
        assert!(duration("soon").is_err());
        assert!(duration("5w").is_err());
    }
}

//! Where a PACS is: a DICOMweb base URL, or a DIMSE AE title, host and port with our
//! calling AE title. Parsed from what the user typed (`--dicomweb URL`,
//! `--dimse AET@HOST:PORT`), kept by name in the viewer's settings ([`NamedServer`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::PacsError;

/// Our AE title when none is given.
pub const DEFAULT_CALLING_AET: &str = "LIGHTBOX";

/// A PACS and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protocol", rename_all = "lowercase")]
pub enum Server {
    /// DICOMweb: QIDO-RS, WADO-RS and STOW-RS under one base URL.
    DicomWeb(DicomWebServer),
    /// DIMSE: an association with an application entity.
    Dimse(DimseServer),
}

/// A DICOMweb service root, e.g. `http://pacs:8042/dicom-web`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DicomWebServer {
    /// The service root, without a trailing slash.
    pub base_url: String,
}

/// A DIMSE peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimseServer {
    /// The PACS's AE title (the called AE).
    pub called_aet: String,
    /// Its host name or IP address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Our AE title (the calling AE), as the PACS knows us.
    pub calling_aet: String,
}

/// A server the user named in Settings ▸ PACS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedServer {
    /// The name shown in menus.
    pub name: String,
    /// The server.
    pub server: Server,
}

impl DicomWebServer {
    /// A DICOMweb root from `url` (`http://` or `https://`, a host, an optional path).
    pub fn parse(url: &str) -> Result<Self, PacsError> {
        let url = url.trim();
        let bad = |reason: &str| PacsError::BadAddress {
            given: url.into(),
            reason: reason.into(),
        };
        let lower = url.to_ascii_lowercase();
        let Some(rest) = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"))
        else {
            return Err(bad(
                "a DICOMweb address starts with http:// or https:// (e.g. http://pacs:8042/dicom-web)",
            ));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
            return Err(bad(
                "it needs a host (http://host:port/path), without spaces or a user name",
            ));
        }
        if rest.contains(['?', '#']) {
            return Err(bad("give the service root, without ? or #"));
        }
        Ok(Self {
            base_url: url.trim_end_matches('/').to_owned(),
        })
    }
}

/// Checks an AE title: 1 to 16 characters of printable ASCII, no backslash, not blank.
pub fn check_aet(aet: &str) -> Result<(), String> {
    let t = aet.trim();
    if t.is_empty() {
        return Err("an AE title cannot be empty".into());
    }
    if aet.len() > 16 {
        return Err(format!("the AE title {aet:?} is longer than 16 characters"));
    }
    if aet.chars().any(|c| !(' '..='~').contains(&c) || c == '\\') {
        return Err(format!(
            "the AE title {aet:?} may hold only printable ASCII without backslashes"
        ));
    }
    Ok(())
}

impl DimseServer {
    /// A DIMSE peer from `AET@HOST:PORT` and our AE title (`calling_aet`, default
    /// [`DEFAULT_CALLING_AET`]).
    pub fn parse(address: &str, calling_aet: Option<&str>) -> Result<Self, PacsError> {
        let given = address.trim();
        let bad = |reason: String| PacsError::BadAddress {
            given: given.into(),
            reason,
        };
        let form = "the form is AET@HOST:PORT, e.g. ORTHANC@pacs.local:4242";
        let Some((aet, host_port)) = given.split_once('@') else {
            return Err(bad(format!("no @: {form}")));
        };
        let Some((host, port)) = host_port.rsplit_once(':') else {
            return Err(bad(format!("no :PORT: {form}")));
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.chars().any(char::is_whitespace) {
            return Err(bad(format!("no host: {form}")));
        }
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(format!("{port:?} is not a port (1 to 65535)")))?;
        check_aet(aet).map_err(bad)?;
        let calling_aet = calling_aet.unwrap_or(DEFAULT_CALLING_AET).trim();
        check_aet(calling_aet).map_err(bad)?;
        Ok(Self {
            called_aet: aet.trim().to_owned(),
            host: host.to_owned(),
            port,
            calling_aet: calling_aet.to_owned(),
        })
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub fn socket_address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for DicomWebServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the DICOMweb server {}", self.base_url)
    }
}

impl fmt::Display for DimseServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the DICOM server {}@{} (calling AE {})",
            self.called_aet,
            self.socket_address(),
            self.calling_aet
        )
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Server::DicomWeb(s) => s.fmt(f),
            Server::Dimse(s) => s.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dicomweb_addresses() {
        let s = DicomWebServer::parse(" http://127.0.0.1:8042/dicom-web/ ").expect("http");
        assert_eq!(s.base_url, "http://127.0.0.1:8042/dicom-web");
        assert!(DicomWebServer::parse("https://pacs.site/wado").is_ok());
        for bad in [
            "pacs:8042",
            "ftp://x",
            "http://",
            "http://u@x",
            "http://x/?q=1",
        ] {
            assert!(DicomWebServer::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dimse_addresses() {
        let s = DimseServer::parse("ORTHANC@127.0.0.1:4242", None).expect("dimse");
        assert_eq!(
            (s.called_aet.as_str(), s.host.as_str(), s.port),
            ("ORTHANC", "127.0.0.1", 4242)
        );
        assert_eq!(s.calling_aet, DEFAULT_CALLING_AET);
        let v6 = DimseServer::parse("PACS@[::1]:104", Some("ME")).expect("v6");
        assert_eq!(
            (v6.socket_address(), v6.calling_aet),
            ("[::1]:104".into(), "ME".into())
        );
        for bad in [
            "ORTHANC127.0.0.1:4242",
            "ORTHANC@127.0.0.1",
            "ORTHANC@127.0.0.1:0",
            "ORTHANC@:4242",
            "@host:4242",
            "AN_AE_TITLE_OVER_16@host:1",
            "BACK\\SLASH@host:1",
        ] {
            assert!(DimseServer::parse(bad, None).is_err(), "{bad}");
        }
        assert!(DimseServer::parse("A@h:1", Some("")).is_err());
    }

    #[test]
    fn named_servers_round_trip_as_json() {
        let named = NamedServer {
            name: "archive".into(),
            server: Server::Dimse(DimseServer::parse("A@h:1", None).expect("dimse")),
        };
        let text = serde_json::to_string(&named).expect("json");
        assert!(text.contains("\"protocol\":\"dimse\""), "{text}");
        assert_eq!(
            serde_json::from_str::<NamedServer>(&text).expect("back"),
            named
        );
    }
}

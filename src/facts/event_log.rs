//! Event XML (`wevtutil qe <channel> /f:xml`, Event Viewer's XML, each record of an `.evtx`)
//! → events, and the known ESR failure signatures. The other export forms are read in
//! `event_export`.
//!
//! wevtutil writes one `<Event>` element after another with no root element; this parser accepts
//! that, a file with an `<Events>` root, and XML declarations in between.

/// One Windows event with the fields the signatures need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub id: u32,
    pub channel: String,
    pub provider: String,
    pub time: String,
    /// `EventData`/`UserData` values, as written.
    pub data: Vec<String>,
}

impl Event {
    /// The event carries `hresult` in any data field, written as hex or as a signed decimal.
    pub fn carries(&self, hresult: u32) -> bool {
        self.data.iter().any(|value| {
            value
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | ':' | '(' | ')' | '=' | ';')
                })
                .filter_map(parse_code)
                .any(|code| code == hresult)
        })
    }
}

/// Parses `0x80070259`, `80070259` (hex as Windows prints it) or `-2147024295`.
pub fn parse_code(text: &str) -> Option<u32> {
    let text = text.trim().trim_end_matches('.');
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Some(negative) = text.strip_prefix('-') {
        return negative
            .parse::<i64>()
            .ok()
            .and_then(|n| u32::try_from((1i64 << 32) - n).ok());
    }
    if text.len() == 8 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        return u32::from_str_radix(text, 16).ok();
    }
    None
}

/// A known failure pattern from Microsoft's ESR troubleshooting article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signature {
    pub event_id: u32,
    pub hresult: u32,
    /// A second event that must also be present (id, code).
    pub with: Option<(u32, u32)>,
    /// The finding code raised (documented in the guidance catalogue).
    pub code: &'static str,
}

/// The signatures recognised, per Microsoft's "Known issues" list for ESR.
pub const SIGNATURES: [Signature; 3] = [
    Signature {
        event_id: 6013,
        hresult: 0x8007_0259,
        with: None,
        code: "EVENT_6013_MDM_SIDELOADED_APPS",
    },
    Signature {
        event_id: 6065,
        hresult: 0x8007_0533,
        with: None,
        code: "EVENT_6065_ACCOUNT_DISABLED",
    },
    Signature {
        event_id: 1098,
        hresult: 0xCAA5_001C,
        with: Some((1104, 0xC000_005F)),
        code: "EVENT_1098_TOKEN_BROKER",
    },
];

/// An event Microsoft's troubleshooting pages name as carrying the error of a failed step,
/// whatever the code: its code (and an AADSTS answer, if any) is what the finding says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorEvent {
    pub event_id: u32,
    /// Part of the provider or channel name the event must come from.
    pub from: &'static str,
    /// What the event records, for the finding's message.
    pub records: &'static str,
    /// The finding code raised.
    pub code: &'static str,
}

/// The error events, per Microsoft's hybrid-join troubleshooting page
/// (`troubleshoot-hybrid-join-windows-current.md`, ms.date 2024-11-25): the User Device
/// Registration log's join-phase events, and the AAD Operational log's sign-in errors.
pub const ERROR_EVENTS: [ErrorEvent; 9] = [
    ErrorEvent {
        event_id: 201,
        from: "User Device Registration",
        records: "a failed discovery of the device registration service",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 204,
        from: "User Device Registration",
        records: "an error answer of the device registration service to the join",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 220,
        from: "User Device Registration",
        records: "that Windows could not read the computer object in Active Directory",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 304,
        from: "User Device Registration",
        records: "the phase and error code of a failed hybrid join",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 305,
        from: "User Device Registration",
        records: "the error of a failed hybrid join (for federated domains, the token error)",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 307,
        from: "User Device Registration",
        records: "a failed hybrid join",
        code: "EVENT_DEVICE_REGISTRATION_ERROR",
    },
    ErrorEvent {
        event_id: 1081,
        from: "AAD",
        records: "the error Entra ID answered to a sign-in of the device or user (PRT)",
        code: "EVENT_AAD_SIGN_IN_ERROR",
    },
    ErrorEvent {
        event_id: 1088,
        from: "AAD",
        records: "the error a WS-Trust (federation) endpoint answered to a sign-in (PRT)",
        code: "EVENT_AAD_SIGN_IN_ERROR",
    },
    ErrorEvent {
        event_id: 1084,
        from: "AAD",
        records: "the network error of a sign-in (PRT)",
        code: "EVENT_AAD_SIGN_IN_ERROR",
    },
];

/// The codes an error event carries: its first failure HRESULT, and an AADSTS answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CarriedCodes {
    pub hresult: Option<u32>,
    pub aadsts: Option<u32>,
}

impl Event {
    /// The first failure code (an HRESULT or NTSTATUS: top bit set, `0x` or signed-decimal
    /// written before bare hex) and the first AADSTS answer in the event's data.
    pub fn carried_codes(&self) -> CarriedCodes {
        let tokens = || {
            self.data.iter().flat_map(|value| {
                value.split(|c: char| {
                    c.is_whitespace()
                        || matches!(c, ',' | ':' | '(' | ')' | '=' | ';' | '[' | ']' | '/')
                })
            })
        };
        CarriedCodes {
            hresult: tokens()
                .filter(|t| t.starts_with("0x") || t.starts_with("0X") || t.starts_with('-'))
                .chain(tokens())
                .filter_map(parse_code)
                .find(|c| *c >= 0x8000_0000),
            aadsts: tokens()
                .filter_map(|t| {
                    t.get(..6)
                        .filter(|p| p.eq_ignore_ascii_case("AADSTS"))
                        .and(t.get(6..))
                })
                .find_map(|digits| digits.trim_end_matches('.').parse().ok()),
        }
    }

    fn comes_from(&self, name: &str) -> bool {
        self.provider.contains(name) || self.channel.contains(name)
    }
}

/// The events of one or more wevtutil captures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventLog {
    pub events: Vec<Event>,
    /// Why each export that could not be read was not (the others were).
    pub unreadable: Vec<String>,
}

impl EventLog {
    /// Each error event present, with the newest matching event and what it carries.
    pub fn error_events(&self) -> Vec<(ErrorEvent, &Event, CarriedCodes)> {
        ERROR_EVENTS
            .iter()
            .filter_map(|rule| {
                let hit = self
                    .events
                    .iter()
                    .filter(|e| e.id == rule.event_id && e.comes_from(rule.from))
                    .max_by(|a, b| a.time.cmp(&b.time))?;
                Some((*rule, hit, hit.carried_codes()))
            })
            .collect()
    }

    /// Signatures present, each with the newest matching event.
    pub fn matched_signatures(&self) -> Vec<(Signature, &Event)> {
        SIGNATURES
            .iter()
            .filter_map(|sig| {
                let hit = self
                    .events
                    .iter()
                    .filter(|e| e.id == sig.event_id && e.carries(sig.hresult))
                    .max_by(|a, b| a.time.cmp(&b.time))?;
                let companion_ok = sig.with.is_none_or(|(id, code)| {
                    self.events.iter().any(|e| e.id == id && e.carries(code))
                });
                companion_ok.then_some((*sig, hit))
            })
            .collect()
    }
}

/// Most XML nodes one capture may hold: a wevtutil export of the relevant channels has a few
/// thousand; a tree of millions of tiny elements would cost gigabytes.
pub const MAX_NODES: u32 = 250_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EventLogError {
    #[error(
        "`{file}` is not wevtutil XML output ({detail}); capture it with `wevtutil qe <channel> /f:xml`"
    )]
    NotWevtutil { file: String, detail: String },
    #[error(
        "`{file}` is no event export esr-doctor reads (it {start}); export the channel with `wevtutil qe <channel> /f:xml`, as .evtx, or with `Get-WinEvent -LogName <channel> | Format-List`"
    )]
    NotAnExport { file: String, start: String },
    #[error(
        "`{file}` holds more than {MAX_NODES} XML nodes, more than a capture of the relevant channels ever does; it was not read, to keep memory bounded"
    )]
    TooComplex { file: String },
}

/// Parses one capture; whitespace-only text is an empty log.
pub fn parse(file: &str, text: &str) -> Result<EventLog, EventLogError> {
    let error = |detail: String| EventLogError::NotWevtutil {
        file: file.to_owned(),
        detail,
    };
    let body = strip_declarations(text);
    if body.trim().is_empty() {
        return Ok(EventLog::default());
    }
    let wrapped = format!("<Events>{body}</Events>");
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&wrapped, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => EventLogError::TooComplex {
            file: file.to_owned(),
        },
        other => error(other.to_string()),
    })?;
    let events: Vec<Event> = doc
        .descendants()
        .filter(|n| n.has_tag_name("Event"))
        .map(event_from)
        .collect();
    if events.is_empty() && !body.trim().is_empty() {
        return Err(error("no <Event> element found".into()));
    }
    Ok(EventLog {
        events,
        ..EventLog::default()
    })
}

fn strip_declarations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<?") {
        out.push_str(&rest[..start]);
        match rest[start..].find("?>") {
            Some(end) => rest = &rest[start + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn event_from(node: roxmltree::Node<'_, '_>) -> Event {
    let child_text = |parent: roxmltree::Node<'_, '_>, name: &str| {
        parent
            .children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let system = node.children().find(|n| n.has_tag_name("System"));
    let mut event = Event::default();
    if let Some(system) = system {
        event.id = child_text(system, "EventID").parse().unwrap_or(0);
        event.channel = child_text(system, "Channel");
        event.provider = system
            .children()
            .find(|n| n.has_tag_name("Provider"))
            .and_then(|n| n.attribute("Name"))
            .unwrap_or("")
            .to_owned();
        event.time = system
            .children()
            .find(|n| n.has_tag_name("TimeCreated"))
            .and_then(|n| n.attribute("SystemTime"))
            .unwrap_or("")
            .to_owned();
    }
    event.data = node
        .children()
        .filter(|n| {
            n.has_tag_name("EventData")
                || n.has_tag_name("UserData")
                || n.has_tag_name("RenderingInfo")
        })
        .flat_map(|n| n.descendants())
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    fn event(id: u32, channel: &str, data: &str) -> String {
        format!(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-{channel}'/><EventID>{id}</EventID><Level>2</Level><TimeCreated SystemTime='2026-11-20T08:00:00.0000000Z'/><Channel>Microsoft-Windows-{channel}/Operational</Channel><Computer>PC-1</Computer></System><EventData>{data}</EventData></Event>"
        )
    }

    #[test]
    fn rootless_wevtutil_output_with_each_signature() {
        let text = format!(
            "<?xml version='1.0' encoding='UTF-8'?>\n{}\n{}\n{}\n{}\n",
            event(
                6013,
                "SettingSync-Azure",
                "<Data Name='Result'>0x80070259</Data>"
            ),
            event(
                6065,
                "SettingSync",
                "<Data>80070533 This user can't sign in because this account is currently disabled.</Data>"
            ),
            event(
                1098,
                "AAD",
                "<Data Name='Error'>0xCAA5001C</Data><Data Name='ErrorMessage'>Token broker operation failed</Data>"
            ),
            event(1104, "AAD", "<Data Name='Error'>-1073741729</Data>"),
        );
        for (name, bytes) in variants::encodings(&text) {
            let log = parse("events.xml", &decode(&bytes));
            let codes: Vec<&str> = log
                .as_ref()
                .map(|l| {
                    l.matched_signatures()
                        .into_iter()
                        .map(|(s, _)| s.code)
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(
                codes,
                [
                    "EVENT_6013_MDM_SIDELOADED_APPS",
                    "EVENT_6065_ACCOUNT_DISABLED",
                    "EVENT_1098_TOKEN_BROKER"
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn event_1098_alone_is_not_the_token_broker_signature() {
        let text = event(1098, "AAD", "<Data>0xCAA5001C</Data>");
        let log = parse("aad.xml", &text).unwrap_or_default();
        assert_eq!(log.events.len(), 1);
        assert_eq!(log.events[0].channel, "Microsoft-Windows-AAD/Operational");
        assert!(log.matched_signatures().is_empty());
    }

    #[test]
    fn codes_in_every_notation() {
        assert_eq!(parse_code("0x80070259"), Some(0x8007_0259));
        assert_eq!(parse_code("80070533"), Some(0x8007_0533));
        assert_eq!(parse_code("-1073741729"), Some(0xC000_005F));
        assert_eq!(parse_code("6065"), None);
    }

    #[test]
    fn empty_truncated_and_garbage_input() {
        assert_eq!(parse("e.xml", "  \n").map(|l| l.events.len()), Ok(0));
        let whole = event(6013, "SettingSync-Azure", "<Data>0x80070259</Data>");
        assert!(parse("e.xml", variants::truncated(&whole, 70)).is_err());
        assert!(parse("e.xml", "just text").is_err());
    }
}

//! Every form a Windows event export comes in → events: `.evtx` files (through the `evtx`
//! crate), `wevtutil qe /f:xml` and Event Viewer's XML, `wevtutil qe /f:text`,
//! `Get-WinEvent | Format-List` and `Format-Table` text, and Event Viewer's "Save as" text (tab
//! separated) or CSV.
//!
//! The form is told from the content, never from the file name. Text forms are read by their
//! structure and by the names that are not translated (PowerShell's property names,
//! wevtutil's labels in English Windows, Event Viewer's fixed column order); an export in none
//! of these forms is an error that names the forms read, never an empty log.

use super::event_log::{self, Event, EventLog, EventLogError};
use crate::evidence::text;

/// Most events read from one `.evtx` file: a full channel of the default 1 MiB to 20 MiB size
/// holds a few thousand to some tens of thousands; more is not a capture of the relevant logs.
pub const MAX_EVTX_RECORDS: usize = 50_000;

/// The magic an `.evtx` file starts with.
const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// Reads one export of any form.
pub fn read(file: &str, bytes: &[u8]) -> Result<EventLog, EventLogError> {
    if bytes.starts_with(EVTX_MAGIC) {
        return evtx(file, bytes);
    }
    let decoded = text::decode(bytes);
    let text = text::unquoted(&decoded);
    let body = text.trim_start();
    if body.is_empty() || body.starts_with('<') {
        return event_log::parse(file, &text);
    }
    let events = wevtutil_text(&text)
        .or_else(|| format_list(&text))
        .or_else(|| format_table(&text))
        .or_else(|| event_viewer_text(&text))
        .ok_or_else(|| EventLogError::NotAnExport {
            file: file.to_owned(),
            start: text::how_it_starts(&text, 60),
        })?;
    Ok(EventLog {
        events,
        ..EventLog::default()
    })
}

fn evtx(file: &str, bytes: &[u8]) -> Result<EventLog, EventLogError> {
    let unreadable = |detail: String| EventLogError::NotWevtutil {
        file: file.to_owned(),
        detail,
    };
    let mut parser = evtx::EvtxParser::from_buffer(bytes.to_vec())
        .map_err(|e| unreadable(format!("not a readable .evtx file: {e}")))?;
    let mut events = Vec::new();
    let mut failed = 0usize;
    for record in parser.records().take(MAX_EVTX_RECORDS) {
        match record {
            Ok(record) => match event_log::parse(file, &record.data) {
                Ok(log) => events.extend(log.events),
                Err(_) => failed += 1,
            },
            Err(_) => failed += 1,
        }
    }
    if events.is_empty() && failed > 0 {
        return Err(unreadable(format!(
            "none of its {failed} records could be read; the file is damaged"
        )));
    }
    Ok(EventLog {
        events,
        ..EventLog::default()
    })
}

/// A `Label: value` line of a text export, its label and value trimmed.
fn labelled(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim();
    (!label.is_empty() && label.len() <= 40).then_some((label, value.trim()))
}

/// `wevtutil qe <channel> /f:text`: blocks opened by `Event[N]:`, two-space indented
/// `Label: value` lines, then the description on the lines after `Description:`.
fn wevtutil_text(text: &str) -> Option<Vec<Event>> {
    let mut events: Vec<Event> = Vec::new();
    let mut in_description = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("Event[") && trimmed.ends_with("]:") {
            events.push(Event::default());
            in_description = false;
            continue;
        }
        let Some(event) = events.last_mut() else {
            continue;
        };
        if in_description {
            if !trimmed.is_empty() {
                event.data.push(trimmed.to_owned());
            }
            continue;
        }
        let Some((label, value)) = labelled(line) else {
            continue;
        };
        match label {
            "Log Name" => event.channel = value.to_owned(),
            "Source" => event.provider = value.to_owned(),
            "Date" => event.time = value.to_owned(),
            "Event ID" => event.id = value.parse().unwrap_or(0),
            "Description" => {
                in_description = true;
                if !value.is_empty() {
                    event.data.push(value.to_owned());
                }
            }
            _ => {}
        }
    }
    known(events)
}

/// `Get-WinEvent | Format-List` (default or `*`): blank-line separated records of
/// `Property : value` lines, a long value continued on lines indented to the value column.
fn format_list(text: &str) -> Option<Vec<Event>> {
    let mut events: Vec<Event> = Vec::new();
    let mut open = false;
    let mut last_was_message = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            open = false;
            last_was_message = false;
            continue;
        }
        if last_was_message && line.starts_with(char::is_whitespace) && !line.contains(" : ") {
            if let Some(event) = events.last_mut() {
                event.data.push(line.trim().to_owned());
            }
            continue;
        }
        let Some((property, value)) = line.split_once(" : ").map(|(p, v)| (p.trim(), v.trim()))
        else {
            continue;
        };
        if !open {
            events.push(Event::default());
            open = true;
        }
        let Some(event) = events.last_mut() else {
            continue;
        };
        last_was_message = property == "Message";
        match property {
            "Id" => event.id = value.parse().unwrap_or(0),
            "ProviderName" => event.provider = value.to_owned(),
            "LogName" => event.channel = value.to_owned(),
            "TimeCreated" => event.time = value.to_owned(),
            "Message" if !value.is_empty() => event.data.push(value.to_owned()),
            _ => {}
        }
    }
    known(events)
}

/// `Get-WinEvent`'s default table: `ProviderName: X` group lines, a header with `Id` and
/// `Message` underlined by dashes, rows cut to the console width (`...`).
fn format_table(text: &str) -> Option<Vec<Event>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut events = Vec::new();
    let mut provider = String::new();
    let mut columns: Option<(usize, usize)> = None;
    for (at, line) in lines.iter().enumerate() {
        if let Some(name) = line.trim().strip_prefix("ProviderName:") {
            provider = name.trim().to_owned();
            columns = None;
            continue;
        }
        let underline = lines.get(at + 1).is_some_and(|next| {
            let next = next.trim();
            !next.is_empty() && next.chars().all(|c| c == '-' || c == ' ')
        });
        if underline && line.contains("Id") && line.contains("Message") {
            columns = line.find("Message").map(|m| (id_column_end(line), m));
            continue;
        }
        let Some((id_end, message_at)) = columns else {
            continue;
        };
        if line.trim().chars().all(|c| c == '-' || c == ' ') {
            continue;
        }
        let id = line
            .get(..id_end)
            .and_then(|head| head.split_whitespace().last())
            .and_then(|id| id.parse::<u32>().ok());
        let Some(id) = id else {
            continue;
        };
        events.push(Event {
            id,
            provider: provider.clone(),
            time: line.get(..id_end).map_or("", str::trim).to_owned(),
            data: line
                .get(message_at..)
                .map(|m| vec![m.trim().to_owned()])
                .unwrap_or_default(),
            ..Event::default()
        });
    }
    known(events)
}

/// Where the right-aligned `Id` column ends in a `Get-WinEvent` table header.
fn id_column_end(header: &str) -> usize {
    header
        .split_whitespace()
        .scan(0, |from, word| {
            let at = header[*from..].find(word).map_or(*from, |i| *from + i);
            *from = at + word.len();
            Some((word, *from))
        })
        .find(|(word, _)| *word == "Id")
        .map_or(0, |(_, end)| end)
}

/// Event Viewer's "Save All Events As" text (tab separated) or CSV: a header row, then Level,
/// Date and Time, Source, Event ID, Task Category and the quoted description, in that order
/// in every display language.
fn event_viewer_text(text: &str) -> Option<Vec<Event>> {
    let first = text.lines().next()?;
    let delimiter = if first.contains('\t') { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let events = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let id = row.get(3)?.trim().parse::<u32>().ok()?;
            Some(Event {
                id,
                provider: row.get(2).unwrap_or("").trim().to_owned(),
                time: row.get(1).unwrap_or("").trim().to_owned(),
                data: row
                    .iter()
                    .skip(5)
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty())
                    .collect(),
                ..Event::default()
            })
        })
        .collect();
    known(events)
}

/// The events of a form that matched, when at least one names an event id.
fn known(events: Vec<Event>) -> Option<Vec<Event>> {
    events.iter().any(|e| e.id != 0).then_some(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::variants;

    const LANGUAGE_PACK_EVTX: &[u8] = include_bytes!(
        "../../tests/fixtures/events/Microsoft-Windows-LanguagePackSetup%4Operational.evtx"
    );

    /// The same three events in each text form, as the tools print them.
    const WEVTUTIL_TEXT: &str = "Event[0]:\n  Log Name: Microsoft-Windows-AAD/Operational\n  Source: Microsoft-Windows-AAD\n  Date: 2026-11-20T08:00:00.1230000Z\n  Event ID: 1098\n  Task: AadTokenBrokerPlugin Operation\n  Level: Error\n  Opcode: Info\n  Keyword: Error,Operational\n  User: S-1-5-18\n  User Name: NT AUTHORITY\\SYSTEM\n  Computer: PC-1\n  Description: \nError: 0xCAA5001C Token broker operation failed.\nException of type 'class TBException' at TokenBrokerPluginCore.cpp, line: 170\n\nEvent[1]:\n  Log Name: Microsoft-Windows-AAD/Operational\n  Source: Microsoft-Windows-AAD\n  Date: 2026-11-20T08:00:00.1240000Z\n  Event ID: 1104\n  Task: AadCloudAPPlugin Operation\n  Level: Error\n  Description: \nAAD Cloud AP plugin call Get token returned error: 0xC000005F\n";
    const FORMAT_LIST: &str = "\n\nTimeCreated  : 20.11.2026 08:00:00\nProviderName : Microsoft-Windows-AAD\nId           : 1098\nMessage      : Error: 0xCAA5001C Token broker operation failed.\n               Exception of type 'class TBException' at TokenBrokerPluginCore.cpp, line: 170,\n               method: TBPluginCore::ProcessRequest.\n\nTimeCreated  : 20.11.2026 08:00:00\nProviderName : Microsoft-Windows-AAD\nId           : 1104\nMessage      : AAD Cloud AP plugin call Get token returned error: 0xC000005F\n\n";
    const FORMAT_TABLE: &str = "\n\n   ProviderName: Microsoft-Windows-AAD\n\nTimeCreated                      Id LevelDisplayName Message\n-----------                      -- ---------------- -------\n20.11.2026 08:00:00            1098 Fehler           Error: 0xCAA5001C Token broker operation failed. Exceptio...\n20.11.2026 08:00:00            1104 Fehler           AAD Cloud AP plugin call Get token returned error: 0xC000005F\n";
    const EVENT_VIEWER_TAB: &str = "Ebene\tDatum und Uhrzeit\tQuelle\tEreignis-ID\tAufgabenkategorie\nFehler\t20.11.2026 08:00:00\tMicrosoft-Windows-AAD\t1098\tAadTokenBrokerPlugin Operation\t\"Error: 0xCAA5001C Token broker operation failed.\nException of type 'class TBException'\"\nFehler\t20.11.2026 08:00:00\tMicrosoft-Windows-AAD\t1104\tAadCloudAPPlugin Operation\t\"AAD Cloud AP plugin call Get token returned error: 0xC000005F\"\n";
    const EVENT_VIEWER_CSV: &str = "Level,Date and Time,Source,Event ID,Task Category\nError,11/20/2026 8:00:00 AM,Microsoft-Windows-AAD,1098,AadTokenBrokerPlugin Operation,\"Error: 0xCAA5001C Token broker operation failed.\"\nError,11/20/2026 8:00:00 AM,Microsoft-Windows-AAD,1104,AadCloudAPPlugin Operation,\"AAD Cloud AP plugin call Get token returned error: 0xC000005F\"\n";

    fn signatures(log: &EventLog) -> Vec<&'static str> {
        log.matched_signatures()
            .into_iter()
            .map(|(s, _)| s.code)
            .collect()
    }

    #[test]
    fn every_text_form_finds_the_token_broker_signature() {
        for (form, text) in [
            ("wevtutil text", WEVTUTIL_TEXT),
            ("Format-List", FORMAT_LIST),
            ("Format-Table", FORMAT_TABLE),
            ("Event Viewer tab", EVENT_VIEWER_TAB),
            ("Event Viewer CSV", EVENT_VIEWER_CSV),
        ] {
            let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
            let quoted = ("quoted", quoted.into_bytes());
            for (variant, bytes) in variants::encodings(text).into_iter().chain([quoted]) {
                let log =
                    read("aad.txt", &bytes).unwrap_or_else(|e| panic!("{form} {variant}: {e}"));
                let ids: Vec<u32> = log.events.iter().map(|e| e.id).collect();
                assert_eq!(ids, [1098, 1104], "{form} {variant}");
                assert_eq!(log.events[0].provider, "Microsoft-Windows-AAD", "{form}");
                assert_eq!(
                    signatures(&log),
                    ["EVENT_1098_TOKEN_BROKER"],
                    "{form} {variant}"
                );
            }
        }
    }

    #[test]
    fn a_long_message_in_a_list_is_read_to_its_end() {
        let log = read("aad.txt", FORMAT_LIST.as_bytes()).unwrap_or_default();
        assert!(
            log.events[0]
                .data
                .iter()
                .any(|d| d.contains("TBPluginCore::ProcessRequest"))
        );
    }

    /// A real `.evtx` file (a LanguagePackSetup channel, from the evtx crate's samples).
    #[test]
    fn a_real_evtx_file_is_read_record_by_record() {
        let log = read("lp.evtx", LANGUAGE_PACK_EVTX).unwrap_or_else(|e| panic!("{e}"));
        assert!(log.events.len() > 5, "{}", log.events.len());
        assert!(
            log.events
                .iter()
                .all(|e| e.provider == "Microsoft-Windows-LanguagePackSetup" && e.id != 0)
        );
        assert!(signatures(&log).is_empty());
    }

    #[test]
    fn a_damaged_evtx_or_an_unknown_text_is_an_error_that_names_the_file() {
        let mut damaged = LANGUAGE_PACK_EVTX[..8].to_vec();
        damaged.extend(std::iter::repeat_n(0xA5, 4096));
        let error = read("sync.evtx", &damaged).map(|l| l.events.len());
        assert!(
            matches!(&error, Err(e) if e.to_string().contains("sync.evtx")),
            "{error:?}"
        );
        // Cut short, a real file gives what its intact chunks hold, or a named error.
        let cut = &LANGUAGE_PACK_EVTX[..LANGUAGE_PACK_EVTX.len() / 2];
        if let Err(e) = read("cut.evtx", cut) {
            assert!(e.to_string().contains("cut.evtx"));
        }
        for garbage in [
            "just some notes about the sync",
            "Id : not a number\n",
            "a\tb\tc\n1\t2\t3\n",
        ] {
            let error = read("notes.txt", garbage.as_bytes());
            assert!(
                matches!(&error, Err(e) if e.to_string().contains("notes.txt")),
                "{garbage:?}: {error:?}"
            );
        }
    }

    #[test]
    fn truncated_text_keeps_the_events_it_still_holds() {
        let log = read("aad.txt", variants::truncated(FORMAT_LIST, 50).as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(log.events.iter().map(|e| e.id).collect::<Vec<_>>(), [1098]);
        assert!(signatures(&log).is_empty(), "1104 was cut off");
    }
}

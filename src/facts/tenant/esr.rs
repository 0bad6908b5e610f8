//! The Enterprise State Roaming tenant setting ("Users may sync settings and app data across
//! devices"), as the Entra portal's `RoamingSettings` endpoint returns it.
//!
//! `syncSetting` 0 = All, 1 = Selected, 2 = None: three independent tools agree, Microsoft does
//! not document it, so any other value is kept and shown raw.

use super::{AnswerError, parse_answer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum SyncSetting {
    All,
    Selected,
    None,
    /// A value we do not know, exactly as received.
    Unknown(Value),
}

impl SyncSetting {
    /// The stable `sync_setting` evidence value.
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncSetting::All => "all",
            SyncSetting::Selected => "selected",
            SyncSetting::None => "none",
            SyncSetting::Unknown(_) => "unknown",
        }
    }
}

/// A user or group in the "Selected" scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedPrincipal {
    pub id: String,
    pub display_name: Option<String>,
    /// `2` is a group in every known sample; the value for a user is unknown.
    pub kind: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoamingSettings {
    pub sync_setting: SyncSetting,
    /// `syncSetting` exactly as received, for display.
    pub raw_setting: Value,
    pub selected: Vec<ScopedPrincipal>,
}

impl RoamingSettings {
    /// Whether a user with this object id and these group ids is in the selected scope.
    pub fn includes(&self, user_id: Option<&str>, group_ids: &[&str]) -> bool {
        self.selected.iter().any(|p| {
            user_id.is_some_and(|u| p.id.eq_ignore_ascii_case(u))
                || group_ids.iter().any(|g| p.id.eq_ignore_ascii_case(g))
        })
    }
}

pub fn parse(file: &str, text: &str) -> Result<RoamingSettings, AnswerError> {
    let value = parse_answer(file, text)?;
    let raw = value.get("syncSetting").ok_or_else(|| AnswerError::Shape {
        file: file.to_owned(),
        detail: "no `syncSetting` field".into(),
    })?;
    let sync_setting = match raw.as_i64() {
        Some(0) => SyncSetting::All,
        Some(1) => SyncSetting::Selected,
        Some(2) => SyncSetting::None,
        _ => SyncSetting::Unknown(raw.clone()),
    };
    let selected = value
        .get("syncSelectedUsers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(ScopedPrincipal {
                id: p.get("id")?.as_str()?.to_owned(),
                display_name: p
                    .get("displayName")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                kind: p.get("type").and_then(Value::as_i64),
            })
        })
        .collect();
    Ok(RoamingSettings {
        sync_setting,
        raw_setting: raw.clone(),
        selected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_settings_and_an_unknown_value() {
        let read = |text: &str| parse("r", text).map(|r| r.sync_setting);
        assert_eq!(
            read(
                r#"{"syncSetting":0,"isAdminConfigurable":true,"isRoamingSettingChanged":false,"syncSelectedUsers":[]}"#
            ),
            Ok(SyncSetting::All)
        );
        assert_eq!(read(r#"{"syncSetting":2}"#), Ok(SyncSetting::None));
        assert_eq!(
            read(r#"{"syncSetting":7}"#),
            Ok(SyncSetting::Unknown(Value::from(7)))
        );
        assert_eq!(
            read(r#"{"syncSetting":"All"}"#),
            Ok(SyncSetting::Unknown(Value::from("All")))
        );
        assert!(matches!(
            read(r#"{"other":1}"#),
            Err(AnswerError::Shape { .. })
        ));
        assert!(matches!(
            read("{\"syncSetting\":"),
            Err(AnswerError::Json(_))
        ));
    }

    #[test]
    fn selected_scope_membership() {
        let settings = parse(
            "r",
            r#"{"syncSetting":1,"syncSelectedUsers":[{"id":"G-1","email":null,"displayName":"ESR pilot","type":2,"hasThumbnail":false,"imageUrl":null}]}"#,
        );
        let settings = settings.ok();
        assert_eq!(
            settings.as_ref().map(|s| s.sync_setting.clone()),
            Some(SyncSetting::Selected)
        );
        assert_eq!(
            settings.as_ref().map(|s| s.includes(Some("u-1"), &["g-1"])),
            Some(true)
        );
        assert_eq!(
            settings.as_ref().map(|s| s.includes(Some("u-1"), &["g-2"])),
            Some(false)
        );
    }
}

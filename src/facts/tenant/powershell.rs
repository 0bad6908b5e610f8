//! PowerShell's text output of the admin cmdlets → the JSON value their answer has, so the
//! same parsers decide from `Get-AipServiceConfiguration | Format-List` as from the recorded
//! JSON: `Format-List` records, `Format-Table` rows, and a cmdlet's single word
//! (`Get-AipService` prints `Enabled`).
//!
//! Read tolerantly, as it is pasted: property names are PowerShell's (never translated);
//! values wrapped onto indented lines are joined; `{a, b...}` collections become arrays (a
//! `...` marks that PowerShell cut the list: the items shown are kept, the cut is said);
//! `True`/`False` become booleans; dates and everything else stay text, as written.
//! `answer` turns a cmdlet's text into the answer it stands in for (`STANDS_IN`).

use crate::evidence::layout;
use serde_json::{Map, Value};

/// How a cmdlet's text becomes the JSON answer it stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adapt {
    /// The text's value is the answer.
    AsIs,
    /// A cmdlet that prints one word: the word is this field of the answer.
    Word(&'static str),
    /// Service plan rows (`ServicePlanId`, `ServicePlanName`, `ProvisioningStatus`): a Graph
    /// collection of one licence holding them. The licence's own table (SKU names only) does
    /// not say which plans are on, so it is refused with the command that does.
    ServicePlans,
}

/// The recorded answers PowerShell text stands in for: the answer's path, the cmdlet that
/// prints it, and how it is read.
const STANDS_IN: [(&str, &str, Adapt); 5] = [
    (
        layout::CLOUD_RMS_FUNCTIONAL_STATE,
        "Get-AipService",
        Adapt::AsIs,
    ),
    (
        layout::CLOUD_RMS_ONBOARDING_POLICY,
        "Get-AipServiceOnboardingControlPolicy",
        Adapt::AsIs,
    ),
    (
        layout::CLOUD_RMS_CONFIGURATION,
        "Get-AipServiceConfiguration | Format-List, or Get-AipServiceIPCv3",
        Adapt::Word("IPCv3ServiceFunctionalState"),
    ),
    (
        layout::CLOUD_LICENSE_DETAILS,
        "Get-MgUserLicenseDetail -UserId <upn> | Select-Object -ExpandProperty ServicePlans",
        Adapt::ServicePlans,
    ),
    (
        layout::CLOUD_SUBSCRIBED_SKUS,
        "Get-MgSubscribedSku | Select-Object -ExpandProperty ServicePlans",
        Adapt::ServicePlans,
    ),
];

/// The JSON answer at `answer_path` that `text` (its cmdlet's output) stands for, or why it
/// cannot stand for it.
pub fn answer(answer_path: &str, text: &str) -> Result<Value, String> {
    let Some((_, cmdlet, adapt)) = STANDS_IN.iter().find(|(path, _, _)| *path == answer_path)
    else {
        return Err("no PowerShell cmdlet stands in for this answer".into());
    };
    let not_it = || format!("not the Format-List or Format-Table text of {cmdlet}");
    let value = to_json(text).ok_or_else(not_it)?;
    match (adapt, value) {
        (Adapt::Word(field), Value::String(word)) => Ok(serde_json::json!({ *field: word })),
        (Adapt::ServicePlans, value) => service_plans(&value).ok_or_else(|| {
            format!("it shows no service plans (ServicePlanId, ProvisioningStatus); run {cmdlet}")
        }),
        (_, value) => Ok(value),
    }
}

/// Rows of service plans as `{"value":[{"servicePlans":[...]}]}`, Graph's shape.
fn service_plans(value: &Value) -> Option<Value> {
    let rows: Vec<&Value> = match value {
        Value::Array(rows) => rows.iter().collect(),
        row @ Value::Object(_) => vec![row],
        _ => return None,
    };
    let field = |row: &Value, name: &str| {
        row.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
    };
    let plans: Option<Vec<Value>> = rows
        .iter()
        .map(|row| {
            Some(serde_json::json!({
                "servicePlanId": field(row, "ServicePlanId")?,
                "servicePlanName": field(row, "ServicePlanName").unwrap_or_default(),
                "provisioningStatus": field(row, "ProvisioningStatus")?,
            }))
        })
        .collect();
    let plans = plans.filter(|p| !p.is_empty())?;
    Some(serde_json::json!({"value": [{"servicePlans": plans}]}))
}

/// A cut that PowerShell made (`...` or `…` at a value's end): the value is incomplete.
pub const TRUNCATED: &str = "...";

/// The JSON value of one cmdlet's text output, or `None` when the text is none of the forms.
pub fn to_json(text: &str) -> Option<Value> {
    let text = crate::evidence::text::unquoted(text);
    let body = text.trim_matches('\n');
    if body.is_empty() {
        return None;
    }
    format_table(body)
        .or_else(|| format_list(body))
        .or_else(|| single_word(body))
}

/// `Enabled`, `Disabled`: what `Get-AipService` and `Get-AipServiceIPCv3` print.
fn single_word(body: &str) -> Option<Value> {
    let word = body.lines().rfind(|l| !l.trim().is_empty())?.trim();
    let one_word = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric());
    (one_word && body.lines().filter(|l| !l.trim().is_empty()).count() <= 2)
        .then(|| Value::String(word.to_owned()))
}

/// `Name  : value` (or `LongName: value` when the name fills the column).
fn property(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (name, value) = line.split_once(':')?;
    let name = name.trim_end();
    let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_name.then(|| (name, value.strip_prefix(' ').unwrap_or(value)))
}

fn format_list(body: &str) -> Option<Value> {
    let mut records: Vec<Map<String, Value>> = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut finish = |current: &mut Vec<(String, String)>| {
        if !current.is_empty() {
            records.push(
                current
                    .drain(..)
                    .map(|(name, raw)| (name, value_of(&raw)))
                    .collect(),
            );
        }
    };
    for line in body.lines() {
        if line.trim().is_empty() {
            finish(&mut current);
            continue;
        }
        if let Some((name, value)) = property(line) {
            current.push((name.to_owned(), value.trim().to_owned()));
        } else if let Some((_, value)) = current.last_mut() {
            // A value PowerShell wrapped at the console width, indented to its column.
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(line.trim());
        }
    }
    finish(&mut current);
    match records.len() {
        0 => None,
        1 => records.pop().map(Value::Object),
        _ => Some(Value::Array(
            records.into_iter().map(Value::Object).collect(),
        )),
    }
}

/// A header line, a line of dash runs under it, then rows cut at the dash runs' columns.
fn format_table(body: &str) -> Option<Value> {
    let lines: Vec<&str> = body.lines().collect();
    let rule_at = lines.iter().position(|l| {
        let t = l.trim();
        !t.is_empty() && t.contains('-') && t.chars().all(|c| c == '-' || c == ' ')
    })?;
    let header = lines.get(rule_at.checked_sub(1)?)?;
    let columns = dash_runs(lines[rule_at]);
    if columns.is_empty() {
        return None;
    }
    let names: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, start)| cell(header, *start, columns.get(i + 1).copied()))
        .collect();
    if names.iter().any(|n| property(&format!("{n}:")).is_none()) {
        return None;
    }
    let rows: Vec<Value> = lines[rule_at + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|row| {
            Value::Object(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let raw = cell(row, columns[i], columns.get(i + 1).copied());
                        (name.clone(), value_of(&raw))
                    })
                    .collect(),
            )
        })
        .collect();
    Some(match <[Value; 1]>::try_from(rows) {
        Ok([row]) => row,
        Err(rows) => Value::Array(rows),
    })
}

/// Where each run of dashes starts (a column), in characters.
fn dash_runs(rule: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut previous = ' ';
    for (at, c) in rule.chars().enumerate() {
        if c == '-' && previous != '-' {
            starts.push(at);
        }
        previous = c;
    }
    starts
}

/// The text of a row between two columns (characters, not bytes), trimmed.
fn cell(row: &str, start: usize, end: Option<usize>) -> String {
    let chars = row.chars().skip(start);
    match end {
        Some(end) => chars.take(end.saturating_sub(start)).collect::<String>(),
        None => chars.collect(),
    }
    .trim()
    .to_owned()
}

/// A value as JSON: empty → null, `True`/`False` → bool, `{a, b}` → array, else the text.
fn value_of(raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Null;
    }
    if raw.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if raw.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if let Some(inner) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        let cut = inner.ends_with("...") || inner.ends_with('…');
        let mut items: Vec<Value> = inner
            .trim_end_matches('…')
            .trim_end_matches("...")
            .split(", ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect();
        if cut {
            items.push(Value::String(TRUNCATED.to_owned()));
        }
        return Value::Array(items);
    }
    Value::String(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};
    use serde_json::json;

    /// `Get-AipServiceConfiguration` as Microsoft's cmdlet reference prints it: a name that
    /// fills its column has no space before the colon, URLs carry colons, collections are in
    /// braces.
    const CONFIGURATION: &str = "\nBPOSId                                   : 23976bc6-dcd4-4173-9d96-dad1f48efd42\nRightsManagementServiceId                : 1a302373-f233-4406-9090-4cdf305e2e76\nCertificationExtranetDistributionPointUrl: https://1a302373-f233-4406-9090-4cdf305e2e76.rms.na.aadrm.com/_wmcs/certification\nOnPremiseDomainName                      :\nTemplates                                : {c2a6a7f0-0b20-4b06-a8a7-9a2a5d1e3c4f, 4fbd1f35-2b91-47c3-9c2e-1a3d8c1f0e7b...}\nFunctionalState                          : Enabled\nSuperUsersEnabled                        : Disabled\nAdminRoleMembers                         : {Global Administrator -> 5834f4d6-35d2-455b-a134-75d4cdc82172,\n                                           ConnectorAdministrator -> 5834f4d6-35d2-455b-a134-75d4cdc82172}\nProvisioningDate                         : 30.01.2014 21:01:31\nIPCv3ServiceFunctionalState              : Enabled\nFciEnabledForConnectorAuthorization      : True\n";

    const ONBOARDING_TABLE: &str = "\nUseRmsUserLicense SecurityGroupObjectId                Scope\n----------------- ---------------------                -----\n            False f1488a05-8196-40a6-9483-524948b90282   All\n";

    #[test]
    fn format_list_reads_names_values_wraps_and_collections() {
        for (name, bytes) in variants::encodings(CONFIGURATION) {
            let value = to_json(&decode(&bytes)).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(value["FunctionalState"], "Enabled", "{name}");
            assert_eq!(value["IPCv3ServiceFunctionalState"], "Enabled");
            assert_eq!(value["OnPremiseDomainName"], Value::Null);
            assert_eq!(value["FciEnabledForConnectorAuthorization"], true);
            assert_eq!(
                value["CertificationExtranetDistributionPointUrl"],
                "https://1a302373-f233-4406-9090-4cdf305e2e76.rms.na.aadrm.com/_wmcs/certification"
            );
            assert_eq!(
                value["Templates"][1],
                "4fbd1f35-2b91-47c3-9c2e-1a3d8c1f0e7b"
            );
            assert_eq!(value["Templates"][2], TRUNCATED, "the cut is said");
            assert_eq!(
                value["AdminRoleMembers"][1],
                "ConnectorAdministrator -> 5834f4d6-35d2-455b-a134-75d4cdc82172",
                "the wrapped line is joined"
            );
            assert_eq!(
                value["ProvisioningDate"], "30.01.2014 21:01:31",
                "dates as written"
            );
        }
    }

    /// Pasted into a forum or a mail as a quote, each line behind `> `.
    #[test]
    fn a_quoted_paste_reads_as_the_output() {
        for text in [CONFIGURATION, ONBOARDING_TABLE] {
            let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
            assert_eq!(to_json(&quoted), to_json(text));
            assert!(to_json(&quoted).is_some());
        }
    }

    #[test]
    fn format_table_cuts_rows_at_the_dash_columns() {
        assert_eq!(
            to_json(ONBOARDING_TABLE),
            Some(
                json!({"UseRmsUserLicense": false, "SecurityGroupObjectId": "f1488a05-8196-40a6-9483-524948b90282", "Scope": "All"})
            )
        );
        let two = format!(
            "{ONBOARDING_TABLE}             True                                       WindowsApp\n"
        );
        assert_eq!(
            to_json(&two).and_then(|v| v.as_array().map(Vec::len)),
            Some(2)
        );
    }

    #[test]
    fn a_single_word_is_the_cmdlets_answer() {
        assert_eq!(to_json("Enabled\r\n"), Some(json!("Enabled")));
        assert_eq!(
            to_json("PS C:\\> Get-AipService\nDisabled\n"),
            Some(json!("Disabled"))
        );
    }

    #[test]
    fn text_of_no_form_is_none() {
        for text in [
            "",
            "  \n",
            "this is a note about the tenant, not output",
            "a b\nc d\ne f\n",
        ] {
            assert_eq!(to_json(text), None, "{text:?}");
        }
    }

    /// `Get-MgUserLicenseDetail … | Select-Object -ExpandProperty ServicePlans`: the plans and
    /// whether each is on, as Graph's licenseDetails has them; the licence table alone, which
    /// shows no plans, is refused with the command that shows them.
    #[test]
    fn service_plan_rows_are_a_licence_and_a_sku_table_is_refused() {
        let plans = "\nAppliesTo ProvisioningStatus ServicePlanId                        ServicePlanName\n--------- ------------------ -------------                        ---------------\nUser      Success            bea4c11e-220a-4e6d-8eb8-8ea15d019f90 RMS_S_ENTERPRISE\nCompany   Disabled           41781fb2-bc02-4b7c-bd55-b576c07bb09d AAD_PREMIUM\n";
        let value = answer(layout::CLOUD_LICENSE_DETAILS, plans).unwrap_or_else(|e| panic!("{e}"));
        let skus = crate::facts::tenant::graph::parse_license_details("l", &value.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let plans = &skus[0].service_plans;
        assert_eq!(plans.len(), 2);
        assert!(plans[0].is_active() && plans[0].service_plan_name == "RMS_S_ENTERPRISE");
        assert!(!plans[1].is_active(), "a disabled plan stays disabled");

        let skus_only = "\nId                                          SkuId                                SkuPartNumber\n--                                          -----                                -------------\nAbCdEf                                      c7df2760-2c81-4ef7-b578-5b5392b571df ENTERPRISEPREMIUM\n";
        let refused = answer(layout::CLOUD_LICENSE_DETAILS, skus_only);
        assert!(
            matches!(&refused, Err(e) if e.contains("-ExpandProperty ServicePlans")),
            "{refused:?}"
        );
    }
}

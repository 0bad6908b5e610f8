//! Linux: `microsoft-edge[-beta|-dev] --version` (or the binaries under /opt/microsoft),
//! `~/.config/microsoft-edge*`, and policies in `/etc/opt/edge/policies/{managed,recommended}`.

use super::{DeviceContext, Gathering, copy_user_data, first_user_data};
use crate::evidence::FactSource;
use crate::evidence::layout;
use serde_json::{Map, Value};

/// (command, folder under /opt/microsoft, user-data folder) per channel, Stable first.
const CHANNELS: [(&str, &str, &str); 3] = [
    ("microsoft-edge", "msedge", "microsoft-edge"),
    ("microsoft-edge-beta", "msedge-beta", "microsoft-edge-beta"),
    ("microsoft-edge-dev", "msedge-dev", "microsoft-edge-dev"),
];

pub fn gather(ctx: &DeviceContext, source: FactSource, gathering: &mut Gathering) {
    match source {
        FactSource::EdgeVersion => versions(ctx, gathering),
        FactSource::EdgeProfile => {
            let dirs: Vec<_> = CHANNELS
                .iter()
                .map(|(_, _, data)| ctx.app_data.join(data))
                .collect();
            if let Some(dir) = first_user_data(&dirs) {
                copy_user_data(dir, gathering);
            }
        }
        FactSource::EdgePolicy => policies(ctx, gathering),
        _ => {}
    }
}

/// One line per installed channel, prefixed with the command so the channel is known.
fn versions(ctx: &DeviceContext, gathering: &mut Gathering) {
    let mut text = String::new();
    for (command, folder, _) in CHANNELS {
        let installed = ctx.install_root.join(folder).join("msedge");
        let program = if ctx.find_program(command).is_some() {
            command.to_owned()
        } else if installed.is_file() {
            installed.to_string_lossy().into_owned()
        } else {
            continue;
        };
        match super::run(ctx, &program, &["--version"]) {
            Ok(output) => text.push_str(&format!(
                "{command}: {}\n",
                String::from_utf8_lossy(&output.stdout).trim()
            )),
            Err(e) => gathering.errors.push(e.to_string()),
        }
    }
    if text.is_empty() {
        text = "microsoft-edge: command not found (no Microsoft Edge on PATH or under /opt/microsoft)\n".into();
    }
    gathering.add(layout::EDGE_VERSION, text.into_bytes());
}

/// Merges `managed/*.json` and `recommended/*.json` into one `edge/policies.json`.
fn policies(ctx: &DeviceContext, gathering: &mut Gathering) {
    let mut merged = Map::new();
    for level in ["managed", "recommended"] {
        let Ok(entries) = std::fs::read_dir(ctx.policy_root.join(level)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut policies = Map::new();
        for path in paths {
            let Some(bytes) = gathering.read(&path, layout::EDGE_POLICIES_JSON) else {
                continue;
            };
            let shown = path.display().to_string();
            match crate::evidence::json::parse(&shown, &crate::evidence::text::decode(&bytes)) {
                Ok(Value::Object(map)) => policies.extend(map),
                Ok(_) => gathering
                    .errors
                    .push(format!("{shown}: not a JSON object of policies")),
                Err(e) => gathering.errors.push(e.to_string()),
            }
        }
        if !policies.is_empty() {
            let key = if level == "managed" {
                "mandatory"
            } else {
                "recommended"
            };
            merged.insert(key.to_owned(), Value::Object(policies));
        }
    }
    // No policy folder at all is a fact too: no policy restricts sync.
    gathering.add(
        layout::EDGE_POLICIES_JSON,
        serde_json::to_vec_pretty(&Value::Object(merged)).unwrap_or_default(),
    );
}

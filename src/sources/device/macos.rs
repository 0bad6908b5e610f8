//! macOS: `/Applications/Microsoft Edge*.app` Info.plist versions and the profiles in
//! `~/Library/Application Support/Microsoft Edge*`. Managed policies (binary plists in
//! `/Library/Managed Preferences`) are read with `plutil`, which every Mac has.

use super::{DeviceContext, Gathering, copy_user_data, first_user_data};
use crate::evidence::FactSource;
use crate::evidence::layout;

const APPS: [&str; 4] = [
    "Microsoft Edge",
    "Microsoft Edge Beta",
    "Microsoft Edge Dev",
    "Microsoft Edge Canary",
];

pub fn gather(ctx: &DeviceContext, source: FactSource, gathering: &mut Gathering) {
    match source {
        FactSource::EdgeVersion => versions(ctx, gathering),
        FactSource::EdgeProfile => {
            let dirs: Vec<_> = APPS.iter().map(|app| ctx.app_data.join(app)).collect();
            if let Some(dir) = first_user_data(&dirs) {
                copy_user_data(dir, gathering);
            }
        }
        FactSource::EdgePolicy => {
            let plist = ctx.policy_root.join("com.microsoft.Edge.plist");
            if plist.is_file() {
                let path = plist.to_string_lossy().into_owned();
                gathering.capture(
                    ctx,
                    layout::EDGE_POLICIES_JSON,
                    "plutil",
                    &["-convert", "json", "-o", "-", &path],
                );
            } else {
                gathering.add(layout::EDGE_POLICIES_JSON, b"{}".to_vec());
            }
        }
        _ => {}
    }
}

/// `Microsoft Edge Beta 132.0.2957.26` per installed app, from CFBundleShortVersionString.
fn versions(ctx: &DeviceContext, gathering: &mut Gathering) {
    let mut text = String::new();
    for app in APPS {
        let plist = ctx
            .install_root
            .join(format!("{app}.app/Contents/Info.plist"));
        let Some(bytes) = gathering.read(&plist, layout::EDGE_VERSION) else {
            continue;
        };
        match short_version(&crate::evidence::text::decode(&bytes)) {
            Some(version) => text.push_str(&format!("{app} {version}\n")),
            None => gathering.errors.push(format!(
                "{}: no CFBundleShortVersionString",
                plist.display()
            )),
        }
    }
    if text.is_empty() {
        text = "Microsoft Edge: not found in /Applications\n".into();
    }
    gathering.add(layout::EDGE_VERSION, text.into_bytes());
}

/// The `<string>` after `<key>CFBundleShortVersionString</key>` in an XML plist.
pub(crate) fn short_version(plist: &str) -> Option<String> {
    let after = plist
        .split("<key>CFBundleShortVersionString</key>")
        .nth(1)?;
    let start = after.find("<string>")? + "<string>".len();
    let end = after[start..].find("</string>")? + start;
    Some(after[start..end].trim().to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_version_from_info_plist() {
        let plist = "<dict>\n<key>LSMinimumSystemVersion</key>\n<string>10.15.0</string>\n<key>CFBundleShortVersionString</key>\n\t<string>131.0.2903.86</string>\n</dict>";
        assert_eq!(
            super::short_version(plist).as_deref(),
            Some("131.0.2903.86")
        );
        assert_eq!(super::short_version("<dict/>"), None);
    }
}

//! The sentences a skipped or failed step records about its gap, as templates: the code that
//! records one fills it in English, and the faces that read a report in German or Dutch
//! recognise it (`i18n::values_in`) and fill the translated template with the same values. One list, so the two
//! cannot drift apart.

/// A profile folder without Edge's `Local State`: `{}` is the folder.
pub const NO_EDGE_PROFILE: &str = "no Microsoft Edge profile (Local State) found under {}";
/// A Windows-only capture asked of other evidence: what it is, and the evidence's platform.
pub const ONLY_ON_WINDOWS: &str = "{} exists only on Windows; this evidence is from {}";
/// The tenant refused this sign-in (a policy, the account): `{}` is the refusal.
pub const NO_SIGN_IN: &str = "no sign-in to the tenant: {}";
/// Signing in broke (the network, the service): `{}` is the error.
pub const SIGN_IN_FAILED: &str = "signing in to the tenant failed: {}";
/// A bundle file refused when read: its path, and why.
pub const FILE_NOT_READ: &str = "`{}` was not read: {}";
/// A bundle file with nothing in it: its path.
pub const FILE_EMPTY: &str = "`{}` is empty; capture it again";
/// A tenant answer refused for want of a role: `{}` is the refusal, which names the role.
pub const NEEDS_ROLE: &str = "{}; an admin with that role runs `esr-doctor check --user <UPN>`";

/// Every template, for the faces that translate them.
pub const ALL: [&str; 7] = [
    NO_EDGE_PROFILE,
    ONLY_ON_WINDOWS,
    NO_SIGN_IN,
    SIGN_IN_FAILED,
    FILE_NOT_READ,
    FILE_EMPTY,
    NEEDS_ROLE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{fill, values_in};

    #[test]
    fn a_filled_template_gives_back_its_values() {
        for (template, values) in [
            (NO_EDGE_PROFILE, vec!["/root/.config"]),
            (ONLY_ON_WINDOWS, vec!["dsregcmd", "linux"]),
            (FILE_NOT_READ, vec!["edge/Local State", "larger than 8 MiB"]),
            (NEEDS_ROLE, vec!["Graph answered 403; needs Global Reader"]),
        ] {
            let text = fill(template, &values);
            assert_eq!(values_in(template, &text), Some(values), "{text}");
        }
    }

    #[test]
    fn other_text_fits_no_template() {
        assert_eq!(values_in(NO_SIGN_IN, "no sign-in to the tenant: "), None);
        assert_eq!(values_in(FILE_EMPTY, "`a` is empty"), None);
        assert_eq!(values_in(SIGN_IN_FAILED, "the network broke"), None);
        for template in ALL {
            assert_eq!(values_in(template, ""), None, "{template}");
        }
    }
}

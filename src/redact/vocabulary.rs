//! The product's own words, which are never learned as names.
//!
//! A group called "ESR pilot" or "All Staff" is an identifier, but its words alone are not: if
//! "All" or "ESR" were learned, every "ESR on for all users" and every `GroupMember.Read.All`
//! in a report would change its meaning. So a value is learned for free-text replacement only
//! when it is not a word or phrase that esr-doctor itself says: its guidance and screens in
//! every language, and the enumerations its evidence holds.

use regex::Regex;
use std::sync::LazyLock;

/// Everything the product says, in every language it speaks.
const PROSE: [&str; 5] = [
    include_str!("../../assets/guidance/en.toml"),
    include_str!("../../assets/guidance/de.toml"),
    include_str!("../../assets/guidance/nl.toml"),
    include_str!("../../assets/ui/de.toml"),
    include_str!("../../assets/ui/nl.toml"),
];

/// Values evidence holds as enumerations and states, and the names of the product and the
/// services it reads; some are said in no guidance text.
const ENUMERATIONS: &str = "all selected none enabled disabled enable disable true false yes no \
    on off unknown not configured notconfigured managed federated stable beta dev canary \
    pass fail failed warning error skipped present absent active inactive running stopped \
    esr doctor esr-doctor edge chrome chromium microsoft windows azure entra aad rms aip ipcv3 \
    graph intune portal tenant device user users group groups member members";

/// The product's words as one lower-case string of single-spaced words, with a space at each
/// end, so that a phrase is found as ` words of it `.
static CORPUS: LazyLock<String> = LazyLock::new(|| {
    let mut corpus = String::from(" ");
    for text in PROSE.iter().chain([&ENUMERATIONS]) {
        let text = match HOSTS.as_ref() {
            Some(hosts) => hosts.replace_all(text, " "),
            None => (*text).into(),
        };
        for word in words(&text) {
            corpus.push_str(&word);
            corpus.push(' ');
        }
    }
    corpus
});

/// Hosts, addresses and URLs in the product's text name example organisations (Microsoft's
/// own `proxy.contoso.com`), which real tenants may be called too; they are not vocabulary.
/// Graph scopes such as `GroupMember.ReadWrite.All` are written in capitals: they are words.
static HOSTS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\S*@\S*|\S*://\S*|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b").ok());

/// The words of `text`, lower case, as the redactor's whole-word matching sees them: runs of
/// letters, digits and `_`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// True when `value` is a word or phrase the product itself uses, so that replacing it in
/// free text would change what a report says.
pub fn is_vocabulary(value: &str) -> bool {
    let phrase: Vec<String> = words(value).collect();
    if phrase.is_empty() {
        return true;
    }
    CORPUS.contains(&format!(" {} ", phrase.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_products_words_are_vocabulary_and_names_are_not() {
        for word in [
            "All",
            "Selected",
            "ESR",
            "esr-doctor",
            "ReadWrite",
            "AipService",
            "Enabled",
            "Licence",
        ] {
            assert!(is_vocabulary(word), "{word}");
        }
        for name in [
            "Jana",
            "Novak",
            "All Staff",
            "ESR pilot",
            "Fabrikam",
            "contoso",
            "FAB-LT-0423",
        ] {
            assert!(!is_vocabulary(name), "{name}");
        }
    }
}

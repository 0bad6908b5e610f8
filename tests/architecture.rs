//! The house stays as drawn: every `crate::…` path in `src/` (outside `#[cfg(test)]` modules and
//! comments) names a module in a lower tier of the README's architecture table, and every
//! top-level module of `src/` has its place in that table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BEGIN: &str = "<!-- architecture:begin -->";
const END: &str = "<!-- architecture:end -->";

/// The README's table: each module and its tier.
fn tiers(readme: &str) -> BTreeMap<String, usize> {
    let start = readme.find(BEGIN).map_or(0, |i| i + BEGIN.len());
    let end = readme[start..]
        .find(END)
        .map_or(readme.len(), |i| start + i);
    let mut tiers = BTreeMap::new();
    for row in readme[start..end].lines() {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (Some(tier), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Ok(tier) = tier.parse::<usize>() else {
            continue;
        };
        for module in modules.split(',') {
            let name = module.trim().trim_matches('`').to_owned();
            assert!(
                tiers.insert(name.clone(), tier).is_none(),
                "`{name}` is in the architecture table twice"
            );
        }
    }
    tiers
}

/// `text` with the insides of string and char literals blanked (newlines kept, so line numbers
/// hold): a `"{"` or `"crate::x"` in a literal is neither a brace nor a path.
fn without_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let raw_hashes = (c == 'r')
            .then(|| chars[i + 1..].iter().take_while(|&&h| h == '#').count())
            .filter(|&n| chars.get(i + 1 + n) == Some(&'"'));
        if let Some(hashes) = raw_hashes {
            let closing: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let body_start = i + hashes + 2;
            let rest: String = chars[body_start..].iter().collect();
            let body_len = rest
                .find(&closing)
                .map_or(rest.len(), |at| rest[..at].chars().count());
            out.push('"');
            out.extend(
                chars[body_start..body_start + body_len]
                    .iter()
                    .map(|&c| blank(c)),
            );
            out.push('"');
            i = body_start + body_len + closing.chars().count();
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let skip = if chars[i] == '\\' { 2 } else { 1 };
                chars[i..(i + skip).min(chars.len())]
                    .iter()
                    .for_each(|&c| out.push(blank(c)));
                i += skip;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && chars.get(i + 1) == Some(&'\\') {
            let end = chars[i + 2..]
                .iter()
                .position(|&c| c == '\'')
                .map_or(chars.len(), |p| i + 3 + p);
            out.push_str("' '");
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `text` without literals, comments and `#[cfg(test)] mod … { … }` blocks.
fn production_code(text: &str) -> String {
    let uncommented: String = without_literals(text)
        .lines()
        .map(|line| line.find("//").map_or(line, |i| &line[..i]))
        .collect::<Vec<_>>()
        .join("\n");
    let mut kept = String::new();
    let mut rest = uncommented.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let is_module = after.trim_start().starts_with("mod ");
        let Some(open) = after.find('{').filter(|_| is_module) else {
            rest = after;
            continue;
        };
        let mut depth = 0usize;
        let mut close = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        kept.push_str(
            &"\n".repeat(
                rest[at..at + "#[cfg(test)]".len() + close]
                    .matches('\n')
                    .count(),
            ),
        );
        rest = &after[close..];
    }
    kept.push_str(rest);
    kept
}

/// The top-level modules a file's code names through `crate::`, `crate::{…}` or a `super::`
/// chain that climbs to the crate root, with the line each is named on.
fn imports(code: &str, depth: usize) -> Vec<(String, usize)> {
    let heads = regex::Regex::new(r"\b(?:crate::|(?:super::)+)").unwrap_or_else(|e| panic!("{e}"));
    let mut found = Vec::new();
    for head in heads.find_iter(code) {
        let text = head.as_str();
        if text != "crate::" && text.matches("super").count() < depth {
            continue;
        }
        let line = code[..head.start()].matches('\n').count() + 1;
        let after = &code[head.end()..];
        let names = match after.strip_prefix('{') {
            Some(group) => top_level_names(group),
            None => vec![identifier(after)],
        };
        found.extend(names.into_iter().map(|name| (name, line)));
    }
    found
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first name of each item of a `{a::b, c, d::{e, f}}` group (without its opening brace).
fn top_level_names(group: &str) -> Vec<String> {
    let mut names = vec![identifier(group.trim_start())];
    let mut depth = 0usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => names.push(identifier(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    names
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every import that does not go down the table, as `file:line: a imports b`.
fn violations(src: &Path, tiers: &BTreeMap<String, usize>) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap_or(&file);
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let Some(module) = parts.first().cloned() else {
            continue;
        };
        if module == "main" || module == "lib" {
            continue;
        }
        // `src/a.rs` and `src/a/mod.rs` are depth 1: one `super` reaches the crate root.
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod"));
        let Some(&own) = tiers.get(&module) else {
            found.push(format!(
                "{}: module `{module}` is not in the table",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        for (target, line) in imports(&production_code(&text), depth) {
            if target == module || target == "self" {
                continue;
            }
            match tiers.get(&target) {
                Some(&tier) if tier < own => {}
                Some(&tier) => found.push(format!(
                    "{}:{line}: `{module}` (tier {own}) imports `{target}` (tier {tier})",
                    relative.display()
                )),
                None => {}
            }
        }
    }
    found
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_module_imports_only_modules_below_it() {
    let readme =
        std::fs::read_to_string(root().join("README.md")).unwrap_or_else(|e| panic!("{e}"));
    let tiers = tiers(&readme);
    assert!(
        tiers.len() >= 10,
        "the README's table was not found: {tiers:?}"
    );
    let found = violations(&root().join("src"), &tiers);
    assert!(
        found.is_empty(),
        "imports against the README's architecture table:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_tier() {
    let readme =
        std::fs::read_to_string(root().join("README.md")).unwrap_or_else(|e| panic!("{e}"));
    let tiers = tiers(&readme);
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap_or_else(|e| panic!("{e}"));
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    for module in &declared {
        assert!(
            tiers.contains_key(*module),
            "`{module}` has no tier in the README's table"
        );
    }
    for module in tiers.keys() {
        assert!(
            declared.contains(&module.as_str()),
            "the table names `{module}`, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn an_upward_or_sideways_import_is_found_and_test_code_is_not() {
    let tiers: BTreeMap<String, usize> = [
        ("model", 0),
        ("facts", 1),
        ("cloud", 2),
        ("checks", 2),
        ("tui", 3),
    ]
    .map(|(m, t)| (m.to_owned(), t))
    .into_iter()
    .collect();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "facts/mod.rs",
        "use crate::model::Status;\nuse crate::{model, tui::App};\n",
    );
    write(
        "checks/rms.rs",
        "fn f() { super::super::cloud::call(); }\n// crate::tui is only named here\n#[cfg(test)]\nmod tests {\n    const OPEN: &str = \"{\";\n    use crate::tui::App;\n}\nfn g() { crate::tui::draw(); }\n",
    );
    write("model.rs", "pub struct Status;\n");
    let found = violations(dir.path(), &tiers);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.contains("checks/rms.rs:8") && f.contains("`tui`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("facts/mod.rs:2") && f.contains("`tui`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("checks/rms.rs:1") && f.contains("`cloud`")),
        "{found:#?}"
    );
}

//! JSON from evidence, parsed within a budget.
//!
//! A parsed `serde_json::Value` costs far more than its text: 16 MiB of `[{},{},…]` is eight
//! million values, well over half a gigabyte as a tree. So every evidence document is first
//! walked without building anything (serde_json's own tokenizer, nothing kept), and turned
//! into a tree only when it stays within `MAX_VALUES`. Real evidence is far below it: a busy
//! `Preferences` holds a few tens of thousands of values.

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// Most values (objects, arrays, strings, numbers, ...) one evidence document may hold.
pub const MAX_VALUES: usize = 250_000;

/// Why an evidence document could not be read as JSON.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    #[error("`{file}` is not valid JSON ({detail})")]
    Invalid { file: String, detail: String },
    #[error(
        "`{file}` holds more than {MAX_VALUES} JSON values, more than real evidence ever does; it was not read, to keep memory bounded"
    )]
    TooComplex { file: String },
}

impl JsonError {
    /// The evidence file the error is about.
    pub fn file(&self) -> &str {
        match self {
            JsonError::Invalid { file, .. } | JsonError::TooComplex { file } => file,
        }
    }
}

/// Parses `text` (the evidence file `file`) into a tree, if it is valid and within budget.
pub fn parse(file: &str, text: &str) -> Result<Value, JsonError> {
    let invalid = |e: serde_json::Error| JsonError::Invalid {
        file: file.to_owned(),
        detail: e.to_string(),
    };
    let mut left = MAX_VALUES;
    let mut counter = serde_json::Deserializer::from_str(text);
    match (Count { left: &mut left }).deserialize(&mut counter) {
        Ok(()) => counter.end().map_err(invalid)?,
        Err(_) if left == 0 => {
            return Err(JsonError::TooComplex {
                file: file.to_owned(),
            });
        }
        Err(e) => return Err(invalid(e)),
    }
    serde_json::from_str(text).map_err(invalid)
}

/// Counts values down from `left`, failing when none are left; builds nothing.
struct Count<'a> {
    left: &'a mut usize,
}

impl Count<'_> {
    fn take<E: serde::de::Error>(&mut self) -> Result<(), E> {
        if *self.left == 0 {
            return Err(E::custom("value budget spent"));
        }
        *self.left -= 1;
        Ok(())
    }

    fn again(&mut self) -> Count<'_> {
        Count { left: self.left }
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(mut self, _: bool) -> Result<(), E> {
        self.take()
    }

    fn visit_i64<E: serde::de::Error>(mut self, _: i64) -> Result<(), E> {
        self.take()
    }

    fn visit_u64<E: serde::de::Error>(mut self, _: u64) -> Result<(), E> {
        self.take()
    }

    fn visit_f64<E: serde::de::Error>(mut self, _: f64) -> Result<(), E> {
        self.take()
    }

    fn visit_str<E: serde::de::Error>(mut self, _: &str) -> Result<(), E> {
        self.take()
    }

    fn visit_unit<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.take()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(self.again())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.take()?;
        // A key costs as much as a string value.
        while map.next_key_seed(self.again())?.is_some() {
            map.next_value_seed(self.again())?;
        }
        Ok(())
    }

    fn visit_borrowed_str<E: serde::de::Error>(mut self, _: &'de str) -> Result<(), E> {
        self.take()
    }

    fn visit_string<E: serde::de::Error>(mut self, _: String) -> Result<(), E> {
        self.take()
    }

    fn visit_none<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.take()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bytes<E: serde::de::Error>(mut self, _: &[u8]) -> Result<(), E> {
        self.take()
    }

    fn visit_i128<E: serde::de::Error>(mut self, _: i128) -> Result<(), E> {
        self.take()
    }

    fn visit_u128<E: serde::de::Error>(mut self, _: u128) -> Result<(), E> {
        self.take()
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(A::Error::custom("JSON has no enums"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_documents_parse_as_before() {
        let text = r#"{"a":[1,2.5,"x",null,true,{"b":{}}],"c":"\u00e9"}"#;
        assert_eq!(
            parse("f.json", text).ok(),
            serde_json::from_str::<Value>(text).ok()
        );
    }

    #[test]
    fn too_many_values_are_refused_naming_the_file() {
        let bomb = format!("[{}{{}}]", "{},".repeat(MAX_VALUES));
        assert_eq!(
            parse("edge/Default/Preferences", &bomb),
            Err(JsonError::TooComplex {
                file: "edge/Default/Preferences".into()
            })
        );
        let keys = format!(
            "{{{}\"last\":0}}",
            (0..MAX_VALUES / 2)
                .map(|i| format!("\"k{i}\":0,"))
                .collect::<String>()
        );
        assert!(matches!(
            parse("f", &keys),
            Err(JsonError::TooComplex { .. })
        ));
        let within = format!("[{}0]", "0,".repeat(MAX_VALUES - 2));
        assert!(parse("f", &within).is_ok());
    }

    #[test]
    fn invalid_and_trailing_text_are_invalid_not_too_complex() {
        for text in ["{\"a\":", "{} trailing", "", "[1,]"] {
            let error = parse("cloud/me.json", text);
            assert!(
                matches!(&error, Err(JsonError::Invalid { file, .. }) if file == "cloud/me.json"),
                "{text:?}: {error:?}"
            );
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(parse("f", &deep), Err(JsonError::Invalid { .. })));
    }
}

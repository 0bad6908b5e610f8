//! Graph's paging: a list comes at most 100 objects a page, with an absolute `@odata.nextLink`
//! to the rest (learn.microsoft.com/graph/paging). The pages are joined into one answer, as a
//! bundle records it; a next link is followed only to the Graph host the first page came from
//! (the token must never go anywhere else), and at most [`MAX_PAGES`] pages are read.

use crate::facts::tenant::AnswerError;
use serde_json::Value;

/// Pages read at most (5,000 objects at Graph's 100 a page): enough for a user in a very large
/// organisation, and a bound on what one answer may cost.
pub const MAX_PAGES: usize = 50;

/// The pages of one list read so far.
pub struct Pages {
    endpoint: &'static str,
    first: Value,
    values: Vec<Value>,
    read: usize,
}

/// What to do after a page.
pub enum Next {
    /// Read this URL (the same Graph host).
    Follow(String),
    /// The list is complete: its joined answer.
    Done(String),
}

impl Pages {
    /// Starts with the first page's body; a body that is not a list is the answer as it is.
    pub fn start(
        endpoint: &'static str,
        body: String,
        graph_base: &str,
    ) -> Result<(Pages, Next), AnswerError> {
        let Ok(mut first) = serde_json::from_str::<Value>(&body) else {
            return Ok((Pages::empty(endpoint), Next::Done(body)));
        };
        let Some(values) = first
            .get_mut("value")
            .and_then(Value::as_array_mut)
            .map(std::mem::take)
        else {
            return Ok((Pages::empty(endpoint), Next::Done(body)));
        };
        let link = first
            .as_object_mut()
            .and_then(|map| map.remove("@odata.nextLink"));
        let mut pages = Pages {
            endpoint,
            first,
            values,
            read: 1,
        };
        let next = pages.next(link, graph_base)?;
        Ok((pages, next))
    }

    fn empty(endpoint: &'static str) -> Pages {
        Pages {
            endpoint,
            first: Value::Null,
            values: Vec::new(),
            read: 0,
        }
    }

    /// Adds the next page's body.
    pub fn add(&mut self, body: &str, graph_base: &str) -> Result<Next, AnswerError> {
        let page: Value = serde_json::from_str(body)
            .map_err(|e| self.failure(format!("page {} is not JSON ({e})", self.read + 1)))?;
        let Some(values) = page.get("value").and_then(Value::as_array) else {
            return Err(self.failure(format!("page {} holds no `value` list", self.read + 1)));
        };
        self.values.extend(values.iter().cloned());
        self.read += 1;
        self.next(page.get("@odata.nextLink").cloned(), graph_base)
    }

    /// Follows `link` (the page's `@odata.nextLink`), or joins the pages when there is none.
    fn next(&mut self, link: Option<Value>, graph_base: &str) -> Result<Next, AnswerError> {
        let Some(link) = link else {
            if let Some(map) = self.first.as_object_mut() {
                map.insert(
                    "value".into(),
                    Value::Array(std::mem::take(&mut self.values)),
                );
            }
            return Ok(Next::Done(self.first.to_string()));
        };
        let link = link.as_str().unwrap_or_default().to_owned();
        if !same_host(&link, graph_base) {
            let shown: String = crate::evidence::plain(&link).chars().take(120).collect();
            return Err(self.failure(format!(
                "the answer's @odata.nextLink points away from the Graph host ({shown:?}); not followed, so the token stays with Graph and the list is incomplete"
            )));
        }
        if self.read >= MAX_PAGES {
            return Err(self.failure(format!(
                "the list has more than {MAX_PAGES} pages ({} objects read); esr-doctor stops there, so the list is incomplete",
                self.values.len()
            )));
        }
        Ok(Next::Follow(link))
    }

    fn failure(&self, detail: String) -> AnswerError {
        AnswerError::Http {
            endpoint: self.endpoint.to_owned(),
            status: Some(200),
            detail,
        }
    }
}

/// True when `link` is on the same scheme, host and port as `base`, with no credentials.
fn same_host(link: &str, base: &str) -> bool {
    let (Ok(link), Ok(base)) = (reqwest::Url::parse(link), reqwest::Url::parse(base)) else {
        return false;
    };
    link.scheme() == base.scheme()
        && link.host_str().map(str::to_ascii_lowercase)
            == base.host_str().map(str::to_ascii_lowercase)
        && link.port_or_known_default() == base.port_or_known_default()
        && link.username().is_empty()
        && link.password().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://graph.microsoft.com";

    fn page(ids: std::ops::Range<u32>, next: Option<&str>) -> String {
        let mut body = serde_json::json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
            "value": ids.map(|i| serde_json::json!({"id": format!("g{i}")})).collect::<Vec<_>>(),
        });
        if let Some(next) = next {
            body["@odata.nextLink"] = next.into();
        }
        body.to_string()
    }

    #[test]
    fn pages_are_joined_into_one_answer() {
        let link = "https://graph.microsoft.com/v1.0/me/transitiveMemberOf?$skiptoken=x";
        let (mut pages, next) =
            Pages::start("m", page(0..100, Some(link)), BASE).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(&next, Next::Follow(url) if url == link));
        let next = pages
            .add(&page(100..150, None), BASE)
            .unwrap_or_else(|e| panic!("{e}"));
        let Next::Done(body) = next else {
            panic!("not done")
        };
        let joined: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(joined["value"].as_array().map(Vec::len), Some(150));
        assert!(joined.get("@odata.nextLink").is_none());
        assert!(joined.get("@odata.context").is_some());
    }

    #[test]
    fn a_link_to_another_host_is_refused_and_named() {
        for hostile in [
            "https://evil.example/v1.0/me/transitiveMemberOf?$skiptoken=x",
            "http://graph.microsoft.com/v1.0/x",
            "https://graph.microsoft.com:8443/v1.0/x",
            "https://user:pw@graph.microsoft.com/v1.0/x",
            "not a url",
        ] {
            let outcome = Pages::start("m", page(0..100, Some(hostile)), BASE);
            assert!(
                matches!(&outcome, Err(AnswerError::Http { detail, .. }) if detail.contains("points away")),
                "{hostile}"
            );
        }
    }

    #[test]
    fn reading_stops_at_the_page_cap_and_says_so() {
        let link = "https://graph.microsoft.com/v1.0/x?$skiptoken=1";
        let (mut pages, mut next) =
            Pages::start("m", page(0..100, Some(link)), BASE).unwrap_or_else(|e| panic!("{e}"));
        let mut read = 1;
        let failure = loop {
            assert!(matches!(next, Next::Follow(_)));
            match pages.add(&page(0..100, Some(link)), BASE) {
                Ok(more) => next = more,
                Err(e) => break e,
            }
            read += 1;
        };
        assert_eq!(read + 1, MAX_PAGES);
        assert!(
            failure.to_string().contains("more than 50 pages"),
            "{failure}"
        );
    }

    #[test]
    fn answers_that_are_not_lists_pass_through() {
        for body in ["{\"id\":\"x\"}", "not json", "{\"value\":3}"] {
            let (_, next) =
                Pages::start("m", body.to_owned(), BASE).unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(next, Next::Done(b) if b == body));
        }
        let (mut pages, _) =
            Pages::start("m", page(0..1, Some("https://graph.microsoft.com/n")), BASE)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(pages.add("<html>", BASE).is_err());
    }
}

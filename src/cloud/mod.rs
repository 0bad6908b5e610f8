//! The tenant over HTTP: `live` fetches Microsoft Graph, the portal's ESR setting and Azure RMS
//! (through `http`, signed in by `auth`, at the hosts `endpoints` names, for the endpoints `api`
//! lists) and hands the answers to the parsers in `facts::tenant`, the same ones that read a
//! bundle's recorded `cloud/*.json`.

pub mod api;
pub mod auth;
pub mod endpoints;
pub mod http;
pub mod live;
pub mod paging;

//! What a named field holds: an identifier of a person, tenant or device (replaced whole), a
//! value that must survive as it is (a version, a licence plan id), or free text.
//!
//! Field names come from JSON keys (Graph, Local State, Preferences, reports), dsregcmd keys,
//! registry value names and XML elements; they are compared without case, spaces or `_`, so
//! `Device Name`, `device_name` and `DeviceName` are one field.

/// The placeholder family an identifier belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Name,
    Group,
    Tenant,
    Domain,
    Device,
    Id,
    Sid,
    Thumbprint,
    Ip,
    Mac,
    Account,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Name => "name",
            Kind::Group => "group",
            Kind::Tenant => "tenant",
            Kind::Domain => "domain",
            Kind::Device => "device",
            Kind::Id => "id",
            Kind::Sid => "sid",
            Kind::Thumbprint => "thumbprint",
            Kind::Ip => "ip",
            Kind::Mac => "mac",
            Kind::Account => "account",
        }
    }
}

/// How a field's value is redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The whole value identifies someone or something: replaced whole, and learned so that
    /// it is replaced wherever else it appears.
    Identifier(Kind),
    /// Decides a verdict and identifies no one (versions, licence plan ids, request ids).
    Keep,
    /// Anything else: identifiers inside it are found by pattern and by what was learned.
    FreeText,
}

/// Identifier fields, normalised (lower case, no spaces or `_`).
const IDENTIFIERS: [(&str, Kind); 37] = [
    ("userprincipalname", Kind::User),
    ("mail", Kind::User),
    ("username", Kind::User),
    ("lastusername", Kind::User),
    ("email", Kind::User),
    ("useremail", Kind::User),
    ("upn", Kind::User),
    ("user", Kind::User),
    ("readas", Kind::User),
    ("subject", Kind::User),
    ("executingaccountname", Kind::User),
    ("fullname", Kind::Name),
    ("givenname", Kind::Name),
    ("familyname", Kind::Name),
    ("gaianame", Kind::Name),
    ("gaiagivenname", Kind::Name),
    ("surname", Kind::Name),
    ("displayname", Kind::Name),
    ("edgeaccountfirstname", Kind::Name),
    ("edgeaccountlastname", Kind::Name),
    ("tenantname", Kind::Tenant),
    ("tenantdisplayname", Kind::Tenant),
    ("accountname", Kind::Tenant),
    ("domainname", Kind::Domain),
    ("hd", Kind::Domain),
    ("hosteddomain", Kind::Domain),
    ("devicename", Kind::Device),
    ("computer", Kind::Device),
    ("computername", Kind::Device),
    ("hostname", Kind::Device),
    ("edgeaccountpuid", Kind::Id),
    ("puid", Kind::Id),
    ("edgeaccountcid", Kind::Id),
    ("gaiaid", Kind::Id),
    ("accountid", Kind::Id),
    ("id", Kind::Id),
    ("thumbprint", Kind::Thumbprint),
];

/// Fields kept exactly: Microsoft-wide licence ids, request ids support asks for, versions.
const KEEP: [&str; 6] = [
    "skuid",
    "serviceplanid",
    "skupartnumber",
    "serviceplanname",
    "clientrequestid",
    "os",
];

/// Fields whose value is a person's full name: its words are learned one by one too.
pub const PERSON_NAMES: [&str; 3] = ["fullname", "gaianame", "displayname"];

/// The field's name as compared: lower case, without spaces, `_`, `-` or `.`.
pub fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How the value of the field `key` is redacted.
pub fn classify(key: &str) -> Field {
    let key = normalise(key);
    if key.contains("version") || KEEP.contains(&key.as_str()) {
        return Field::Keep;
    }
    IDENTIFIERS
        .iter()
        .find(|(name, _)| *name == key)
        .map_or(Field::FreeText, |(_, kind)| Field::Identifier(*kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_field_under_its_many_spellings() {
        for key in ["Device Name", "device_name", "DeviceName", "Computer"] {
            assert_eq!(classify(key), Field::Identifier(Kind::Device), "{key}");
        }
        assert_eq!(classify("skuId"), Field::Keep);
        assert_eq!(classify("JoinSrvVersion"), Field::Keep);
        assert_eq!(classify("stat_name"), Field::FreeText);
        assert_eq!(
            classify("Name"),
            Field::FreeText,
            "RMS and sync row names stay"
        );
    }
}

//! Which tenant is read: its cloud from the OpenID configuration of every login host, and the
//! guard that reads no tenant other than the device's unless it was named.

use super::*;

impl CloudSession {
    /// Asks the global, US Government and China login hosts at once for the tenant's OpenID
    /// configuration; the first that knows the tenant answers for it (the global host does not
    /// know China tenants, reference/real-tenant.md). Returns the configuration and its body.
    pub(super) async fn find_cloud(
        &self,
        global: &Endpoints,
        tenant: &str,
    ) -> Result<(TenantCloud, String), SignInError> {
        let path = api::authority_path(Api::OpenIdConfiguration, tenant).unwrap_or_default();
        let deadline = Instant::now() + self.config.data_budget;
        let mut asked = tokio::task::JoinSet::new();
        for cloud in Cloud::ALL {
            let Some(base) = global.login_host_of(cloud) else {
                continue;
            };
            let http = Arc::clone(&self.http);
            let url = format!("{base}{path}");
            asked.spawn(async move {
                http.send(Api::OpenIdConfiguration, deadline, |c| c.get(&url))
                    .await
            });
        }
        let mut not_known = false;
        let mut failure = None;
        while let Some(joined) = asked.join_next().await {
            let Ok(reply) = joined else { continue };
            match reply {
                Ok(reply) if reply.is_success() => {
                    let file = Api::OpenIdConfiguration.recorded_file().unwrap_or_default();
                    match openid::parse(file, &reply.body) {
                        Ok(cloud) => return Ok((cloud, reply.body)),
                        Err(e) => {
                            failure.get_or_insert(SignInError::Malformed {
                                api: Api::OpenIdConfiguration.name(),
                                status: reply.status,
                                detail: e.to_string(),
                            });
                        }
                    }
                }
                // Entra's answer for a tenant this host does not know (AADSTS90002).
                Ok(reply) if reply.status == 400 => not_known = true,
                Ok(reply) => {
                    failure.get_or_insert(SignInError::status(
                        Api::OpenIdConfiguration,
                        reply.status,
                        &reply.body,
                    ));
                }
                Err(e) => {
                    failure.get_or_insert(SignInError::Call(e));
                }
            }
        }
        Err(match failure {
            Some(failure) if !not_known => failure,
            _ => SignInError::Credential(format!(
                "the tenant {tenant:?} is not known to Microsoft Entra in any cloud (its OpenID configuration answered 400 on every login host asked); check the domain or tenant id"
            )),
        })
    }

    /// The tenant's OpenID configuration to record with the Graph answers: the one found
    /// before the sign-in, else (signed in to `organizations`) the token's tenant's.
    pub(super) async fn openid_of(
        &self,
        prepared: &Prepared,
        token: &azure_core::credentials::Secret,
    ) -> (Api, Result<Option<String>, AnswerError>) {
        let api = Api::OpenIdConfiguration;
        if let Some(body) = &prepared.openid {
            return (api, Ok(Some(body.clone())));
        }
        let Some(tenant) = auth::token_tenant(token) else {
            return (api, Ok(None));
        };
        let path = api::authority_path(api, &tenant).unwrap_or_default();
        let url = prepared.endpoints.url(Host::Authority, &path);
        let deadline = Instant::now() + self.config.data_budget;
        let reply = self.http.send(api, deadline, |c| c.get(&url)).await;
        (api, json_answer(api, reply, false))
    }

    /// Whether the token comes from another tenant than the device's, decided once: from the
    /// token's `tid`, else from `/organization`; named with both tenants' names.
    pub(super) async fn wrong_tenant(
        &self,
        prepared: &Prepared,
        token: &azure_core::credentials::Secret,
    ) -> Option<SignInError> {
        let expected = self.config.guarded_tenant()?;
        let tid = auth::token_tenant(token);
        if tid
            .as_ref()
            .is_some_and(|tid| tid.eq_ignore_ascii_case(&expected.id))
        {
            return None;
        }
        self.wrong_tenant
            .get_or_init(|| async {
                let organization = self.organization(prepared).await;
                let signed_in_id =
                    tid.or_else(|| organization.as_ref().map(|o| o.id.to_ascii_lowercase()))?;
                if signed_in_id.eq_ignore_ascii_case(&expected.id) {
                    return None;
                }
                let name = organization.map(|o| o.display_name);
                Some(wrong_tenant_error(expected, name.as_deref(), &signed_in_id))
            })
            .await
            .clone()
    }

    /// The signed-in tenant's `/organization`, read with the Graph token.
    pub(super) async fn organization(&self, prepared: &Prepared) -> Option<graph::Organization> {
        let token = prepared.broker.token(Audience::Graph).await.ok()?;
        let reader = Reader {
            http: &self.http,
            endpoints: &prepared.endpoints,
            token: token.secret(),
            deadline: Instant::now() + self.config.data_budget,
            subject: None,
            operator: None,
        };
        let (api, body) = reader.graph(Api::Organization).await;
        let body = body.ok()??;
        graph::parse_organization(api.name(), &body).ok()
    }

    /// The Graph answers' `/organization` against the device's tenant.
    pub(super) fn organization_mismatch(&self, answers: &CloudAnswers) -> Option<SignInError> {
        let expected = self.config.guarded_tenant()?;
        let file = Api::Organization.recorded_file()?;
        let organization = graph::parse_organization(file, &answers.files.text(file)?).ok()?;
        (!organization.id.eq_ignore_ascii_case(&expected.id)).then(|| {
            wrong_tenant_error(
                expected,
                Some(&organization.display_name),
                &organization.id.to_ascii_lowercase(),
            )
        })
    }
}

fn wrong_tenant_error(expected: &DeviceTenant, name: Option<&str>, id: &str) -> SignInError {
    let shown =
        |text: &str| crate::evidence::plain(&crate::evidence::secrets::strip_bearer_material(text));
    SignInError::WrongTenant {
        signed_in: shown(&describe_tenant(name, id)),
        signed_in_id: shown(id),
        device: shown(&expected.describe()),
        device_id: shown(&expected.id),
    }
}

/// A tenant id or domain (not `organizations`/`common`/`consumers`).
pub(super) fn is_named_tenant(tenant: &str) -> bool {
    !matches!(
        tenant.to_ascii_lowercase().as_str(),
        "organizations" | "common" | "consumers"
    )
}

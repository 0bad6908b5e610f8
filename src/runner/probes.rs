//! Which endpoints a run probes from this device, and through which proxy: the inputs' targets,
//! with the proxy Edge would use here and the cloud a Windows device is joined in.

use crate::evidence::Platform;
use crate::facts::reach::ReachFacts;
use crate::network::probe::{ProbeSettings, Target};
use crate::sources::device::{self, DeviceContext};
use std::sync::Arc;

/// Probes from `device` at `base`'s targets, through the proxy it would use (reading that
/// runs commands on Windows, so on a thread of its own).
pub async fn probe_from(device: Arc<DeviceContext>, base: ProbeSettings) -> ReachFacts {
    let settings = super::fan_out::on_thread(move || probe_settings(&device, &base)).await;
    crate::network::probe::probe_all(&settings).await
}

/// The probes to run from this device (`base`'s targets), with the proxy Edge would use here (on Windows the
/// user's WinINet settings, elsewhere `HTTPS_PROXY`/`NO_PROXY`), for the cloud a Windows
/// device is joined in.
pub fn probe_settings(ctx: &DeviceContext, base: &ProbeSettings) -> ProbeSettings {
    let mut settings = base.clone();
    if ctx.platform == Platform::Windows {
        if let Some(wininet) = device::wininet_proxy(ctx) {
            settings.proxy = wininet;
        }
        if let Some(cloud) = device::joined_cloud(ctx) {
            settings = settings.in_cloud(cloud);
        }
        // Windows settings roam through the machine's WinHTTP proxy: where it is another
        // than the user's, sign-in is probed through it too.
        if let Some(winhttp) = device::winhttp_proxy(ctx)
            && winhttp.proxy != settings.proxy.proxy
            && let Some(sign_in) = settings
                .targets
                .iter()
                .find(|t| t.host.starts_with("login."))
                .cloned()
        {
            settings.targets.push(Target {
                via: Some(winhttp),
                ..sign_in
            });
        }
    }
    settings
}

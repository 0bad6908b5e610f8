//! Which endpoints a run probes from this device, and through which proxy: the inputs' targets,
//! with the proxy Edge would use here and the cloud a Windows device is joined in.

use crate::evidence::Platform;
use crate::network::probe::{ProbeSettings, Target};
use crate::sources::device::{self, DeviceContext};

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

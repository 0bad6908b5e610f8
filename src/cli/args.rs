//! The command line: every mode, flag and subcommand, and how flags meet the config file.

use crate::cloud::auth::AuthMode;
use crate::model::CheckId;
use crate::report::Format;
use crate::sources::scenario;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Finds out why Microsoft Edge sync / Enterprise State Roaming does not work, and how to fix it.
#[derive(Debug, Parser)]
#[command(name = "esr-doctor", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the wizard on a built-in demo tenant (default: healthy).
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = scenario::DEFAULT, conflicts_with = "from")]
    pub demo: Option<String>,
    /// Open the wizard on an evidence bundle: a folder or a .zip.
    #[arg(long, value_name = "BUNDLE")]
    pub from: Option<PathBuf>,
    /// Trainers' mode: one prerequisite at a time, with why it exists.
    #[arg(long)]
    pub guided: bool,
    /// Presenter view for a room: guided, identifiers hidden, high-contrast colours.
    #[arg(long)]
    pub present: bool,
    /// Write and draw ASCII only, in every mode (for consoles without Unicode).
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Make no network connection at all (the network step is skipped).
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub cloud: CloudArgs,
    /// Log to stderr too: -v what is gathered and called, -vv everything.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The language of the wizard, text and markdown [default: the system's UI language]
    #[arg(long, value_enum, global = true, value_name = "LANG")]
    pub lang: Option<crate::i18n::Lang>,
}

impl Cli {
    /// False for the commands that never read the config file (`config path`, `signout`): an
    /// invalid file must not stop the very commands that find it or sign out.
    pub fn reads_config(&self) -> bool {
        !matches!(
            self.command,
            Some(
                Command::Config {
                    action: ConfigAction::Path
                } | Command::Signout
            )
        )
    }
}

/// How to reach and read the tenant (for `--from`, only with `--live`: a bundle carries its
/// answers).
#[derive(Debug, Clone, clap::Args)]
pub struct CloudArgs {
    /// How to sign in to the tenant [default: auto on a terminal, else none]
    #[arg(long, value_enum, value_name = "HOW")]
    pub auth: Option<AuthMode>,
    /// Diagnose this user (UPN) rather than whoever signs in (needs a directory role).
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Sign in to this tenant (id or domain) [default: the --user's domain, else the device's
    /// tenant, else organizations]; a tenant other than the device's is read only when named here
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// With --from: read the tenant live, for the bundle's user and tenant (sign in on this
    /// computer), instead of the answers the bundle recorded
    #[arg(long)]
    pub live: bool,
    /// The public client to sign in as [default: Azure PowerShell's public client, 1950a258-227b-4e31-a9cf-717495945fc2]
    #[arg(long, value_name = "GUID")]
    pub client_id: Option<String>,
    /// Point Microsoft's hosts at other base URLs (a TOML file; also ESR_DOCTOR_ENDPOINTS).
    #[arg(long, value_name = "FILE.toml")]
    pub endpoints: Option<PathBuf>,
    /// Keep no sign-in in the OS keyring (sign in anew each run).
    #[arg(long)]
    pub no_cache: bool,
    /// `--auth` was given on the command line (not only in the config file).
    #[arg(skip)]
    pub auth_given: bool,
    /// Read the signed-in admin's own tenant (`setup`): not this device's, not its user's.
    #[arg(skip)]
    pub admins_tenant: bool,
}

impl CloudArgs {
    /// These arguments with the config file's defaults where no flag was given.
    pub fn or_config(&self, config: &crate::config::Config) -> CloudArgs {
        CloudArgs {
            auth: self.auth.or(config.auth),
            auth_given: self.auth.is_some(),
            tenant: self.tenant.clone().or_else(|| config.tenant.clone()),
            client_id: self.client_id.clone().or_else(|| config.client_id.clone()),
            ..self.clone()
        }
    }
}

/// `esr-doctor config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config file is read from (it need not exist yet).
    Path,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check and print a report (exit 0 pass, 1 fail, 2 could not run, 3 incomplete).
    Check {
        /// Use a built-in demo tenant (see `scenarios`).
        #[arg(long, value_name = "SCENARIO", conflicts_with = "from")]
        demo: Option<String>,
        /// Use an evidence bundle: a folder or a .zip.
        #[arg(long, value_name = "BUNDLE")]
        from: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Run only these checks and what can block them (comma-separated ids, any case).
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            value_name = "ID,...",
            ignore_case = true
        )]
        only: Vec<CheckId>,
        /// Make no network connection at all.
        #[arg(long)]
        offline: bool,
        /// Replace user names, ids, device names and IP addresses with placeholders.
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// Gather this device's raw evidence into a bundle (a .zip) to analyse elsewhere.
    Collect {
        /// The .zip to write.
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
        /// Replace user names, ids, device names, IP and MAC addresses with placeholders.
        #[arg(long)]
        redact: bool,
        /// Make no network connection at all.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// The admin's setup of a tenant: only its prerequisites, in order, each with its fix and
    /// a watch that re-checks after the fix (read-only: nothing is ever written to the tenant).
    Setup {
        /// Practise on a built-in demo tenant where the emulator plays the admin's changes.
        #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = crate::prerequisites::demo::SCENARIO)]
        demo: Option<String>,
        #[command(flatten)]
        cloud: CloudArgs,
    },
    /// Remove every sign-in esr-doctor kept in the OS keyring.
    Signout,
    /// List the built-in demo scenarios.
    Scenarios,
    /// Print shell completions (source them, e.g. `source <(esr-doctor completions bash)`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `esr-doctor man > esr-doctor.1 && man -l esr-doctor.1`.
    Man,
    /// The config file of defaults (auth, client_id, tenant, ascii, lang, theme).
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Compare two JSON reports per check: fixed, newly broken, changed, unchanged.
    Diff {
        /// The report from before the change (`check --format json`).
        before: PathBuf,
        /// The report from after it.
        after: PathBuf,
    },
    /// Explain a finding code, a Windows event id, an HRESULT or a sign-in answer (AADSTS).
    Explain {
        /// e.g. ESR_DISABLED, 6065, 0xCAA5001C, 80070259, -2147024295, AADSTS530035
        #[arg(allow_hyphen_values = true, required_unless_present = "list")]
        code: Option<String>,
        /// Print every finding code, event id, HRESULT and AADSTS code esr-doctor can explain.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("esr-doctor").chain(args.iter().copied()))
    }

    #[test]
    fn only_config_path_and_signout_do_without_the_config_file() {
        for (args, reads) in [
            (&["config", "path"][..], false),
            (&["signout"][..], false),
            (&["check", "--demo", "healthy"][..], true),
            (&[][..], true),
        ] {
            let cli = parse(args).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(cli.reads_config(), reads, "{args:?}");
        }
    }

    #[test]
    fn a_flag_wins_over_the_config_file_and_the_file_over_nothing() {
        let config = Config {
            auth: Some(AuthMode::DeviceCode),
            tenant: Some("contoso.onmicrosoft.com".into()),
            client_id: Some("11111111-1111-1111-1111-111111111111".into()),
            ..Config::default()
        };
        let cli = parse(&["--auth", "browser"]).unwrap_or_else(|e| panic!("{e}"));
        let merged = cli.cloud.or_config(&config);
        assert_eq!(merged.auth, Some(AuthMode::Browser));
        assert!(merged.auth_given, "--auth was on the command line");
        assert_eq!(merged.tenant.as_deref(), Some("contoso.onmicrosoft.com"));

        let cli = parse(&["--tenant", "fabrikam.com"]).unwrap_or_else(|e| panic!("{e}"));
        let merged = cli.cloud.or_config(&config);
        assert_eq!(merged.auth, Some(AuthMode::DeviceCode));
        assert!(!merged.auth_given, "--auth came from the file only");
        assert_eq!(merged.tenant.as_deref(), Some("fabrikam.com"));
        assert_eq!(
            merged.client_id.as_deref(),
            Some("11111111-1111-1111-1111-111111111111")
        );
    }

    #[test]
    fn demo_and_bundle_exclude_each_other_and_demo_defaults_to_healthy() {
        let cli = parse(&["--demo"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.demo.as_deref(), Some(scenario::DEFAULT));
        assert!(parse(&["--demo", "healthy", "--from", "x.zip"]).is_err());
        assert!(parse(&["check", "--demo", "healthy", "--from", "x.zip"]).is_err());
    }

    #[test]
    fn check_ids_are_read_in_any_case_and_a_wrong_one_is_refused() {
        let cli = parse(&["check", "--only", "TENANT_ESR,license"]);
        let Ok(Cli {
            command: Some(Command::Check { only, .. }),
            ..
        }) = cli
        else {
            panic!("{cli:?}");
        };
        assert_eq!(only.len(), 2);
        assert!(parse(&["check", "--only", "no-such-check"]).is_err());
    }

    #[test]
    fn explain_needs_a_code_unless_it_lists() {
        assert!(parse(&["explain"]).is_err());
        assert!(parse(&["explain", "--list"]).is_ok());
        assert!(
            parse(&["explain", "-2147024295"]).is_ok(),
            "a negative HRESULT is a code"
        );
        assert!(parse(&["explain", "6065", "--list"]).is_err());
    }
}

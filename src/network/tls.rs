//! The TLS phase of a probe: a real handshake that records who issued the server's
//! certificate, to spot TLS inspection (a proxy re-signing traffic with its own CA).
//!
//! The probe only observes: it sends no credentials and no data beyond a bare `GET`, so it
//! accepts whatever chain it is shown and reports the issuer instead of refusing it. Signatures
//! in the handshake are still verified, so the issuer seen is the one of the key in use.

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::{Arc, Mutex};

/// Records the issuer of the end-entity certificate of each handshake.
#[derive(Debug)]
pub struct IssuerRecorder {
    provider: Arc<CryptoProvider>,
    issuer: Mutex<Option<String>>,
}

impl IssuerRecorder {
    pub fn new() -> Arc<IssuerRecorder> {
        Arc::new(IssuerRecorder {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            issuer: Mutex::new(None),
        })
    }

    /// The issuer recorded by the last handshake (`CN=..., O=...`).
    pub fn issuer(&self) -> Option<String> {
        self.issuer.lock().ok().and_then(|i| i.clone())
    }

    /// A client configuration that uses this recorder.
    pub fn client_config(self: &Arc<Self>) -> Result<rustls::ClientConfig, rustls::Error> {
        Ok(
            rustls::ClientConfig::builder_with_provider(Arc::clone(&self.provider))
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::clone(self) as Arc<dyn ServerCertVerifier>)
                .with_no_client_auth(),
        )
    }
}

/// The issuer's distinguished name, as text.
pub fn issuer_of(certificate: &[u8]) -> Option<String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate).ok()?;
    Some(parsed.issuer().to_string())
}

/// Whether an issuer is one the Microsoft endpoints use (Microsoft's own or DigiCert CAs).
pub fn is_microsoft_issuer(issuer: &str) -> bool {
    let lower = issuer.to_ascii_lowercase();
    lower.contains("microsoft") || lower.contains("digicert")
}

impl ServerCertVerifier for IssuerRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut slot) = self.issuer.lock() {
            *slot = issuer_of(end_entity.as_ref());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_issuers() {
        assert!(is_microsoft_issuer(
            "CN=Microsoft Azure RSA TLS Issuing CA 04, O=Microsoft Corporation, C=US"
        ));
        assert!(is_microsoft_issuer(
            "CN=DigiCert SHA2 Secure Server CA, O=DigiCert Inc"
        ));
        assert!(!is_microsoft_issuer(
            "CN=Zscaler Intermediate Root CA, O=Zscaler Inc."
        ));
        assert_eq!(issuer_of(b"not a certificate"), None);
    }
}

//! HTTPS served by central itself: a certificate chain and its private key from PEM files, and a
//! listener that completes each TLS handshake on its own task before axum sees the connection.
//!
//! Handshakes run off the accept loop so a client that connects and says nothing cannot hold up
//! everyone else; each has [`HANDSHAKE_TIMEOUT`] to finish. The crypto provider is aws-lc-rs,
//! the one the kiosk's HTTP client is already built with, so the workspace compiles one.

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;

/// How long a client has to complete the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the certificate or key cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate file {path}: {source}")]
    ReadCertificate { path: PathBuf, source: std::io::Error },
    #[error("cannot read the TLS key file {path}: {source}")]
    ReadKey { path: PathBuf, source: std::io::Error },
    #[error("the TLS certificate file {path} holds no PEM certificate (BEGIN CERTIFICATE)")]
    NoCertificate { path: PathBuf },
    #[error("the TLS certificate file {path} is not valid PEM: {detail}")]
    BadCertificate { path: PathBuf, detail: String },
    #[error("the TLS key file {path} holds no PEM private key (PKCS#8, PKCS#1 or SEC1): {detail}")]
    NoKey { path: PathBuf, detail: String },
    #[error("the TLS key in {key} cannot serve the certificate in {certificate}: {detail}")]
    Unusable {
        certificate: PathBuf,
        key: PathBuf,
        detail: String,
    },
}

impl TlsError {
    /// A stable code for scripts and logs.
    pub fn code(&self) -> &'static str {
        match self {
            TlsError::ReadCertificate { .. } => "tls_certificate_unreadable",
            TlsError::ReadKey { .. } => "tls_key_unreadable",
            TlsError::NoCertificate { .. } | TlsError::BadCertificate { .. } => "tls_certificate_invalid",
            TlsError::NoKey { .. } => "tls_key_invalid",
            TlsError::Unusable { .. } => "tls_key_mismatch",
        }
    }
}

/// The server's TLS settings from a PEM certificate chain (the server's certificate first, then
/// any intermediates) and a PEM private key. The key must match the certificate.
pub fn server_config(certificate: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = std::fs::read(certificate).map_err(|source| TlsError::ReadCertificate {
        path: certificate.to_path_buf(),
        source,
    })?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadCertificate {
            path: certificate.to_path_buf(),
            detail: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: certificate.to_path_buf(),
        });
    }
    let key_pem = std::fs::read(key).map_err(|source| TlsError::ReadKey {
        path: key.to_path_buf(),
        source,
    })?;
    let private_key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::NoKey {
        path: key.to_path_buf(),
        detail: e.to_string(),
    })?;
    let unusable = |detail: String| TlsError::Unusable {
        certificate: certificate.to_path_buf(),
        key: key.to_path_buf(),
        detail,
    };
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unusable(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|e| unusable(e.to_string()))?;
    // axum serves HTTP/1.1 only (no http2 feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The address of the other end of a connection: the client, or a proxy in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// Connections that have completed a TLS handshake. Dropping it stops the accept loop.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = sender.closed() => break,
                    accepted = tcp.accept() => accepted,
                };
                let (stream, peer) = match accepted {
                    Ok(connection) => connection,
                    Err(e) => {
                        // As axum's own listener: a connection that died before it was accepted
                        // is nothing; anything else (out of file descriptors) calls for a pause.
                        if !matches!(
                            e.kind(),
                            std::io::ErrorKind::ConnectionRefused
                                | std::io::ErrorKind::ConnectionAborted
                                | std::io::ErrorKind::ConnectionReset
                        ) {
                            tracing::error!(error = %e, "accepting a connection failed");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            // The server is shutting down when nobody receives: nothing to do.
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { ready, local })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop only ends once this listener is dropped, so this is not reached;
            // waiting forever is the honest answer if it ever were.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

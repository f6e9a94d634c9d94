//! Central reaches PostgreSQL over TLS when the URL asks for it (sqlx built with rustls):
//! under `PG_SSL=1 scripts/with-postgres.sh`, which serves TLS with a throw-away certificate and
//! names it in CENTRAL_TEST_PG_SSL_ROOT. Elsewhere (SQLite, or a server without TLS) there is no
//! TLS server to try, and the test says so and passes.

use sqlx::Connection;

fn tls_server() -> Option<(String, String)> {
    let url = std::env::var("CENTRAL_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let root = std::env::var("CENTRAL_TEST_PG_SSL_ROOT")
        .ok()
        .filter(|r| !r.is_empty())?;
    Some((url, root))
}

/// Whether the connection `url` opens is encrypted, as the server sees it.
async fn encrypted(url: &str) -> bool {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let (ssl,): (bool,) = sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    ssl
}

#[tokio::test]
async fn central_reaches_postgresql_over_tls_when_the_url_asks_and_checks_the_root() {
    let Some((url, root)) = tls_server() else {
        eprintln!("no PostgreSQL with TLS here (PG_SSL=1 scripts/with-postgres.sh): nothing to try");
        return;
    };
    for options in [
        "sslmode=require".to_string(),
        format!("sslmode=verify-full&sslrootcert={root}"),
    ] {
        let url = format!("{url}?{options}");
        let store = central::store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{options}: {e}"));
        store.ping().await.unwrap();
        store.close().await;
        assert!(encrypted(&url).await, "{options}: connected in clear");
    }
    // Checked against a root that did not sign the server's certificate: refused.
    let dir = tempfile::tempdir().unwrap();
    let other_root = dir.path().join("other-root.crt");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&other_root, params.self_signed(&key).unwrap().pem()).unwrap();
    let refused = central::store::open(&format!(
        "{url}?sslmode=verify-full&sslrootcert={}",
        other_root.display()
    ))
    .await;
    let Err(e) = refused else {
        panic!("connected although the server's certificate is not from the root given");
    };
    assert!(e.to_string().contains("cannot connect"), "{e}");
}

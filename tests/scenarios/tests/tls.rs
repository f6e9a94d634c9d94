//! Central serving HTTPS itself (`visit-central serve --tls-cert --tls-key`) and a kiosk
//! (`kioskctl --ca-bundle`) that trusts only a prison's own certificate authority: certificates
//! made in the test by a throw-away CA.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use scenarios::Central;
use scenarios::Kiosk;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A certificate authority made for one test.
struct Authority {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl Authority {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("{name} test CA"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names` (DNS names, or IP addresses), and its key, as PEM.
    fn server(&self, names: &[&str]) -> (String, String) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*n).try_into().unwrap()),
            })
            .collect();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

/// Writes a server certificate and key from `ca` for `names`: the paths of both.
fn server_files(dir: &Path, ca: &Authority, names: &[&str], stem: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = ca.server(names);
    let (cert_path, key_path) = (dir.join(format!("{stem}.crt")), dir.join(format!("{stem}.key")));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    (cert_path, key_path)
}

fn https(central: &Central) -> String {
    assert_eq!(central.addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    format!("https://{}", central.addr)
}

async fn enrol(kiosk: &Kiosk, central: &Central, bundle: &Path) -> scenarios::Run {
    let code = central.enrolment_code("CDF").await;
    let bundle = bundle.to_str().unwrap();
    kiosk
        .run(
            Some(&https(central)),
            &["--ca-bundle", bundle, "enrol", "--code", &code],
            None,
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_enrols_and_syncs_over_tls_trusting_only_the_prisons_own_ca() {
    let dir = TempDir::new().unwrap();
    let prison_ca = Authority::new("prison");
    let bundle = prison_ca.write(dir.path(), "prison-ca.pem");
    let (cert, key) = server_files(dir.path(), &prison_ca, &["127.0.0.1"], "central");
    let central = Central::with_demo_serving(dir.path(), &tls_args(&cert, &key)).await;

    let kiosk = Kiosk {
        name: "tls",
        db: dir.path().join("tls.sqlite"),
    };
    let r = enrol(&kiosk, &central, &bundle).await;
    assert_eq!(r.code, 0, "enrol over TLS: {} {}", r.json, r.stderr);
    assert_eq!(r.json["status"], "enrolled");
    assert!(r.json["sync"]["pulled_prisoners"].as_u64().unwrap() > 50);
    // Later rounds go to the address stored at enrolment, through the same bundle.
    let r = kiosk
        .run(None, &["--ca-bundle", bundle.to_str().unwrap(), "sync"], None)
        .await;
    assert_eq!(r.code, 0, "sync over TLS: {} {}", r.json, r.stderr);

    // Without the bundle the system's roots do not know the prison's CA: refused.
    let r = kiosk.run(None, &["sync"], None).await;
    assert_ne!(r.code, 0, "synced without the prison's CA: {}", r.json);
    assert_eq!(r.json["error"]["code"], "central_unreachable", "{}", r.json);

    // Plain HTTP to the TLS port is not answered as HTTP.
    let plain = format!("http://{}", central.addr);
    let r = kiosk.run(Some(&plain), &["sync"], None).await;
    assert_ne!(r.code, 0, "plain HTTP to the TLS port: {}", r.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_refuses_a_certificate_from_another_ca_or_for_another_name() {
    let dir = TempDir::new().unwrap();
    let prison_ca = Authority::new("prison");
    let bundle = prison_ca.write(dir.path(), "prison-ca.pem");
    let kiosk = Kiosk {
        name: "wary",
        db: dir.path().join("wary.sqlite"),
    };

    // Central's certificate is for the right address, but from another CA.
    let other_ca = Authority::new("other");
    let (cert, key) = server_files(dir.path(), &other_ca, &["127.0.0.1"], "impostor");
    let central = Central::with_demo_serving(dir.path(), &tls_args(&cert, &key)).await;
    let r = enrol(&kiosk, &central, &bundle).await;
    assert_ne!(r.code, 0, "enrolled with a certificate of another CA: {}", r.json);
    assert_eq!(r.json["error"]["code"], "central_unreachable", "{}", r.json);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("certificate"),
        "{}",
        r.json
    );
    assert_eq!(kiosk.status().await["enrolled"], false);
    drop(central);

    // From the prison's CA, but for another name than the address the kiosk was given.
    let dir2 = TempDir::new().unwrap();
    let (cert, key) = server_files(dir2.path(), &prison_ca, &["central.visits.example"], "elsewhere");
    let central = Central::with_demo_serving(dir2.path(), &tls_args(&cert, &key)).await;
    let r = enrol(&kiosk, &central, &bundle).await;
    assert_ne!(
        r.code, 0,
        "enrolled with a certificate for another name: {}",
        r.json
    );
    assert_eq!(r.json["error"]["code"], "central_unreachable", "{}", r.json);
    assert_eq!(kiosk.status().await["enrolled"], false);
}

#[tokio::test]
async fn a_bad_ca_bundle_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let kiosk = Kiosk {
        name: "bundle",
        db: dir.path().join("bundle.sqlite"),
    };
    let url = Some("https://127.0.0.1:9");
    let missing = dir.path().join("missing.pem");
    let r = kiosk
        .run(url, &["--ca-bundle", missing.to_str().unwrap(), "sync"], None)
        .await;
    assert_eq!(
        r.json["error"]["code"], "ca_bundle_unreadable",
        "{} {}",
        r.json, r.stderr
    );
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.pem"),
        "{}",
        r.json
    );

    // A file of no certificates (a key by mistake), and a damaged certificate.
    let (_, key) = Authority::new("x").server(&["127.0.0.1"]);
    let key_only = dir.path().join("key-only.pem");
    std::fs::write(&key_only, key).unwrap();
    let damaged = dir.path().join("damaged.pem");
    std::fs::write(
        &damaged,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for bad in [key_only, damaged] {
        let r = kiosk
            .run(url, &["--ca-bundle", bad.to_str().unwrap(), "sync"], None)
            .await;
        assert_eq!(
            r.json["error"]["code"], "ca_bundle_invalid",
            "{} {}",
            r.json, r.stderr
        );
        let name = bad.file_name().unwrap().to_str().unwrap();
        assert!(
            r.json["error"]["message"].as_str().unwrap().contains(name),
            "{}",
            r.json
        );
    }
}

#[tokio::test]
async fn central_does_not_start_with_a_missing_or_bad_certificate_or_key() {
    let dir = TempDir::new().unwrap();
    let ca = Authority::new("prison");
    let (cert, key) = server_files(dir.path(), &ca, &["127.0.0.1"], "central");
    let (_, other_key) = server_files(dir.path(), &ca, &["127.0.0.1"], "other");
    let missing = dir.path().join("missing.crt");
    let garbage = dir.path().join("garbage.crt");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let db = dir.path().join("central.sqlite");
    for (cert, key, named) in [
        (&missing, &key, "missing.crt"),
        (&garbage, &key, "garbage.crt"),
        (&cert, &cert, "central.crt"),
        (&cert, &other_key, "other.key"),
    ] {
        let out = Central::serve_failure(&db, &tls_args(cert, key)).await;
        assert!(out.contains(named), "{named}: {out}");
    }
    // Started as central never was: no database made either.
    assert!(!db.exists());
}

fn tls_args(cert: &Path, key: &Path) -> Vec<String> {
    vec![
        "--tls-cert".into(),
        cert.display().to_string(),
        "--tls-key".into(),
        key.display().to_string(),
    ]
}

//! Sync scenarios with the real central service (`visit-central serve` on a loopback port, a
//! temporary SQLite database) and several kiosks as real `kioskctl` processes, each with its own
//! store file, with the network between them cut, delayed and duplicated and processes killed.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl` (or set
//! VISIT_CENTRAL_BIN and VISIT_KIOSKCTL to them).

use scenarios::{
    Bookable, Central, DEAD, Fault, Kiosk, Proxy, Run, bookable_prisoners, central_counts, open_capacity,
    request,
};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;

/// What a kiosk told the visitor about one booking attempt.
struct Told {
    kiosk: usize,
    prisoner: String,
    session: String,
    /// The reference on the slip, when the kiosk booked it (online, confirmed or requested).
    reference: Option<String>,
    status: String,
}

fn told(kiosk: usize, p: &Bookable, session: &str, r: &Run) -> Told {
    Told {
        kiosk,
        prisoner: p.0.clone(),
        session: session.to_string(),
        reference: r.json["reference"].as_str().map(String::from),
        status: r.json["status"].as_str().unwrap_or("error").to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_and_central_survive_cuts_delays_duplicates_kills_and_restarts() {
    let dir = TempDir::new().unwrap();
    let mut central = Central::with_demo(dir.path()).await;
    let central_db = dir.path().join("central.sqlite");
    let proxy = Proxy::start(central.addr).await;

    // Three kiosks, each holding five open tables per session in escrow.
    let kiosks = Kiosk::fleet(dir.path(), &["k1", "k2", "k3"]);
    for k in &kiosks {
        let r = k.enrol(&central, &proxy.url(), 5).await;
        assert_eq!(r.json["status"], "enrolled");
        assert!(
            r.json["sync"]["pulled_prisoners"].as_u64().unwrap() > 50,
            "a fresh kiosk gets everything"
        );
        assert_eq!(k.status().await["enrolled"], true);
    }

    // A Saturday at least a week out, so the shares are well before their cut-off.
    let am = kiosks[0].saturday_morning_a_week_out().await;
    let date = am[11..].to_string();
    let pm = format!("CDF-SAT-PM/{date}");
    let people = bookable_prisoners();
    assert!(people.len() >= 20);
    let mut log: Vec<Told> = Vec::new();
    let mut next = 0;
    let mut person = || {
        next += 1;
        people[next - 1].clone()
    };

    // 1. Online: central's free tables (20 less 15 in escrow) go first; then kiosk 1 confirms
    //    against its own share.
    for i in 0..7 {
        let p = person();
        let r = kiosks[0].book(None, &request(&p, &am)).await;
        assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
        assert_eq!(r.json["status"], "booked");
        assert_eq!(
            r.json["via"],
            if i < 5 { "online" } else { "offline" },
            "booking {i}"
        );
        log.push(told(0, &p, &am, &r));
    }

    // 2. Offline, central unreachable: kiosk 2 confirms five against its share, then can only
    //    record a request; kiosk 3 confirms one.
    for i in 0..6 {
        let p = person();
        let r = kiosks[1].book(Some(DEAD), &request(&p, &am)).await;
        assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
        assert_eq!(r.json["via"], "offline");
        assert_eq!(r.json["status"], if i < 5 { "booked" } else { "requested" });
        log.push(told(1, &p, &am, &r));
    }
    let p = person();
    let r = kiosks[2].book(Some(DEAD), &request(&p, &am)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(2, &p, &am, &r));
    assert_eq!(kiosks[1].status().await["queue_length"], 6);

    // 3. Reconnection: the confirmed ones are accepted; the request finds the session full.
    let report = kiosks[1].sync_ok().await;
    assert_eq!(report["report"]["accepted"], 5, "{report}");
    assert_eq!(report["report"]["rejected"], 1, "{report}");
    let requested = log[12].reference.clone().unwrap();
    let local = kiosks[1].local(&requested).await;
    assert_eq!(local["status"], "rejected");
    assert_eq!(local["status_reason"], "slot_unavailable");
    kiosks[2].sync_ok().await;
    kiosks[0].sync_ok().await;

    // 4. The network fails in the middle of a push. Kiosk 1 books offline, then its push
    //    reaches central but the answer is cut; then every request arrives twice; then late.
    let p = person();
    let r = kiosks[0].book(Some(DEAD), &request(&p, &am)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(0, &p, &am, &r));
    proxy.set(Fault::CutAnswer);
    let cut = kiosks[0].sync().await;
    assert_eq!(cut.code, 4, "a cut push is an error: {}", cut.json);
    assert_eq!(
        kiosks[0].status().await["queue_length"],
        1,
        "not answered, so not marked pushed"
    );
    let slip = log.last().unwrap().reference.clone().unwrap();
    let applied = central.bookings("CDF", &date).await;
    assert!(
        applied
            .iter()
            .any(|b| b["reference"] == slip && b["status"] == "booked"),
        "central applied the cut push"
    );
    proxy.set(Fault::Duplicate);
    kiosks[0].sync_ok().await;
    proxy.set(Fault::Delay(300));
    kiosks[0].sync_ok().await;
    assert_eq!(kiosks[0].status().await["queue_length"], 0);

    // An online booking whose answer is lost: central booked it, the kiosk booked it on its own
    // share instead; at the next sync central's copy is cancelled and the kiosk's kept.
    proxy.set(Fault::CutAnswer);
    let p = person();
    let r = kiosks[2].book(None, &request(&p, &pm)).await;
    assert_eq!(r.json["via"], "offline", "{} {}", r.json, r.stderr);
    assert_eq!(r.json["status"], "booked");
    log.push(told(2, &p, &pm, &r));
    assert_eq!(kiosks[2].status().await["unsettled_online_attempts"], 1);
    proxy.set(Fault::Pass);
    let report = kiosks[2].sync_ok().await;
    assert_eq!(report["report"]["settled_online_attempts"], 1, "{report}");

    // 5. A kiosk killed in the middle of a sync.
    let p = person();
    let r = kiosks[1].book(Some(DEAD), &request(&p, &pm)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(1, &p, &pm, &r));
    proxy.set(Fault::Delay(1000));
    let mut syncing = kiosks[1].command(None, &["sync"]).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    syncing.kill().await.unwrap();
    proxy.set(Fault::Pass);
    kiosks[1].sync_ok().await;

    // A kiosk killed in the middle of an online booking, after its request left: central booked
    // it, the kiosk never heard. The stored key settles it at a sync once the attempt is stale
    // (a minute: `--now` stands in for waiting), and the kiosk records central's booking.
    let p = person();
    proxy.set(Fault::Delay(3000));
    let mut booking = kiosks[1].command(None, &["book"]).spawn().unwrap();
    let mut stdin = booking.stdin.take().unwrap();
    stdin
        .write_all(request(&p, &pm).to_string().as_bytes())
        .await
        .unwrap();
    drop(stdin);
    // Kill it once its key is on disk and its request is on the way (held by the proxy).
    let mut waited = 0;
    while kiosks[1].status().await["unsettled_online_attempts"] != 1 {
        waited += 1;
        assert!(waited < 100, "the booking never stored its key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    booking.kill().await.unwrap();
    proxy.set(Fault::Pass);
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(kiosks[1].status().await["unsettled_online_attempts"], 1);
    let later = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    let r = kiosks[1].run(None, &["--now", &later, "sync"], None).await;
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    assert_eq!(r.json["report"]["settled_online_attempts"], 1);
    let rows = central.bookings("CDF", &date).await;
    let adopted: Vec<_> = rows.iter().filter(|b| b["prisoner_number"] == p.0).collect();
    assert_eq!(adopted.len(), 1, "{adopted:?}");
    assert_eq!(adopted[0]["status"], "booked");
    assert_eq!(
        kiosks[1].local(&adopted[0]["reference"]).await["status"],
        "booked"
    );
    log.push(Told {
        kiosk: 1,
        prisoner: p.0.clone(),
        session: pm.clone(),
        reference: Some(adopted[0]["reference"].clone()),
        status: "booked".into(),
    });

    // 6. Central killed and restarted: a booking meanwhile goes offline (its request may or
    //    may not have reached central, as far as the kiosk can tell).
    central.kill().await;
    let p = person();
    let r = kiosks[0].book(None, &request(&p, &pm)).await;
    assert_eq!(r.json["via"], "offline", "{} {}", r.json, r.stderr);
    log.push(told(0, &p, &pm, &r));
    assert_eq!(kiosks[0].sync().await.code, 4);
    assert!(kiosks[0].status().await["last_error"].is_string());
    central = Central::start(&central_db).await;
    proxy.point_at(central.addr);
    for _ in 0..2 {
        for k in &kiosks {
            k.sync_ok().await;
        }
    }

    // Afterwards: nothing queued anywhere, nothing lost, nothing counted twice, no session over.
    for k in &kiosks {
        let s = k.status().await;
        assert_eq!(s["queue_length"], 0, "{} {s}", k.name);
        assert_eq!(s["unsettled_online_attempts"], 0, "{} {s}", k.name);
        assert_eq!(s["requests_waiting"], 0, "{} {s}", k.name);
        assert!(s["last_error"].is_null(), "{} {s}", k.name);
        assert!(s["last_success"].is_string());
    }
    let rows = central.bookings("CDF", &date).await;
    let references: Vec<&String> = rows.iter().map(|r| &r["reference"]).collect();
    let unique: HashSet<&&String> = references.iter().collect();
    assert_eq!(unique.len(), references.len(), "a reference twice at central");
    let live: Vec<&HashMap<String, String>> = rows.iter().filter(|r| r["status"] == "booked").collect();
    for session in [&am, &pm] {
        let template = &session[..session.find('/').unwrap()];
        let booked = live
            .iter()
            .filter(|r| &r["session"] == session && r["kind"] == "open")
            .count();
        assert!(booked <= open_capacity(template), "{session}: {booked} booked");
    }
    for t in &log {
        let at_central: Vec<_> = live
            .iter()
            .filter(|r| r["prisoner_number"] == t.prisoner && r["session"] == t.session)
            .collect();
        assert!(
            at_central.len() <= 1,
            "{} counted twice: {at_central:?}",
            t.prisoner
        );
        let Some(reference) = &t.reference else {
            panic!("kiosk {} gave no reference for {}", t.kiosk, t.prisoner)
        };
        let local = kiosks[t.kiosk].local(reference).await;
        match local["status"].as_str().unwrap() {
            // Every visit the kiosk now calls booked is booked at central under the same reference.
            "booked" => assert_eq!(
                at_central.first().map(|r| r["reference"].as_str()),
                Some(reference.as_str()),
                "{} told {}, local {local}",
                t.prisoner,
                t.status
            ),
            // A refused request is refused at central too, and holds no table.
            "rejected" => {
                assert_eq!(t.status, "requested", "only requests may be refused later");
                assert!(at_central.is_empty());
            }
            other => panic!("{} left {other}", t.prisoner),
        }
    }
    // The two online bookings whose answers were lost were cancelled at central in favour of
    // the kiosk's own (the one on the visitor's slip).
    let superseded: Vec<_> = rows
        .iter()
        .filter(|r| r["status_reason"] == "superseded_by_kiosk_booking")
        .collect();
    assert_eq!(superseded.len(), 2, "{superseded:?}");
    assert!(
        superseded
            .iter()
            .all(|r| r["status"] == "cancelled" && r["channel"] == "online")
    );
    // Every confirmed slip holds: a visit told "booked" is still booked.
    for t in log.iter().filter(|t| t.status == "booked") {
        let local = kiosks[t.kiosk].local(t.reference.as_deref().unwrap()).await;
        assert_eq!(
            local["status"], "booked",
            "{} was confirmed, now {local}",
            t.prisoner
        );
    }
    // Central's own count and the shares together stay within capacity, as the kiosks see it.
    let conn = central_counts(&kiosks[0].db, &am).await;
    assert!(
        conn.0 + conn.1 <= open_capacity("CDF-SAT-AM") as i64,
        "booked {} + escrowed {}",
        conn.0,
        conn.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_booking_at_once_online_and_offline_never_overbook() {
    let dir = TempDir::new().unwrap();
    let central = Central::with_demo(dir.path()).await;
    let kiosks = Kiosk::fleet(dir.path(), &["k1", "k2", "k3"]);
    for k in &kiosks {
        k.enrol(&central, &central.url(), 4).await;
    }
    let am = kiosks[0].saturday_morning_a_week_out().await;
    let date = am[11..].to_string();
    let capacity = open_capacity("CDF-SAT-AM");

    // 27 visitors for 20 tables, nine at each kiosk at once: kiosk 1 online, kiosk 2 offline,
    // kiosk 3 online and offline by turns.
    let people = bookable_prisoners();
    let runs: Vec<_> = kiosks
        .iter()
        .cloned()
        .enumerate()
        .map(|(n, k)| {
            let people: Vec<_> = people[n * 9..n * 9 + 9].to_vec();
            let am = am.clone();
            tokio::spawn(async move {
                let mut told = Vec::new();
                for (i, p) in people.iter().enumerate() {
                    let central = match (n, i % 2) {
                        (0, _) | (2, 0) => None,
                        _ => Some(DEAD),
                    };
                    let r = k.book(central, &request(p, &am)).await;
                    told.push((
                        n,
                        p.0.clone(),
                        r.json["status"].as_str().unwrap_or("").to_string(),
                        r.json,
                    ));
                }
                told
            })
        })
        .collect();
    let mut told = Vec::new();
    for run in runs {
        told.extend(run.await.expect("a kiosk's bookings ran to the end"));
    }
    for _ in 0..2 {
        for k in &kiosks {
            k.sync_ok().await;
        }
    }

    let rows = central.bookings("CDF", &date).await;
    let booked: Vec<_> = rows
        .iter()
        .filter(|r| r["session"] == am && r["status"] == "booked")
        .collect();
    assert!(
        booked.len() <= capacity,
        "{} booked for {capacity} tables",
        booked.len()
    );
    // Every visitor told "booked" (online, or confirmed against a share) keeps the visit; the
    // ones told "requested" got a definite answer; the ones refused hold nothing.
    for (n, prisoner, status, answer) in &told {
        let at_central: Vec<_> = booked
            .iter()
            .filter(|r| &r["prisoner_number"] == prisoner)
            .collect();
        assert!(at_central.len() <= 1, "{prisoner} counted twice");
        match status.as_str() {
            "booked" => {
                let reference = answer["reference"].as_str().unwrap();
                assert_eq!(
                    at_central.first().map(|r| r["reference"].as_str()),
                    Some(reference),
                    "{answer}"
                );
            }
            "requested" => {
                let local = kiosks[*n].local(answer["reference"].as_str().unwrap()).await;
                let now = local["status"].as_str().unwrap();
                assert!(now == "booked" || now == "rejected", "{prisoner}: {local}");
                assert_eq!(now == "booked", at_central.len() == 1);
            }
            _ => {
                assert_eq!(answer["error"]["code"], "session_full", "{answer}");
                assert!(at_central.is_empty());
            }
        }
    }
    let told_booked = told.iter().filter(|t| t.2 == "booked").count();
    assert!(told_booked <= capacity);
    for k in &kiosks {
        let s = k.status().await;
        assert_eq!(s["queue_length"], 0, "{} {s}", k.name);
        assert_eq!(s["requests_waiting"], 0, "{} {s}", k.name);
    }
    let (b, e) = central_counts(&kiosks[0].db, &am).await;
    let summary: Vec<&str> = told.iter().map(|t| t.2.as_str()).collect();
    eprintln!("told: {summary:?}; central: {b} booked, {e} still in shares");
    assert_eq!(b as usize, booked.len());
    // More visitors than tables: every table ends booked or still held in a share, none over.
    assert_eq!(b + e, capacity as i64, "booked {b} + escrowed {e}");
}

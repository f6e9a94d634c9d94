//! The watchdog's messages on a real notification socket, as systemd receives them: `READY=1`,
//! then `WATCHDOG=1` while the "main loop" (a thread running posted closures) answers, and no
//! more once it hangs.
//!
//! One test in this file: it sets `NOTIFY_SOCKET` for the whole process.

use kiosk::watchdog::{FeedEvery, notify_ready, spawn_feeder};
use std::os::unix::net::UnixDatagram;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn receive(socket: &UnixDatagram, within: Duration) -> Option<String> {
    socket.set_read_timeout(Some(within)).ok()?;
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[test]
fn ready_then_fed_while_the_main_loop_answers_and_not_after_it_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&path).unwrap();
    // SAFETY: set before any other thread of this test binary reads the environment (one test).
    unsafe {
        std::env::set_var("NOTIFY_SOCKET", &path);
        std::env::set_var("WATCHDOG_USEC", "200000");
        std::env::set_var("WATCHDOG_PID", std::process::id().to_string());
    }
    let every = FeedEvery::from_process_env().expect("a watchdog is configured");
    assert_eq!(every.interval(), Duration::from_millis(100));

    notify_ready().unwrap();
    assert_eq!(
        receive(&socket, Duration::from_secs(2)).as_deref(),
        Some("READY=1\n")
    );

    // The main loop: runs what is posted until told to hang.
    let (post, posted) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let (hang, hung) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        while let Ok(job) = posted.recv() {
            if hung.try_recv().is_ok() {
                // Hung: holds the job and never runs another.
                std::thread::sleep(Duration::from_secs(3600));
            }
            job();
        }
    });
    spawn_feeder(every, move |job| post.send(job).is_ok()).unwrap();

    for _ in 0..3 {
        assert_eq!(
            receive(&socket, Duration::from_secs(2)).as_deref(),
            Some("WATCHDOG=1\n")
        );
    }
    hang.send(()).unwrap();
    // At most the feed already decided before the hang arrives, then silence.
    let hung_at = Instant::now();
    let mut late_feeds = 0;
    while let Some(message) = receive(&socket, Duration::from_millis(600)) {
        assert_eq!(message, "WATCHDOG=1\n");
        late_feeds += 1;
        assert!(
            hung_at.elapsed() < Duration::from_secs(2),
            "still fed after the main loop hung"
        );
    }
    assert!(late_feeds <= 2, "{late_feeds} feeds after the hang");
}

//! A small HTTP proxy between the kiosks and central that can delay requests, deliver them
//! twice, or let central apply a request and then cut the connection before its answer
//! reaches the kiosk. One request per connection.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Hold each request this long before passing it on.
    Delay(u64),
    /// Central gets and applies the request; the kiosk never gets the answer.
    CutAnswer,
    /// Central gets every request twice; the kiosk gets the second answer.
    Duplicate,
}

#[derive(Clone)]
pub struct Proxy {
    addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    upstream: Arc<Mutex<SocketAddr>>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            fault: Arc::new(Mutex::new(Fault::Pass)),
            upstream: Arc::new(Mutex::new(upstream)),
        };
        let shared = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let p = shared.clone();
                tokio::spawn(async move {
                    let _ = p.handle(client).await;
                });
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    pub fn point_at(&self, upstream: SocketAddr) {
        *self.upstream.lock().unwrap() = upstream;
    }

    /// One request per connection: the proxy asks central to close after answering.
    pub async fn handle(&self, mut client: TcpStream) -> std::io::Result<()> {
        let request = read_request(&mut client).await?;
        let fault = *self.fault.lock().unwrap();
        let upstream = *self.upstream.lock().unwrap();
        if let Fault::Delay(ms) = fault {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        // Central down: the kiosk sees its connection closed after sending.
        let answer = forward(upstream, &request).await?;
        match fault {
            Fault::Pass | Fault::Delay(_) => client.write_all(&answer).await?,
            Fault::CutAnswer => {}
            Fault::Duplicate => {
                let again = forward(upstream, &request).await?;
                client.write_all(&again).await?;
            }
        }
        client.shutdown().await
    }
}

pub async fn read_request(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // Ask central to close after answering, so one connection carries one request.
    let mut request = buf[..head_end - 2].to_vec();
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(&buf[head_end..]);
    Ok(request)
}

pub async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

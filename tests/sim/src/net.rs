//! The simulated network between the kiosks and central. A kiosk's request waits here until
//! the scheduler delivers it to central, loses it, or delivers it twice; central's answer then
//! waits until the scheduler hands it back or loses it. Nothing moves on its own, so the
//! scheduler's seed decides every interleaving.

use async_trait::async_trait;
use axum::Router;
use kiosk::sync::{Answer, Exchange, Lost, Method, Transport};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{oneshot, watch};
use tower::ServiceExt;

/// Where a message is on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Sent by the kiosk, not yet at central.
    Request,
    /// Central has answered; the answer is on its way back.
    Answer(u16, String),
}

pub struct Message {
    pub id: u64,
    pub kiosk: usize,
    pub exchange: Exchange,
    pub stage: Stage,
    reply: oneshot::Sender<Answer>,
}

impl Message {
    pub fn describe(&self) -> String {
        let route = self.exchange.path.split('?').next().unwrap_or_default();
        match &self.stage {
            Stage::Request => format!("#{} k{} request {route}", self.id, self.kiosk),
            Stage::Answer(status, _) => format!("#{} k{} answer {status} to {route}", self.id, self.kiosk),
        }
    }
}

/// What the kiosks' tasks and the scheduler share.
pub struct Network {
    messages: Mutex<Vec<Message>>,
    next_id: Mutex<u64>,
    /// Kiosk tasks that are running, not waiting for the network. The scheduler acts only
    /// when this is zero, so only one task ever runs between two of its steps.
    busy: watch::Sender<usize>,
    /// Kiosks whose network is down: their requests fail at once, never sent.
    offline: Mutex<Vec<bool>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Network {
    pub fn new(kiosks: usize) -> Arc<Self> {
        Arc::new(Self {
            messages: Mutex::new(Vec::new()),
            next_id: Mutex::new(0),
            busy: watch::channel(0).0,
            offline: Mutex::new(vec![false; kiosks]),
        })
    }

    pub fn task_started(&self) {
        self.busy.send_modify(|b| *b += 1);
    }

    pub fn task_stopped(&self) {
        self.busy.send_modify(|b| *b = b.saturating_sub(1));
    }

    /// Waits until every kiosk task has finished or is waiting for the network.
    pub async fn settled(&self, limit: std::time::Duration) -> Result<(), String> {
        let mut rx = self.busy.subscribe();
        match tokio::time::timeout(limit, rx.wait_for(|b| *b == 0)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err("the network's task counter closed".into()),
            Err(_) => Err(format!(
                "{} kiosk task(s) still running after {limit:?}: a task waits on something other than the network",
                *self.busy.borrow()
            )),
        }
    }

    pub fn set_offline(&self, kiosk: usize, offline: bool) {
        if let Some(flag) = lock(&self.offline).get_mut(kiosk) {
            *flag = offline;
        }
    }

    pub fn is_offline(&self, kiosk: usize) -> bool {
        lock(&self.offline).get(kiosk).copied().unwrap_or(false)
    }

    /// The messages in flight, oldest first, described for the trace.
    pub fn in_flight(&self) -> Vec<(u64, usize, bool)> {
        lock(&self.messages)
            .iter()
            .map(|m| (m.id, m.kiosk, matches!(m.stage, Stage::Request)))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        lock(&self.messages).is_empty()
    }

    pub fn describe(&self, id: u64) -> String {
        lock(&self.messages)
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| format!("#{id} (gone)"), Message::describe)
    }

    fn take(&self, id: u64) -> Option<Message> {
        let mut messages = lock(&self.messages);
        let at = messages.iter().position(|m| m.id == id)?;
        Some(messages.remove(at))
    }

    /// Hands a request to central and keeps the answer in flight. With `again`, central sees a
    /// copy now (a duplicate on the wire) whose answer goes nowhere, and the request itself stays
    /// in flight to arrive later.
    pub async fn deliver_request(&self, id: u64, central: &Router, again: bool) {
        let exchange = {
            let messages = lock(&self.messages);
            let Some(m) = messages.iter().find(|m| m.id == id && m.stage == Stage::Request) else {
                return;
            };
            m.exchange.clone()
        };
        let (status, body) = call_central(central, &exchange).await;
        if again {
            return;
        }
        if let Some(m) = lock(&self.messages).iter_mut().find(|m| m.id == id) {
            m.stage = Stage::Answer(status, body);
        }
    }

    fn fresh_id(&self) -> u64 {
        let mut next = lock(&self.next_id);
        *next += 1;
        *next
    }

    /// Gives the kiosk its answer: central's, or `Lost` when the message is dropped (a
    /// request that never arrived looks the same to the kiosk as an answer that never came).
    pub fn answer(&self, id: u64, drop: bool) {
        let Some(m) = self.take(id) else {
            return;
        };
        let answer = match (&m.stage, drop) {
            (_, true) => Err(Lost {
                sent: true,
                message: "simulated: no answer".into(),
            }),
            (Stage::Request, false) => return,
            // What the HTTP transport does with these: central may have acted on them.
            (Stage::Answer(status, _), false) if *status >= 500 || *status == 408 => Err(Lost {
                sent: true,
                message: format!("central answered {status}"),
            }),
            (Stage::Answer(status, body), false) => Ok((*status, body.clone())),
        };
        // The task wakes to handle the answer: it is busy until it waits again or ends. A
        // task that crashed meanwhile has gone, and nobody is woken.
        self.task_started();
        if m.reply.send(answer).is_err() {
            self.task_stopped();
        }
    }

    /// Drops every message (a crash of the kiosks that sent them is handled by their tasks).
    pub fn forget_kiosk(&self, kiosk: usize) {
        lock(&self.messages).retain(|m| m.kiosk != kiosk || matches!(m.stage, Stage::Request));
    }
}

/// Calls central's router as the HTTP server would.
pub async fn call_central(central: &Router, e: &Exchange) -> (u16, String) {
    let mut builder = axum::http::Request::builder()
        .method(match e.method {
            Method::Get => "GET",
            Method::Post => "POST",
        })
        .uri(&e.path);
    if let Some(token) = &e.token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    if let Some(key) = &e.idempotency_key {
        builder = builder.header("idempotency-key", key);
    }
    if e.body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let request = match builder.body(axum::body::Body::from(e.body.clone().unwrap_or_default())) {
        Ok(r) => r,
        Err(err) => return (400, format!("simulated request could not be built: {err}")),
    };
    let response = match central.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    (status, body)
}

/// One kiosk's end of the simulated network.
pub struct SimTransport {
    pub kiosk: usize,
    pub network: Arc<Network>,
}

#[async_trait]
impl Transport for SimTransport {
    async fn exchange(&self, exchange: Exchange) -> Answer {
        if self.network.is_offline(self.kiosk) {
            return Err(Lost {
                sent: false,
                message: "simulated: network down".into(),
            });
        }
        let (reply, answer) = oneshot::channel();
        let id = self.network.fresh_id();
        lock(&self.network.messages).push(Message {
            id,
            kiosk: self.kiosk,
            exchange,
            stage: Stage::Request,
            reply,
        });
        self.network.task_stopped();
        answer.await.unwrap_or_else(|_| {
            // The scheduler never drops a sender without an answer unless the kiosk crashed,
            // and then nobody reads this.
            self.network.task_started();
            Err(Lost {
                sent: true,
                message: "simulated: connection gone".into(),
            })
        })
    }
}

/// Central with no network between: for setting the world up.
pub struct DirectTransport {
    pub central: Arc<Mutex<Router>>,
}

#[async_trait]
impl Transport for DirectTransport {
    async fn exchange(&self, exchange: Exchange) -> Answer {
        let router = lock(&self.central).clone();
        let (status, body) = call_central(&router, &exchange).await;
        if status >= 500 {
            return Err(Lost {
                sent: true,
                message: format!("central answered {status}"),
            });
        }
        Ok((status, body))
    }
}

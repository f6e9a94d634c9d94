//! The supervisor's kiosk settings: which CUPS queue the slips print on and on what paper, and
//! enrolling a kiosk that works alone with central. Each change is audited.

use super::staff::Done;
use super::{Journey, StaffToken, UiError, UiErrors, UiResult};
use crate::printing::{self, PrinterConfig, QueueName};
use crate::slip::Paper;
use crate::sync::SyncClient;
use chrono::{DateTime, Utc};
use domain::Permission;
use protocol::AuditAction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KioskSettings {
    /// The queue slips print on, and its paper; absent when none is set.
    #[ts(optional)]
    pub queue: Option<String>,
    #[ts(optional, type = "\"receipt\" | \"a4\"")]
    pub paper: Option<Paper>,
    /// The CUPS queues on this machine; empty when CUPS cannot be asked (`queues_error` says why).
    pub queues: Vec<String>,
    #[ts(optional)]
    pub queues_error: Option<String>,
    pub enrolled: bool,
    #[ts(optional)]
    pub central_url: Option<String>,
    #[ts(optional)]
    pub kiosk_id: Option<String>,
    pub prisons: Vec<String>,
}

/// `staff_set_printer`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrinterRequest {
    pub token: String,
    pub queue: String,
    #[ts(type = "\"receipt\" | \"a4\"")]
    pub paper: Paper,
}

/// `staff_enrol`: central's address and the one-time enrolment code its operator gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub token: String,
    pub central_url: String,
    pub code: String,
}

fn on(field: &str, code: &str) -> UiErrors {
    UiErrors {
        errors: vec![UiError {
            code: code.to_string(),
            field: Some(field.to_string()),
            params: BTreeMap::new(),
        }],
    }
}

impl Journey {
    async fn settings(&self) -> UiResult<KioskSettings> {
        let printer = printing::printer_config(&self.store).await?;
        let (queues, queues_error) = match printing::queues().await {
            Ok(q) => (q, None),
            Err(e) => (Vec::new(), Some(e.code().to_string())),
        };
        let status = self.store.sync_status().await?;
        Ok(KioskSettings {
            queue: printer.as_ref().map(|p| p.queue.to_string()),
            paper: printer.map(|p| p.paper),
            queues,
            queues_error,
            enrolled: status.enrolled,
            central_url: status.central_url,
            kiosk_id: status.kiosk_id,
            prisons: status.prisons,
        })
    }

    /// `staff_settings`: the printer and enrolment, for a supervisor.
    pub async fn staff_settings(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<KioskSettings> {
        self.authorise(&request.token, Permission::PrinterSettings, now)
            .await?;
        self.settings().await
    }

    /// `staff_set_printer`: the queue must exist on this machine.
    pub async fn staff_set_printer(
        &self,
        request: &PrinterRequest,
        now: DateTime<Utc>,
    ) -> UiResult<KioskSettings> {
        let who = self
            .authorise(&request.token, Permission::PrinterSettings, now)
            .await?;
        let queue = QueueName::parse(&request.queue).map_err(|e| on("queue", e.code()))?;
        let known = printing::queues().await.map_err(|e| on("queue", e.code()))?;
        if !known.iter().any(|q| q == queue.as_str()) {
            return Err(on("queue", "printer_missing"));
        }
        printing::set_printer_config(
            &self.store,
            &PrinterConfig::new(queue.clone(), request.paper),
            now,
        )
        .await?;
        self.audit_staff(
            &who,
            AuditAction::Settings,
            &format!("printer {} on {}", queue, request.paper.as_str()),
            now,
        )
        .await?;
        self.settings().await
    }

    /// `staff_enrol`: a kiosk that works alone joins central. Its own staff accounts give way
    /// to central's, which arrive with the first sync, so the supervisor is signed out.
    pub async fn staff_enrol(&self, request: &EnrolRequest, now: DateTime<Utc>) -> UiResult<Done> {
        let who = self
            .authorise(&request.token, Permission::EnrolmentSettings, now)
            .await?;
        let url = request.central_url.trim();
        // Both blanks at once: the supervisor fixes the form in one go, not one field a try.
        let mut missing = Vec::new();
        if url.is_empty() {
            missing.extend(on("central_url", "central_url_required").errors);
        }
        if request.code.trim().is_empty() {
            missing.extend(on("code", "enrolment_code_required").errors);
        }
        if !missing.is_empty() {
            return Err(UiErrors { errors: missing });
        }
        // Audited before: enrolment replaces the accounts the audit entry names.
        self.audit_staff(&who, AuditAction::Settings, "enrol with central", now)
            .await?;
        crate::sync::enrol(&self.store, url, request.code.trim(), &self.visitor_sync(), now).await?;
        match SyncClient::new(self.store.clone(), &self.visitor_sync()).await {
            Ok(client) => {
                if let Err(e) = client.round(now).await {
                    tracing::warn!(error = %e, "first sync after enrolment failed; the loop will retry");
                }
            }
            Err(e) => tracing::warn!(error = %e, "no sync client after enrolment"),
        }
        Ok(Done::YES)
    }
}

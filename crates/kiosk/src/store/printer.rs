//! The kiosk's printer setting: the CUPS queue its slips go to and the paper it takes. Kept as
//! staff set it; `printing` parses it into a `PrinterConfig`.

use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// The printer setting as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrinterSetting {
    pub queue: String,
    pub paper: String,
}

impl Store {
    /// The kiosk's printer setting, if staff have set one.
    pub(crate) async fn printer_setting(&self) -> Result<Option<PrinterSetting>> {
        let Some(row) = sqlx::query("SELECT queue, paper FROM printer_settings WHERE singleton = 1")
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(PrinterSetting {
            queue: row.try_get("queue")?,
            paper: row.try_get("paper")?,
        }))
    }

    pub(crate) async fn set_printer_setting(
        &self,
        setting: &PrinterSetting,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO printer_settings (singleton, queue, paper, updated_at) VALUES (1, ?, ?, ?)
             ON CONFLICT (singleton) DO UPDATE SET queue = excluded.queue, paper = excluded.paper,
                updated_at = excluded.updated_at",
        )
        .bind(&setting.queue)
        .bind(&setting.paper)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

//! The printer's test page from the health screen: a few lines saying which kiosk printed it
//! and when, on the kiosk's paper, so staff can see the printer works without printing a slip
//! that could be mistaken for a visit.

use super::layout::{PT_PER_MM, fonts};
use super::{Paper, Slip, SlipError, stamp};
use chrono::{DateTime, Utc};
use printpdf::{
    Color, Greyscale, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

/// Renders a test page of `lines` (the first in bold) on `paper`.
pub fn render_test_page(lines: &[String], paper: Paper, now: DateTime<Utc>) -> Result<Slip, SlipError> {
    let fonts = fonts()?;
    let width_mm = match paper {
        Paper::Receipt => 80.0,
        Paper::A4 => 210.0,
    };
    let line_pt = 16.0;
    let margin = 6.0 * PT_PER_MM;
    let height_mm = match paper {
        Paper::Receipt => (2.0 * margin + line_pt * lines.len() as f32) / PT_PER_MM,
        Paper::A4 => 297.0,
    };
    let page_height = height_mm * PT_PER_MM;
    let mut doc = PdfDocument::new("Printer test");
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let mut ops = vec![Op::SetFillColor {
        col: Color::Greyscale(Greyscale {
            percent: 0.0,
            icc_profile: None,
        }),
    }];
    for (i, line) in lines.iter().enumerate() {
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(if i == 0 { bold.clone() } else { regular.clone() }),
            size: Pt(if i == 0 { 12.0 } else { 10.0 }),
        });
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(margin),
                y: Pt(page_height - margin - line_pt * (i as f32 + 0.8)),
            },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(line.clone())],
        });
        ops.push(Op::EndTextSection);
    }
    stamp(&mut doc, now);
    let page = PdfPage::new(Mm(width_mm), Mm(height_mm), ops);
    let pdf = doc
        .with_pages(vec![page])
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(Slip {
        pdf,
        paper,
        width_mm,
        height_mm,
    })
}

//! Plain A4 sheets for reception: the day's list of visits and the visit passes, as lines of
//! text in the slip's embedded fonts, as many pages as they need.

use super::layout::{PT_PER_MM, advance_width, fonts, wrap};
use super::{Paper, Slip, SlipError, stamp};
use chrono::{DateTime, Utc};
use printpdf::{
    Color, Greyscale, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

/// One line of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetLine {
    Heading(String),
    Text(String),
    Blank,
    /// Starts a new page (between visit passes that must not be split).
    PageBreak,
}

const PAGE_W_MM: f32 = 210.0;
const PAGE_H_MM: f32 = 297.0;
const MARGIN_MM: f32 = 15.0;
const LINE_PT: f32 = 14.0;
const HEADING_PT: f32 = 20.0;
const TEXT_SIZE: f32 = 10.0;
const HEADING_SIZE: f32 = 14.0;

/// Renders `lines` on A4 pages, breaking pages where they are full or asked to.
pub fn render_sheet(title: &str, lines: &[SheetLine], now: DateTime<Utc>) -> Result<Slip, SlipError> {
    let fonts = fonts()?;
    let mut doc = PdfDocument::new(title);
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let page_h = PAGE_H_MM * PT_PER_MM;
    let margin = MARGIN_MM * PT_PER_MM;
    let black = Color::Greyscale(Greyscale {
        percent: 0.0,
        icc_profile: None,
    });
    let mut pages = Vec::new();
    let mut ops = vec![Op::SetFillColor { col: black.clone() }];
    let mut y = margin;
    // A line longer than the page is wide (a long support note, say) wraps, keeping its indent.
    let width = (PAGE_W_MM - 2.0 * MARGIN_MM) * PT_PER_MM;
    let mut wrapped = Vec::with_capacity(lines.len());
    for line in lines {
        let (text, heading) = match line {
            SheetLine::Heading(t) => (t, true),
            SheetLine::Text(t) => (t, false),
            other => {
                wrapped.push(other.clone());
                continue;
            }
        };
        let (font, size) = if heading {
            (&fonts.bold, HEADING_SIZE)
        } else {
            (&fonts.regular, TEXT_SIZE)
        };
        let indent: String = text.chars().take_while(|c| *c == ' ').collect();
        let room = width - advance_width(font, &indent, size);
        for piece in wrap(font, text, size, room) {
            let piece = format!("{indent}{piece}");
            wrapped.push(if heading {
                SheetLine::Heading(piece)
            } else {
                SheetLine::Text(piece)
            });
        }
    }
    for line in &wrapped {
        let (text, heading) = match line {
            SheetLine::Heading(t) => (Some(t), true),
            SheetLine::Text(t) => (Some(t), false),
            SheetLine::Blank => (None, false),
            SheetLine::PageBreak => {
                pages.push(PdfPage::new(
                    Mm(PAGE_W_MM),
                    Mm(PAGE_H_MM),
                    std::mem::take(&mut ops),
                ));
                ops.push(Op::SetFillColor { col: black.clone() });
                y = margin;
                continue;
            }
        };
        let step = if heading { HEADING_PT } else { LINE_PT };
        if y + step > page_h - margin {
            pages.push(PdfPage::new(
                Mm(PAGE_W_MM),
                Mm(PAGE_H_MM),
                std::mem::take(&mut ops),
            ));
            ops.push(Op::SetFillColor { col: black.clone() });
            y = margin;
        }
        y += step;
        if let Some(text) = text {
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(if heading { bold.clone() } else { regular.clone() }),
                size: Pt(if heading { HEADING_SIZE } else { TEXT_SIZE }),
            });
            ops.push(Op::SetTextCursor {
                pos: Point {
                    x: Pt(margin),
                    y: Pt(page_h - y),
                },
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
            ops.push(Op::EndTextSection);
        }
    }
    if ops.len() > 1 || pages.is_empty() {
        pages.push(PdfPage::new(Mm(PAGE_W_MM), Mm(PAGE_H_MM), ops));
    }
    stamp(&mut doc, now);
    let pdf = doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(Slip {
        pdf,
        paper: Paper::A4,
        width_mm: PAGE_W_MM,
        height_mm: PAGE_H_MM,
    })
}

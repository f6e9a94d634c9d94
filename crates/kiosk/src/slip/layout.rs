//! Where a slip's lines go: the fonts compiled into the binary, the page geometry of each
//! paper, lines measured with the font's own advance widths and wrapped to the column, and the
//! QR code of the reference.

use super::words::Wording;
use super::{Paper, SlipError};
use printpdf::{ParsedFont, RawImage};
use std::sync::OnceLock;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/fonts/"]
pub(super) struct FontFiles;

pub(super) const REGULAR_FONT: &str = "DejaVuSans.ttf";
pub(super) const BOLD_FONT: &str = "DejaVuSans-Bold.ttf";

pub(super) struct Fonts {
    pub(super) regular: ParsedFont,
    pub(super) bold: ParsedFont,
}

/// Parsing a 750 KB font takes milliseconds: do it once per process.
pub(super) fn fonts() -> Result<&'static Fonts, SlipError> {
    static FONTS: OnceLock<Result<Fonts, &'static str>> = OnceLock::new();
    pub(super) fn load(name: &'static str) -> Result<ParsedFont, &'static str> {
        let file = FontFiles::get(name).ok_or(name)?;
        ParsedFont::from_bytes(&file.data, 0, &mut Vec::new()).ok_or(name)
    }
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: load(REGULAR_FONT)?,
                bold: load(BOLD_FONT)?,
            })
        })
        .as_ref()
        .map_err(|name| SlipError::Font(name))
}
pub(super) const PT_PER_MM: f32 = 72.0 / 25.4;

/// Page geometry and type sizes for one paper.
pub(super) struct Geometry {
    pub(super) page_width_mm: f32,
    /// `None`: as tall as the content (a receipt roll).
    pub(super) page_height_mm: Option<f32>,
    pub(super) margin_mm: f32,
    /// Multiplies every type size and gap: A4 is read at arm's length, a receipt in the hand.
    pub(super) scale: f32,
    pub(super) qr_mm: f32,
}

impl Geometry {
    pub(super) fn of(paper: Paper) -> Self {
        match paper {
            // 80 mm rolls print about 72 mm wide: keep 4 mm clear each side.
            Paper::Receipt => Geometry {
                page_width_mm: 80.0,
                page_height_mm: None,
                margin_mm: 4.0,
                scale: 1.0,
                qr_mm: 30.0,
            },
            Paper::A4 => Geometry {
                page_width_mm: 210.0,
                page_height_mm: Some(297.0),
                margin_mm: 20.0,
                scale: 1.45,
                qr_mm: 40.0,
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Align {
    Left,
    Centre,
}

/// Something placed on the page, with `top`/`baseline` measured down from the top edge in points
/// (the page height of a receipt is only known at the end).
pub(super) enum Mark {
    Text {
        text: String,
        weight: Weight,
        size: f32,
        x: f32,
        baseline: f32,
        white: bool,
    },
    Box {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        filled: bool,
    },
    Rule {
        top: f32,
    },
    Qr {
        x: f32,
        top: f32,
        size: f32,
    },
}

pub(super) fn advance_width(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    let units: u32 = text
        .chars()
        .map(|c| u32::from(font.get_horizontal_advance(font.lookup_glyph_index(u32::from(c)).unwrap_or(0))))
        .sum();
    units as f32 * size / units_per_em
}

/// Greedy word wrap to `width` points; a word wider than the whole line (a 50-letter surname at
/// A4 sizes, say) is broken between letters rather than clipped.
pub(super) fn wrap(font: &ParsedFont, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = advance_width(font, " ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split_whitespace() {
        let word_width = advance_width(font, word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // Too wide for a line of its own: break after a hyphen where one fits ("Llewelyn-" /
        // "Bartholomew"), and between letters only inside a piece that is itself too wide.
        line_width = 0.0;
        for piece in word.split_inclusive('-') {
            let piece_width = advance_width(font, piece, size);
            if line_width + piece_width <= width {
                line.push_str(piece);
                line_width += piece_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            for ch in piece.chars() {
                let w = advance_width(font, ch.encode_utf8(&mut [0; 4]), size);
                if !line.is_empty() && line_width + w > width {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(ch);
                line_width += w;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub(super) struct Sheet<'a> {
    pub(super) fonts: &'a Fonts,
    pub(super) left: f32,
    pub(super) width: f32,
    pub(super) scale: f32,
    /// How far down the page the next thing goes, in points.
    pub(super) y: f32,
    pub(super) marks: Vec<Mark>,
}

impl Sheet<'_> {
    pub(super) fn font(&self, weight: Weight) -> &ParsedFont {
        match weight {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        }
    }

    pub(super) fn gap(&mut self, pt: f32) {
        self.y += pt * self.scale;
    }

    /// Wrapped text; `inset` narrows the column on both sides (text inside a box), `indent` on
    /// the left only (a list item's hanging indent).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn text_in(
        &mut self,
        text: &str,
        weight: Weight,
        size: f32,
        align: Align,
        inset: f32,
        indent: f32,
        white: bool,
    ) {
        let size = size * self.scale;
        let left = self.left + inset + indent;
        let width = self.width - 2.0 * inset - indent;
        let line_height = size * 1.22;
        for line in wrap(self.font(weight), text, size, width) {
            let x = match align {
                Align::Left => left,
                Align::Centre => {
                    left + ((width - advance_width(self.font(weight), &line, size)) / 2.0).max(0.0)
                }
            };
            // DejaVu's ascender is 0.93 em: the baseline sits that far below the line's top.
            self.marks.push(Mark::Text {
                text: line,
                weight,
                size,
                x,
                baseline: self.y + size * 0.93,
                white,
            });
            self.y += line_height;
        }
    }

    pub(super) fn text(&mut self, text: &str, weight: Weight, size: f32, align: Align) {
        self.text_in(text, weight, size, align, 0.0, 0.0, false);
    }

    /// A small label above its value: the pattern of a receipt, easy to scan.
    pub(super) fn labelled(&mut self, label: &str, value: &str) {
        self.text(label, Weight::Regular, 8.5, Align::Left);
        self.gap(0.5);
        self.text(value, Weight::Bold, 11.0, Align::Left);
        self.gap(5.0);
    }

    /// One of a list, after a bullet, wrapped lines indented under the first: a long name that
    /// wraps still reads as one person.
    pub(super) fn list_item(&mut self, text: &str, weight: Weight, size: f32) {
        let indent = advance_width(self.font(weight), "•  ", size * self.scale);
        let top = self.y;
        self.text_in("•", weight, size, Align::Left, 0.0, 0.0, false);
        self.y = top;
        self.text_in(text, weight, size, Align::Left, 0.0, indent, false);
    }

    pub(super) fn heading_and_text(&mut self, heading: &str, text: &str) {
        self.text(heading, Weight::Bold, 10.0, Align::Left);
        self.gap(1.0);
        self.text(text, Weight::Regular, 9.0, Align::Left);
        self.gap(6.0);
    }

    pub(super) fn rule(&mut self) {
        self.gap(4.0);
        self.marks.push(Mark::Rule { top: self.y });
        self.gap(6.0);
    }

    /// The status in a box: solid black for confirmed, an outline for anything else, so the two
    /// cannot be mistaken for each other at a glance.
    pub(super) fn banner(&mut self, text: &str, filled: bool) {
        let pad = 5.0 * self.scale;
        let top = self.y;
        // The box goes under the text, so it must be drawn first; its height is known only after
        // the text is wrapped.
        let under = self.marks.len();
        self.y += pad;
        self.text_in(text, Weight::Bold, 13.0, Align::Centre, pad, 0.0, filled);
        self.y += pad - 13.0 * self.scale * 0.22;
        self.marks.insert(
            under,
            Mark::Box {
                x: self.left,
                top,
                width: self.width,
                height: self.y - top,
                filled,
            },
        );
    }

    pub(super) fn qr(&mut self, size: f32) {
        self.marks.push(Mark::Qr {
            x: self.left + (self.width - size) / 2.0,
            top: self.y,
            size,
        });
        self.y += size;
    }
}

pub(super) fn qr_image(reference: &str) -> Result<RawImage, SlipError> {
    // The hyphenated form is in the QR alphanumeric set, and BookingReference::parse accepts it.
    let code = qrcode::QrCode::with_error_correction_level(reference, qrcode::EcLevel::M)
        .map_err(|e| SlipError::QrCode(e.to_string()))?;
    let image = code
        .render::<::image::Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    RawImage::from_dynamic_image(::image::DynamicImage::ImageLuma8(image)).map_err(SlipError::QrCode)
}

/// Places everything on the page at type scale `scale`, top to bottom.
pub(super) fn lay_out<'a>(fonts: &'a Fonts, words: &Wording, geometry: &Geometry, scale: f32) -> Sheet<'a> {
    let margin = geometry.margin_mm * PT_PER_MM;
    let mut sheet = Sheet {
        fonts,
        left: margin,
        width: (geometry.page_width_mm - 2.0 * geometry.margin_mm) * PT_PER_MM,
        scale,
        y: margin,
        marks: Vec::new(),
    };
    sheet.text(&words.prison_name, Weight::Bold, 14.0, Align::Centre);
    sheet.gap(1.0);
    sheet.text(&words.prison_address, Weight::Regular, 9.0, Align::Centre);
    sheet.gap(6.0);
    sheet.banner(&words.status, words.confirmed);
    sheet.gap(8.0);
    sheet.text(words.reference_label, Weight::Regular, 9.0, Align::Centre);
    sheet.gap(1.0);
    sheet.text(&words.reference, Weight::Bold, 28.0, Align::Centre);
    sheet.gap(3.0);
    sheet.qr(geometry.qr_mm * PT_PER_MM);
    sheet.gap(2.0);
    sheet.text(words.show_slip, Weight::Regular, 9.0, Align::Centre);
    sheet.rule();

    sheet.labelled(words.when_label, &words.when);
    if words.live {
        sheet.labelled(words.arrive_label, &words.arrive);
        sheet.gap(-4.0);
        sheet.text(&words.arrive_why, Weight::Regular, 8.5, Align::Left);
        sheet.gap(5.0);
    }
    sheet.labelled(words.room_label, &words.room);
    sheet.labelled(words.visiting_label, &words.visiting);
    sheet.text(words.visitors_label, Weight::Regular, 8.5, Align::Left);
    sheet.gap(0.5);
    for visitor in &words.visitors {
        sheet.list_item(visitor, Weight::Bold, 11.0);
        sheet.gap(2.0);
    }
    if let Some((label, needs)) = &words.support {
        sheet.gap(2.0);
        sheet.labelled(label, needs);
    }

    if words.live {
        sheet.rule();
        if let Some((heading, text)) = words.next {
            sheet.heading_and_text(heading, text);
        }
        sheet.heading_and_text(words.bring.0, &words.bring.1);
        sheet.heading_and_text(words.cancel.0, words.cancel.1);
        sheet.gap(-6.0);
    }
    sheet.rule();
    if let Some(by) = &words.booked_by {
        sheet.text(by, Weight::Bold, 8.5, Align::Left);
        sheet.gap(1.0);
    }
    for line in &words.footer {
        sheet.text(line, Weight::Regular, 7.5, Align::Left);
    }

    sheet
}

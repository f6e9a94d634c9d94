//! Reading a slip back with the tools a person would use: pdftoppm (the page as a 203 dpi thermal
//! printer sees it), pdftotext (what it says) and zbarimg (what its QR code says). They come from
//! the packages poppler-utils and zbar-tools; a test that needs a missing one fails and says
//! which package to install.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a tool and answers its standard output; panics (failing the test) if it cannot run or
/// fails.
pub fn tool(program: &str, args: &[&str]) -> String {
    let package = match program {
        "zbarimg" => "zbar-tools",
        "lpstat" | "lp" | "cancel" => "cups-client",
        _ => "poppler-utils",
    };
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): apt-get install -y {package}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("{} is not UTF-8", path.display()))
}

/// The first page of `pdf` as a PNG at 203 dpi, the resolution of most thermal receipt printers,
/// written to `stem.png`, with its width and height in pixels (read from the PNG header).
pub fn raster(pdf: &Path, stem: &Path) -> (PathBuf, u32, u32) {
    tool(
        "pdftoppm",
        &["-png", "-r", "203", "-singlefile", path_str(pdf), path_str(stem)],
    );
    let png = stem.with_extension("png");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", png.display());
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (png, width, height)
}

/// What the QR code in `png` says.
pub fn qr(png: &Path) -> String {
    tool("zbarimg", &["--raw", "-q", path_str(png)])
        .trim()
        .to_string()
}

/// The slip's text with every run of white space made one space, so wrapped lines read on.
pub fn text(pdf: &Path) -> String {
    let raw = tool("pdftotext", &[path_str(pdf), "-"]);
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! What a file is, by its first bytes (and, for zip and OLE containers, by what they hold).

use std::io::Cursor;

/// Images are shown (thumbnails, preview); documents are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Document,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Document => "document",
        }
    }
}

/// An accepted file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub kind: Kind,
    /// The usual extension (without the dot).
    pub ext: &'static str,
}

const fn image(content_type: &'static str, ext: &'static str) -> Sniffed {
    Sniffed {
        content_type,
        kind: Kind::Image,
        ext,
    }
}

const fn doc(content_type: &'static str, ext: &'static str) -> Sniffed {
    Sniffed {
        content_type,
        kind: Kind::Document,
        ext,
    }
}

fn ext_of(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The type of an accepted file, or `None` for anything else (executables, HTML, SVG, archives,
/// scripts, videos, a `.jpg` that is not a JPEG). `name` only tells apart formats that share one
/// container (OLE: `.doc`, `.xls`, `.ppt` and WPS's `.wps`, `.et`, `.dps`) and marks plain text.
pub fn sniff(bytes: &[u8], name: &str) -> Option<Sniffed> {
    let ext = ext_of(name);
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(image("image/jpeg", "jpg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(image("image/png", "png"));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(image("image/gif", "gif"));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(image("image/webp", "webp"));
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(doc("application/pdf", "pdf"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match ext.as_str() {
            "doc" | "wps" => Some(doc("application/msword", "doc")),
            "xls" | "et" => Some(doc("application/vnd.ms-excel", "xls")),
            "ppt" | "dps" => Some(doc("application/vnd.ms-powerpoint", "ppt")),
            _ => None,
        };
    }
    if ext == "txt" && looks_like_text(bytes) {
        return Some(doc("text/plain", "txt"));
    }
    None
}

/// Office Open XML, OpenDocument and OFD (China's fixed-layout format for official documents and
/// e-invoices) are zip files told apart by their entries; other zips are refused.
fn sniff_zip(bytes: &[u8]) -> Option<Sniffed> {
    // OpenDocument stores its `mimetype` entry first and uncompressed.
    if bytes.len() > 38 && &bytes[30..38] == b"mimetype" {
        let rest = &bytes[38..bytes.len().min(38 + 60)];
        if rest.starts_with(b"application/vnd.oasis.opendocument.text") {
            return Some(doc("application/vnd.oasis.opendocument.text", "odt"));
        }
        if rest.starts_with(b"application/vnd.oasis.opendocument.spreadsheet") {
            return Some(doc("application/vnd.oasis.opendocument.spreadsheet", "ods"));
        }
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let has = |n: &str| archive.file_names().any(|f| f.is_ok_and(|f| f == n));
    if has("word/document.xml") {
        Some(doc(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ))
    } else if has("xl/workbook.xml") {
        Some(doc(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ))
    } else if has("ppt/presentation.xml") {
        Some(doc(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ))
    } else if has("OFD.xml") {
        Some(doc("application/ofd", "ofd"))
    } else {
        None
    }
}

/// Text in any of the encodings a Chinese office uses (UTF-8, GB18030): no NUL bytes and few
/// control characters in the first 8 KB.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    !head.is_empty()
        && !head.contains(&0)
        && head
            .iter()
            .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
            .count()
            * 100
            <= head.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[&str]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        for e in entries {
            w.start_file(*e, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"<x/>").unwrap();
        }
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn images_and_pdf_by_their_magic() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], "a.png").unwrap(),
            image("image/jpeg", "jpg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....", "x").unwrap().content_type,
            "image/png"
        );
        assert_eq!(sniff(b"GIF89a..", "x").unwrap().kind, Kind::Image);
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 ", "x").unwrap().content_type,
            "image/webp"
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n", "scan.jpg").unwrap().content_type,
            "application/pdf"
        );
    }

    #[test]
    fn a_name_does_not_make_a_type() {
        assert_eq!(sniff(b"<html><script>alert(1)</script>", "photo.jpg"), None);
        assert_eq!(sniff(b"MZ\x90\0\x03", "report.pdf"), None);
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "a.svg"),
            None
        );
        assert_eq!(sniff(b"", "a.txt"), None);
        assert_eq!(sniff(b"plain words", "a.html"), None);
    }

    #[test]
    fn zips_by_their_entries() {
        let docx = zip_with(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(sniff(&docx, "x.zip").unwrap().ext, "docx");
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx, "a.docx").unwrap().ext, "xlsx");
        let ofd = zip_with(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(
            sniff(&ofd, "发票.ofd").unwrap().content_type,
            "application/ofd"
        );
        let other = zip_with(&["evil.exe"]);
        assert_eq!(sniff(&other, "a.docx"), None);
        assert_eq!(sniff(b"PK\x03\x04garbage", "a.docx"), None);
    }

    #[test]
    fn ole_files_need_an_office_name() {
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(sniff(&ole, "通知.doc").unwrap().ext, "doc");
        assert_eq!(sniff(&ole, "台账.ET").unwrap().ext, "xls");
        assert_eq!(sniff(&ole, "a.msi"), None);
    }

    #[test]
    fn text_only_when_named_so_and_textual() {
        assert_eq!(
            sniff("情况说明\r\n第一条".as_bytes(), "说明.txt")
                .unwrap()
                .content_type,
            "text/plain"
        );
        assert_eq!(sniff(b"a\0b", "a.txt"), None);
        assert_eq!(sniff(&[1u8; 100], "a.txt"), None);
    }
}

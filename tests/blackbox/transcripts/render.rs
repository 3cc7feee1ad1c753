//! How a reply is written into a transcript: its text, buttons, picture and contact request.

use cnscd::conversation::Reply;

/// A picture and a contact request, which a text rendering would not show.
pub(super) fn render_extras(reply: &Reply, out: &mut String) {
    if let Some(image) = &reply.image {
        let valid = image.bytes.starts_with(b"\x89PNG");
        // An invitation's QR code must hold its link: the picture is drawn again from it.
        let link = reply
            .text
            .as_str()
            .split_whitespace()
            .find(|w| w.starts_with("https://"));
        let holds = link.filter(|link| cnscd::qr::qr_png(link).ok().as_ref() == Some(&image.bytes));
        match holds {
            Some(link) => out.push_str(&format!("  (a picture: QR code of {link})\n")),
            None => out.push_str(&format!("  (a picture: valid PNG: {valid})\n")),
        }
        if let Some(caption) = &image.caption {
            out.push_str(&format!("  (its caption: {caption})\n"));
        }
    }
    // A Word document (a founding decision) is read back; a spreadsheet is not shown.
    if let Some(document) = reply
        .document
        .as_ref()
        .filter(|d| d.file_name.ends_with(".docx"))
    {
        out.push_str(&format!("  {}\n", document_line(document)));
    }
    if let Some(label) = &reply.ask_contact {
        out.push_str(&format!("  (a share-my-contact button: {label})\n"));
    }
}

pub(super) fn render(reply: &Reply, out: &mut String) {
    for (i, line) in reply.text.as_str().lines().enumerate() {
        let mark = if i == 0 { "<" } else { "|" };
        out.push_str(mark);
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    for row in &reply.buttons {
        let labels: Vec<String> = row.iter().map(|b| format!("[{}]", b.label)).collect();
        out.push_str(&format!("  {}\n", labels.join(" ")));
    }
}

/// A file queued with a message: its name, caption and, for a Word document, the phone
/// numbers written in it (a founding decision's: only those the team card publishes).
pub(super) fn document_line(document: &cnscd::conversation::Attachment) -> String {
    let caption = document.caption.as_deref().unwrap_or("-");
    let Ok(docx) = docx_rs::read_docx(&document.bytes) else {
        return format!("(file {}: {caption})", document.file_name);
    };
    let text = docx.json();
    // National numbers as the document writes them: "0912 345 678".
    let chars: Vec<char> = text.chars().collect();
    let mut phones = Vec::new();
    for window in chars.windows(12) {
        let shaped = window.iter().enumerate().all(|(i, c)| match i {
            4 | 8 => *c == ' ',
            _ => c.is_ascii_digit(),
        });
        if shaped && window[0] == '0' {
            phones.push(window.iter().collect::<String>());
        }
    }
    format!(
        "(Word document {}: {caption}; numbers in it: {})",
        document.file_name,
        phones.join(", ")
    )
}

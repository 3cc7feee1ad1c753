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

//! QR codes as PNG pictures, for invitation links that heads receive on paper or Zalo.

use qrcode::{Color, QrCode};

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text does not fit in a QR code")]
    Encode(#[from] qrcode::types::QrError),
    #[error("the PNG could not be written")]
    Png(#[from] png::EncodingError),
}

/// Pixels per QR module, and modules of quiet zone around the code.
const SCALE: usize = 8;
const QUIET: usize = 4;

/// A black-on-white PNG of the QR code of `text`.
pub fn qr_png(text: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = ((i % modules + QUIET) * SCALE, (i / modules + QUIET) * SCALE);
        for row in y..y + SCALE {
            pixels[row * side + x..row * side + x + SCALE].fill(0);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_link_becomes_a_square_png() {
        let png = qr_png("https://t.me/cnscd_bot?start=AbCdEfGhIjKlMnOpQrStUvWx").unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert!(info.width >= 200, "big enough to scan: {}", info.width);
    }
}

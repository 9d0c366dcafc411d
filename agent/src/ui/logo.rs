//! The library's logo for the lock screen (`lock.logo`, a PNG file): read
//! with explicit limits, so a wrong, huge or hostile file gives a short
//! error (and the lock screen shows without a logo), never a crash or a
//! process exhausted by a decompression bomb.

use std::io::Read;
use std::path::Path;

/// The largest logo file read.
pub const MAX_BYTES: u64 = 1024 * 1024;
/// The largest width or height accepted, in pixels.
pub const MAX_SIDE: u32 = 1024;

/// A decoded logo: 8-bit RGBA, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

/// Why a logo was not shown (short: the file's contents are never echoed).
#[derive(Debug, thiserror::Error)]
pub enum LogoError {
    /// The file could not be opened or read.
    #[error("lock.logo: cannot be read ({0})")]
    Read(std::io::ErrorKind),
    /// Over [`MAX_BYTES`].
    #[error("lock.logo: larger than {} KiB", MAX_BYTES / 1024)]
    TooLarge,
    /// Not a PNG image the decoder accepts.
    #[error("lock.logo: not a valid PNG image")]
    NotPng,
    /// Wider or taller than [`MAX_SIDE`], or empty.
    #[error("lock.logo: must be 1 to {MAX_SIDE} pixels wide and high")]
    BadSize,
}

/// Reads and decodes the logo at `path`.
pub fn load(path: &Path) -> Result<Logo, LogoError> {
    let file = std::fs::File::open(path).map_err(|e| LogoError::Read(e.kind()))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LogoError::Read(e.kind()))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(LogoError::TooLarge);
    }
    decode(&bytes)
}

/// Decodes PNG `bytes` within the limits.
pub fn decode(bytes: &[u8]) -> Result<Logo, LogoError> {
    let side = usize::try_from(MAX_SIDE).unwrap_or(usize::MAX);
    let limits = png::Limits {
        bytes: side * side * 8,
    };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(|_| LogoError::NotPng)?;
    let (width, height) = (header.width, header.height);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(LogoError::BadSize);
    }
    let mut reader = decoder.read_info().map_err(|_| LogoError::NotPng)?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or(LogoError::BadSize)?];
    let info = reader.next_frame(&mut buf).map_err(|_| LogoError::NotPng)?;
    let pixels = buf.get(..info.buffer_size()).ok_or(LogoError::NotPng)?;
    let rgba = match info.color_type {
        png::ColorType::Rgba => pixels.to_vec(),
        png::ColorType::Rgb => pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => pixels
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => pixels.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => return Err(LogoError::NotPng),
    };
    if rgba.len() != (width as usize) * (height as usize) * 4 {
        return Err(LogoError::NotPng);
    }
    Ok(Logo {
        width,
        height,
        rgba,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, color: png::ColorType, pixel: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(color);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().unwrap();
            let data: Vec<u8> = (0..width * height).flat_map(|_| pixel.to_vec()).collect();
            writer.write_image_data(&data).unwrap();
        }
        out
    }

    #[test]
    fn a_png_logo_decodes_to_rgba() {
        let logo = decode(&png(3, 2, png::ColorType::Rgb, &[200, 10, 20])).unwrap();
        assert_eq!((logo.width, logo.height), (3, 2));
        assert_eq!(&logo.rgba[..4], &[200, 10, 20, 255]);
        let logo = decode(&png(1, 1, png::ColorType::GrayscaleAlpha, &[9, 128])).unwrap();
        assert_eq!(logo.rgba, vec![9, 9, 9, 128]);
    }

    #[test]
    fn bad_logos_are_short_errors() {
        assert!(matches!(
            decode(b"GIF89a not a png"),
            Err(LogoError::NotPng)
        ));
        let mut cut = png(8, 8, png::ColorType::Rgba, &[1, 2, 3, 4]);
        cut.truncate(cut.len() - 20);
        assert!(matches!(decode(&cut), Err(LogoError::NotPng)));
        let wide = png(MAX_SIDE + 1, 1, png::ColorType::Grayscale, &[0]);
        assert!(matches!(decode(&wide), Err(LogoError::BadSize)));
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.png");
        std::fs::write(&big, vec![0u8; (MAX_BYTES + 1) as usize]).unwrap();
        assert!(matches!(load(&big), Err(LogoError::TooLarge)));
        let missing = load(&dir.path().join("none.png")).unwrap_err();
        assert!(matches!(
            missing,
            LogoError::Read(std::io::ErrorKind::NotFound)
        ));
        assert!(!missing.to_string().contains("none.png"));
    }
}

//! Product photos as organisers upload them, made safe to publish.
//!
//! [`process`] takes the uploaded bytes and returns resized JPEG versions:
//! - the real type comes from the bytes, never the file name: only JPEG,
//!   PNG and WebP are accepted;
//! - at most [`MAX_BYTES`] in, and at most [`MAX_SIDE`] px a side and
//!   [`MAX_PIXELS`] in all, so a small file that unpacks into gigabytes (a
//!   "decompression bomb") is refused before it is decoded;
//! - the photo is decoded to bare pixels and encoded anew, so nothing of
//!   the file survives but the picture: no EXIF (phones write the GPS
//!   position of the household's home there), XMP, comments or ICC
//!   profile. The EXIF orientation is applied first, so the photo still
//!   stands the right way up, and the colours are converted from the ICC
//!   profile to sRGB, so a wide-gamut photo (an iPhone's Display P3) does
//!   not come out dull;
//! - versions [`WIDTHS`] wide, never wider than the original, for `srcset`.
//!
//! Output is JPEG: the `image` crate only writes lossless WebP, several
//! times larger for photos.
//!
//! Decoding a large photo takes a moment of CPU and up to a few hundred MB
//! of memory: an endpoint should call this in `spawn_blocking`, one upload
//! at a time (a semaphore), with a body limit a little above [`MAX_BYTES`].
//!
//! Serving the stored versions, and listing a product's photos, is in
//! [`stored`]; uploading and deleting are organiser routes (`organise::photos`).

mod stored;

use std::io::Cursor;

use image::{
    codecs::jpeg::JpegEncoder, imageops::FilterType, metadata::Orientation, DynamicImage,
    ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage,
};

use domain::LocalText;

use crate::http::error::Error;

pub use stored::router;
pub(crate) use stored::{grouped, photos_of};

/// The largest upload accepted: 10 MB.
pub const MAX_BYTES: usize = domain::organise::PHOTO_MAX_BYTES;
/// The longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Most pixels accepted: 50 MP covers the largest phone photos.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Memory the decoder may use. A 50 MP photo needs 150 MB as RGB and
/// 200 MB as RGBA; anything more (16-bit colour that size) is refused.
const MAX_DECODER_ALLOC: u64 = 256 * 1024 * 1024;
/// Widths of the stored versions, smallest first.
pub const WIDTHS: [u32; 3] = [320, 640, 1280];
/// Good enough for product photos at a fraction of the size of 90+.
pub const JPEG_QUALITY: u8 = 80;
/// The field the upload endpoint names in its errors.
pub const FIELD: &str = "photo";

/// The formats accepted, as detected from the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceType {
    Jpeg,
    Png,
    WebP,
}

impl SourceType {
    pub fn content_type(self) -> &'static str {
        match self {
            SourceType::Jpeg => "image/jpeg",
            SourceType::Png => "image/png",
            SourceType::WebP => "image/webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            SourceType::Jpeg => ImageFormat::Jpeg,
            SourceType::Png => ImageFormat::Png,
            SourceType::WebP => ImageFormat::WebP,
        }
    }
}

/// One stored size of a photo.
#[derive(Clone, PartialEq, Eq)]
pub struct Version {
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Version({}x{} {} {} bytes)",
            self.width,
            self.height,
            self.content_type,
            self.bytes.len()
        )
    }
}

/// A processed photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    /// What the upload really was.
    pub source_type: SourceType,
    /// The original's size, upright.
    pub width: u32,
    pub height: u32,
    /// Smallest first; the last is the largest.
    pub versions: Vec<Version>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// No bytes at all.
    Empty,
    /// More than [`MAX_BYTES`].
    TooLarge { bytes: usize },
    /// Not JPEG, PNG or WebP. `detected` names what it is when known
    /// (e.g. "GIF", "HEIC"); `None` for anything not recognised as an image.
    Unsupported { detected: Option<&'static str> },
    /// Dimensions beyond [`MAX_SIDE`] or [`MAX_PIXELS`] (or too much memory
    /// to decode).
    TooManyPixels { width: u32, height: u32 },
    /// Looks like an accepted type but does not decode (damaged or cut
    /// short). The detail is for logs.
    Unreadable(String),
    /// Encoding our own output failed: our fault.
    Encode(String),
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoError::Unreadable(detail) => write!(f, "unreadable photo: {detail}"),
            PhotoError::Encode(detail) => write!(f, "photo encoding failed: {detail}"),
            other => f.write_str(&error_message(other).1.en),
        }
    }
}

impl std::error::Error for PhotoError {}

/// The field and the message to show the organiser, in both languages.
pub fn error_message(e: &PhotoError) -> (&'static str, LocalText) {
    const ACCEPTED: &str = "please choose a JPEG, PNG or WebP photo";
    const ACCEPTED_ZH: &str = "请选一张 JPEG、PNG 或 WebP 格式的照片";
    let t = |zh: String, en: String| LocalText::new(zh, en);
    let message = match e {
        PhotoError::Empty => t(
            format!("文件是空的；{ACCEPTED_ZH}"),
            format!("the file is empty; {ACCEPTED}"),
        ),
        PhotoError::TooLarge { bytes } => {
            let mb = *bytes as f64 / (1024.0 * 1024.0);
            let most = MAX_BYTES / (1024 * 1024);
            t(
                format!("这张照片有 {mb:.1} MB；最多 {most} MB"),
                format!("the photo is {mb:.1} MB; the most is {most} MB"),
            )
        }
        PhotoError::Unsupported { detected: None } => t(
            format!("这个文件不是照片；{ACCEPTED_ZH}"),
            format!("this file is not a photo; {ACCEPTED}"),
        ),
        PhotoError::Unsupported {
            detected: Some("HEIC"),
        } => t(
            "不收 HEIC 格式的照片，请发 JPEG（iPhone 上：设置 › 相机 › 格式 › 兼容性最佳）"
                .to_owned(),
            "HEIC photos are not accepted; please send a JPEG (on an iPhone: \
             Settings › Camera › Formats › Most Compatible)"
                .to_owned(),
        ),
        PhotoError::Unsupported {
            detected: Some(kind),
        } => t(
            format!("不收 {kind} 格式的图片；{ACCEPTED_ZH}"),
            format!("{kind} images are not accepted; {ACCEPTED}"),
        ),
        PhotoError::TooManyPixels { width, height } if *width > 0 => {
            let mp = MAX_PIXELS / 1_000_000;
            t(
                format!(
                    "这张照片有 {width} × {height} 像素，太大了处理不了；\
                     每边最多 {MAX_SIDE} 像素，总共最多 {mp} 百万像素"
                ),
                format!(
                    "the photo is {width} × {height} pixels, too large to process; the most is \
                     {MAX_SIDE} pixels a side and {mp} megapixels"
                ),
            )
        }
        PhotoError::TooManyPixels { .. } => {
            let mp = MAX_PIXELS / 1_000_000;
            t(
                format!(
                    "这张照片太大了处理不了；每边最多 {MAX_SIDE} 像素，总共最多 {mp} 百万像素"
                ),
                format!(
                    "the photo is too large to process; the most is {MAX_SIDE} pixels a side and {mp} megapixels"
                ),
            )
        }
        PhotoError::Unreadable(_) => t(
            "读不出这张照片，可能已损坏或不完整，请换一个文件试试".to_owned(),
            "the photo could not be read; it may be damaged or incomplete. Please try another file"
                .to_owned(),
        ),
        PhotoError::Encode(_) => t(
            "我们这边处理照片时出了问题，请再试一次".to_owned(),
            "the photo could not be processed on our side; please try again".to_owned(),
        ),
    };
    (FIELD, message)
}

/// 422 with the field `photo` for the uploader's mistakes; 500 (logged,
/// not shown) when our own encoding fails.
impl From<PhotoError> for Error {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::Encode(_) => Error::internal(&e),
            PhotoError::Unreadable(ref detail) => {
                tracing::info!(%detail, "unreadable photo upload");
                let (field, message) = error_message(&e);
                Error::field(field, message.zh, message.en)
            }
            _ => {
                let (field, message) = error_message(&e);
                Error::field(field, message.zh, message.en)
            }
        }
    }
}

/// The accepted type from the first bytes, or what else it is.
pub fn detect(bytes: &[u8]) -> Result<SourceType, PhotoError> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(SourceType::Jpeg),
        Ok(ImageFormat::Png) => Ok(SourceType::Png),
        Ok(ImageFormat::WebP) => Ok(SourceType::WebP),
        Ok(other) => Err(PhotoError::Unsupported {
            detected: Some(format_name(other)),
        }),
        Err(_) if is_heif(bytes) => Err(PhotoError::Unsupported {
            detected: Some("HEIC"),
        }),
        Err(_) => Err(PhotoError::Unsupported { detected: None }),
    }
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Gif => "GIF",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Ico => "ICO",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Pnm => "PNM",
        ImageFormat::Dds => "DDS",
        ImageFormat::Hdr => "HDR",
        ImageFormat::OpenExr => "OpenEXR",
        ImageFormat::Qoi => "QOI",
        ImageFormat::Farbfeld => "Farbfeld",
        _ => "These",
    }
}

/// HEIC/HEIF, the iPhone's default: an ISO box `ftyp` with a HEIF brand.
/// Named only so the message can say what to do about it.
fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1"
        )
}

/// Checks, cleans and resizes an uploaded photo (see the module docs).
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge { bytes: bytes.len() });
    }
    let source_type = detect(bytes)?;
    if source_type == SourceType::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Unreadable(
            "JPEG cut short: no end marker after its picture data".to_owned(),
        ));
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), source_type.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(e, (0, 0)))?;
    let (sw, sh) = decoder.dimensions();
    if sw == 0 || sh == 0 {
        return Err(PhotoError::Unreadable("zero width or height".to_owned()));
    }
    if sw > MAX_SIDE || sh > MAX_SIDE || u64::from(sw) * u64::from(sh) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels {
            width: sw,
            height: sh,
        });
    }
    // A broken EXIF block should not cost the upload; the photo may just
    // come out sideways.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // Likewise a broken profile: the colours may just be a little off.
    let icc = decoder.icc_profile().ok().flatten();
    let stored = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(e, (sw, sh)))?;

    // Work in upright dimensions; rotate after the first downscale, when
    // the image is small, rather than copy the full-size one.
    let swaps = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (width, height) = if swaps { (sh, sw) } else { (sw, sh) };
    let widths = version_widths(width);
    let largest = *widths.last().expect("at least one width");
    let mut current = if largest < width {
        let h = scaled_height(width, height, largest);
        let (w, h) = if swaps { (h, largest) } else { (largest, h) };
        if largest * 2 <= width {
            // A big step down: averaging whole blocks of pixels is fast,
            // needs no full-size float buffer, and cannot alias at this ratio.
            stored.thumbnail_exact(w, h)
        } else {
            stored.resize_exact(w, h, FilterType::CatmullRom)
        }
    } else {
        stored
    };
    current.apply_orientation(orientation);
    let mut current = flatten(current);
    if let Some(icc) = icc {
        to_srgb(&mut current, &icc);
    }

    // Largest first, each from the one before: cheaper than every size
    // from the original, and the steps are small enough to stay sharp.
    let mut versions = Vec::with_capacity(widths.len());
    for &w in widths.iter().rev() {
        if w != current.width() {
            let h = scaled_height(width, height, w);
            current = image::imageops::resize(&current, w, h, FilterType::CatmullRom);
        }
        versions.push(Version {
            width: current.width(),
            height: current.height(),
            content_type: "image/jpeg",
            bytes: encode_jpeg(&current)?,
        });
    }
    versions.reverse();
    Ok(Processed {
        source_type,
        width,
        height,
        versions,
    })
}

/// Whether a JPEG's picture data runs to its end marker. The decoder fills
/// a file cut short with grey and reports nothing, so the check is ours:
/// walk the header segments, which may hold an end marker of their own (an
/// EXIF thumbnail's), to the first scan, then look for the end marker after
/// it. Whatever follows that marker is not ours to judge.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after the start marker
    while let Some(&[0xFF, marker, hi, lo]) = bytes.get(i..i + 4) {
        if marker == 0xFF {
            i += 1; // fill byte before a marker
            continue;
        }
        let next = i + 2 + usize::from(u16::from_be_bytes([hi, lo]));
        if marker == 0xDA {
            return bytes
                .get(next..)
                .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]));
        }
        i = next;
    }
    false
}

/// [`WIDTHS`] narrower than the original, then the original width if it
/// is not wider than the largest: never upscaled, never empty.
fn version_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    if width <= WIDTHS[WIDTHS.len() - 1] {
        widths.push(width);
    }
    widths
}

fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let h = (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    h.clamp(1, u64::from(height)) as u32
}

/// RGB for JPEG; transparent parts become white, as on the shop's pages,
/// instead of whatever colour hides under them.
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u32::from(a);
        let over_white = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// Converts pixels in the colour space of an ICC profile to sRGB, which
/// browsers assume for our profile-less JPEGs. A profile that does not parse
/// or does not describe RGB (CMYK, grey; the decoder has already made those
/// RGB) leaves the pixels as they are.
fn to_srgb(img: &mut RgbImage, icc: &[u8]) {
    use moxcms::{ColorProfile, Layout, TransformOptions};
    let converted = ColorProfile::new_from_slice(icc).and_then(|source| {
        let t = source.create_transform_8bit(
            Layout::Rgb,
            &ColorProfile::new_srgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )?;
        let mut out = vec![0; img.as_raw().len()];
        t.transform(img.as_raw(), &mut out)?;
        Ok(out)
    });
    match converted {
        Ok(out) => img.copy_from_slice(&out),
        Err(e) => tracing::info!(error = %e, "photo colour profile not applied"),
    }
}

fn encode_jpeg(img: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(img)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

fn decode_error(e: ImageError, (width, height): (u32, u32)) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels { width, height },
        ImageError::Unsupported(_) => PhotoError::Unsupported { detected: None },
        other => PhotoError::Unreadable(other.to_string()),
    }
}

#[cfg(test)]
mod tests;

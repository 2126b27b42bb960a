//! Photo processing tests. Every input is built here, byte by byte where
//! it matters (the EXIF block), so the tests need no fixture files.

use std::io::Cursor;

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
    ExtendedColorType, ImageEncoder, Rgb, RgbImage, RgbaImage,
};

use super::*;

/// A photo-like test card: left half red, right half blue, a gradient
/// over it so the encoders have something real to compress.
fn card(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let shade = ((x + y) % 32) as u8;
        if x < width / 2 {
            Rgb([220 + shade / 2, 20 + shade, 20])
        } else {
            Rgb([20, 20 + shade, 220 + shade / 2])
        }
    })
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&card(width, height))
        .unwrap();
    out
}

fn png_rgba(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img, img.width(), img.height(), ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    let img = card(width, height);
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .encode(&img, width, height, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A big-endian TIFF block as phones write into EXIF: IFD0 with the
/// orientation and a pointer to a GPS IFD holding a latitude and longitude
/// (38°51'12" N, 114°7'30" E: a made-up spot in Hebei).
fn exif_tiff(orientation: u16) -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]) {
        t.extend(tag.to_be_bytes());
        t.extend(typ.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const BYTE: u16 = 1;
    const RATIONAL: u16 = 5;
    let ifd0_len = 2 + 2 * 12 + 4;
    let gps_ifd = 8 + ifd0_len;
    let gps_len = 2 + 5 * 12 + 4;
    let lat_at = (gps_ifd + gps_len) as u32;
    let lon_at = lat_at + 24;

    let mut t = b"MM\x00\x2a".to_vec();
    t.extend(8u32.to_be_bytes());
    // IFD0
    t.extend(2u16.to_be_bytes());
    let o = orientation.to_be_bytes();
    entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, (gps_ifd as u32).to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len(), gps_ifd);
    // GPS IFD
    t.extend(5u16.to_be_bytes());
    entry(&mut t, 0x0000, BYTE, 4, [2, 3, 0, 0]);
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, lat_at.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, lon_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, lat_at);
    for (num, den) in [(38u32, 1u32), (51, 1), (12, 1), (114, 1), (7, 1), (30, 1)] {
        t.extend(num.to_be_bytes());
        t.extend(den.to_be_bytes());
    }
    t
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend(((payload.len() + 2) as u16).to_be_bytes());
    s.extend(payload);
    s
}

const XMP_TEXT: &[u8] = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>\
<exif:GPSLatitude>38,51.2N</exif:GPSLatitude></x:xmpmeta>";
const COMMENT: &[u8] = b"Wang family, back yard";

/// A real JPEG as a phone sends it: EXIF with GPS and an orientation, XMP
/// with the position again, an ICC profile stub and a comment, spliced in
/// right after the start-of-image marker.
fn phone_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    assert_eq!(&plain[..2], &[0xFF, 0xD8]);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_tiff(orientation));
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend([0u8; 128]);
    let mut out = plain[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, XMP_TEXT));
    out.extend(segment(0xE2, &icc));
    out.extend(segment(0xFE, COMMENT));
    out.extend(&plain[2..]);
    out
}

/// The markers of a JPEG's header segments, up to the image data.
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "segment expected at {i}");
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            break;
        }
        markers.push(marker);
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        i += 2 + len;
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn gps_latitude(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .map(|f| f.display_value().to_string())
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap()
}

#[test]
fn phone_jpeg_comes_out_with_no_metadata_at_all() {
    let input = phone_jpeg(400, 300, 1);
    // The fixture really carries what we mean to strip.
    let lat = gps_latitude(&input).expect("fixture has a GPS latitude");
    assert!(lat.contains("38"), "{lat}");
    let input_markers = header_markers(&input);
    assert!(input_markers.contains(&0xE1) && input_markers.contains(&0xFE));
    assert!(contains(&input, b"Exif\0\0") && contains(&input, COMMENT));

    let out = process(&input).unwrap();
    assert_eq!(out.source_type, SourceType::Jpeg);
    assert_eq!((out.width, out.height), (400, 300));
    assert!(!out.versions.is_empty());
    for v in &out.versions {
        assert_eq!(v.content_type, "image/jpeg");
        assert_eq!(gps_latitude(&v.bytes), None, "{v:?}");
        for needle in [&b"Exif"[..], b"xmpmeta", b"ICC_PROFILE", COMMENT, b"GPS"] {
            assert!(!contains(&v.bytes, needle), "{v:?} still has {needle:?}");
        }
        // Only the JFIF header, quantisation/Huffman tables and frame: no
        // APPn segment but APP0, no comment.
        for m in header_markers(&v.bytes) {
            assert!(
                m == 0xE0 || !(0xE1..=0xEF).contains(&m) && m != 0xFE,
                "marker {m:#x} in {v:?}"
            );
        }
        // And it is still a photo of the right size.
        let img = decode(&v.bytes);
        assert_eq!((img.width(), img.height()), (v.width, v.height));
    }
}

#[test]
fn exif_orientation_is_applied_before_it_is_dropped() {
    // Stored 64×32, red left and blue right; orientation 6 means "rotate
    // 90° clockwise to display", which puts the red half on top.
    let out = process(&phone_jpeg(64, 32, 6)).unwrap();
    assert_eq!((out.width, out.height), (32, 64));
    let v = out.versions.last().unwrap();
    assert_eq!((v.width, v.height), (32, 64));
    let img = decode(&v.bytes).into_rgb8();
    let top = img.get_pixel(16, 8).0;
    let bottom = img.get_pixel(16, 56).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");

    // Without the orientation the same pixels stay as stored.
    let out = process(&phone_jpeg(64, 32, 1)).unwrap();
    assert_eq!((out.width, out.height), (64, 32));
}

#[test]
fn orientation_is_applied_when_the_photo_is_also_downscaled() {
    // Stored 400×1600 with orientation 8 (rotate 270° clockwise): upright
    // it is 1600×400, so the largest version is 1280×320.
    let out = process(&phone_jpeg(400, 1600, 8)).unwrap();
    assert_eq!((out.width, out.height), (1600, 400));
    let sizes: Vec<(u32, u32)> = out.versions.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(sizes, vec![(320, 80), (640, 160), (1280, 320)]);
    // Rotating 270° clockwise puts the stored left (red) at the bottom.
    let img = decode(&out.versions[2].bytes).into_rgb8();
    let top = img.get_pixel(640, 40).0;
    let bottom = img.get_pixel(640, 280).0;
    assert!(top[2] > 150 && top[0] < 100, "top {top:?}");
    assert!(bottom[0] > 150 && bottom[2] < 100, "bottom {bottom:?}");

    // More than twice too wide takes the block-averaging path first (a
    // thin strip keeps this quick in debug builds).
    let out = process(&phone_jpeg(60, 2600, 6)).unwrap();
    assert_eq!((out.width, out.height), (2600, 60));
    let sizes: Vec<(u32, u32)> = out.versions.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(sizes, vec![(320, 7), (640, 15), (1280, 30)]);
    let img = decode(&out.versions[2].bytes).into_rgb8();
    let top = img.get_pixel(640, 3).0;
    let bottom = img.get_pixel(640, 27).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
}

#[test]
fn never_upscaled() {
    let sizes = |bytes: &[u8]| -> Vec<(u32, u32)> {
        process(bytes)
            .unwrap()
            .versions
            .iter()
            .map(|v| (v.width, v.height))
            .collect()
    };
    assert_eq!(sizes(&jpeg(100, 50)), vec![(100, 50)]);
    assert_eq!(
        sizes(&jpeg(700, 350)),
        vec![(320, 160), (640, 320), (700, 350)]
    );
    assert_eq!(sizes(&jpeg(640, 480)), vec![(320, 240), (640, 480)]);
    assert_eq!(
        sizes(&jpeg(1500, 301)),
        vec![(320, 64), (640, 128), (1280, 257)]
    );
    // A one-pixel-high strip keeps at least one pixel.
    assert_eq!(sizes(&jpeg(900, 1)), vec![(320, 1), (640, 1), (900, 1)]);
}

#[test]
fn png_and_webp_are_accepted_and_become_jpeg() {
    // Transparent on the left: it must turn white, not black.
    let rgba = RgbaImage::from_fn(80, 40, |x, _| {
        if x < 40 {
            image::Rgba([0, 0, 0, 0])
        } else {
            image::Rgba([20, 140, 20, 255])
        }
    });
    let out = process(&png_rgba(&rgba)).unwrap();
    assert_eq!(out.source_type, SourceType::Png);
    let v = &out.versions[0];
    assert_eq!((v.width, v.height, v.content_type), (80, 40, "image/jpeg"));
    let img = decode(&v.bytes).into_rgb8();
    assert!(img.get_pixel(10, 20).0.iter().all(|&c| c > 240));
    assert!(img.get_pixel(70, 20).0[1] > 100 && img.get_pixel(70, 20).0[0] < 60);

    let out = process(&webp(500, 200)).unwrap();
    assert_eq!(out.source_type, SourceType::WebP);
    assert_eq!((out.width, out.height), (500, 200));
    assert_eq!(out.versions.len(), 2);
    for v in &out.versions {
        assert_eq!(&v.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    }
}

#[test]
fn non_images_are_refused_whatever_their_name() {
    // What a browser would send as "photo.jpg": the name is never looked at,
    // only the bytes.
    let html = b"<!doctype html><script>alert(1)</script>".to_vec();
    assert_eq!(
        process(&html),
        Err(PhotoError::Unsupported { detected: None })
    );
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec();
    let err = process(&pdf).unwrap_err();
    assert_eq!(err, PhotoError::Unsupported { detected: None });
    let (field, message) = error_message(&err);
    assert_eq!(field, "photo");
    assert!(message.contains("not a photo"), "{message}");
    assert_eq!(process(&[]), Err(PhotoError::Empty));
}

#[test]
fn other_image_types_are_named_in_the_refusal() {
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let err = process(&gif).unwrap_err();
    assert_eq!(
        err,
        PhotoError::Unsupported {
            detected: Some("GIF")
        }
    );
    assert!(error_message(&err)
        .1
        .starts_with("GIF images are not accepted"));

    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend([0u8; 64]);
    let err = process(&heic).unwrap_err();
    assert_eq!(
        err,
        PhotoError::Unsupported {
            detected: Some("HEIC")
        }
    );
    assert!(error_message(&err).1.contains("Most Compatible"));
}

#[test]
fn oversized_files_are_refused_before_decoding() {
    let mut big = jpeg(16, 16);
    big.resize(MAX_BYTES + 1, 0);
    let err = process(&big).unwrap_err();
    assert_eq!(
        err,
        PhotoError::TooLarge {
            bytes: MAX_BYTES + 1
        }
    );
    let (field, message) = error_message(&err);
    assert_eq!(field, "photo");
    assert_eq!(message, "the photo is 10.0 MB; the most is 10 MB");
    // Exactly at the limit the size is fine (this one then fails to
    // decode for its padding, which is a different refusal).
    let mut at_limit = jpeg(16, 16);
    at_limit.resize(MAX_BYTES, 0);
    assert!(!matches!(
        process(&at_limit),
        Err(PhotoError::TooLarge { .. })
    ));
}

/// The CRC-32 PNG chunks carry, bit by bit: small and only for tests.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny valid PNG whose header claims other dimensions: what a
/// decompression bomb looks like before its data is unpacked.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_rgba(&RgbaImage::new(4, 4));
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn decompression_bombs_are_refused_by_their_dimensions() {
    // The patched header is still a well-formed PNG header.
    assert_eq!(png_claiming(4, 4), png_rgba(&RgbaImage::new(4, 4)));

    // Too wide for the decoder's limits.
    let err = process(&png_claiming(60_000, 60_000)).unwrap_err();
    assert!(matches!(err, PhotoError::TooManyPixels { .. }), "{err:?}");
    assert!(error_message(&err).1.contains("megapixels"));
    // Each side allowed, but too many pixels in all.
    assert_eq!(
        process(&png_claiming(10_000, 8_000)),
        Err(PhotoError::TooManyPixels {
            width: 10_000,
            height: 8_000
        })
    );
    let (_, message) = error_message(&PhotoError::TooManyPixels {
        width: 10_000,
        height: 8_000,
    });
    assert!(message.contains("10000 × 8000"), "{message}");
}

#[test]
fn damaged_files_are_refused_clearly() {
    let whole = jpeg(64, 64);
    let cut = &whole[..whole.len().min(120)];
    let err = process(cut).unwrap_err();
    assert!(matches!(err, PhotoError::Unreadable(_)), "{err:?}");
    assert!(error_message(&err).1.contains("could not be read"));
    // Only the magic number of a PNG.
    assert!(matches!(
        process(b"\x89PNG\r\n\x1a\n"),
        Err(PhotoError::Unreadable(_))
    ));
}

#[test]
fn errors_become_422_on_the_photo_field_and_our_faults_500() {
    let e: Error = PhotoError::TooLarge {
        bytes: MAX_BYTES + 5,
    }
    .into();
    assert_eq!(e.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    match e {
        Error::Validation(fields) => {
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].field, "photo");
            assert!(fields[0].message.contains("10 MB"));
        }
        other => panic!("{other:?}"),
    }
    let e: Error = PhotoError::Unsupported { detected: None }.into();
    assert_eq!(e.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let e: Error = PhotoError::Encode("boom".into()).into();
    assert_eq!(e.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn jpeg_output_is_reasonably_small() {
    let out = process(&jpeg(1600, 1200)).unwrap();
    let v = out.versions.last().unwrap();
    assert_eq!((v.width, v.height), (1280, 960));
    // Quality 80 on a simple card: well under an uncompressed frame.
    assert!(
        v.bytes.len() < 1280 * 960 * 3 / 10,
        "{} bytes",
        v.bytes.len()
    );
    // Smaller versions are smaller files.
    assert!(out
        .versions
        .windows(2)
        .all(|w| w[0].bytes.len() < w[1].bytes.len()));
}

//! Photo processing tests. Every input is built here, byte by byte where
//! it matters (the EXIF block), so the tests need no fixture files.

#[path = "../../tests/fixtures/photos.rs"]
mod fixtures;

use fixtures::*;
use image::RgbaImage;

use super::*;

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

/// A flat 64×64 JPEG of one colour, with `icc` as its colour profile.
fn flat_jpeg(rgb: [u8; 3], icc: Option<Vec<u8>>) -> Vec<u8> {
    use image::ImageEncoder;
    let img = RgbImage::from_pixel(64, 64, image::Rgb(rgb));
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 95);
    if let Some(icc) = icc {
        enc.set_icc_profile(icc).unwrap();
    }
    enc.write_image(&img, 64, 64, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn centre_of_only_version(input: &[u8]) -> [i32; 3] {
    let out = process(input).unwrap();
    let img = decode(&out.versions[0].bytes).into_rgb8();
    img.get_pixel(32, 32).0.map(i32::from)
}

fn assert_near(got: [i32; 3], want: [i32; 3]) {
    assert!(
        got.iter().zip(want).all(|(g, w)| (g - w).abs() <= 4),
        "got {got:?}, want about {want:?}"
    );
}

#[test]
fn wide_gamut_colours_are_converted_to_srgb_before_the_profile_is_dropped() {
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let input = flat_jpeg([200, 100, 100], Some(p3));
    assert!(
        contains(&input, b"ICC_PROFILE"),
        "the fixture carries its profile"
    );
    // Display P3 (200, 100, 100) is sRGB (215, 92, 96), worked out by hand
    // from the two standards' primaries: a P3 red is redder than sRGB's.
    assert_near(centre_of_only_version(&input), [215, 92, 96]);
    // With no profile the pixels are taken as sRGB already.
    assert_near(
        centre_of_only_version(&flat_jpeg([200, 100, 100], None)),
        [200, 100, 100],
    );
}

#[test]
fn a_broken_colour_profile_does_not_cost_the_upload() {
    let input = flat_jpeg([200, 100, 100], Some(b"not an ICC profile at all".to_vec()));
    assert!(contains(&input, b"ICC_PROFILE"));
    assert_near(centre_of_only_version(&input), [200, 100, 100]);
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
    assert!(message.en.contains("not a photo"), "{}", message.en);
    assert!(message.zh.contains("不是照片"), "{}", message.zh);
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
        .en
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
    assert!(error_message(&err).1.en.contains("Most Compatible"));
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
    assert_eq!(message.en, "the photo is 10.0 MB; the most is 10 MB");
    assert_eq!(message.zh, "这张照片有 10.0 MB；最多 10 MB");
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
    assert!(error_message(&err).1.en.contains("megapixels"));
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
    assert!(message.en.contains("10000 × 8000"), "{}", message.en);
    assert!(message.zh.contains("10000 × 8000"), "{}", message.zh);
}

#[test]
fn damaged_files_are_refused_clearly() {
    let whole = jpeg(64, 64);
    let cut = &whole[..whole.len().min(120)];
    let err = process(cut).unwrap_err();
    assert!(matches!(err, PhotoError::Unreadable(_)), "{err:?}");
    assert!(error_message(&err).1.en.contains("could not be read"));
    // Only the magic number of a PNG.
    assert!(matches!(
        process(b"\x89PNG\r\n\x1a\n"),
        Err(PhotoError::Unreadable(_))
    ));
}

#[test]
fn a_photo_cut_short_in_its_picture_data_is_refused() {
    // The decoder would fill the missing part with grey and say nothing.
    let whole = phone_jpeg(400, 300, 1);
    assert!(process(&whole).is_ok());
    for keep in [whole.len() * 2 / 3, whole.len() - 2] {
        let err = process(&whole[..keep]).unwrap_err();
        assert!(matches!(err, PhotoError::Unreadable(_)), "{keep}: {err:?}");
    }
    // An end marker inside a header segment (an EXIF thumbnail has its
    // own) does not make a cut file whole.
    let cut = &whole[..whole.len() / 2];
    let mut with_thumbnail_end = cut[..2].to_vec();
    with_thumbnail_end.extend(segment(0xE1, b"Exif\0\0\xFF\xD8 thumbnail \xFF\xD9"));
    with_thumbnail_end.extend_from_slice(&cut[2..]);
    assert!(matches!(
        process(&with_thumbnail_end),
        Err(PhotoError::Unreadable(_))
    ));
    // Bytes after the end marker (some phones append their own data) are
    // not a reason to refuse.
    let mut trailing = whole.clone();
    trailing.extend_from_slice(b"vendor data after the picture");
    assert!(process(&trailing).is_ok());
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

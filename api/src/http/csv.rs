//! CSV downloads for organisers (packing, pickup, settlement, orders):
//! written with the `csv` crate, UTF-8 with a byte-order mark so that
//! Excel on a Chinese Windows reads the characters right, and served as an
//! attachment with a file name.

use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use domain::Lang;

use crate::http::error::{Error, Result};

/// The header row in the organiser's language, from (Chinese, English) pairs.
pub fn header(lang: Lang, columns: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    columns
        .iter()
        .map(|(zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .collect()
}

/// Yuan with two decimals and no currency sign, a minus when below zero:
/// what a spreadsheet reads as a number.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}", domain::money::yuan_input(fen.abs()))
}

/// `liu-round-12-settlement.csv`.
pub fn file_name(village_slug: &str, round: i64, what: &str) -> String {
    format!("{village_slug}-round-{round}-{what}.csv")
}

/// The UTF-8 byte-order mark Excel looks for.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file: a header row, then the records, each as many cells as the
/// header. `file_name` is ASCII (e.g. `liu-round-12-settlement.csv`).
pub fn csv_response<I, R>(file_name: &str, header: &[&str], records: I) -> Result<Response>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    let fail = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    writer.write_record(header).map_err(fail)?;
    for record in records {
        writer.write_record(record).map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .map_err(|e| Error::Internal(format!("CSV file name {file_name:?}: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_keep_their_sign() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(3850), "38.50");
        assert_eq!(yuan(-50), "-0.50");
        assert_eq!(yuan(-12_345), "-123.45");
    }

    #[tokio::test]
    async fn starts_with_the_bom_and_quotes_what_needs_it() {
        let res = csv_response(
            "x.csv",
            &["产品", "note"],
            [vec!["鸡蛋", "a, \"b\""], vec!["核桃", ""]],
        )
        .unwrap();
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            res.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"x.csv\""
        );
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(body.starts_with(BOM));
        assert_eq!(
            std::str::from_utf8(&body[BOM.len()..]).unwrap(),
            "产品,note\n鸡蛋,\"a, \"\"b\"\"\"\n核桃,\n"
        );
    }
}

//! Packing-label codes: the short code written on each packed item, looked
//! up at `/label/{code}` to trace it to household, village, round and
//! distribution point.
//!
//! A code is 8 characters, shown in two groups like `K7QX-3MPD`:
//! - 7 random characters and 1 check character;
//! - from 31 characters that are hard to confuse when written by hand:
//!   the digits 2–9 and the letters A–Z without I, L and O (no 0/O, 1/I/L);
//! - the check character makes the weighted sum of all 8 values a multiple
//!   of 31 (weights 1 to 8). As 31 is prime, any single wrong character and
//!   any two swapped characters are always detected.
//!
//! Codes come from random bytes the caller draws from a CSPRNG, so one code
//! tells nothing about another. 31⁷ ≈ 2.75 × 10¹⁰ codes exist; the caller
//! keeps them unique (a unique index, drawing again on a clash).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters in value order.
pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const BASE: u64 = 31;
/// Characters in a code, check character included.
pub const LEN: usize = 8;
const RANDOM_LEN: usize = LEN - 1;
/// 31⁷, the number of distinct codes.
const CODES: u64 = BASE.pow(RANDOM_LEN as u32);

/// A valid label code, kept in canonical form (upper case, no dash).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelCode([u8; LEN]);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelCodeError {
    /// Not 8 characters once dashes and spaces are removed.
    Length { found: usize },
    /// A character that codes never contain; `position` counts from 1.
    Character { ch: char, position: usize },
    /// Every character is allowed but the check fails: a typo.
    Check,
}

impl std::fmt::Display for LabelCodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Length { found } => write!(
                f,
                "a label code has {LEN} characters, like K7QX-3MPD; this one has {found}"
            ),
            Self::Character { ch, position } => {
                write!(f, "character {position} ({ch}) is not used in label codes")?;
                if matches!(ch, '0' | '1' | 'O' | 'o' | 'I' | 'i' | 'L' | 'l') {
                    f.write_str("; codes never contain 0, 1, O, I or L")?;
                }
                Ok(())
            }
            Self::Check => f.write_str(
                "this label code has a typo; please check each character against the label",
            ),
        }
    }
}

impl LabelCodeError {
    /// The same as `Display`, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::Length { found } => {
                format!("标签码有 {LEN} 个字符，例如 K7QX-3MPD；这个有 {found} 个")
            }
            Self::Character { ch, position } => {
                let mut m = format!("第 {position} 个字符（{ch}）不会出现在标签码里");
                if matches!(ch, '0' | '1' | 'O' | 'o' | 'I' | 'i' | 'L' | 'l') {
                    m.push_str("；标签码里没有 0、1、O、I 和 L");
                }
                m
            }
            Self::Check => "这个标签码有写错的地方，请对照标签逐个字符检查".to_owned(),
        }
    }
}

impl std::error::Error for LabelCodeError {}

fn value(c: u8) -> Option<u64> {
    ALPHABET.iter().position(|&a| a == c).map(|v| v as u64)
}

/// Σ weight·value with weights 1, 2, … over `chars` (all in the alphabet).
fn weighted_sum(chars: &[u8]) -> u64 {
    chars
        .iter()
        .zip(1u64..)
        .map(|(&c, w)| w * value(c).expect("checked alphabet"))
        .sum()
}

impl LabelCode {
    /// A code from 8 random bytes (from a CSPRNG). The bytes are read as a
    /// number and reduced modulo 31⁷; the resulting bias is below 2⁻²⁸,
    /// far too small to help anyone guess.
    pub fn from_random(bytes: [u8; 8]) -> LabelCode {
        let mut n = u64::from_le_bytes(bytes) % CODES;
        let mut code = [0u8; LEN];
        for slot in code[..RANDOM_LEN].iter_mut() {
            *slot = ALPHABET[(n % BASE) as usize];
            n /= BASE;
        }
        code[RANDOM_LEN] = check_char(&code[..RANDOM_LEN]);
        LabelCode(code)
    }

    /// Reads a code as typed: case does not matter, and dashes and spaces
    /// anywhere are ignored.
    pub fn parse(input: &str) -> Result<LabelCode, LabelCodeError> {
        let chars: Vec<char> = input
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .collect();
        if chars.len() != LEN {
            return Err(LabelCodeError::Length { found: chars.len() });
        }
        let mut code = [0u8; LEN];
        for (i, &ch) in chars.iter().enumerate() {
            let up = ch.to_ascii_uppercase();
            if !up.is_ascii() || value(up as u8).is_none() {
                return Err(LabelCodeError::Character {
                    ch,
                    position: i + 1,
                });
            }
            code[i] = up as u8;
        }
        if !weighted_sum(&code).is_multiple_of(BASE) {
            return Err(LabelCodeError::Check);
        }
        Ok(LabelCode(code))
    }

    /// The canonical form, e.g. `K7QX3MPD`: for storage and URLs.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("alphabet is ASCII")
    }

    /// The form printed on labels, e.g. `K7QX-3MPD`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.as_str()[..4], &self.as_str()[4..])
    }
}

/// The character that makes the weighted sum of the code a multiple of 31:
/// with S the sum of the first 7, the check value c solves S + 8c ≡ 0, and
/// since 8 × 4 = 32 ≡ 1 (mod 31), c = 4 × (−S) mod 31.
fn check_char(first: &[u8]) -> u8 {
    let s = weighted_sum(first) % BASE;
    ALPHABET[((BASE - s) * 4 % BASE) as usize]
}

impl std::fmt::Display for LabelCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl std::fmt::Debug for LabelCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LabelCode({})", self.display())
    }
}

impl std::str::FromStr for LabelCode {
    type Err = LabelCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LabelCode::parse(s)
    }
}

/// On the wire as the canonical string; read leniently, like [`LabelCode::parse`].
impl Serialize for LabelCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LabelCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        LabelCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LabelCode {
        LabelCode::from_random([7, 1, 200, 33, 90, 5, 255, 18])
    }

    #[test]
    fn alphabet_has_no_confusable_characters() {
        assert_eq!(ALPHABET.len(), 31);
        for bad in b"01OIL" {
            assert!(!ALPHABET.contains(bad), "{}", *bad as char);
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 31, "no repeats");
    }

    #[test]
    fn generated_codes_are_valid_and_round_trip() {
        let code = sample();
        let s = code.as_str();
        assert_eq!(s.len(), LEN);
        assert!(s.bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(LabelCode::parse(s), Ok(code));
        let shown = code.to_string();
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(LabelCode::parse(&shown), Ok(code));
        assert_eq!(format!("{code:?}"), format!("LabelCode({shown})"));
    }

    #[test]
    fn parse_is_lenient_about_case_dashes_and_spaces() {
        let code = sample();
        let lower = code.display().to_lowercase();
        assert_eq!(LabelCode::parse(&lower), Ok(code));
        let s = code.as_str();
        let spaced = format!(" {} {} ", &s[..4], &s[4..]);
        assert_eq!(LabelCode::parse(&spaced), Ok(code));
        let dashed = format!("{}-{}-{}", &s[..2], &s[2..6], &s[6..]);
        assert_eq!(LabelCode::parse(&dashed), Ok(code));
    }

    #[test]
    fn every_refusal_reads_in_both_languages() {
        for bad in ["K7QX-3MP", "K7QX-3MP0", "AAAA-AAAA"] {
            let e = LabelCode::parse(bad).unwrap_err();
            assert!(e.zh().contains("标签码"), "{e}: {}", e.zh());
            assert!(
                e.to_string().contains("label code") || e.to_string().contains("label codes"),
                "{e}"
            );
        }
    }

    #[test]
    fn wrong_length_and_characters_are_refused() {
        assert_eq!(
            LabelCode::parse("K7QX-3MP"),
            Err(LabelCodeError::Length { found: 7 })
        );
        assert_eq!(
            LabelCode::parse(""),
            Err(LabelCodeError::Length { found: 0 })
        );
        assert_eq!(
            LabelCode::parse("K7QX-3MPDD"),
            Err(LabelCodeError::Length { found: 9 })
        );
        let err = LabelCode::parse("K7OX-3MPD").unwrap_err();
        assert_eq!(
            err,
            LabelCodeError::Character {
                ch: 'O',
                position: 3
            }
        );
        assert!(err.to_string().contains("never contain 0, 1, O, I or L"));
        assert_eq!(
            LabelCode::parse("K7QX-3MP?"),
            Err(LabelCodeError::Character {
                ch: '?',
                position: 8
            })
        );
        // Non-ASCII is refused, not mangled.
        assert!(matches!(
            LabelCode::parse("K7QX-3MPé"),
            Err(LabelCodeError::Character { ch: 'é', .. })
        ));
    }

    /// Many codes from a cheap generator; the bytes need not be secure for
    /// testing the check character.
    fn many_codes() -> Vec<LabelCode> {
        let mut x: u64 = 0x2026_1201;
        (0..2000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                LabelCode::from_random(x.to_le_bytes())
            })
            .collect()
    }

    #[test]
    fn every_single_typo_is_detected() {
        for code in many_codes().iter().take(300) {
            for pos in 0..LEN {
                for &c in ALPHABET {
                    if c == code.0[pos] {
                        continue;
                    }
                    let mut typo = code.0;
                    typo[pos] = c;
                    let typed = std::str::from_utf8(&typo).unwrap();
                    assert_eq!(
                        LabelCode::parse(typed),
                        Err(LabelCodeError::Check),
                        "{code} → {typed}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_swap_of_two_characters_is_detected() {
        for code in many_codes() {
            for i in 0..LEN {
                for j in i + 1..LEN {
                    if code.0[i] == code.0[j] {
                        continue;
                    }
                    let mut swapped = code.0;
                    swapped.swap(i, j);
                    let typed = std::str::from_utf8(&swapped).unwrap();
                    assert_eq!(LabelCode::parse(typed), Err(LabelCodeError::Check));
                }
            }
        }
    }

    #[test]
    fn codes_depend_on_every_random_byte_and_spread_out() {
        let base = [0u8; 8];
        let first = LabelCode::from_random(base);
        for i in 0..8 {
            let mut b = base;
            b[i] = 1;
            assert_ne!(LabelCode::from_random(b), first, "byte {i}");
        }
        // 2000 draws: no repeats, and every character shows up in every
        // random position.
        let codes = many_codes();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        for pos in 0..RANDOM_LEN {
            for &c in ALPHABET {
                assert!(
                    codes.iter().any(|code| code.0[pos] == c),
                    "{} never at {pos}",
                    c as char
                );
            }
        }
    }

    #[test]
    fn serde_uses_the_canonical_form_and_validates() {
        let code = sample();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        let back: LabelCode = serde_json::from_str(&format!("\"{}\"", code.display())).unwrap();
        assert_eq!(back, code);
        assert!(serde_json::from_str::<LabelCode>("\"AAAA-AAAB\"").is_err());
    }
}

//! A member's rating of one line as typed, and a problem report about a
//! label as typed: each turned into the API's input or its field errors.

use domain::feedback::{comment, LineRating, Problem, Rating, ReportRequest};
use domain::FieldError;

/// One line's rating before it is sent: the button chosen and the comment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RatingDraft {
    pub rating: Option<Rating>,
    pub comment: String,
}

impl RatingDraft {
    /// The line's rating, or what is wrong (no button chosen, a comment
    /// too long).
    pub fn to_input(&self, product_id: i64) -> Result<LineRating, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.rating.is_none() {
            errors.push(FieldError::new(
                "rating",
                "请选好、一般或不好",
                "choose good, so-so or bad",
            ));
        }
        let comment = comment("comment", &self.comment).map_err(|e| errors.push(e));
        match (self.rating, comment) {
            (Some(rating), Ok(comment)) if errors.is_empty() => Ok(LineRating {
                product_id,
                rating,
                comment,
                photo: None,
            }),
            _ => Err(errors),
        }
    }
}

/// A problem report before it is sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportDraft {
    pub problem: Option<Problem>,
    pub comment: String,
}

impl ReportDraft {
    pub fn to_input(&self) -> Result<ReportRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.problem.is_none() {
            errors.push(FieldError::new(
                "problem",
                "请选是什么问题",
                "choose what the problem is",
            ));
        }
        let comment = comment("comment", &self.comment).map_err(|e| errors.push(e));
        match (self.problem, comment) {
            (Some(problem), Ok(comment)) if errors.is_empty() => {
                Ok(ReportRequest { problem, comment })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<T>(r: Result<T, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_rating_is_sent_with_its_trimmed_comment() {
        let d = RatingDraft {
            rating: Some(Rating::SoSo),
            comment: "  有点小 ".into(),
        };
        assert_eq!(
            d.to_input(7),
            Ok(LineRating {
                product_id: 7,
                rating: Rating::SoSo,
                comment: "有点小".into(),
                photo: None,
            })
        );
    }

    #[test]
    fn a_rating_needs_a_button_and_a_comment_that_fits() {
        assert_eq!(fields(RatingDraft::default().to_input(1)), ["rating"]);
        let long = RatingDraft {
            rating: None,
            comment: "长".repeat(domain::feedback::COMMENT_MAX_CHARS + 1),
        };
        assert_eq!(fields(long.to_input(1)), ["rating", "comment"]);
    }

    #[test]
    fn a_report_needs_its_problem() {
        assert_eq!(fields(ReportDraft::default().to_input()), ["problem"]);
        let d = ReportDraft {
            problem: Some(Problem::Damaged),
            comment: " 盒子压坏了 ".into(),
        };
        assert_eq!(
            d.to_input(),
            Ok(ReportRequest {
                problem: Problem::Damaged,
                comment: "盒子压坏了".into()
            })
        );
        let bad = ReportDraft {
            problem: Some(Problem::Other),
            comment: "a\u{7}b".into(),
        };
        assert_eq!(fields(bad.to_input()), ["comment"]);
    }
}

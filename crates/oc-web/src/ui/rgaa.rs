//! The RGAA checklist kept in `docs/ACCESSIBILITY.md`, compiled in: its
//! criteria and the state of conformity they support, which the footer's
//! link and the statement page (`about`) both show.

/// The checklist of the RGAA criteria checked, as kept in the repository:
/// the statement is made from it, so that the two never disagree.
pub(crate) const CHECKLIST: &str = include_str!("../../../../docs/ACCESSIBILITY.md");

/// The RGAA version the checklist follows, and its number of criteria.
pub(crate) const RGAA_VERSION: &str = "4.1.2";
pub(crate) const RGAA_CRITERIA: usize = 106;

/// The result of one criterion in the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Conforme,
    NonConforme,
    NonApplicable,
}

/// One row of the checklist: `| 1.1 | title | C | remark |`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Criterion<'a> {
    pub number: &'a str,
    pub title: &'a str,
    pub outcome: Outcome,
    pub remark: &'a str,
}

/// The rows of the checklist's tables whose first cell is a criterion
/// number (`1.1`, `12.7`) and whose third is C, NC or NA.
pub(crate) fn checklist(text: &str) -> Vec<Criterion<'_>> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> =
                line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').map(str::trim).collect();
            let [number, title, outcome, remark] = cells.as_slice() else { return None };
            let (theme, n) = number.split_once('.')?;
            if theme.parse::<u8>().is_err() || n.parse::<u8>().is_err() {
                return None;
            }
            let outcome = match *outcome {
                "C" => Outcome::Conforme,
                "NC" => Outcome::NonConforme,
                "NA" => Outcome::NonApplicable,
                _ => return None,
            };
            Some(Criterion { number, title, outcome, remark })
        })
        .collect()
}

/// The date of the audit, as the checklist states it (`Audit date: …`).
pub(crate) fn audit_date(text: &str) -> Option<&str> {
    text.lines().find_map(|l| l.trim().strip_prefix("Audit date:")).map(str::trim)
}

/// The pages the audit covered, as the checklist lists them (the
/// bulleted lines under `## Pages audited`).
pub(crate) fn audited_pages(text: &str) -> Vec<&str> {
    text.lines()
        .skip_while(|l| l.trim() != "## Pages audited")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect()
}

/// The state of conformity the checklist supports, by the RGAA's rule:
/// « totalement conforme » when every criterion is met, « partiellement
/// conforme » when at least half are, « non conforme » below that — and
/// also while the audit has not checked all the RGAA's criteria, as no
/// complete result measures them yet.
pub(crate) fn conformity(rows: &[Criterion<'_>]) -> &'static str {
    let met = rows.iter().filter(|c| c.outcome == Outcome::Conforme).count();
    let failed = rows.iter().filter(|c| c.outcome == Outcome::NonConforme).count();
    if rows.len() < RGAA_CRITERIA {
        "non conforme"
    } else if failed == 0 {
        "totalement conforme"
    } else if met * 2 >= met + failed {
        "partiellement conforme"
    } else {
        "non conforme"
    }
}

/// The state of conformity of this site, from its checklist.
pub(crate) fn site_conformity() -> &'static str {
    conformity(&checklist(CHECKLIST))
}

//! Small DSFR components written once: alerts, pagination, table heads
//! and date fields.

use maud::{html, Markup};

/// The level of an [`alert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Success,
    Info,
    Warning,
    Error,
}

/// A DSFR alert. Success and information are a `status` (read when
/// polite), warnings and errors an `alert`. `spacing` is a DSFR spacing
/// class (`fr-mb-3w`…); `small` gives the compact form.
pub(crate) fn alert(level: Level, small: bool, spacing: &str, body: Markup) -> Markup {
    let (class, role) = match level {
        Level::Success => ("fr-alert--success", "status"),
        Level::Info => ("fr-alert--info", "status"),
        Level::Warning => ("fr-alert--warning", "alert"),
        Level::Error => ("fr-alert--error", "alert"),
    };
    let size = if small { " fr-alert--sm" } else { "" };
    html! { div class=(format!("fr-alert {class}{size} {spacing}")) role=(role) { p { (body) } } }
}

/// The head of a table whose columns are these labels.
/// The DSFR breadcrumb: `(name, address)` of each level above, then the
/// current page's name.
pub(crate) fn breadcrumb(above: &[(String, String)], current: &str) -> Markup {
    html! {
        nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :" {
            ol class="fr-breadcrumb__list" {
                @for (name, url) in above { li { a class="fr-breadcrumb__link" href=(url) { (name) } } }
                li { a class="fr-breadcrumb__link" aria-current="page" { (current) } }
            }
        }
    }
}

pub(crate) fn table_head(columns: &[&str]) -> Markup {
    html! { thead { tr { @for c in columns { th scope="col" { (c) } } } } }
}

/// A date input with its label, in a grid column of class `col`.
pub(crate) fn date_field(col: &str, id: &str, name: &str, label: &str, value: Option<&str>) -> Markup {
    html! {
        div class=(col) {
            div class="fr-input-group" {
                label class="fr-label" for=(id) { (label) }
                input class="fr-input" type="date" id=(id) name=(name) value=(value.unwrap_or(""));
            }
        }
    }
}

/// Page numbers to show: first, last, and around the current one (`None`
/// is a gap).
pub(crate) fn page_window(current: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(current) <= 2 {
            out.push(Some(n));
        } else if out.last().is_some_and(Option::is_some) {
            out.push(None);
        }
    }
    out
}

/// How a [`pagination`] lists the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pager {
    /// "Précédente", "Page n sur m", "Suivante".
    PrevNext,
    /// These page numbers (`None`: a gap), the current one marked.
    Numbers(Vec<Option<usize>>),
}

/// A DSFR pagination named `label` for page `page` of `pages` (nothing
/// when there is one page); `href` gives each page's address.
pub(crate) fn pagination(
    label: &str,
    page: usize,
    pages: usize,
    pager: Pager,
    href: impl Fn(usize) -> String,
) -> Markup {
    if pages <= 1 {
        return html! {};
    }
    html! {
        nav role="navigation" class="fr-pagination" aria-label=(label) {
            ul class="fr-pagination__list" {
                @match pager {
                    Pager::PrevNext => {
                        @if page > 1 {
                            li { a class="fr-pagination__link fr-pagination__link--prev" href=(href((page - 1).min(pages))) { "Précédente" } }
                        }
                        li { a class="fr-pagination__link" aria-current="page" { "Page " (page) " sur " (pages) } }
                        @if page < pages {
                            li { a class="fr-pagination__link fr-pagination__link--next" href=(href(page + 1)) { "Suivante" } }
                        }
                    }
                    Pager::Numbers(numbers) => {
                        @if page > 1 {
                            li { a class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" href=(href((page - 1).min(pages))) { "Précédente" } }
                        }
                        @for n in numbers {
                            @match n {
                                None => li { span class="fr-pagination__link" { "…" } },
                                Some(n) if n == page => li {
                                    a class="fr-pagination__link" aria-current="page" title=(format!("Page {n}")) { (n) }
                                },
                                Some(n) => li {
                                    a class="fr-pagination__link" href=(href(n)) title=(format!("Page {n}")) { (n) }
                                },
                            }
                        }
                        @if page < pages {
                            li { a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" href=(href(page + 1)) { "Suivante" } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_ends_and_the_neighbours() {
        assert_eq!(page_window(1, 3), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_window(6, 12),
            vec![Some(1), None, Some(4), Some(5), Some(6), Some(7), Some(8), None, Some(12)]
        );
    }

    #[test]
    fn one_page_needs_no_pagination() {
        assert!(pagination("Pagination", 1, 1, Pager::PrevNext, |n| n.to_string()).into_string().is_empty());
        let html = pagination("Pagination", 2, 3, Pager::PrevNext, |n| format!("?page={n}")).into_string();
        assert!(html.contains(r#"href="?page=1""#) && html.contains(r#"href="?page=3""#), "{html}");
        assert!(html.contains("Page 2 sur 3"), "{html}");
    }
}

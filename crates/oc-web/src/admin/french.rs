//! The back office's words for what the store and the registry keep as
//! codes: audit actions and their fields, source kinds, schedules (cron
//! expressions) told in French.

use oc_library::curation::TermKind;
use oc_library::source::SourceKind;
use serde_json::Value;

/// An audit action (`document.edit`) in French (`Document modifié`); an
/// unknown one as it is written.
pub(crate) fn action_label(code: &str) -> String {
    let label = match code {
        "login" => "Connexion",
        "login.failed" => "Connexion refusée (mot de passe ou identifiant incorrect)",
        "logout" => "Déconnexion",
        "user.add" => "Compte créé",
        "user.edit" => "Compte modifié",
        "document.add" => "Document ajouté à la main",
        "document.edit" => "Document modifié",
        "document.delete" => "Document supprimé",
        "document.restore" => "Document restauré",
        "document.merge" => "Document fusionné dans un autre",
        "document.merge_target" => "Document enrichi par une fusion",
        "document.publish" => "Document publié (par lot)",
        "document.unpublish" => "Document dépublié (par lot)",
        "document.theme_add" => "Thématique ajoutée (par lot)",
        "document.theme_remove" => "Thématique retirée (par lot)",
        "term.add" => "Terme ajouté",
        "term.rename" => "Terme renommé",
        "term.move" => "Terme déplacé",
        "term.retire" => "Terme retiré",
        "term.reinstate" => "Terme rétabli",
        "term.edit" => "Organisme modifié (sigle, organisme parent)",
        "message.add" => "Message de fiche ajouté",
        "message.edit" => "Message de fiche modifié",
        "message.delete" => "Message de fiche supprimé",
        "source.add" => "Source ajoutée",
        "source.edit" => "Source modifiée",
        "source.run" => "Moisson lancée à la main",
        "synonym.set" => "Sigle de la recherche enregistré",
        "synonym.delete" => "Sigle de la recherche retiré",
        other => return other.to_owned(),
    };
    label.to_owned()
}

/// A family of audit actions (`document`) in French.
pub(crate) fn action_group_label(group: &str) -> String {
    let label = match group {
        "login" => "Connexions",
        "user" => "Comptes",
        "document" => "Documents",
        "term" => "Taxonomies",
        "message" => "Messages de fiche",
        "source" => "Sources",
        "synonym" => "Sigles de la recherche",
        other => return other.to_owned(),
    };
    format!("{label} (toutes les actions)")
}

/// Logins, refused logins and logouts: what "hide logins" hides.
pub(crate) fn is_login_action(code: &str) -> bool {
    code == "login" || code == "logout" || code.starts_with("login.")
}

/// An audit target (`document:12`) in French, with the back-office page
/// it names when there is one.
pub(crate) fn target_label(target: &str) -> (String, Option<String>) {
    let Some((kind, key)) = target.split_once(':') else { return (target.to_owned(), None) };
    match kind {
        "document" => (format!("Document n° {key}"), key.parse::<i64>().ok().map(|n| format!("/admin/documents/{n}"))),
        "source" => (format!("Source {key}"), Some(format!("/admin/sources/{}", crate::format::urlencode(key)))),
        "user" => (format!("Compte {key}"), None),
        "message" => (format!("Message de fiche n° {key}"), None),
        "synonym" => (format!("Sigle {key}"), None),
        k => match TermKind::parse(k) {
            Some(t) => (format!("{} : {key}", t.label()), None),
            None => (target.to_owned(), None),
        },
    }
}

/// A field of an audit entry's values in French.
fn field_label(key: &str) -> &str {
    match key {
        "id" => "N°",
        "url" => "Adresse",
        "title" => "Titre",
        "summary" => "Résumé",
        "publisher" => "Organisme",
        "publisher_short" => "Sigle de l'organisme",
        "published" => "Date de publication",
        "resource_type" => "Type de ressource",
        "themes" => "Thématiques",
        "scope" => "Types de territoire",
        "territories" => "Territoires",
        "status" => "Statut",
        "featured" => "À la une",
        "weight" => "Poids",
        "licence" => "Licence",
        "size" => "Taille du fichier",
        "merged_into" => "Fusionné dans",
        "merged_from" => "A reçu par fusion",
        "into" => "Document d'arrivée",
        "from" => "Document fusionné",
        "doc" => "Document",
        "name" => "Nom",
        "acronym" => "Sigle",
        "parent" => "Organisme parent",
        "position" => "Position",
        "retired" => "Retiré",
        "documents" => "Documents concernés",
        "username" => "Identifiant",
        "role" => "Rôle",
        "disabled" => "Désactivé",
        "ip" => "Adresse IP",
        "territory" => "Fiche",
        "body" => "Message",
        "starts" => "Début",
        "ends" => "Fin",
        "updated_by" => "Modifié par",
        "updated_at" => "Modifié le",
        "expansions" => "Expressions",
        "kind" => "Type de source",
        "schedule" => "Horaire",
        "enabled" => "Active",
        "query" => "Requête",
        "max_records" => "Notices par passage",
        "defaults" => "Classement par défaut",
        other => other,
    }
}

/// The order fields are listed in (the forms' order); the others after
/// them, by name.
const ORDER: [&str; 30] = [
    "id",
    "username",
    "acronym",
    "name",
    "title",
    "territory",
    "url",
    "summary",
    "body",
    "publisher",
    "publisher_short",
    "published",
    "resource_type",
    "kind",
    "themes",
    "scope",
    "territories",
    "status",
    "role",
    "disabled",
    "enabled",
    "featured",
    "weight",
    "schedule",
    "starts",
    "ends",
    "merged_into",
    "merged_from",
    "from",
    "into",
];

fn rank(key: &str) -> usize {
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

/// Texts longer than this are cut in the readable diff (the raw data
/// keeps them whole).
const MAX_VALUE_CHARS: usize = 120;

/// A value of an audit entry's field, formatted for a reader.
fn value_text(key: &str, v: &Value) -> String {
    let text = match v {
        Value::Null => "—".to_owned(),
        Value::Bool(b) => if *b { "oui" } else { "non" }.to_owned(),
        Value::Number(n) => match key {
            "merged_into" | "merged_from" => format!("n° {n}"),
            "size" => n.as_u64().map_or_else(|| n.to_string(), oc_model::file::size_text),
            _ => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => crate::format::fmt_num(f, 0),
                Some(f) => f.to_string().replace('.', ",").replace('-', "−"),
                None => n.to_string(),
            },
        },
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => match (key, s.as_str()) {
            ("status", "published") => "publié".to_owned(),
            ("status", "unpublished") => "non publié".to_owned(),
            ("status", "deleted") => "supprimé".to_owned(),
            ("role", "admin") => "administrateur".to_owned(),
            ("role", "librarian") => "bibliothécaire".to_owned(),
            ("kind", k) => k.parse::<SourceKind>().map_or_else(|_| k.to_owned(), |k| kind_label(k).to_owned()),
            ("schedule", c) => format!("{} (heure UTC)", schedule_text(c)),
            ("updated_at", t) => crate::format::fmt_stored_time(t),
            ("published" | "starts" | "ends", d) if d.len() == 10 => crate::format::fmt_date(d),
            (_, s) => s.to_owned(),
        },
        Value::Array(a) if a.is_empty() => "aucun".to_owned(),
        Value::Array(a) => a.iter().map(|x| value_text(key, x)).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        format!("{}…", text.chars().take(MAX_VALUE_CHARS).collect::<String>())
    } else {
        text
    }
}

/// One line of the readable diff of an audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    /// The field in French (`Statut`, `Document d'arrivée › Titre`).
    pub field: String,
    /// The value before, formatted; `None` when the entry has no "before"
    /// (an addition, a login).
    pub before: Option<String>,
    /// The value after; `None` when the entry has no "after" (a deletion).
    pub after: Option<String>,
}

impl Change {
    /// `Statut : publié → non publié`, `Titre : Budget 2026`.
    pub fn text(&self) -> String {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => format!("{} : {b} → {a}", self.field),
            (None, Some(v)) | (Some(v), None) => format!("{} : {v}", self.field),
            (None, None) => self.field.clone(),
        }
    }
}

fn parse(json: Option<&str>) -> Option<Value> {
    json.map(|j| serde_json::from_str::<Value>(j).unwrap_or_else(|_| Value::String(j.to_owned())))
}

/// What changed between the values before and after of an audit entry
/// (JSON objects), field by field, in French: only the fields that differ
/// when both are there, every field that has a value when one is.
pub(crate) fn changes(before: Option<&str>, after: Option<&str>) -> Vec<Change> {
    let mut out = Vec::new();
    match (parse(before), parse(after)) {
        (Some(b), Some(a)) => diff("", &b, &a, &mut out),
        (None, Some(v)) => list("", &v, false, &mut out),
        (Some(v), None) => list("", &v, true, &mut out),
        (None, None) => {}
    }
    out
}

fn join_label(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        field_label(key).to_owned()
    } else {
        format!("{prefix} › {}", field_label(key))
    }
}

fn diff(prefix: &str, b: &Value, a: &Value, out: &mut Vec<Change>) {
    match (b, a) {
        (Value::Object(bo), Value::Object(ao)) => {
            let mut keys: Vec<&String> = bo.keys().chain(ao.keys().filter(|k| !bo.contains_key(*k))).collect();
            keys.sort_by_key(|k| rank(k));
            for k in keys {
                let (bv, av) = (bo.get(k).unwrap_or(&Value::Null), ao.get(k).unwrap_or(&Value::Null));
                if bv == av {
                    continue;
                }
                let label = join_label(prefix, k);
                match (bv, av) {
                    (Value::Object(_), Value::Object(_)) => diff(&label, bv, av, out),
                    // A whole object on one side only: see the raw data.
                    (Value::Object(_), Value::Null) | (Value::Null, Value::Object(_)) => {}
                    _ => out.push(Change {
                        field: label,
                        before: Some(value_text(k, bv)),
                        after: Some(value_text(k, av)),
                    }),
                }
            }
        }
        _ => out.push(Change {
            field: if prefix.is_empty() { "Valeur".to_owned() } else { prefix.to_owned() },
            before: Some(value_text("", b)),
            after: Some(value_text("", a)),
        }),
    }
}

fn list(prefix: &str, v: &Value, is_before: bool, out: &mut Vec<Change>) {
    let Value::Object(o) = v else {
        let text = Some(value_text("", v));
        let field = if prefix.is_empty() { "Valeur".to_owned() } else { prefix.to_owned() };
        out.push(if is_before {
            Change { field, before: text, after: None }
        } else {
            Change { field, before: None, after: text }
        });
        return;
    };
    let mut fields: Vec<(&String, &Value)> = o.iter().collect();
    fields.sort_by_key(|(k, _)| rank(k));
    for (k, x) in fields {
        let label = join_label(prefix, k);
        match x {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::Array(a) if a.is_empty() => {}
            Value::Object(_) => list(&label, x, is_before, out),
            _ => {
                let text = Some(value_text(k, x));
                out.push(if is_before {
                    Change { field: label, before: text, after: None }
                } else {
                    Change { field: label, before: None, after: text }
                });
            }
        }
    }
}

/// A source kind in French, everywhere one is shown.
pub(crate) fn kind_label(k: SourceKind) -> &'static str {
    match k {
        SourceKind::Feed => "Flux RSS, Atom ou JSON Feed",
        SourceKind::Sru => "Requête SRU (BNSP, Gallica)",
        SourceKind::Ods => "Catalogue OpenDataSoft",
        SourceKind::Csv => "Catalogue CSV",
    }
}

/// The kinds a source form offers, in their order.
pub(crate) const KINDS: [SourceKind; 4] = [SourceKind::Feed, SourceKind::Sru, SourceKind::Ods, SourceKind::Csv];

/// A stored kind (`feed`) in French; an unknown one as it is.
pub(crate) fn kind_text(stored: &str) -> String {
    stored.parse::<SourceKind>().map_or_else(|_| stored.to_owned(), |k| kind_label(k).to_owned())
}

/// The days of the week, Sunday first (cron's 0), with their cron names.
const DAYS: [(&str, &str); 7] = [
    ("Sun", "dimanche"),
    ("Mon", "lundi"),
    ("Tue", "mardi"),
    ("Wed", "mercredi"),
    ("Thu", "jeudi"),
    ("Fri", "vendredi"),
    ("Sat", "samedi"),
];

/// A day-of-week field of cron (`Sun`, `sunday`, `0`, `7`) → 0 (Sunday) to 6.
fn weekday(s: &str) -> Option<usize> {
    let l = s.to_ascii_lowercase();
    if let Ok(n) = l.parse::<usize>() {
        return (n <= 7).then_some(n % 7);
    }
    let english = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    DAYS.iter().position(|(short, _)| short.eq_ignore_ascii_case(&l)).or_else(|| english.iter().position(|d| *d == l))
}

/// A plain number of a cron field within `max`.
fn number(s: &str, max: u32) -> Option<u32> {
    s.parse::<u32>().ok().filter(|n| *n <= max)
}

/// A cron expression with seconds (the sources' schedules, UTC) told in
/// French: `0 0 4 * * Sun` → « chaque dimanche à 4 h 00 », `0 30 3 * * *`
/// → « chaque jour à 3 h 30 », `0 0 * * * *` → « toutes les heures »,
/// `0 0 5 1 * *` → « le 1er de chaque mois à 5 h 00 »; empty: « à la main
/// seulement ». What it does not recognise is given back as it is.
pub fn schedule_text(cron: &str) -> String {
    let cron = cron.trim();
    if cron.is_empty() {
        return "à la main seulement (aucun horaire)".to_owned();
    }
    schedule_words(cron).unwrap_or_else(|| cron.to_owned())
}

/// [`schedule_text`] when the expression is recognised.
pub(crate) fn schedule_words(cron: &str) -> Option<String> {
    let f: Vec<&str> = cron.split_whitespace().collect();
    let (sec, min, hour, dom, month, dow) = match f.as_slice() {
        [s, m, h, d, mo, w] | [s, m, h, d, mo, w, "*"] => (*s, *m, *h, *d, *mo, *w),
        _ => return None,
    };
    if sec != "0" || month != "*" {
        return None;
    }
    let minute = number(min, 59)?;
    if hour == "*" {
        return (dom == "*" && dow == "*").then(|| {
            if minute == 0 {
                "toutes les heures".to_owned()
            } else {
                format!("toutes les heures, à {minute} min")
            }
        });
    }
    let at = format!("à {} h {minute:02}", number(hour, 23)?);
    match (dom, dow) {
        ("*", "*" | "?") | ("?", "*") => Some(format!("chaque jour {at}")),
        ("*" | "?", w) => {
            if let Some((a, b)) = w.split_once('-') {
                let (a, b) = (weekday(a)?, weekday(b)?);
                return Some(match (a, b) {
                    (1, 5) => format!("du lundi au vendredi {at}"),
                    _ => format!("du {} au {} {at}", DAYS[a].1, DAYS[b].1),
                });
            }
            let days = w.split(',').map(|d| weekday(d).map(|i| DAYS[i].1)).collect::<Option<Vec<_>>>()?;
            let days = match days.as_slice() {
                [one] => (*one).to_owned(),
                [rest @ .., last] => format!("{} et {last}", rest.join(", ")),
                [] => return None,
            };
            Some(format!("chaque {days} {at}"))
        }
        (d, "*" | "?") => {
            let d = number(d, 31).filter(|d| *d >= 1)?;
            let d = if d == 1 { "1er".to_owned() } else { d.to_string() };
            Some(format!("le {d} de chaque mois {at}"))
        }
        _ => None,
    }
}

/// How often a schedule of the French form runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frequency {
    /// No schedule: runs are started by hand.
    Manual,
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub const ALL: [(Frequency, &'static str, &'static str); 5] = [
        (Frequency::Manual, "manuel", "à la main seulement"),
        (Frequency::Hourly, "heure", "toutes les heures"),
        (Frequency::Daily, "jour", "chaque jour"),
        (Frequency::Weekly, "semaine", "chaque semaine"),
        (Frequency::Monthly, "mois", "chaque mois"),
    ];

    pub fn code(self) -> &'static str {
        Frequency::ALL.iter().find(|(f, _, _)| *f == self).map_or("manuel", |(_, c, _)| c)
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.iter().find(|(_, c, _)| *c == s).map(|(f, _, _)| *f)
    }
}

/// The French choice of a schedule: how often, which day, at what time
/// (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub frequency: Frequency,
    /// Weekly: 0 (Sunday) to 6; monthly: 1 to 28.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan { frequency: Frequency::Daily, day: 0, hour: 5, minute: 0 }
    }
}

/// The weekday names, Sunday (0) first.
pub(crate) fn weekday_name(i: u32) -> &'static str {
    DAYS.get(i as usize).map_or("dimanche", |(_, d)| d)
}

impl Plan {
    /// The cron expression of the plan (empty: by hand).
    pub fn cron(&self) -> String {
        let (h, m) = (self.hour, self.minute);
        match self.frequency {
            Frequency::Manual => String::new(),
            Frequency::Hourly => format!("0 {m} * * * *"),
            Frequency::Daily => format!("0 {m} {h} * * *"),
            Frequency::Weekly => format!("0 {m} {h} * * {}", DAYS[self.day as usize % 7].0),
            Frequency::Monthly => format!("0 {m} {h} {} * *", self.day.clamp(1, 28)),
        }
    }

    /// The plan a cron expression is, when the French form can say it.
    pub fn of_cron(cron: &str) -> Option<Plan> {
        let cron = cron.trim();
        if cron.is_empty() {
            return Some(Plan { frequency: Frequency::Manual, ..Plan::default() });
        }
        schedule_words(cron)?;
        let f: Vec<&str> = cron.split_whitespace().collect();
        let minute = number(f[1], 59)?;
        if f[2] == "*" {
            return Some(Plan { frequency: Frequency::Hourly, minute, ..Plan::default() });
        }
        let hour = number(f[2], 23)?;
        let plan = |frequency, day| Some(Plan { frequency, day, hour, minute });
        match (f[3], f[5]) {
            ("*" | "?", "*" | "?") => plan(Frequency::Daily, 0),
            ("*" | "?", w) => plan(Frequency::Weekly, weekday(w)? as u32),
            (d, _) => plan(Frequency::Monthly, number(d, 28).filter(|d| *d >= 1)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_told_in_french() {
        assert_eq!(schedule_text("0 0 4 * * Sun"), "chaque dimanche à 4 h 00");
        assert_eq!(schedule_text("0 30 3 * * *"), "chaque jour à 3 h 30");
        assert_eq!(schedule_text("0 5 5 * * *"), "chaque jour à 5 h 05");
        assert_eq!(schedule_text("0 0 * * * *"), "toutes les heures");
        assert_eq!(schedule_text("0 15 * * * *"), "toutes les heures, à 15 min");
        assert_eq!(schedule_text("0 0 5 1 * *"), "le 1er de chaque mois à 5 h 00");
        assert_eq!(schedule_text("0 0 5 15 * *"), "le 15 de chaque mois à 5 h 00");
        assert_eq!(schedule_text("0 0 6 * * MON"), "chaque lundi à 6 h 00");
        assert_eq!(schedule_text("0 0 6 * * 0"), "chaque dimanche à 6 h 00");
        assert_eq!(schedule_text("0 0 6 * * 7"), "chaque dimanche à 6 h 00");
        assert_eq!(schedule_text("0 0 6 * * Mon,Thu"), "chaque lundi et jeudi à 6 h 00");
        assert_eq!(schedule_text("0 0 6 * * Mon-Fri"), "du lundi au vendredi à 6 h 00");
        assert_eq!(schedule_text(""), "à la main seulement (aucun horaire)");
        // Not recognised: shown as it is.
        for odd in ["0 */5 * * * *", "30 0 4 * * Sun", "0 0 4 1 1 *", "0 0 4 1 * Sun", "tous les jours", "0 0 25 * * *"]
        {
            assert_eq!(schedule_text(odd), odd);
        }
    }

    #[test]
    fn the_french_choice_composes_the_cron_and_reads_it_back() {
        let p = Plan { frequency: Frequency::Weekly, day: 0, hour: 4, minute: 0 };
        assert_eq!(p.cron(), "0 0 4 * * Sun");
        assert_eq!(Plan::of_cron("0 0 4 * * Sun"), Some(p));
        let m = Plan { frequency: Frequency::Monthly, day: 1, hour: 5, minute: 30 };
        assert_eq!(m.cron(), "0 30 5 1 * *");
        assert_eq!(schedule_text(&m.cron()), "le 1er de chaque mois à 5 h 30");
        assert_eq!(Plan::of_cron("0 30 5 1 * *"), Some(m));
        assert_eq!(Plan { frequency: Frequency::Daily, ..Plan::default() }.cron(), "0 0 5 * * *");
        assert_eq!(Plan { frequency: Frequency::Hourly, minute: 0, ..Plan::default() }.cron(), "0 0 * * * *");
        assert_eq!(Plan { frequency: Frequency::Manual, ..Plan::default() }.cron(), "");
        assert_eq!(Plan::of_cron("").map(|p| p.frequency), Some(Frequency::Manual));
        assert_eq!(Plan::of_cron("0 */5 * * * *"), None, "the form cannot say it: the expert field keeps it");
        assert_eq!(Plan::of_cron("0 0 6 * * Mon,Thu"), None);
    }

    #[test]
    fn audit_values_are_shown_field_by_field_in_french() {
        let c = changes(
            Some(r#"{"title":"Budget","status":"published","weight":0.0,"themes":["Parité"],"featured":false}"#),
            Some(r#"{"title":"Budget","status":"unpublished","weight":2.5,"themes":[],"featured":true}"#),
        );
        // Fields in the order of the form.
        let t: Vec<String> = c.iter().map(Change::text).collect();
        assert_eq!(
            t,
            vec![
                "Thématiques : Parité → aucun",
                "Statut : publié → non publié",
                "À la une : non → oui",
                "Poids : 0 → 2,5"
            ]
        );
        let login: Vec<String> = changes(None, Some(r#"{"ip":"192.0.2.1"}"#)).iter().map(Change::text).collect();
        assert_eq!(login, vec!["Adresse IP : 192.0.2.1"]);
        let merge = changes(
            Some(r#"{"from":{"title":"A"},"into":{"title":"B","territories":["DEP-34"]}}"#),
            Some(r#"{"merged_into":12,"into":{"title":"B","territories":["DEP-34","COM-34172"]}}"#),
        );
        let merge: Vec<String> = merge.iter().map(Change::text).collect();
        assert_eq!(
            merge,
            vec!["Fusionné dans : — → n° 12", "Document d'arrivée › Territoires : DEP-34 → DEP-34, COM-34172"]
        );
        let user: Vec<String> =
            changes(None, Some(r#"{"role":"admin","username":"x"}"#)).iter().map(Change::text).collect();
        assert_eq!(user, vec!["Identifiant : x", "Rôle : administrateur"]);
        let role = changes(Some(r#"{"role":"librarian"}"#), Some(r#"{"role":"admin"}"#));
        assert_eq!(role[0].text(), "Rôle : bibliothécaire → administrateur");
        assert!(changes(Some("pas du JSON"), None)[0].text().contains("pas du JSON"));
        assert_eq!(action_label("document.edit"), "Document modifié");
        assert_eq!(action_label("login"), "Connexion");
        assert_eq!(action_label("inconnue.action"), "inconnue.action");
        assert_eq!(target_label("document:12"), ("Document n° 12".to_owned(), Some("/admin/documents/12".to_owned())));
    }
}

//! Inline SVG maps drawn by the server from the commune contours: no tile
//! server, no script. Coordinates are projected equirectangularly around
//! the map's mean latitude, rounded to whole pixels, and written as
//! relative path commands; points that fall on the same pixel are dropped,
//! which keeps a département of 600 communes to a few tens of kilobytes.

use std::fmt::Write;

use maud::{html, Markup, PreEscaped};

use oc_model::Shape;

/// One layer of shapes drawn with one CSS class.
#[derive(Debug)]
pub struct Layer<'a> {
    pub class: &'static str,
    /// Shapes with an optional (title, link).
    pub shapes: Vec<(&'a Shape, Option<(String, String)>)>,
}

struct Projection {
    min_x: f64,
    max_y: f64,
    k: f64,
    cos: f64,
    width: f64,
    height: f64,
}

impl Projection {
    fn new(layers: &[Layer<'_>], max_width: f64, max_height: f64) -> Option<Projection> {
        let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for l in layers {
            for (s, _) in &l.shapes {
                for poly in s.decode() {
                    for ring in poly.iter().take(1) {
                        for &(x, y) in ring {
                            min_lon = min_lon.min(x);
                            max_lon = max_lon.max(x);
                            min_lat = min_lat.min(y);
                            max_lat = max_lat.max(y);
                        }
                    }
                }
            }
        }
        if min_lon > max_lon {
            return None;
        }
        let cos = ((min_lat + max_lat) / 2.0).to_radians().cos().max(0.1);
        let w = ((max_lon - min_lon) * cos).max(1e-6);
        let h = (max_lat - min_lat).max(1e-6);
        let k = (max_width / w).min(max_height / h);
        Some(Projection {
            min_x: min_lon * cos,
            max_y: max_lat,
            k,
            cos,
            width: (w * k).ceil() + 2.0,
            height: (h * k).ceil() + 2.0,
        })
    }

    /// A point in pixels, unrounded.
    fn pt(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        ((lon * self.cos - self.min_x) * self.k + 1.0, (self.max_y - lat) * self.k + 1.0)
    }

    fn px(&self, (lon, lat): (f64, f64)) -> (i64, i64) {
        (((lon * self.cos - self.min_x) * self.k).round() as i64 + 1, ((self.max_y - lat) * self.k).round() as i64 + 1)
    }

    fn path(&self, shape: &Shape, out: &mut String) {
        for poly in shape.decode() {
            for ring in poly {
                let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
                for p in ring {
                    let q = self.px(p);
                    if pts.last() != Some(&q) {
                        pts.push(q);
                    }
                }
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() < 3 {
                    continue;
                }
                let _ = write!(out, "M{} {}l", pts[0].0, pts[0].1);
                for w in pts.windows(2) {
                    let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
                    if dy < 0 {
                        let _ = write!(out, "{dx}{dy}");
                    } else {
                        let _ = write!(out, "{dx} {dy}");
                    }
                    if !out.ends_with(' ') {
                        out.push(' ');
                    }
                }
                out.pop();
                out.push('z');
            }
        }
    }
}

/// Layers already projected and written as SVG elements, reusable under
/// further layers drawn with the same projection (see [`MapCache`]).
pub struct BaseMap {
    proj: Projection,
    body: String,
    /// The body holds links: the SVG is then a group, not an image.
    linked: bool,
    /// Display size multiplier of the viewBox (coarse maps drawn small).
    zoom: f64,
}

impl std::fmt::Debug for BaseMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseMap").field("bytes", &self.body.len()).finish()
    }
}

fn write_layers(proj: &Projection, layers: &[Layer<'_>], body: &mut String) {
    for layer in layers {
        let (plain, linked): (Vec<_>, Vec<_>) = layer.shapes.iter().partition(|(_, link)| link.is_none());
        if !plain.is_empty() {
            let mut d = String::new();
            for (s, _) in plain {
                proj.path(s, &mut d);
            }
            if !d.is_empty() {
                let _ = write!(body, r#"<path class="{}" d="{}"/>"#, layer.class, d);
            }
        }
        for (s, link) in linked {
            let Some((name, href)) = link else { continue };
            let mut d = String::new();
            proj.path(s, &mut d);
            if d.is_empty() {
                continue;
            }
            let _ = write!(
                body,
                r#"<a href="{}"><title>{}</title><path class="{}" d="{}"/></a>"#,
                escape(href),
                escape(name),
                layer.class,
                d
            );
        }
    }
}

impl BaseMap {
    /// Projects `layers` into a box of at most `max_width` × `max_height`
    /// pixels, shown `zoom` times larger.
    pub fn new(layers: &[Layer<'_>], max_width: f64, max_height: f64, zoom: f64) -> Option<BaseMap> {
        let proj = Projection::new(layers, max_width, max_height)?;
        let mut body = String::new();
        write_layers(&proj, layers, &mut body);
        let linked = has_links(layers);
        Some(BaseMap { proj, body, linked, zoom })
    }

    /// The SVG: this base, then `extra` layers on top.
    pub fn render(&self, extra: &[Layer<'_>], title: &str, description: &str) -> Markup {
        self.render_as("oc-map", extra, title, description)
    }

    /// [`BaseMap::render`] with the ids of its title and description
    /// prefixed by `id` (`{id}-title`): one per map of a page.
    pub fn render_as(&self, id: &str, extra: &[Layer<'_>], title: &str, description: &str) -> Markup {
        let mut top = String::new();
        write_layers(&self.proj, extra, &mut top);
        let (w, h) = (self.proj.width, self.proj.height);
        let (dw, dh) = ((w * self.zoom).round(), (h * self.zoom).round());
        // An image may not hold links: a map with links is a labelled group.
        let linked = self.linked || has_links(extra);
        let role = if linked { "group" } else { "img" };
        let (tid, did) = (format!("{id}-title"), format!("{id}-desc"));
        let labelledby = if linked { tid.clone() } else { format!("{tid} {did}") };
        html! {
            svg class="oc-map" viewBox=(format!("0 0 {w} {h}")) width=(dw) height=(dh) role=(role) aria-labelledby=(labelledby) aria-describedby=[linked.then_some(&did)] xmlns="http://www.w3.org/2000/svg" {
                title id=(tid) { (title) }
                desc id=(did) { (description) }
                (PreEscaped(&self.body))
                (PreEscaped(top))
            }
        }
    }
}

fn has_links(layers: &[Layer<'_>]) -> bool {
    layers.iter().any(|l| l.shapes.iter().any(|(_, link)| link.is_some()))
}

/// Renders `layers` (first drawn first) as an accessible inline SVG.
/// `title` names the map; `description` is its text alternative.
pub fn render(layers: &[Layer<'_>], title: &str, description: &str, max_width: f64, max_height: f64) -> Option<Markup> {
    Some(BaseMap::new(layers, max_width, max_height, 1.0)?.render(&[], title, description))
}

/// Groups of shapes (départements, each the union of its communes)
/// painted on a grid of whole pixels: each cell belongs to the group whose
/// shape covers its centre. A country of 35,000 communes becomes a few
/// thousand runs of cells, so that the départements of France weigh tens
/// of kilobytes whatever the number of communes; the boundaries between
/// groups are drawn along the cells. Made once, painted for any classes.
pub struct Raster {
    cols: usize,
    rows: usize,
    /// Group + 1 by cell, 0 outside every shape.
    cells: Vec<u16>,
    zoom: f64,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Raster").field("cols", &self.cols).field("rows", &self.rows).finish()
    }
}

impl Raster {
    /// Paints `groups` into a grid of at most `max_width` × `max_height`
    /// cells, shown `zoom` times larger.
    pub fn new(groups: &[Vec<&Shape>], max_width: f64, max_height: f64, zoom: f64) -> Option<Raster> {
        let layers: Vec<Layer<'_>> =
            groups.iter().map(|g| Layer { class: "", shapes: g.iter().map(|s| (*s, None)).collect() }).collect();
        let proj = Projection::new(&layers, max_width, max_height)?;
        let (cols, rows) = (proj.width as usize, proj.height as usize);
        let mut cells = vec![0u16; cols * rows];
        let mut xs: Vec<f64> = Vec::new();
        for (g, shapes) in groups.iter().enumerate() {
            for s in shapes {
                for poly in s.decode() {
                    let rings: Vec<Vec<(f64, f64)>> =
                        poly.iter().map(|r| r.iter().map(|p| proj.pt(*p)).collect()).collect();
                    let (mut y0, mut y1) = (f64::MAX, f64::MIN);
                    for r in &rings {
                        for p in r {
                            y0 = y0.min(p.1);
                            y1 = y1.max(p.1);
                        }
                    }
                    if y0 > y1 {
                        continue;
                    }
                    let (r0, r1) = ((y0 - 0.5).ceil().max(0.0) as usize, ((y1 - 0.5).floor() as usize).min(rows - 1));
                    for row in r0..=r1 {
                        let y = row as f64 + 0.5;
                        xs.clear();
                        for r in &rings {
                            for w in r.windows(2) {
                                let ((ax, ay), (bx, by)) = (w[0], w[1]);
                                if (ay <= y) != (by <= y) {
                                    xs.push(ax + (y - ay) / (by - ay) * (bx - ax));
                                }
                            }
                        }
                        xs.sort_by(f64::total_cmp);
                        for pair in xs.chunks_exact(2) {
                            let c0 = (pair[0] - 0.5).ceil().max(0.0) as usize;
                            let c1 = ((pair[1] - 0.5).floor().max(-1.0) + 1.0) as usize;
                            for c in c0..c1.min(cols) {
                                cells[row * cols + c] = g as u16 + 1;
                            }
                        }
                    }
                }
            }
        }
        Some(Raster { cols, rows, cells, zoom })
    }

    /// The SVG: each group's cells with the class `class_of(group)`
    /// (runs of one class merged), the boundaries between groups on top.
    /// `id` prefixes the ids of its title and description (one per map
    /// of a page).
    pub fn render(&self, id: &str, class_of: &dyn Fn(usize) -> &'static str, title: &str, description: &str) -> Markup {
        let (tid, did) = (format!("{id}-title"), format!("{id}-desc"));
        let mut by_class: Vec<(&'static str, String)> = Vec::new();
        let mut lines = String::new();
        let class_at = |v: u16| if v == 0 { None } else { Some(class_of(v as usize - 1)) };
        for row in 0..self.rows {
            let line = &self.cells[row * self.cols..(row + 1) * self.cols];
            let mut c = 0;
            while c < self.cols {
                let Some(class) = class_at(line[c]) else {
                    c += 1;
                    continue;
                };
                let start = c;
                while c < self.cols && class_at(line[c]) == Some(class) {
                    c += 1;
                }
                let d = match by_class.iter_mut().find(|(k, _)| *k == class) {
                    Some((_, d)) => d,
                    None => {
                        by_class.push((class, String::new()));
                        &mut by_class.last_mut().expect("just pushed").1
                    }
                };
                let _ = write!(d, "M{start} {row}h{}v1h-{}z", c - start, c - start);
            }
            // Boundaries: between two cells of different groups on a row,
            // and with the row above.
            for c in 1..self.cols {
                if line[c] != line[c - 1] && (line[c] != 0 || line[c - 1] != 0) {
                    let _ = write!(lines, "M{c} {row}v1");
                }
            }
            if row > 0 {
                let above = &self.cells[(row - 1) * self.cols..row * self.cols];
                let mut c = 0;
                while c < self.cols {
                    if line[c] != above[c] {
                        let start = c;
                        while c < self.cols && line[c] != above[c] {
                            c += 1;
                        }
                        let _ = write!(lines, "M{start} {row}h{}", c - start);
                    } else {
                        c += 1;
                    }
                }
            }
        }
        let (w, h) = (self.cols as f64, self.rows as f64);
        let (dw, dh) = ((w * self.zoom).round(), (h * self.zoom).round());
        html! {
            svg class="oc-map oc-map--raster" viewBox=(format!("0 0 {w} {h}")) width=(dw) height=(dh) role="img" aria-labelledby=(format!("{tid} {did}")) xmlns="http://www.w3.org/2000/svg" {
                title id=(tid) { (title) }
                desc id=(did) { (description) }
                @for (class, d) in &by_class { path class=(class) d=(d) {} }
                path class="oc-map__bounds" d=(lines) {}
            }
        }
    }
}

/// Base maps of départements and régions, drawn once per process.
#[derive(Debug, Default)]
pub struct MapCache {
    maps: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<BaseMap>>>,
}

impl MapCache {
    /// The base map under `key`, made by `make` on first use.
    pub fn get_or_make(&self, key: &str, make: impl FnOnce() -> Option<BaseMap>) -> Option<std::sync::Arc<BaseMap>> {
        if let Some(m) = self.maps.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Some(m);
        }
        let made = std::sync::Arc::new(make()?);
        if let Ok(mut m) = self.maps.lock() {
            m.insert(key.to_owned(), made.clone());
        }
        Some(made)
    }
}

/// Escapes text for an SVG (XML) attribute or text node: the one XML
/// escaping of the crate, [`oc_model::markup::escape`] (markup escaped, code
/// points XML 1.0 forbids or discourages dropped), kept under this name.
pub(crate) use oc_model::markup::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_an_accessible_svg_with_relative_paths() {
        let a = Shape::encode(&[vec![vec![(3.0, 43.0), (3.1, 43.0), (3.1, 43.1), (3.0, 43.0)]]]);
        let b = Shape::encode(&[vec![vec![(3.1, 43.0), (3.2, 43.0), (3.2, 43.1), (3.1, 43.0)]]]);
        let layers = [
            Layer { class: "oc-map__context", shapes: vec![(&a, None)] },
            Layer { class: "oc-map__focus", shapes: vec![(&b, Some(("A <b>".into(), "/commune/a-1".into())))] },
        ];
        let svg = render(&layers, "Carte", "Texte", 400.0, 300.0).unwrap().into_string();
        assert!(svg.contains(r#"role="group""#), "a map with links is a group, not an image: {svg}");
        assert!(svg.contains("<title id=\"oc-map-title\">Carte</title>"));
        let plain = render(&layers[..1], "Carte", "Texte", 400.0, 300.0).unwrap().into_string();
        assert!(plain.contains(r#"role="img""#));
        assert!(svg.contains(r#"<path class="oc-map__context" d="M"#));
        assert!(svg.contains("A &lt;b&gt;"), "titles are escaped: {svg}");
        assert!(svg.contains(r#"<a href="/commune/a-1"><title>A &lt;b&gt;</title>"#), "{svg}");
        assert!(render(&[], "x", "y", 10.0, 10.0).is_none());
    }

    #[test]
    fn svg_text_drops_what_xml_forbids() {
        let a = Shape::encode(&[vec![vec![(3.0, 43.0), (3.1, 43.0), (3.1, 43.1), (3.0, 43.0)]]]);
        let layers = [Layer {
            class: "oc-map__focus",
            shapes: vec![(&a, Some(("A\u{FFFE}\u{1}B\u{FFFF} \u{1F600}".into(), "/commune/a-1?x=\u{B}".into())))],
        }];
        let svg = render(&layers, "Carte", "Texte", 400.0, 300.0).unwrap().into_string();
        assert!(svg.contains("<a href=\"/commune/a-1?x=\"><title>AB \u{1F600}</title>"), "{svg}");
    }
}

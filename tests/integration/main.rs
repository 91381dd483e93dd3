//! The integration test binary: search behaviours on the real COG 2026
//! data, the HTTP API and pages (in-process with `oneshot`, and against a
//! real server on 127.0.0.1:0), `load` from ../shared/data, and the
//! autocomplete in headless Chromium.

mod admin;
mod api;
mod backoffice;
mod browser;
mod common;
mod compare;
mod context;
mod deep;
mod dgcl;
mod facts;
mod fiche;
mod finance_labels;
mod finances;
mod frame;
mod french;
mod health;
mod hostile;
mod income;
mod intent;
mod library;
mod library_quality;
mod load;
mod opendata;
mod publications;
mod resilience;
mod search;
mod ssrf;
mod throttle;
mod xlsx;
mod xml_safe;

//! Headless Chromium tests (filled in below).
